from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/edit/plan/", views.plan_update, name="plan_update"),
    path("<int:pk>/edit/brief/", views.brief_update, name="brief_update"),
    path("<int:pk>/edit/check/", views.plan_check, name="plan_check"),
    path("<int:pk>/edit/<slug:kind>/", views.item_section, name="items"),
    path("<int:pk>/edit/<slug:kind>/<int:item_pk>/", views.item_detail, name="item"),
    path("<int:pk>/edit/<slug:kind>/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
    path("<int:pk>/action/<slug:action>/", views.campaign_action, name="action"),
]
