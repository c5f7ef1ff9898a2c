"""The world the authorization matrix runs in: the demo organization plus one user per persona.

`campaignflow demo` builds an organization with a campaign in every lifecycle state and data of
every kind (tasks, meetings, daily metrics, links, alerts, experiments, expenses, evaluation,
knowledge entries ...). The matrix adds one user per persona, makes the campaign personas members
of every demo campaign, fills the few gaps (webhooks, a draft change request, a draft interim
review, a notification, a calendar token, a knowledge template) and signs every persona in once,
by session for the web UI and by API token for the API.

The world is built once per module inside a transaction rolled back at the end, so it costs one
demo load however many requests the matrix makes; each request runs in its own savepoint, rolled
back too, so an allowed write (a deleted task, a launched campaign) never changes what the next
persona sees.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import plotly
import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.utils import timezone

from campaignflow.accounts import services as account_services
from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import Department, User
from campaignflow.alerts.models import Alert, AlertRule
from campaignflow.campaigns import demo
from campaignflow.campaigns.choices import CampaignStatus, MemberRole
from campaignflow.campaigns.models import Campaign, CampaignMember, ChangeKind, ChangeRequest
from campaignflow.evaluation.models import EvaluationReport
from campaignflow.execution.models import ActionItem, TaskDependency, TaskRaci
from campaignflow.execution.services import calendar_token_get
from campaignflow.expenses.models import Expense
from campaignflow.experiments.models import Experiment
from campaignflow.knowledge.models import KnowledgeEntry
from campaignflow.knowledge.services import knowledge_template_create
from campaignflow.links.models import TrackedLink
from campaignflow.metrics.models import DailyMetric
from campaignflow.notifications.models import Notification, Webhook
from campaignflow.reports.models import DailyReport, InterimReview
from campaignflow.reports.services import interim_review_create

ANONYMOUS = "anonymous"
# Campaign personas hold a membership of every demo campaign; the department (Product) gives them
# no view of Marketing's campaigns, so whatever they see, they see through the membership.
CAMPAIGN_ROLES = {
    "member": MemberRole.MEMBER,
    "planner": MemberRole.PLANNER,
    "project_manager": MemberRole.PROJECT_MANAGER,
}
# persona -> (department code or None, org roles)
PERSONA_USERS = {
    "outsider": ("sales", [OrgRole.MEMBER]),
    "colleague": ("marketing", [OrgRole.MEMBER]),
    "member": ("product", [OrgRole.MEMBER]),
    "planner": ("product", [OrgRole.MEMBER]),
    "project_manager": ("product", [OrgRole.MEMBER]),
    "department_head": ("marketing", [OrgRole.DEPARTMENT_HEAD]),
    "management": (None, [OrgRole.MANAGEMENT]),
    "finance": ("finance", [OrgRole.FINANCE]),
    "data_analyst": ("product", [OrgRole.DATA_ANALYST]),
    "admin": (None, [OrgRole.ADMIN]),
}
PERSONAS = (ANONYMOUS, *PERSONA_USERS)

# The demo campaign each scope points at (demo.PATHS keys name the states).
SCOPE_STATUSES = {
    "draft": CampaignStatus.DRAFT,
    "approved": CampaignStatus.APPROVED,
    "preparing": CampaignStatus.PREPARING,
    "live": CampaignStatus.LIVE,
    "optimizing": CampaignStatus.OPTIMIZING,
    "closing": CampaignStatus.CLOSING,
    "archived": CampaignStatus.ARCHIVED,
    "cancelled": CampaignStatus.CANCELLED,
}


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]  # persona -> raw API token
    sessions: dict[str, str]  # persona -> session key
    campaigns: dict[str, Campaign]  # scope -> campaign
    # scope -> world key -> value used for a URL kwarg (ids, slugs); "" scope: organization-wide
    values: dict[str, dict[str, object]] = field(default_factory=dict)


def _session_for(user: User) -> str:
    """A signed-in session, as django.contrib.auth.login would store it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _first_pk(queryset):
    return queryset.order_by("pk").values_list("pk", flat=True).first()


