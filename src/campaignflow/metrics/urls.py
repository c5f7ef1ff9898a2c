from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("campaigns/<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("campaigns/<int:pk>/data/", views.data, name="data"),
    path("campaigns/<int:pk>/data/import/", views.import_file, name="import"),
    path("campaigns/<int:pk>/data/<int:channel_pk>/<str:day>/", views.grid_row, name="grid_row"),
]
