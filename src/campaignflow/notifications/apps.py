from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "campaignflow.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from campaignflow.campaigns.navigation import CampaignTab, register_tab

        from . import checks  # noqa: F401 - registers the system check of CAMPAIGNFLOW_BASE_URL
        from .permissions import can_manage_campaign_webhooks

        register_tab(
            CampaignTab(
                "integrations",
                _("Integrations"),
                "notifications:campaign_webhooks",
                order=90,
                visible=can_manage_campaign_webhooks,
            )
        )
