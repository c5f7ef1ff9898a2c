from django.urls import path

from . import views

app_name = "expenses"
urlpatterns = [
    path("campaigns/<int:pk>/", views.budget, name="budget"),
    path("campaigns/<int:pk>/expenses/", views.expense_add, name="add"),
    path("campaigns/<int:pk>/settlement/", views.settlement_save, name="settlement"),
    path("campaigns/<int:pk>/settlement/<str:action>/", views.settlement_decide, name="settlement_action"),
    path("<int:expense_pk>/", views.expense_row, name="expense"),
    path("<int:expense_pk>/delete/", views.expense_remove, name="delete"),
    path("<int:expense_pk>/attachment/", views.attachment_download, name="attachment"),
]
