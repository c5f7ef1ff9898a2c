"""Change requests (scope change control): approved like the plan, applied to the plan, baseline kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaignflow.accounts.models import Organization
from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import changes, selectors
from campaignflow.campaigns.models import (
    Approval,
    BudgetLine,
    Campaign,
    CampaignMember,
    ChangeRequest,
    Goal,
    Milestone,
    PlanSnapshot,
)
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories import ChannelFactory, UserFactory

REASON = "Gift boxes arrive five days late; the in-store tasting moves by a week."


@pytest.fixture
def pm(marketing, campaign):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def approved(campaign, planner, dept_head, manager):
    """The campaign with its plan approved at both levels and registered (revision 1)."""
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def notices(monkeypatch):
    """What was handed to notifications.notify (the contract), as (event, recipients, params)."""
    sent = []

    def record(**kwargs):
        sent.append((kwargs["event"], sorted(u.username for u in kwargs["recipients"]), kwargs["params"]))
        return []

    monkeypatch.setattr(changes.services, "notify", record)
    return sent


def move_end(campaign, actor, end="2027-01-07", **extra):
    return changes.change_request_create(
        campaign=campaign,
        actor=actor,
        kind="dates",
        reason=REASON,
        impact="Evaluation and settlement one week later; budget unchanged.",
        proposed={"start_date": "2026-12-01", "end_date": end, **extra},
    )


def fetch(campaign) -> Campaign:
    return Campaign.objects.get(pk=campaign.pk)


# --- the scenario --------------------------------------------------------------------------------


def test_the_pm_moves_the_end_date_by_a_week_and_both_levels_approve(
    approved, pm, dept_head, manager, notices
):
    # given an approved campaign running 2026-12-01 … 2026-12-31 at revision 1
    assert (approved.end_date, approved.revision) == (dt.date(2026, 12, 31), 1)

    # when the project manager asks to move the end date by 7 days, with a reason, and submits it
    request = move_end(approved, pm)
    changes.change_request_submit(change_request=request, actor=pm, comment="Please decide this week")

    # then it waits for the department head, and the plan has not changed
    request.refresh_from_db()
    assert (request.status, request.approval_level, request.revision) == ("in_review", 1, 1)
    assert changes.change_request_inbox(user=dept_head) == [request]
    assert changes.change_request_inbox(user=manager) == []
    assert fetch(approved).end_date == dt.date(2026, 12, 31)

    # when the department head approves level 1
    changes.change_request_approve(change_request=request, actor=dept_head, comment="OK with the delay")
    request.refresh_from_db()
    assert (request.status, request.approval_level) == ("in_review", 2)
    assert fetch(approved).end_date == dt.date(2026, 12, 31)
    assert changes.change_request_inbox(user=manager) == [request]

    # and management approves level 2
    changes.change_request_approve(change_request=request, actor=manager, comment="Approved")

    # then the plan shows the new dates as revision 2
    campaign = fetch(approved)
    assert (campaign.start_date, campaign.end_date, campaign.revision) == (
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 7),
        2,
    )
    request.refresh_from_db()
    assert (request.status, request.applied_revision, request.approval_level) == ("applied", 2, 0)
    assert request.before["end_date"] == "2026-12-31"
    assert request.applied_at is not None and request.decided_at is not None

    # and the previous baseline (revision 1) is kept and compares with the current plan
    snapshot = PlanSnapshot.objects.get(campaign=campaign)
    assert (snapshot.revision, snapshot.change_request_id) == (1, request.pk)
    assert snapshot.data["fields"]["end_date"] == "2026-12-31"
    assert snapshot.data["budget_total"] == "100000.00"
    comparison = changes.plan_compare(snapshot.data, changes.plan_data(campaign))
    changed = [(row.label, row.before, row.after) for row in comparison["fields"] if row.state == "changed"]
    assert changed == [("End date", "2026-12-31", "2027-01-07")]

    # and the decisions are immutable approvals of the request, apart from the plan's own
    decisions = list(
        Approval.objects.filter(change_request=request).values_list(
            "revision", "level", "role", "decision", "actor__username", "comment"
        )
    )
    assert decisions == [
        (1, 1, "department_head", "approve", "dept_head", "OK with the delay"),
        (1, 2, "management", "approve", "manager", "Approved"),
    ]
    assert [(a.level, a.actor.username) for a in selectors.approvals_for(campaign=campaign)] == [
        (1, "dept_head"),
        (2, "manager"),
    ]  # the plan's own record (its page and GET /approvals) holds only the plan's decisions

    # and every step is in the audit trail
    trail = list(
        AuditEvent.objects.filter(campaign=campaign, verb__startswith="change_request.")
        .order_by("id")
        .values_list("verb", "actor_name", "revision")
    )
    assert trail == [
        ("change_request.created", "pm", 1),
        ("change_request.submitted", "pm", 1),
        ("change_request.approved", "dept_head", 1),
        ("change_request.approved", "manager", 1),
        ("change_request.applied", "manager", 1),
    ]
    applied = AuditEvent.objects.get(verb="change_request.applied")
    assert applied.before["end_date"] == "2026-12-31"
    assert applied.after["end_date"] == "2027-01-07"
    assert (applied.before["revision"], applied.after["revision"]) == (1, 2)

    # and the approvers heard about it when it reached them, the requester when it was decided
    assert [(event, people) for event, people, _params in notices] == [
        ("change_request.requested", ["dept_head"]),
        ("change_request.requested", ["manager"]),
        ("change_request.decided", ["pm"]),
    ]
    assert notices[0][2]["campaign"] == "Spring tea launch"


def test_a_date_change_moves_the_milestones_it_names(approved, pm, dept_head, manager):
    launch = Milestone.objects.get(campaign=approved)
    request = move_end(approved, pm, milestones=[{"id": launch.pk, "date": "2026-12-03"}])
    changes.change_request_submit(change_request=request, actor=pm)
    changes.change_request_approve(change_request=request, actor=dept_head)
    changes.change_request_approve(change_request=request, actor=manager)

    launch.refresh_from_db()
    request.refresh_from_db()
    assert launch.date == dt.date(2026, 12, 3)
    rows = [(row.label, row.before, row.after) for row in changes.change_rows(request)]
    assert rows == [
        ("Start date", "2026-12-01", "2026-12-01"),
        ("End date", "2026-12-31", "2027-01-07"),
        ("Launch", "2026-12-01", "2026-12-03"),
    ]


def test_a_rejection_needs_a_comment_and_leaves_the_plan_alone(approved, pm, dept_head, notices):
    request = move_end(approved, pm)
    changes.change_request_submit(change_request=request, actor=pm)

    with pytest.raises(ValidationFailed) as exc:
        changes.change_request_reject(change_request=request, actor=dept_head, comment="  ")
    assert [error.field for error in exc.value.errors] == ["comment"]
    assert ChangeRequest.objects.get(pk=request.pk).status == "in_review"
    assert not Approval.objects.filter(change_request=request).exists()

    changes.change_request_reject(change_request=request, actor=dept_head, comment="Keep the date")

    request.refresh_from_db()
    assert (request.status, request.approval_level) == ("rejected", 0)
    campaign = fetch(approved)
    assert (campaign.end_date, campaign.revision) == (dt.date(2026, 12, 31), 1)
    assert not PlanSnapshot.objects.exists()
    assert Approval.objects.get(change_request=request).comment == "Keep the date"
    assert notices[-1][:2] == ("change_request.decided", ["pm"])
    with pytest.raises(Conflict):
        changes.change_request_approve(change_request=request, actor=dept_head)


def test_the_level_two_approver_cannot_decide_level_one(approved, pm, manager):
    request = move_end(approved, pm)
    changes.change_request_submit(change_request=request, actor=pm)

    with pytest.raises(Forbidden) as exc:
        changes.change_request_approve(change_request=request, actor=manager)

    assert exc.value.code == "wrong_level"
    assert not Approval.objects.filter(change_request=request).exists()


def test_a_withdrawn_request_cannot_be_decided(approved, pm, dept_head):
    request = move_end(approved, pm)
    changes.change_request_submit(change_request=request, actor=pm)

    changes.change_request_withdraw(change_request=request, actor=pm, comment="Supplier found stock")

    assert ChangeRequest.objects.get(pk=request.pk).status == "withdrawn"
    assert changes.change_request_inbox(user=dept_head) == []
    with pytest.raises(Conflict) as exc:
        changes.change_request_approve(change_request=request, actor=dept_head)
    assert exc.value.message == "Cannot approve a change request that is Withdrawn."


def test_without_approval_levels_submitting_applies_the_change(approved, planner):
    org = Organization.current()
    org.approval_levels = []
    org.save()
    request = move_end(approved, planner)

    changes.change_request_submit(change_request=request, actor=planner)

    request.refresh_from_db()
    assert (request.status, request.applied_revision) == ("applied", 2)
    assert fetch(approved).end_date == dt.date(2027, 1, 7)


# --- refused: 409 ---------------------------------------------------------------------------------


def test_a_draft_plan_is_edited_directly_not_by_request(campaign, planner):
    with pytest.raises(Conflict) as exc:
        move_end(campaign, planner)

    assert exc.value.code == "plan_in_draft"
    assert exc.value.message == "The plan is still a draft: change it directly in the plan editor."
    assert not ChangeRequest.objects.exists()


def test_a_plan_in_review_waits_for_its_decision(campaign, planner):
    campaign_transition(campaign=campaign, actor=planner, action="submit")

    with pytest.raises(Conflict) as exc:
        move_end(campaign, planner)

    assert exc.value.code == "plan_in_review"
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(("status", "label"), [("archived", "Archived"), ("cancelled", "Cancelled")])
def test_an_archived_or_cancelled_campaign_cannot_be_changed(approved, planner, status, label):
    Campaign.objects.filter(pk=approved.pk).update(status=status)

    with pytest.raises(Conflict) as exc:
        move_end(fetch(approved), planner)

    assert exc.value.code == "campaign_closed"
    assert exc.value.message == f"A campaign that is {label} can no longer be changed."
    assert not ChangeRequest.objects.exists()


def test_a_pending_request_cannot_be_approved_once_the_campaign_is_cancelled(
    approved, pm, planner, dept_head
):
    request = move_end(approved, pm)
    changes.change_request_submit(change_request=request, actor=pm)
    campaign_transition(campaign=approved, actor=planner, action="cancel", comment="Budget frozen")

    with pytest.raises(Conflict):
        changes.change_request_approve(change_request=request, actor=dept_head)

    assert not Approval.objects.filter(change_request=request).exists()
    changes.change_request_reject(change_request=request, actor=dept_head, comment="Campaign cancelled")
    assert ChangeRequest.objects.get(pk=request.pk).status == "rejected"


def test_only_a_draft_can_be_edited_or_submitted(approved, pm):
    request = move_end(approved, pm)
    changes.change_request_submit(change_request=request, actor=pm)

    with pytest.raises(Conflict) as exc:
        changes.change_request_update(change_request=request, actor=pm, data={"reason": "x"})
    assert exc.value.code == "not_editable"
    with pytest.raises(Conflict):
        changes.change_request_submit(change_request=request, actor=pm)
    assert ChangeRequest.objects.get(pk=request.pk).reason == REASON


# --- refused: 422 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "proposed", "reason", "fields"),
    [
        ("dates", {"start_date": "2026-12-01", "end_date": "2027-01-07"}, " ", ["reason"]),
        ("dates", {"start_date": "2026-12-10", "end_date": "2026-12-01"}, REASON, ["proposed.end_date"]),
        ("dates", {"start_date": "2026-12-01", "end_date": "2026-12-31"}, REASON, ["proposed"]),
        ("dates", {"start_date": "soon", "end_date": "2027-01-07"}, REASON, ["proposed.start_date"]),
        ("dates", {"end_date": "2027-01-07"}, REASON, ["proposed.start_date"]),
        (
            "dates",
            {
                "start_date": "2026-12-01",
                "end_date": "2027-01-07",
                "milestones": [{"id": 999999, "date": "2027-01-01"}],
            },
            REASON,
            ["proposed.milestones.0.id"],
        ),
        (
            "dates",
            {"start_date": "2026-12-01", "end_date": "2027-01-07", "budget": 1},
            REASON,
            ["proposed.budget"],
        ),
        ("scope", {"theme": ""}, REASON, ["proposed.theme"]),
        ("scope", {"theme": "x" * 201}, REASON, ["proposed.theme"]),
        ("scope", {"name": "New name"}, REASON, ["proposed.name"]),
        ("budget", {"lines": []}, REASON, ["proposed.lines"]),
        ("budget", {"lines": [{"id": 999999, "amount": "1"}]}, REASON, ["proposed.lines.0.id"]),
        (
            "budget",
            {"lines": [{"category": "promotion", "amount": "-5"}]},
            REASON,
            ["proposed.lines.0.amount"],
        ),
        ("budget", {"lines": [{"category": "snacks", "amount": "5"}]}, REASON, ["proposed.lines.0.category"]),
        ("budget", {"lines": [{"category": "custom", "amount": "5"}]}, REASON, ["proposed.lines"]),
        ("goals", {"goals": [{"metric": "leads", "target": "500"}]}, REASON, ["proposed.goals.0"]),
        ("goals", {"goals": [{"id": 999999, "target": "5"}]}, REASON, ["proposed.goals.0.id"]),
        ("teleport", {}, REASON, ["kind"]),
    ],
)
def test_it_refuses_invalid_proposals_with_422_and_writes_nothing(
    approved, planner, kind, proposed, reason, fields
):
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as exc:
        changes.change_request_create(
            campaign=approved, actor=planner, kind=kind, reason=reason, proposed=proposed
        )

    assert [error.field for error in exc.value.errors] == fields
    assert not ChangeRequest.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_budget_change_below_the_contingency_minimum_is_refused(approved, planner):
    contingency = BudgetLine.objects.get(campaign=approved, category="contingency")

    with pytest.raises(ValidationFailed) as exc:
        changes.change_request_create(
            campaign=approved,
            actor=planner,
            kind="budget",
            reason="Free up money for Douyin",
            proposed={"lines": [{"id": contingency.pk, "amount": "5000.00"}]},
        )

    assert exc.value.code == "contingency_below_minimum"
    assert exc.value.message == (
        "After this change the contingency reserve would be 5.3% of the budget; at least 10% is required."
    )
    assert not ChangeRequest.objects.exists()


def test_the_budget_rule_is_checked_again_when_the_last_level_approves(approved, pm, dept_head, manager):
    # given a budget of 88,000 promotion + 12,000 reserve (12 %)
    promotion = BudgetLine.objects.get(campaign=approved, category="promotion")
    contingency = BudgetLine.objects.get(campaign=approved, category="contingency")
    BudgetLine.objects.filter(pk=promotion.pk).update(amount=Decimal("88000.00"))
    BudgetLine.objects.filter(pk=contingency.pk).update(amount=Decimal("12000.00"))

    # and two requests, each within the rule on its own: more promotion, a smaller reserve
    more = changes.change_request_create(
        campaign=approved,
        actor=pm,
        kind="budget",
        reason="More for Douyin",
        proposed={"lines": [{"id": promotion.pk, "amount": "100000.00"}]},  # reserve 10.7 %
    )
    less = changes.change_request_create(
        campaign=approved,
        actor=pm,
        kind="budget",
        reason="Release part of the reserve",
        proposed={"lines": [{"id": contingency.pk, "amount": "10000.00"}]},  # reserve 10.2 %
    )
    for request in (more, less):
        changes.change_request_submit(change_request=request, actor=pm)
        changes.change_request_approve(change_request=request, actor=dept_head)
    changes.change_request_approve(change_request=more, actor=manager)
    assert fetch(approved).budget_total == Decimal("112000.00")

    # when management approves the second one after the first was applied (reserve 9.1 %)
    with pytest.raises(ValidationFailed) as exc:
        changes.change_request_approve(change_request=less, actor=manager)

    # then the refusal names the rule and nothing of that approval is kept
    assert exc.value.code == "contingency_below_minimum"
    less.refresh_from_db()
    assert (less.status, less.approval_level) == ("in_review", 2)
    assert Approval.objects.filter(change_request=less).count() == 1
    assert BudgetLine.objects.get(pk=contingency.pk).amount == Decimal("12000.00")
    assert fetch(approved).revision == 2


# --- each kind applied ------------------------------------------------------------------------------


def _approve(request, pm, dept_head, manager):
    changes.change_request_submit(change_request=request, actor=pm)
    changes.change_request_approve(change_request=request, actor=dept_head)
    changes.change_request_approve(change_request=request, actor=manager)
    request.refresh_from_db()
    return request


def test_a_budget_change_moves_money_adds_and_removes_lines(approved, pm, dept_head, manager):
    douyin = ChannelFactory(name="Douyin")
    promotion = BudgetLine.objects.get(campaign=approved, category="promotion")
    contingency = BudgetLine.objects.get(campaign=approved, category="contingency")
    gifts = BudgetLine.objects.create(
        campaign=approved, category="custom", label="Gifts", amount=Decimal("0")
    )

    request = changes.change_request_create(
        campaign=approved,
        actor=pm,
        kind="budget",
        reason="Shift to Douyin, the best channel in week one",
        proposed={
            "lines": [
                {"id": promotion.pk, "amount": "60000.00", "note": "WeChat"},
                {"category": "promotion", "channel": douyin.pk, "amount": "30000.00", "note": "Douyin"},
                {"id": gifts.pk, "remove": True},
                {"id": contingency.pk, "amount": "10000"},  # unchanged: dropped from the proposal
            ]
        },
    )
    assert request.proposed == {
        "lines": [
            {"id": promotion.pk, "amount": "60000.00", "note": "WeChat"},
            {
                "category": "promotion",
                "label": "",
                "channel": douyin.pk,
                "amount": "30000.00",
                "note": "Douyin",
            },
            {"id": gifts.pk, "remove": True},
        ]
    }
    _approve(request, pm, dept_head, manager)

    lines = sorted(
        BudgetLine.objects.filter(campaign=approved).values_list(
            "category", "channel__name", "amount", "note"
        ),
        key=str,
    )
    assert lines == [
        ("contingency", None, Decimal("10000.00"), ""),
        ("promotion", "Douyin", Decimal("30000.00"), "Douyin"),
        ("promotion", None, Decimal("60000.00"), "WeChat"),
    ]
    assert fetch(approved).revision == 2
    snapshot = PlanSnapshot.objects.get(campaign=approved, revision=1)
    assert len(snapshot.data["budget_lines"]) == 3
    comparison = changes.plan_compare(snapshot.data, changes.plan_data(fetch(approved)))
    assert sorted(row.state for row in comparison["budget_lines"]) == ["added", "changed", "removed", "same"]
    assert comparison["budget_total"][0].state == "same"


def test_a_goals_change_retargets_adds_and_keeps_them_smart(approved, pm, dept_head, manager):
    sales = Goal.objects.get(campaign=approved)
    request = changes.change_request_create(
        campaign=approved,
        actor=pm,
        kind="goals",
        reason="Week one sold above plan",
        proposed={
            "goals": [
                {"id": sales.pk, "target": "1200000"},
                {"metric": "leads", "name": "Leads", "target": "5000", "deadline": "2026-12-31"},
            ]
        },
    )
    _approve(request, pm, dept_head, manager)

    goals = list(
        Goal.objects.filter(campaign=approved).order_by("id").values_list("metric", "target", "deadline")
    )
    assert goals == [
        ("revenue", Decimal("1200000.0000"), dt.date(2026, 12, 31)),
        ("leads", Decimal("5000.0000"), dt.date(2026, 12, 31)),
    ]
    with pytest.raises(ValidationFailed):
        changes.change_request_create(
            campaign=approved,
            actor=pm,
            kind="goals",
            reason="No deadline",
            proposed={"goals": [{"id": sales.pk, "deadline": None}]},
        )


def test_a_scope_change_rewrites_the_plan_text(approved, pm, dept_head, manager):
    request = changes.change_request_create(
        campaign=approved,
        actor=pm,
        kind="scope",
        reason="Management wants the gift angle",
        proposed={"theme": "Tea as a gift", "core_message": "Fresh tea, fresh start"},  # message unchanged
    )
    assert request.proposed == {"theme": "Tea as a gift"}

    _approve(request, pm, dept_head, manager)

    campaign = fetch(approved)
    assert (campaign.theme, campaign.core_message, campaign.revision) == (
        "Tea as a gift",
        "Fresh tea, fresh start",
        2,
    )
    assert [(row.label, row.before, row.after) for row in changes.change_rows(request)] == [
        ("Theme", "Spring tea festival", "Tea as a gift")
    ]


def test_a_draft_is_rewritten_before_it_is_submitted(approved, pm):
    request = move_end(approved, pm)

    changes.change_request_update(
        change_request=request,
        actor=pm,
        data={"reason": "Two weeks now", "proposed": {"start_date": "2026-12-01", "end_date": "2027-01-14"}},
    )

    request.refresh_from_db()
    assert (request.reason, request.proposed["end_date"]) == ("Two weeks now", "2027-01-14")
    assert AuditEvent.objects.filter(verb="change_request.updated").count() == 1


# --- the execution baseline ----------------------------------------------------------------------------


def test_applying_a_change_runs_the_hooks_of_other_apps(approved, pm, dept_head, manager, monkeypatch):
    frozen = []
    monkeypatch.setattr(changes.services, "AFTER_APPLY", [lambda **kwargs: frozen.append(kwargs)])

    request = _approve(move_end(approved, pm), pm, dept_head, manager)

    assert len(frozen) == 1
    assert (frozen[0]["campaign"].pk, frozen[0]["actor"]) == (approved.pk, manager)
    assert frozen[0]["reason"] == f"Change request #{request.pk} applied as revision 2."


def test_a_failing_hook_rolls_the_change_back(approved, pm, dept_head, manager, monkeypatch):
    def refuse(**kwargs):
        raise Conflict("baseline store is unavailable")

    request = move_end(approved, pm)
    changes.change_request_submit(change_request=request, actor=pm)
    changes.change_request_approve(change_request=fetch_request(request), actor=dept_head)
    monkeypatch.setattr(changes.services, "AFTER_APPLY", [refuse])

    with pytest.raises(Conflict):
        changes.change_request_approve(change_request=fetch_request(request), actor=manager)

    assert fetch_request(request).status == "in_review"
    assert fetch(approved).end_date == approved.end_date


def fetch_request(request):
    return ChangeRequest.objects.get(pk=request.pk)


# --- reading -----------------------------------------------------------------------------------------


def test_an_outsider_cannot_find_a_change_request(approved, pm, outsider):
    request = move_end(approved, pm)

    with pytest.raises(NotFound):
        changes.change_request_get(user=outsider, pk=request.pk)
    with pytest.raises(NotFound):
        changes.change_request_get(user=pm, pk="nonsense")
    assert changes.change_request_get(user=pm, pk=request.pk) == request


# --- any JSON at all is a 422, never a 500 ---------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
proposal_keys = st.sampled_from(
    ["start_date", "end_date", "milestones", "lines", "goals", "id", "amount", "theme", "remove", "target"]
)
proposals = st.one_of(
    json_values,
    st.dictionaries(proposal_keys, json_values, max_size=4),
    st.dictionaries(
        st.sampled_from(["lines", "goals", "milestones"]),
        st.lists(st.dictionaries(proposal_keys, json_values, max_size=4), max_size=3),
        max_size=2,
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["dates", "scope", "budget", "goals"]), proposed=proposals)
def test_any_proposal_is_accepted_or_refused_with_422(approved, kind, proposed):
    try:
        changes.proposal_clean(campaign=approved, kind=kind, proposed=proposed)
    except ValidationFailed as exc:
        assert exc.errors
