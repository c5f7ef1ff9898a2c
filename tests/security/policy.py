"""The expected access of every persona to every route: the authorization matrix's expectation table.

Written from the documented rules (DESIGN.md §2 and the docstrings of every app's permissions.py),
not from observed responses: the matrix exists to catch code that disagrees with the rules.

Each route of the web UI (by URL name) and of the API (by OpenAPI operationId) names a policy. A
policy says, for reading (GET) and for writing (POST/PUT/PATCH/DELETE), which personas are allowed
and how the others are refused:

- anonymous: the web UI redirects to the sign-in page, the API answers 401;
- a persona who may not see the object (the campaign is another department's and they are not on
  its team; a personal object of someone else) is told it does not exist: 404;
- a persona who sees the object but may not do this: 403 (the plan editor of a campaign one may
  not edit redirects to the plan page instead: REDIRECT);
- a side that is None is a method the route does not serve: 405 for everyone.

A route may be listed more than once with different URL arguments (a campaign in another state, a
different object kind or action slug): each listing is one case of the matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
PERSONAS = (
    ANONYMOUS,
    "outsider",  # Sales, on no team: Marketing's campaigns do not exist for them
    "colleague",  # Marketing, on no team: sees the department's campaigns, changes nothing
    "member",  # Product, campaign role "member" (a group such as 物料组) on every campaign
    "planner",  # Product, campaign role "planner" on every campaign
    "project_manager",  # Product, campaign role "project_manager" on every campaign
    "department_head",  # head of Marketing: level-1 approver of Marketing's campaigns
    "management",  # level-2 approver
    "finance",
    "data_analyst",
    "admin",
)

# Expected outcomes
ALLOW = "allowed"
LOGIN = "sign-in required"  # web: 302 to the sign-in page; API: 401
FORBIDDEN = "403"
HIDDEN = "404"
REDIRECT = "302 to the plan page"
NOT_SERVED = "405"

SIGNED_IN = frozenset(PERSONAS) - {ANONYMOUS}
# campaigns.permissions.can_view for a Marketing campaign: org-wide readers, the department, the team.
ORG_WIDE = frozenset({"admin", "management", "finance", "data_analyst"})
TEAM = frozenset({"member", "planner", "project_manager"})
VIEWERS = ORG_WIDE | TEAM | {"colleague", "department_head"}
NOT_VIEWERS = SIGNED_IN - VIEWERS  # the outsider


@dataclass(frozen=True)
class Access:
    """Who is allowed; everyone else signed in is refused with `denied`, or 404 if in `hidden`."""

    allowed: frozenset[str]
    hidden: frozenset[str] = frozenset()
    denied: str = FORBIDDEN

    def expect(self, persona: str) -> str:
        if persona in self.allowed:
            return ALLOW
        if persona in self.hidden:
            return HIDDEN
        if persona == ANONYMOUS:
            return LOGIN
        return self.denied


def everyone() -> Access:
    return Access(frozenset(PERSONAS))


def signed_in() -> Access:
    return Access(SIGNED_IN)


def org(*allowed: str) -> Access:
    """An organization-wide thing: whoever is signed in knows it exists."""
    return Access(frozenset(allowed))


def campaign(*allowed: str, denied: str = FORBIDDEN) -> Access:
    """Something of a Marketing campaign: the outsider does not see it (404)."""
    return Access(frozenset(allowed), hidden=NOT_VIEWERS, denied=denied)


def own(owner: str) -> Access:
    """A personal object: it exists for its owner only."""
    return Access(frozenset({owner}), hidden=SIGNED_IN - {owner})


@dataclass(frozen=True)
class Policy:
    read: Access | None
    write: Access | None


# --- who may write what, from the permission modules' documented rules ---------------------------
PLAN_EDITORS = ("planner", "admin")  # campaigns.permissions.can_edit_plan (and the owner)
RUNNERS = ("project_manager", "admin")  # can_run / can_manage_members / execution managers
CANCELLERS = ("admin", "management", "department_head")  # can_cancel (and the owner)
CHANGE_REQUESTERS = ("planner", "project_manager", "admin")  # changes.policy.can_request_change
# A change request made by the demo's project manager: its requester, the owner and admins manage it.
CHANGE_MANAGERS = ("admin",)
READINESS_TICKERS = ("planner", "project_manager", "admin")  # readiness.can_tick
# execution.can_freeze_baseline: task managers and the approvers of the campaign (any level)
BASELINE_FREEZERS = (*RUNNERS, "department_head", "management")
LOG_WRITERS = ("member", "planner", "project_manager", "admin")  # any member but a viewer; admins
DATA_WRITERS = ("project_manager", "data_analyst", "admin")  # metrics/reports/experiments/evaluation
LINK_MANAGERS = ("project_manager", "data_analyst", "admin")  # links.can_manage_links
ORG_DATA_MANAGERS = ("data_analyst", "admin")  # channels, metric definitions, org alert rules, UTM rules
ALERT_RESPONDERS = ("project_manager", "admin")  # alerts.can_respond
RULE_MANAGERS = ("project_manager", "data_analyst", "admin")  # alerts.can_manage_campaign_rules
EXPENSE_RECORDERS = ("project_manager", "finance", "admin")  # expenses.can_record_expenses
SIGN_OFF = ("management", "admin")  # settlement and evaluation decisions
# knowledge.can_label: the team (but plain members), the department head, analysts, management, admins
LABELLERS = ("planner", "project_manager", "department_head", "data_analyst", "management", "admin")

V = campaign(*VIEWERS)

POLICIES: dict[str, Policy] = {
    "public": Policy(read=everyone(), write=everyone()),
    "public_read": Policy(read=everyone(), write=None),
    "public_write": Policy(read=None, write=everyone()),
    # a credential (password, signature) in the request decides, not the session: none here, so 401
    "credentials": Policy(read=None, write=Access(frozenset(), denied=LOGIN)),
    "create_campaign": Policy(read=None, write=org("colleague", "department_head", "admin")),
    # the catch-all under /api/: every unknown path is missing, for everyone
    "missing": Policy(
        read=Access(frozenset(), hidden=frozenset(PERSONAS)),
        write=Access(frozenset(), hidden=frozenset(PERSONAS)),
    ),
    "signed_in": Policy(read=signed_in(), write=signed_in()),
    "signed_in_read": Policy(read=signed_in(), write=None),
    "signed_in_write": Policy(read=None, write=signed_in()),
    "admin_only": Policy(read=org("admin"), write=org("admin")),
    "org_data": Policy(read=signed_in(), write=org(*ORG_DATA_MANAGERS)),
    "org_settings": Policy(read=org(*ORG_DATA_MANAGERS), write=org(*ORG_DATA_MANAGERS)),
    # the web page of the UTM rules and postback secret does not exist for anyone else (404)
    "org_settings_page": Policy(
        read=Access(frozenset(ORG_DATA_MANAGERS), hidden=SIGNED_IN - set(ORG_DATA_MANAGERS)),
        write=Access(frozenset(ORG_DATA_MANAGERS), hidden=SIGNED_IN - set(ORG_DATA_MANAGERS)),
    ),
    # the UTM naming rules are read by whoever makes links; the postback secret is left out for them
    "link_settings": Policy(read=signed_in(), write=org(*ORG_DATA_MANAGERS)),
    "org_rule_edit": Policy(read=org(*ORG_DATA_MANAGERS), write=org(*ORG_DATA_MANAGERS)),
    "campaign_rule_edit": Policy(read=campaign(*RULE_MANAGERS), write=campaign(*RULE_MANAGERS)),
    "campaign_read": Policy(read=V, write=None),
    # the plan editor page opens only for editors; the others are sent to the plan page
    "plan_editor": Policy(read=campaign(*PLAN_EDITORS, denied=REDIRECT), write=None),
    "plan_section": Policy(read=campaign(*PLAN_EDITORS, denied=REDIRECT), write=campaign(*PLAN_EDITORS)),
    "plan_edit": Policy(read=V, write=campaign(*PLAN_EDITORS)),
    "plan_write": Policy(read=None, write=campaign(*PLAN_EDITORS)),
    "run": Policy(read=None, write=campaign(*RUNNERS)),
    "cancel": Policy(read=None, write=campaign(*CANCELLERS)),
    "approve_level_1": Policy(read=None, write=campaign("department_head")),
    "approve_level_2": Policy(read=None, write=campaign("management")),
    "members": Policy(read=V, write=campaign(*RUNNERS)),
    "change_request": Policy(read=campaign(*CHANGE_REQUESTERS), write=campaign(*CHANGE_REQUESTERS)),
    "change_manage": Policy(read=None, write=campaign(*CHANGE_MANAGERS)),
    # the draft's form opens for its managers; the others are sent back to the request's page
    "change_edit": Policy(read=campaign(*CHANGE_MANAGERS, denied=REDIRECT), write=campaign(*CHANGE_MANAGERS)),
    "change_decide_level_1": Policy(read=None, write=campaign("department_head")),
    "readiness": Policy(read=V, write=campaign(*READINESS_TICKERS)),
    "tasks": Policy(read=V, write=campaign(*RUNNERS)),
    "baseline": Policy(read=None, write=campaign(*BASELINE_FREEZERS)),
    "log": Policy(read=V, write=campaign(*LOG_WRITERS)),
    "log_entry": Policy(read=V, write=campaign(*RUNNERS)),  # its author (the demo PM) or a manager
    "metrics": Policy(read=V, write=campaign(*DATA_WRITERS)),
    "links": Policy(read=V, write=campaign(*LINK_MANAGERS)),
    "alerts": Policy(read=V, write=campaign(*ALERT_RESPONDERS)),
    "campaign_rules": Policy(read=V, write=campaign(*RULE_MANAGERS)),
    "reports": Policy(read=V, write=campaign(*DATA_WRITERS)),
    "experiments": Policy(read=V, write=campaign(*DATA_WRITERS)),
    "expenses": Policy(read=V, write=campaign(*EXPENSE_RECORDERS)),
    "settlement_decide": Policy(read=None, write=campaign(*SIGN_OFF)),
    "evaluation": Policy(read=V, write=campaign(*DATA_WRITERS)),
    "evaluation_decide": Policy(read=None, write=campaign(*SIGN_OFF)),
    "knowledge": Policy(read=V, write=campaign(*LABELLERS)),
    # a campaign's webhooks (URLs and secrets): its runners; viewers are refused, others see nothing
    "campaign_webhooks": Policy(read=campaign(*RUNNERS), write=campaign(*RUNNERS)),
    "own_planner": Policy(read=own("planner"), write=own("planner")),
    # an API token: its owner (the planner) and administrators revoke it; for others it does not exist
    "own_token": Policy(
        read=None, write=Access(frozenset({"planner", "admin"}), hidden=SIGNED_IN - {"planner", "admin"})
    ),
}


@dataclass(frozen=True)
class Rule:
    """One case of the matrix: a route, the policy it follows and where its URL arguments come from.

    `scope` is the demo campaign the URL points at (conftest.SCOPE_STATUSES); `args` maps a URL
    argument to a world key, or to a literal after "=".
    """

    route: str  # web URL name, or API operationId
    policy: str
    scope: str = "live"
    args: dict[str, str] = field(default_factory=dict)
    post_only: bool = False  # a web route that only takes POST (GET: 405)

    @property
    def label(self) -> str:
        extra = ",".join(f"{k}={v.lstrip('=')}" for k, v in sorted(self.args.items()))
        return f"{self.route}[{self.scope}{',' + extra if extra else ''}]"


def r(route: str, policy: str, scope: str = "live", **args: str) -> Rule:
    return Rule(route, policy, scope, args)


def post(route: str, policy: str, scope: str = "live", **args: str) -> Rule:
    """A web route that only takes POST: a GET is answered 405."""
    return Rule(route, policy, scope, args, post_only=True)


# URL argument -> world key, where the name says what it is. Ambiguous names (a bare `pk` of
# something else than a campaign, `item_pk`, `entry_id`, slugs) are given by each rule.
DEFAULT_ARGS = {
    "pk": "campaign",
    "campaign_id": "campaign",
    "cr_pk": "change_request",
    "change_request_id": "change_request",
    "key": "readiness_key",
    "task_pk": "task",
    "task_id": "task",
    "meeting_pk": "meeting",
    "meeting_id": "meeting",
    "risk_pk": "risk",
    "risk_id": "risk",
    "channel_pk": "metric_channel",
    "day": "metric_day",
    "metric_id": "daily_metric",
    "depends_on_id": "depends_on",
    "member_id": "membership",
    "notification_id": "notification",
    "webhook_id": "webhook",
    "link_id": "link",
    "alert_id": "alert",
    "rule_id": "alert_rule",
    "review_pk": "review",
    "review_id": "review",
    "report_pk": "daily_report",
    "experiment_pk": "experiment",
    "experiment_id": "experiment",
    "expense_pk": "expense",
    "expense_id": "expense",
    "dimension_pk": "evaluation_dimension",
    "dimension_id": "evaluation_dimension",
    "token": "calendar_token",
    "code": "link_code",
}

# --- the web UI, by URL name ------------------------------------------------------------------------
WEB_RULES = [
    r("healthz", "public_read"),
    r("readyz", "public_read"),
    r("set_language", "public"),
    r("accounts:login", "public"),
    post("accounts:logout", "public_write"),
    r("api:openapi-json", "public_read"),
    r("api:openapi-view", "public_read"),
    r("api:api-root", "missing"),
    r("^api/", "missing"),
    r("link_redirect", "public_read"),
    r("execution:calendar_personal", "public_read"),  # the token in the URL is the credential
    r("execution:calendar_campaign", "public_read"),
    r("execution:plotly_js", "public_read", version="=plotly_version"),
    # stage 1: plan, approvals, lifecycle
    r("web:dashboard", "signed_in_read"),
    r("web:approvals", "signed_in_read"),
    post("web:approval_decide", "approve_level_1", "review", decision="=approve"),
    post("web:approval_decide", "approve_level_1", "review", decision="=reject"),
    post("web:approval_decide", "approve_level_2", "review2", decision="=approve"),
    r("campaigns:list", "signed_in_read"),
    r("campaigns:create", "signed_in"),
    r("campaigns:detail", "campaign_read"),
    r("campaigns:edit", "plan_editor", "draft"),
    post("campaigns:plan_update", "plan_write", "draft"),
    post("campaigns:brief_update", "plan_write", "draft"),
    r("campaigns:plan_check", "campaign_read", "draft"),
    r("campaigns:items", "plan_section", "draft", kind="=goals"),
    r("campaigns:item", "plan_section", "draft", kind="=goals", item_pk="goal"),
    r("campaigns:item", "plan_section", "draft", kind="=budget", item_pk="budget_line"),
    post("campaigns:item_delete", "plan_write", "draft", kind="=risks", item_pk="risk"),
    post("campaigns:action", "plan_write", "draft", action="=submit"),
    post("campaigns:action", "approve_level_1", "review", action="=approve"),
    post("campaigns:action", "approve_level_1", "review", action="=reject"),
    post("campaigns:action", "approve_level_2", "review2", action="=approve"),
    post("campaigns:action", "run", "approved", action="=start-preparation"),
    post("campaigns:action", "run", "preparing", action="=launch"),
    post("campaigns:action", "run", "live", action="=optimize"),
    post("campaigns:action", "run", "live", action="=close"),
    post("campaigns:action", "run", "closing", action="=archive"),
    post("campaigns:action", "cancel", "live", action="=cancel"),
    r("campaigns:changes", "campaign_read"),
    r("campaigns:change_new", "change_request", kind="=scope"),
    r("campaigns:plan_compare", "campaign_read"),
    r("campaigns:change_detail", "campaign_read"),
    r("campaigns:change_edit", "change_edit"),
    post("campaigns:change_action", "change_manage", action="=submit"),
    post("campaigns:change_action", "change_manage", action="=withdraw"),
    post("campaigns:change_action", "change_decide_level_1", "optimizing", action="=approve"),
    r("campaigns:readiness", "campaign_read"),
    post("campaigns:readiness_item", "readiness"),
    # stage 2: execution
    r("execution:tasks", "tasks"),
    post("execution:propose", "tasks"),
    r("execution:export", "campaign_read"),
    r("execution:task", "tasks"),
    post("execution:task_delete", "tasks"),
    r("execution:gantt", "campaign_read"),
    post("execution:baseline", "baseline"),
    r("execution:board", "campaign_read"),
    post("execution:board_move", "tasks"),
    r("execution:raci", "campaign_read"),
    post("execution:raci_cell", "tasks", task_pk="raci_task", user_pk="raci_user"),
    r("execution:meetings", "tasks"),
    r("execution:log", "log"),
    r("execution:meeting", "tasks"),
    post("execution:action_item_task", "tasks", item_pk="action_item"),
    post("execution:risk_activate", "tasks"),
    r("execution:my_tasks", "signed_in_read"),
    post("execution:calendar_reset", "signed_in_write"),
    # stage 3: tracking
    r("metrics:dashboard", "campaign_read"),
    r("metrics:data", "campaign_read"),
    post("metrics:import", "metrics"),
    r("metrics:grid_row", "metrics"),
    r("links:campaign", "links"),
    r("links:preview", "campaign_read"),
    r("links:settings", "org_settings_page"),
    post("links:toggle", "links", pk="link"),
    post("links:delete", "links", pk="link"),
    r("links:qr_png", "campaign_read", pk="link"),
    r("links:qr_svg", "campaign_read", pk="link"),
    r("alerts:list", "signed_in_read"),
    post("alerts:acknowledge", "alerts", pk="alert"),
    post("alerts:resolve", "alerts", pk="alert"),
    r("alerts:campaign", "campaign_rules"),
    r("alerts:rules", "org_data"),
    r("alerts:rule_edit", "campaign_rule_edit", pk="alert_rule"),
    r("alerts:rule_edit", "org_rule_edit", pk="org_alert_rule"),
    post("alerts:rule_toggle", "campaign_rules", pk="alert_rule"),
    post("alerts:rule_toggle", "org_data", pk="org_alert_rule"),
    r("reports:calendar", "signed_in_read"),
    r("reports:campaign", "campaign_read"),
    post("reports:daily_generate", "reports"),
    post("reports:review_create", "reports"),
    r("reports:download", "campaign_read", kind="=plan"),
    r("reports:daily_download", "campaign_read"),
    r("reports:review", "reports"),
    post("reports:review_finalise", "reports"),
    post("reports:review_refresh", "reports"),
    r("reports:review_download", "campaign_read"),
    post("reports:item_update", "reports", item_pk="review_item"),
    r("experiments:list", "experiments"),
    r("experiments:size", "campaign_read"),
    r("experiments:detail", "campaign_read"),
    post("experiments:observations", "experiments"),
    post("experiments:delete", "experiments"),
    post("experiments:transition", "experiments", action="=stop"),
    # stage 4: close-out
    r("expenses:budget", "campaign_read"),
    post("expenses:add", "expenses"),
    post("expenses:settlement", "expenses", "closing"),
    post("expenses:settlement_action", "settlement_decide", "closing", action="=approve"),
    r("expenses:expense", "expenses"),
    post("expenses:delete", "expenses"),
    r("expenses:attachment", "campaign_read"),
    r("evaluation:campaign", "campaign_read", "closing"),
    post("evaluation:start", "evaluation"),
    post("evaluation:save", "evaluation", "closing"),
    r("evaluation:archive", "campaign_read", "closing"),
    post("evaluation:action", "evaluation_decide", "closing", action="=approve"),
    post("evaluation:dimension", "evaluation", "closing"),
    r("knowledge:index", "signed_in_read"),
    r("knowledge:detail", "campaign_read", "archived", pk="knowledge_entry"),
    post("knowledge:labels", "knowledge", "archived", pk="knowledge_entry"),
    post("knowledge:template", "knowledge", "archived", pk="knowledge_entry"),
    r("knowledge:campaign", "campaign_read", "archived"),
    # notifications
    r("notifications:inbox", "signed_in_read"),
    r("notifications:bell", "signed_in_read"),
    post("notifications:read_all", "signed_in_write"),
    post("notifications:read", "own_planner", pk="notification"),
    r("notifications:open", "own_planner", pk="notification"),
    r("notifications:settings", "signed_in"),
    r("notifications:campaign_webhooks", "campaign_webhooks"),
    r("notifications:webhook_edit", "campaign_webhooks", pk="webhook"),
    r("notifications:webhook_edit", "own_planner", pk="personal_webhook"),
    post("notifications:webhook_delete", "campaign_webhooks", pk="webhook"),
    post("notifications:webhook_delete", "own_planner", pk="personal_webhook"),
    post("notifications:webhook_test", "campaign_webhooks", pk="webhook"),
    post("notifications:webhook_test", "own_planner", pk="personal_webhook"),
]

# --- the API, by OpenAPI operationId -----------------------------------------------------------
_A = "campaignflow_accounts_api_"
_M = "campaignflow_metrics_api_"
_C = "campaignflow_campaigns_api_"
_E = "campaignflow_execution_api_"
_N = "campaignflow_notifications_api_"
_L = "campaignflow_links_api_"
_AL = "campaignflow_alerts_api_"
_R = "campaignflow_reports_api_"
_X = "campaignflow_experiments_api_"
_K = "campaignflow_knowledge_api_"
_EX = "campaignflow_expenses_api_"
_EV = "campaignflow_evaluation_api_"

API_RULES = [
    r(_A + "health", "public"),
    r(_A + "issue_token", "credentials"),
    r(_A + "me", "signed_in"),
    r(_A + "list_my_tokens", "signed_in_read"),
    r(_A + "revoke_token", "own_token", token_id="api_token"),
    r(_A + "list_departments", "signed_in"),
    r(_A + "create_department", "admin_only"),
    r(_A + "list_users", "signed_in"),
    r(_A + "create_user", "admin_only"),
    # metrics
    r(_M + "list_channels", "org_data"),
    r(_M + "create_channel", "org_data"),
    r(_M + "list_metric_definitions", "org_data"),
    r(_M + "create_metric_definition", "org_data"),
    r(_M + "list_import_presets", "signed_in"),
    r(_M + "list_daily_metrics", "metrics"),
    r(_M + "upsert_daily_metrics", "metrics"),
    r(_M + "import_daily_metrics", "metrics"),
    r(_M + "get_daily_metric", "metrics"),
    r(_M + "update_daily_metric", "metrics"),
    r(_M + "delete_daily_metric", "metrics"),
    r(_M + "campaign_kpis", "metrics"),
    # campaigns and the plan
    r(_C + "list_campaigns", "signed_in"),
    r(_C + "create_campaign", "create_campaign"),  # the example body names department 1, Marketing
    r(_C + "get_campaign", "plan_edit", "draft"),
    r(_C + "update_campaign", "plan_edit", "draft"),
    r("campaign_submit", "plan_write", "draft"),
    r("campaign_approve", "approve_level_1", "review"),
    r("campaign_approve", "approve_level_2", "review2"),
    r("campaign_reject", "approve_level_1", "review"),
    r("campaign_start_preparation", "run", "approved"),
    r("campaign_launch", "run", "preparing"),
    r("campaign_optimize", "run"),
    r("campaign_close", "run"),
    r("campaign_archive", "run", "closing"),
    r("campaign_cancel", "cancel"),
    r(_C + "get_brief", "plan_edit", "draft"),
    r(_C + "update_brief", "plan_edit", "draft"),
    r(_C + "list_approvals", "campaign_read"),
    r(_C + "list_audit", "campaign_read"),
    r(_C + "get_registration", "campaign_read"),
    r(_C + "plan_check", "campaign_read", "draft"),
    *(
        r(f"{verb}_{kind}", "plan_edit", "draft", item_id=key)
        for kind, key in (
            ("goal", "goal"),
            ("budgetline", "budget_line"),
            ("risk", "risk"),
            ("milestone", "milestone"),
            ("persona", "persona"),
        )
        for verb in ("get", "update", "delete")
    ),
    *(
        r(name, "plan_edit", "draft")
        for kind in ("goal", "budgetline", "risk", "milestone", "persona")
        for name in (f"list_{kind}s", f"create_{kind}")
    ),
    r(_C + "list_members", "members"),
    r(_C + "add_member", "members"),
    r(_C + "get_member", "members"),
    r(_C + "update_member", "members"),
    r(_C + "remove_member", "members"),
    r(_C + "list_templates", "signed_in"),
    r(_C + "list_change_requests", "campaign_read"),
    r(_C + "create_change_request", "change_request"),
    r(_C + "get_change_request", "campaign_read"),
    r(_C + "update_change_request", "change_manage"),
    r("change_request_submit", "change_manage"),
    r("change_request_withdraw", "change_manage"),
    r("change_request_approve", "change_decide_level_1", "optimizing"),
    r("change_request_reject", "change_decide_level_1", "optimizing"),
    r(_C + "list_plan_snapshots", "campaign_read"),
    r(_C + "get_readiness", "readiness"),
    r(_C + "set_readiness_item", "readiness"),
    # execution
    r(_E + "list_tasks", "tasks"),
    r(_E + "create_task", "tasks"),
    r(_E + "propose_tasks", "tasks"),
    r(_E + "freeze_baseline", "baseline"),
    r(_E + "get_task", "tasks"),
    r(_E + "update_task", "tasks"),
    r(_E + "delete_task", "tasks"),
    r(_E + "list_dependencies", "tasks"),
    r(_E + "add_dependency", "tasks"),
    r(_E + "remove_dependency", "tasks", task_id="dependency_task"),
    r(_E + "get_raci", "tasks"),
    r(_E + "set_raci", "tasks"),
    r(_E + "remove_raci", "tasks", task_id="raci_task", user_id="raci_user"),
    r(_E + "raci_matrix", "tasks"),
    r(_E + "gantt", "tasks"),
    r(_E + "my_tasks", "signed_in"),
    r(_E + "my_calendar", "signed_in"),
    r(_E + "list_meetings", "tasks"),
    r(_E + "create_meeting", "tasks"),
    r(_E + "meeting_prefill", "tasks"),
    r(_E + "get_meeting", "tasks"),
    r(_E + "update_meeting", "tasks"),
    r(_E + "delete_meeting", "tasks"),
    r(_E + "add_action_item", "tasks"),
    r(_E + "action_item_to_task", "tasks", item_id="action_item"),
    r(_E + "list_log", "log"),
    r(_E + "create_log_entry", "log"),
    r(_E + "get_log_entry", "log_entry", entry_id="log_entry"),
    r(_E + "update_log_entry", "log_entry", entry_id="log_entry"),
    r(_E + "delete_log_entry", "log_entry", entry_id="log_entry"),
    r(_E + "activate_risk", "tasks"),
    # notifications
    r(_N + "list_notifications", "signed_in"),
    r(_N + "read_all_notifications", "signed_in"),
    r(_N + "read_notification", "own_planner"),
    r(_N + "get_preferences", "signed_in"),
    r(_N + "put_preferences", "signed_in"),
    r(_N + "list_campaign_webhooks", "campaign_webhooks"),
    r(_N + "create_campaign_webhook", "campaign_webhooks"),
    r(_N + "list_my_webhooks", "signed_in"),
    r(_N + "create_my_webhook", "signed_in"),
    *(
        case
        for verb in ("get", "update", "delete", "test")
        for case in (
            r(f"{_N}{verb}_webhook", "campaign_webhooks"),
            r(f"{_N}{verb}_webhook", "own_planner", webhook_id="personal_webhook"),
        )
    ),
    # links
    r(_L + "list_links", "links"),
    r(_L + "create_link", "links"),
    r(_L + "get_link", "links"),
    r(_L + "update_link", "links"),
    r(_L + "delete_link", "links"),
    r(_L + "link_stats", "links"),
    r(_L + "link_qr", "links"),
    r(_L + "get_link_settings", "link_settings"),
    r(_L + "update_link_settings", "org_settings"),
    r(_L + "rotate_postback_secret", "org_settings"),
    r(_L + "track_conversion", "credentials"),  # signed with the postback secret, not by a user
    # alerts
    r(_AL + "list_alerts", "signed_in"),
    r(_AL + "get_alert", "alerts"),
    r(_AL + "acknowledge_alert", "alerts"),
    r(_AL + "resolve_alert", "alerts"),
    r(_AL + "list_campaign_alerts", "alerts"),
    r(_AL + "list_campaign_rules", "campaign_rules"),
    r(_AL + "create_campaign_rule", "campaign_rules"),
    r(_AL + "list_org_rules", "org_data"),
    r(_AL + "create_org_rule", "org_data"),
    *(
        case
        for verb in ("get", "update", "delete")
        for case in (
            r(f"{_AL}{verb}_rule", "campaign_rules"),
            r(f"{_AL}{verb}_rule", "org_data", rule_id="org_alert_rule"),
        )
    ),
    # reports
    r(_R + "campaign_report", "reports", kind="=plan"),
    r(_R + "list_daily_reports", "reports"),
    r(_R + "generate_daily_report", "reports"),
    r(_R + "list_reviews", "reports"),
    r(_R + "create_review", "reports"),
    r(_R + "get_review", "reports"),
    r(_R + "update_review", "reports"),
    r(_R + "finalise_review", "reports"),
    r(_R + "refresh_review", "reports"),
    r(_R + "update_item", "reports", item_id="review_item"),
    # experiments
    r(_X + "list_experiments", "experiments"),
    r(_X + "create_experiment", "experiments"),
    r(_X + "get_experiment", "experiments"),
    r(_X + "update_experiment", "experiments"),
    r(_X + "delete_experiment", "experiments"),
    r(_X + "put_observations", "experiments"),
    r(_X + "get_results", "experiments"),
    r("experiment_start", "experiments"),
    r("experiment_stop", "experiments"),
    r("experiment_decide", "experiments"),
    # knowledge
    r(_K + "search", "signed_in"),
    r(_K + "benchmarks", "signed_in"),
    r(_K + "templates", "signed_in"),
    r(_K + "get_entry", "knowledge", "archived", entry_id="knowledge_entry"),
    r(_K + "patch_entry", "knowledge", "archived", entry_id="knowledge_entry"),
    r(_K + "save_template", "knowledge", "archived", entry_id="knowledge_entry"),
    r(_K + "similar", "campaign_read"),
    # expenses and settlement
    r(_EX + "list_expenses", "expenses"),
    r(_EX + "create_expense", "expenses"),
    r(_EX + "get_expense", "expenses"),
    r(_EX + "update_expense", "expenses"),
    r(_EX + "delete_expense", "expenses"),
    r(_EX + "download_attachment", "expenses"),
    r(_EX + "upload_attachment", "expenses"),
    r(_EX + "delete_attachment", "expenses"),
    r(_EX + "campaign_budget", "expenses"),
    r(_EX + "get_settlement", "expenses", "closing"),
    r(_EX + "put_settlement", "expenses", "closing"),
    r(_EX + "settlement_action", "settlement_decide", "closing", action="=approve"),
    r(_EX + "settlement_action", "settlement_decide", "closing", action="=reject"),
    # evaluation
    r(_EV + "get_evaluation", "evaluation", "closing"),
    r(_EV + "put_evaluation", "evaluation"),
    r(_EV + "patch_dimension", "evaluation", "closing"),
    r(_EV + "evaluation_action", "evaluation_decide", "closing", action="=approve"),
    r(_EV + "archive_download", "campaign_read", "closing"),
]

# The Django admin is one policy by prefix: staff only (the admin role makes a user staff).
ADMIN_PREFIX = "admin/"
