from django.urls import path

from . import views

app_name = "links"
urlpatterns = [
    path("campaigns/<int:pk>/", views.campaign_links, name="campaign"),
    path("campaigns/<int:pk>/preview/", views.preview, name="preview"),
    path("settings/", views.link_settings, name="settings"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/qr.png", views.qr_code, {"fmt": "png"}, name="qr_png"),
    path("<int:pk>/qr.svg", views.qr_code, {"fmt": "svg"}, name="qr_svg"),
]
