from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/labels/", views.labels, name="labels"),
    path("<int:pk>/template/", views.save_template, name="template"),
    path("campaigns/<int:pk>/", views.campaign_tab, name="campaign"),
]
