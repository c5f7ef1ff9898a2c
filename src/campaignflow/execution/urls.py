from django.urls import path

from . import views

app_name = "execution"
urlpatterns = [
    path("campaigns/<int:pk>/tasks/", views.task_table, name="tasks"),
    path("campaigns/<int:pk>/tasks/propose/", views.tasks_propose, name="propose"),
    path("campaigns/<int:pk>/tasks/export.xlsx", views.tasks_export, name="export"),
    path("campaigns/<int:pk>/tasks/<int:task_pk>/", views.task_row, name="task"),
    path("campaigns/<int:pk>/tasks/<int:task_pk>/delete/", views.task_delete, name="task_delete"),
    path("campaigns/<int:pk>/gantt/", views.gantt, name="gantt"),
    path("campaigns/<int:pk>/baseline/", views.baseline_freeze, name="baseline"),
    path("campaigns/<int:pk>/board/", views.board, name="board"),
    path("campaigns/<int:pk>/board/<int:task_pk>/", views.board_move, name="board_move"),
    path("campaigns/<int:pk>/raci/", views.raci, name="raci"),
    path("campaigns/<int:pk>/raci/<int:task_pk>/<int:user_pk>/", views.raci_cell, name="raci_cell"),
    path("campaigns/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("campaigns/<int:pk>/log/", views.log, name="log"),
    path("meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path("action-items/<int:item_pk>/task/", views.action_item_task, name="action_item_task"),
    path("risks/<int:risk_pk>/activate/", views.risk_activate, name="risk_activate"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_personal, name="calendar_personal"),
    path("calendar/<str:token>/<int:pk>.ics", views.calendar_campaign, name="calendar_campaign"),
    path("assets/plotly-<str:version>.min.js", views.plotly_js, name="plotly_js"),
]
