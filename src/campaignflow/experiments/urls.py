from django.urls import path

from . import views

app_name = "experiments"
urlpatterns = [
    path("campaigns/<int:pk>/", views.experiment_list, name="list"),
    path("campaigns/<int:pk>/size/", views.sample_size, name="size"),
    path("<int:experiment_pk>/", views.experiment_detail, name="detail"),
    path("<int:experiment_pk>/observations/", views.observations, name="observations"),
    path("<int:experiment_pk>/delete/", views.experiment_delete, name="delete"),
    path("<int:experiment_pk>/<str:action>/", views.transition, name="transition"),
]
