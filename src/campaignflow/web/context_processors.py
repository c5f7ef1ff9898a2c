"""Values every page's layout needs: app name, navigation flags, the approvals badge, org settings.

Everything that costs a query is lazy, so a page that does not show it does not pay for it, and
each is computed at most once per request.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import Organization
from campaignflow.campaigns import selectors


def current_organization(request) -> Organization:
    """Organization.current(), read once per request and shared by the view and the layout."""
    if not hasattr(request, "_campaignflow_org"):
        request._campaignflow_org = Organization.current()
    return request._campaignflow_org


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)

    # Templates call these when they render them; @cache keeps it to one call per request. A view
    # that already knows the number (dashboard, inbox) passes `approvals_waiting` itself.
    @cache
    def approvals_waiting() -> int:
        return selectors.approval_inbox_count(user=user) if signed_in else 0

    @cache
    def nav_is_admin() -> bool:
        return signed_in and (user.is_staff or user.has_role(OrgRole.ADMIN))

    return {
        "app_name": settings.CAMPAIGNFLOW_APP_NAME,
        "organization": lambda: current_organization(request),
        "org_timezone": lambda: current_organization(request).timezone,
        "approvals_waiting": approvals_waiting,
        "nav_is_admin": nav_is_admin,
    }