def _campaign_values(campaign: Campaign, users: dict[str, User]) -> dict[str, object]:
    """One object of every kind the campaign has, by world key."""
    values: dict[str, object] = {"campaign": campaign.pk}
    for key, related in (
        ("goal", campaign.goals),
        ("budget_line", campaign.budget_lines),
        ("risk", campaign.risks),
        ("milestone", campaign.milestones),
        ("persona", campaign.personas),
        ("task", campaign.tasks),
        ("log_entry", campaign.log_entries),
        ("meeting", campaign.meetings),
    ):
        values[key] = _first_pk(related.all())
    values["membership"] = _first_pk(CampaignMember.objects.filter(campaign=campaign, user=users["member"]))
    dependency = TaskDependency.objects.filter(task__campaign=campaign).order_by("pk").first()
    if dependency is not None:
        values["dependency_task"], values["depends_on"] = dependency.task_id, dependency.depends_on_id
    raci = TaskRaci.objects.filter(task__campaign=campaign).order_by("pk").first()
    if raci is not None:
        values["raci_task"], values["raci_user"] = raci.task_id, raci.user_id
    values["action_item"] = _first_pk(ActionItem.objects.filter(meeting__campaign=campaign, task=None))
    values["change_request"] = _first_pk(ChangeRequest.objects.filter(campaign=campaign))
    values["readiness_key"] = campaign.readiness_items.order_by("pk").values_list("key", flat=True).first()
    metric = DailyMetric.objects.filter(campaign=campaign).order_by("pk").first()
    if metric is not None:
        values["daily_metric"] = metric.pk
        values["metric_channel"] = metric.channel_id
        values["metric_day"] = metric.date.isoformat()
    link = TrackedLink.objects.filter(campaign=campaign).order_by("pk").first()
    if link is not None:
        values["link"], values["link_code"] = link.pk, link.code
    values["alert"] = _first_pk(Alert.objects.filter(campaign=campaign, status="open"))
    values["alert_rule"] = _first_pk(AlertRule.objects.filter(campaign=campaign))
    values["daily_report"] = _first_pk(DailyReport.objects.filter(campaign=campaign))
    review = InterimReview.objects.filter(campaign=campaign).order_by("-pk").first()
    if review is not None:
        values["review"] = review.pk
        values["review_item"] = _first_pk(review.items.all())
    values["experiment"] = _first_pk(Experiment.objects.filter(campaign=campaign))
    values["expense"] = _first_pk(Expense.objects.filter(campaign=campaign).exclude(attachment_name=""))
    report = EvaluationReport.objects.filter(campaign=campaign).first()
    if report is not None:
        values["evaluation_dimension"] = _first_pk(report.dimensions.all())
    values["webhook"] = _first_pk(Webhook.objects.filter(campaign=campaign))
    values["knowledge_entry"] = _first_pk(KnowledgeEntry.objects.filter(campaign=campaign))
    return {key: value for key, value in values.items() if value is not None}


def build_world() -> World:
    result = demo.demo_load()
    assert result.created, "the demo organization was already in the test database"
    admin = User.objects.get(username="admin")
    departments = {d.code: d for d in Department.objects.all()}
    departments["product"] = departments.get("product") or account_services.department_create(
        actor=admin, name="Product", code="product"
    )
    users = {
        persona: account_services.user_create(
            actor=admin,
            username=f"matrix.{persona}",
            password="matrix-password-2026",
            department=departments[code] if code else None,
            roles=list(roles),
        )
        for persona, (code, roles) in PERSONA_USERS.items()
    }
    campaigns = {scope: Campaign.objects.get(status=status) for scope, status in SCOPE_STATUSES.items()}
    in_review = list(Campaign.objects.filter(status=CampaignStatus.IN_REVIEW).order_by("pk"))
    campaigns["review"] = next(c for c in in_review if c.approval_level == 1)
    campaigns["review2"] = next(c for c in in_review if c.approval_level == 2)
    for campaign in Campaign.objects.all():
        CampaignMember.objects.bulk_create(
            CampaignMember(campaign=campaign, user=users[persona], role=role, group="matrix")
            for persona, role in CAMPAIGN_ROLES.items()
        )

    live = campaigns["live"]
    today = timezone.localdate()
    # A draft change request by the demo's project manager: its requester, the owner and admins manage it.
    ChangeRequest.objects.create(
        campaign=live,
        kind=ChangeKind.SCOPE,
        reason="Sharper theme",
        proposed={"theme": "A sharper theme"},
        revision=live.revision,
        created_by=User.objects.get(username=demo.PM),
    )
    interim_review_create(
        campaign=live, actor=admin, period_from=live.start_date, period_to=min(today, live.end_date)
    )
    Webhook.objects.create(
        campaign=live,
        kind="generic",
        name="Team chat",
        url="https://hooks.example.com/team",
        created_by=admin,
    )
    planner = users["planner"]
    personal_webhook = Webhook.objects.create(
        user=planner, kind="generic", name="Mine", url="https://hooks.example.com/me", created_by=planner
    )
    notification = Notification.objects.create(
        recipient=planner, event="task.assigned", title="A task for you", url="/", campaign=live
    )
    archived_entry = KnowledgeEntry.objects.get(campaign=campaigns["archived"])
    template = knowledge_template_create(entry=archived_entry, actor=admin, name="Matrix template")

    values = {scope: _campaign_values(campaign, users) for scope, campaign in campaigns.items()}
    values[""] = {
        "notification": notification.pk,
        "personal_webhook": personal_webhook.pk,
        "api_token": account_services.token_issue(user=planner, name="laptop")[0].pk,
        "calendar_token": calendar_token_get(user=planner).token,
        "org_alert_rule": _first_pk(AlertRule.objects.filter(campaign=None)),
        "knowledge_template": template.key,
        "historical_entry": _first_pk(KnowledgeEntry.objects.filter(campaign=None)),
        "plotly_version": plotly.__version__,
        "today": today.isoformat(),
        "yesterday": (today - dt.timedelta(days=1)).isoformat(),
    }
    tokens = {persona: account_services.token_issue(user=user)[1] for persona, user in users.items()}
    sessions = {persona: _session_for(user) for persona, user in users.items()}
    return World(users=users, tokens=tokens, sessions=sessions, campaigns=campaigns, values=values)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo world with the personas, for one test module; everything is rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# Figures of the matrix run, printed after the tests (test_authz_matrix.py counts into it).
MATRIX_STATS: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    stats = MATRIX_STATS
    if stats["requests"]:
        terminalreporter.write_line(
            f"authorization matrix: {stats['web routes']} web routes and {stats['api operations']} API "
            f"operations in {stats['cases']} cases (route x URL arguments x method), "
            f"{stats['requests']} requests over {len(PERSONAS)} personas; {stats['refused']} refusals "
            f"checked, {stats['refused writes']} of them writes that must change nothing"
        )
