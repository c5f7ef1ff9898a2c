from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("campaigns/<int:pk>/", views.campaign_evaluation, name="campaign"),
    path("campaigns/<int:pk>/start/", views.start, name="start"),
    path("campaigns/<int:pk>/save/", views.save, name="save"),
    path("campaigns/<int:pk>/archive.zip", views.archive_download, name="archive"),
    path("campaigns/<int:pk>/<slug:action>/", views.decide, name="action"),
    path("dimensions/<int:dimension_pk>/", views.dimension, name="dimension"),
]
