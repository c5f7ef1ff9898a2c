"""The tabs of a campaign's pages. Each app adds its own (Tasks, Gantt, Data, …) in its AppConfig.ready."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CampaignTab:
    key: str
    label: str
    url_name: str  # reversed with the campaign's pk
    order: int = 50
    # optional: show the tab only when this returns True for (user, campaign)
    visible: Callable | None = None


TABS: dict[str, CampaignTab] = {}


def register_tab(tab: CampaignTab) -> None:
    TABS[tab.key] = tab


def tabs_for(user, campaign) -> list[tuple[CampaignTab, str]]:
    """(tab, url) pairs in order, for the tabs this user may see on this campaign."""
    tabs = sorted(TABS.values(), key=lambda tab: (tab.order, tab.key))
    return [
        (tab, reverse(tab.url_name, args=[campaign.pk]))
        for tab in tabs
        if tab.visible is None or tab.visible(user, campaign)
    ]


register_tab(CampaignTab("plan", _("Plan"), "campaigns:detail", order=10))
