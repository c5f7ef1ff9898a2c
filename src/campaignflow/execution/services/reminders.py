"""Reminders the worker sends about tasks: due within 24 hours, and overdue.

A task's deadline is the end of its planned finish day (local time). The sweep runs every hour;
`notify_once` keys carry the planned finish date, so each task is reminded once per deadline and a
moved deadline earns a new reminder. Overdue tasks are also reported to the campaign's owner and
project managers, who must see delays at the stand-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from campaignflow.accounts.models import User
from campaignflow.campaigns.choices import MemberRole
from campaignflow.campaigns.models import CampaignMember
from campaignflow.notifications.services import notify_once

from ..choices import APPROVED_CAMPAIGN_STATUSES, TaskStatus
from ..models import Task
from .tasks import _task_url


@dataclass(frozen=True)
class ReminderCount:
    due_soon: int
    overdue: int


def _deadline(day: dt.date) -> dt.datetime:
    """The end of the planned finish day in the server's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _managers(campaign_id: int, owner_id: int) -> set[int]:
    managers = set(
        CampaignMember.objects.filter(
            campaign_id=campaign_id, role__in=(MemberRole.OWNER, MemberRole.PROJECT_MANAGER)
        ).values_list("user_id", flat=True)
    )
    return managers | {owner_id}


@transaction.atomic
def task_reminders_send(*, now: dt.datetime | None = None) -> ReminderCount:
    """Tell owners of open tasks in approved campaigns what is due within 24 h or overdue."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_tasks = (
        Task.objects.filter(campaign__status__in=APPROVED_CAMPAIGN_STATUSES, actual_finish__isnull=True)
        .exclude(status=TaskStatus.DONE)
        .select_related("campaign", "owner")
        .order_by("planned_finish", "pk")
    )
    due_soon = overdue = 0
    for task in open_tasks.filter(
        planned_finish__gte=today, planned_finish__lte=today + dt.timedelta(days=1)
    ):
        if not dt.timedelta(0) < _deadline(task.planned_finish) - now <= dt.timedelta(hours=24):
            continue
        sent = notify_once(
            key=f"task.due_soon:{task.pk}:{task.planned_finish.isoformat()}",
            event="task.due_soon",
            recipients=[task.owner],
            title=gettext_lazy("Due within 24 hours: %(task)s"),
            body=gettext_lazy("“%(task)s” in %(campaign)s is planned to finish on %(finish)s."),
            params={
                "task": task.name,
                "campaign": task.campaign.name,
                "finish": task.planned_finish.isoformat(),
            },
            campaign=task.campaign,
            url=_task_url(task),
        )
        due_soon += bool(sent)
    managers: dict[int, set[int]] = {}
    for task in open_tasks.filter(planned_finish__lt=today):
        campaign = task.campaign
        if campaign.pk not in managers:
            managers[campaign.pk] = _managers(campaign.pk, campaign.owner_id)
        recipients = [task.owner_id, *sorted(managers[campaign.pk])]
        sent = notify_once(
            key=f"task.overdue:{task.pk}:{task.planned_finish.isoformat()}",
            event="task.overdue",
            recipients=User.objects.filter(pk__in=recipients),
            title=gettext_lazy("Overdue: %(task)s"),
            body=gettext_lazy(
                "“%(task)s” in %(campaign)s was planned to finish on %(finish)s and is not done; "
                "%(owner)s should record a delay reason."
            ),
            params={
                "task": task.name,
                "campaign": campaign.name,
                "finish": task.planned_finish.isoformat(),
                "owner": str(task.owner),
            },
            campaign=campaign,
            url=_task_url(task),
        )
        overdue += bool(sent)
    return ReminderCount(due_soon=due_soon, overdue=overdue)
