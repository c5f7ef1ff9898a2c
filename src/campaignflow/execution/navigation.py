"""The execution app's tabs on a campaign's pages, and its audit verbs as a reader says them."""

from django.utils.translation import gettext_lazy as _

# (key, label, url name, order): after the plan (10), before later stages' tabs.
TABS = (
    ("tasks", _("Tasks"), "execution:tasks", 20),
    ("gantt", _("Gantt"), "execution:gantt", 21),
    ("board", _("Board"), "execution:board", 22),
    ("raci", _("RACI"), "execution:raci", 23),
    ("meetings", _("Stand-ups"), "execution:meetings", 24),
    ("log", _("Execution log"), "execution:log", 25),
)

VERB_LABELS = {
    "task.created": _("added a task"),
    "task.updated": _("changed a task"),
    "task.deleted": _("removed a task"),
    "tasks.proposed": _("added the standard tasks of the scenario"),
    "dependency.added": _("linked a task to the one it waits for"),
    "dependency.removed": _("unlinked a task dependency"),
    "raci.set": _("set a RACI role"),
    "raci.removed": _("removed a RACI role"),
    "baseline.frozen": _("froze the schedule baseline"),
    "meeting.created": _("recorded a meeting"),
    "meeting.updated": _("changed a meeting record"),
    "meeting.deleted": _("removed a meeting record"),
    "action_item.added": _("noted an action item"),
    "log.created": _("wrote in the execution log"),
    "log.updated": _("updated an execution log entry"),
    "log.deleted": _("removed an execution log entry"),
    "risk.activated": _("activated a contingency plan"),
}
