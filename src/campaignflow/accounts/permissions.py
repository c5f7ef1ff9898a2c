"""Who may manage people and departments: administrators only."""

from .choices import OrgRole


def can_manage_accounts(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(OrgRole.ADMIN))


def can_list_users(user) -> bool:
    """Anyone signed in may look people up (to assign owners and members)."""
    return bool(user and user.is_authenticated and user.is_active)


def can_revoke_token(user, token) -> bool:
    """A token's owner, and administrators."""
    return bool(user and user.is_authenticated and (token.user_id == user.pk or can_manage_accounts(user)))
