from django.urls import path

from . import views, views_changes, views_readiness

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
    # change requests and the previous baseline (views_changes)
    path("<int:pk>/changes/", views_changes.change_list, name="changes"),
    path("<int:pk>/changes/new/<slug:kind>/", views_changes.change_create, name="change_new"),
    path("<int:pk>/changes/compare/", views_changes.plan_compare, name="plan_compare"),
    path("<int:pk>/changes/<int:cr_pk>/", views_changes.change_detail, name="change_detail"),
    path("<int:pk>/changes/<int:cr_pk>/edit/", views_changes.change_edit, name="change_edit"),
    path("<int:pk>/changes/<int:cr_pk>/<slug:action>/", views_changes.change_action, name="change_action"),
    # the pre-launch readiness checklist (views_readiness)
    path("<int:pk>/readiness/", views_readiness.readiness_page, name="readiness"),
    path("<int:pk>/readiness/<slug:key>/", views_readiness.readiness_item, name="readiness_item"),
]
