"""The execution app's automatic item of the readiness checklist: the task breakdown.

Beside the ticked "RACI and approval timeline" item (campaigns.readiness), this one is read from
the data: the campaign has tasks, every task has someone accountable (A) in the RACI matrix, and
the plan has milestones.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.campaigns.models import Campaign
from campaignflow.campaigns.readiness import register_readiness_check

from .choices import RaciRole
from .models import Task

SHOWN = 5  # tasks named one by one; the rest are counted


def check_task_breakdown(campaign: Campaign) -> list[str]:
    problems = []
    names = list(
        Task.objects.filter(campaign=campaign)
        .exclude(raci__role=RaciRole.ACCOUNTABLE)
        .order_by("order", "pk")
        .values_list("name", flat=True)
    )
    if not Task.objects.filter(campaign=campaign).exists():
        problems.append(_("No tasks yet: break the campaign into tasks on the Tasks tab."))
    else:
        problems += [
            _("Nobody is accountable (A) for “%(task)s” in the RACI matrix.") % {"task": name}
            for name in names[:SHOWN]
        ]
        if len(names) > SHOWN:
            problems.append(
                _("… and %(count)d more tasks without anyone accountable.") % {"count": len(names) - SHOWN}
            )
    if not campaign.milestones.exists():
        problems.append(_("The plan has no milestones: add the approval and launch timeline."))
    return problems


def register() -> None:
    register_readiness_check(
        "task_breakdown",
        gettext_lazy("Tasks with someone accountable"),
        check_task_breakdown,
        description=gettext_lazy(
            "Tasks are planned, each has someone accountable (A), and the plan has its milestones."
        ),
        order=75,
    )
