from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("campaigns/<int:pk>/", views.campaign_reports, name="campaign"),
    path("campaigns/<int:pk>/daily/generate/", views.daily_generate, name="daily_generate"),
    path("campaigns/<int:pk>/reviews/new/", views.review_create, name="review_create"),
    path("campaigns/<int:pk>/<slug:kind>/download/", views.report_download, name="download"),
    path("daily/<int:report_pk>/download/", views.daily_download, name="daily_download"),
    path("reviews/<int:review_pk>/", views.review_detail, name="review"),
    path("reviews/<int:review_pk>/finalise/", views.review_finalise, name="review_finalise"),
    path("reviews/<int:review_pk>/refresh/", views.review_refresh, name="review_refresh"),
    path("reviews/<int:review_pk>/download/", views.review_download, name="review_download"),
    path("review-items/<int:item_pk>/", views.item_update, name="item_update"),
]
