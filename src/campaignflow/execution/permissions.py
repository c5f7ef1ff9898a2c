"""Who may do what with tasks, meetings and the execution log. API, web UI and demo ask here.

Reading follows the campaign (campaigns.permissions.can_view): whoever sees the campaign sees its
tasks, and a campaign one may not see is missing (404). Writing:

- the campaign owner, its project managers and administrators manage tasks, dependencies, RACI,
  meetings, the baseline and contingency activation;
- a task's owner reports progress on their own task (status, actual finish, delay reason);
- any member except a viewer adds to the execution log; its author or a manager changes an entry.
"""

from __future__ import annotations

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import MemberRole
from campaignflow.campaigns.models import Campaign

from .models import LogEntry, Task

MANAGERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)
# What a task's owner may change on their own task.
PROGRESS_FIELDS = frozenset({"status", "actual_finish", "delay_reason", "checklist"})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view(user, campaign: Campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def can_manage_tasks(user, campaign: Campaign) -> bool:
    """Create, edit and delete tasks; dependencies, RACI, baseline, meetings, contingencies."""
    if not _active(user):
        return False
    return user.has_role(OrgRole.ADMIN) or campaign_permissions.member_role(user, campaign) in MANAGERS


def can_report_progress(user, task: Task) -> bool:
    """Update the status, actual finish and delay reason of the task."""
    if not _active(user):
        return False
    return task.owner_id == user.pk or can_manage_tasks(user, task.campaign)


def can_update_task(user, task: Task, fields) -> bool:
    """Managers change anything; the owner changes only the progress fields of their own task."""
    if can_manage_tasks(user, task.campaign):
        return True
    return can_report_progress(user, task) and set(fields) <= PROGRESS_FIELDS


def can_write_log(user, campaign: Campaign) -> bool:
    if not _active(user):
        return False
    if user.has_role(OrgRole.ADMIN):
        return True
    role = campaign_permissions.member_role(user, campaign)
    return role is not None and role != MemberRole.VIEWER


def can_change_log_entry(user, entry: LogEntry) -> bool:
    if not _active(user):
        return False
    return entry.author_id == user.pk or can_manage_tasks(user, entry.campaign)
