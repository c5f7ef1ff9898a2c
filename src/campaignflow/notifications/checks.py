"""Start-up check: links in e-mails and chat messages need an absolute base URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_base_url(app_configs, **kwargs):
    parts = urlsplit(settings.CAMPAIGNFLOW_BASE_URL)
    if parts.scheme in ("http", "https") and parts.netloc:
        return []
    return [
        Error(
            f"CAMPAIGNFLOW_BASE_URL must be an absolute http(s) URL such as https://campaigns.example.com; "
            f"got {settings.CAMPAIGNFLOW_BASE_URL!r}",
            id="campaignflow.notifications.E001",
        )
    ]
