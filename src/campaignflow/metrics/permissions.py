"""Who may manage org-level metric data. The API, the web UI and the CLI all ask these functions."""

from campaignflow.accounts.choices import OrgRole

CHANNEL_MANAGERS = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_channels(user) -> bool:
    """Anyone signed in picks channels (budget lines, daily data, links)."""
    return _active(user)


def can_manage_channels(user) -> bool:
    """Administrators and data analysts keep the channel list, so every team uses the same names."""
    return _active(user) and any(user.has_role(role) for role in CHANNEL_MANAGERS)
