from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from campaignflow.core import health

from .api import api


@csrf_exempt  # like the API itself: a POST to an unknown path gets the JSON 404, not a CSRF page
def api_not_found(request, *args, **kwargs):
    """Unknown /api/ paths answer in the API's JSON error shape, not Django's HTML page."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found", "errors": []}, status=404)


handler400 = "campaignflow.web.errors.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("campaignflow.accounts.urls")),
    path("campaigns/", include("campaignflow.campaigns.urls")),
    path("execution/", include("campaignflow.execution.urls")),
    path("metrics/", include("campaignflow.metrics.urls")),
    path("notifications/", include("campaignflow.notifications.urls")),
    path("links/", include("campaignflow.links.urls")),
    path("alerts/", include("campaignflow.alerts.urls")),
    path("reports/", include("campaignflow.reports.urls")),
    path("experiments/", include("campaignflow.experiments.urls")),
    path("r/<str:code>", include("campaignflow.links.public_urls")),
    path("knowledge/", include("campaignflow.knowledge.urls")),
    path("expenses/", include("campaignflow.expenses.urls")),
    path("evaluation/", include("campaignflow.evaluation.urls")),
    path("", include("campaignflow.web.urls")),
]
