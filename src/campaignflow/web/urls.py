from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("approvals/", views.approval_inbox, name="approvals"),
    path("approvals/<int:pk>/<slug:decision>/", views.approval_decide, name="approval_decide"),
]
