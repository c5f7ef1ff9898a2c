"""The public redirect, included at /r/<code> by config/urls.py (above the web catch-all)."""

from django.urls import path

from .views import link_redirect

urlpatterns = [path("", link_redirect, name="link_redirect")]
