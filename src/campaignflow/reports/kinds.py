"""The report kinds this app provides, registered with the registry at start-up (apps.ready).

Evaluation and settlement join when the close-out stage registers them the same way.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import builders, daily, interim, registry


def register() -> None:
    registry.register("plan", _("Campaign plan (Table 1)"), builders.plan_document)
    registry.register(
        "tasks",
        _("Task assignment and progress (Table 2)"),
        builders.tasks_document,
        own={"xlsx": builders.tasks_xlsx},
    )
    registry.register("daily", _("Daily data report (Table 3)"), daily.build)
    registry.register("interim", _("Interim review"), interim.build)
