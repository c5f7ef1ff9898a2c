"""Change requests (scope change control, seed 000): policy, services and selectors of one feature.

Once a plan is approved it is no longer edited directly. A change to its scope, budget, dates or
goals is written as a change request, approved by the same levels as the plan
(Organization.approval_levels, decided through permissions.approver_levels), and applied when the
last level approves: the plan changes through the internal `_apply_*` functions below (the draft-only
rule of services.campaign_update stays as it is), its revision goes up by one, and the plan as it
stood before is kept as a PlanSnapshot so the previous baseline can be compared with the current
plan.

Decisions are `Approval` rows with `change_request` set: one immutable record and one approval
chain for plans and their changes.

Every service checks visibility (404), policy (403), state (409) and input (422) in that order,
writes in one transaction and records an audit event in it; notifications are rows written in the
same transaction (notifications.services.notify).
"""

from .policy import (
    CHANGE_TRANSITIONS,
    CHANGEABLE_STATUSES,
    allowed_change_actions,
    can_decide_change,
    can_manage_change,
    can_request_change,
    change_refusal,
)
from .proposals import SCOPE_FIELDS, current_values, plan_data, proposal_clean
from .selectors import (
    change_approvals,
    change_request_get,
    change_request_inbox,
    change_requests_for,
    change_rows,
    plan_compare,
    plan_snapshots,
)
from .services import (
    VERB_LABELS,
    change_request_approve,
    change_request_create,
    change_request_reject,
    change_request_submit,
    change_request_transition,
    change_request_update,
    change_request_withdraw,
)

__all__ = [
    "CHANGEABLE_STATUSES",
    "CHANGE_TRANSITIONS",
    "SCOPE_FIELDS",
    "VERB_LABELS",
    "allowed_change_actions",
    "can_decide_change",
    "can_manage_change",
    "can_request_change",
    "change_approvals",
    "change_refusal",
    "change_request_approve",
    "change_request_create",
    "change_request_get",
    "change_request_inbox",
    "change_request_reject",
    "change_request_submit",
    "change_request_transition",
    "change_request_update",
    "change_request_withdraw",
    "change_requests_for",
    "change_rows",
    "current_values",
    "plan_compare",
    "plan_data",
    "plan_snapshots",
    "proposal_clean",
]
