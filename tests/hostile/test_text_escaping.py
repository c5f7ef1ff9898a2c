"""HTML and JavaScript typed into any free-text field comes back escaped on every page that shows it.

Every free-text field of the demo organization gets a payload numbered after the field, the web UI
is crawled from the dashboard (links and htmx partials alike), and no page may contain a payload's
raw tag. The Markdown, XLSX and PDF renderings of every report take the same text without failing.

The fields come from tests/hostile/free_text.py; the first test makes every new CharField or
TextField join FREE_TEXT or NOT_FREE_TEXT there.
"""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from campaignflow.accounts.models import User
from campaignflow.campaigns.models import Campaign
from campaignflow.reports import registry
from tests.hostile.free_text import FREE_TEXT, NOT_FREE_TEXT, fill_free_text, sample_campaigns, text_fields

pytestmark = pytest.mark.django_db

# Free text that no page reached from the dashboard shows for the demo (pages show users' display
# names; the demo has no cancelled campaign; …). If one starts being shown, it moves out of here.
NOT_SHOWN = {
    "accounts.Organization.name",
    "accounts.User.first_name",
    "accounts.User.last_name",
    "campaigns.Campaign.cancel_reason",
    "evaluation.EvaluationReport.decision_comment",
    "knowledge.KnowledgeTemplate.name",
    "notifications.Webhook.name",
}
SKIPPED_PATHS = ("/static/", "/media/", "/api/", "/admin/", "/i18n/", "/accounts/logout", "/r/")
SKIPPED_PARTS = ("export", "download", "archive", ".zip", ".pdf", ".xlsx", ".ics", "format=", "/calendar/")
MAX_PAGES = 600
LINK = re.compile(r'(?:href|hx-get)="(/[^"]*)"')
RAW_TAGS = ("<script>alert(", "<img src=x onerror")


PAYLOADS = (
    lambda number: f"<script>alert({number})</script>",
    lambda number: f'"><img src=x onerror=alert({number})>',
)


def test_every_text_field_is_classified_as_free_text_or_not():
    classified = {
        (label, name)
        for table in (FREE_TEXT, NOT_FREE_TEXT)
        for label, names in table.items()
        for name in names
    }

    existing = {(label, name) for label, name, _ in text_fields()}

    assert sorted(existing - classified) == [], "add these fields to FREE_TEXT or NOT_FREE_TEXT"
    assert sorted(classified - existing) == [], "these fields are gone (or got choices)"


def crawl(client, campaigns: set[int]) -> dict[str, str]:
    """GET every same-site page reachable from the dashboard; {url: html}. 5xx fails at once."""
    pages: dict[str, str] = {}
    queue = deque(["/"] + [f"/campaigns/{pk}/" for pk in sorted(campaigns)])
    seen = set(queue)
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[url] = body
        for link in LINK.findall(body):
            link = urldefrag(html.unescape(link))[0]
            path = urlsplit(link).path
            if link in seen or path.startswith(SKIPPED_PATHS) or any(p in link for p in SKIPPED_PARTS):
                continue
            ids = re.match(r"/campaigns/(\d+)/", path)
            if ids and int(ids.group(1)) not in campaigns:
                continue  # a few campaigns in each state are enough
            seen.add(link)
            queue.append(link)
    return pages


@pytest.mark.parametrize("variant", [0, 1], ids=["script", "img-onerror"])
def test_every_page_shows_free_text_escaped_never_as_markup(demo_world, client, variant):
    filled = fill_free_text(PAYLOADS[variant])
    client.force_login(User.objects.get(username="admin"))

    pages = crawl(client, sample_campaigns())

    raw_on = {url: tag for url, body in pages.items() for tag in RAW_TAGS if tag in body}
    assert raw_on == {}
    shown = {key for key, text in filled.items() if any(html.escape(text) in body for body in pages.values())}
    # Every field a person types into is shown somewhere, escaped.
    assert len(pages) > 50
    assert sorted(set(filled) - shown) == sorted(NOT_SHOWN)


def report_responses(client, campaigns):
    """Every report kind in every format of each campaign, through GET /api/v1/…/reports/{kind}."""
    for campaign in campaigns:
        for kind in registry.KINDS.values():
            for fmt in kind.formats:
                url = f"/api/v1/campaigns/{campaign.pk}/reports/{kind.key}"
                response = client.get(url, {"format": fmt, "date": str(campaign.start_date)})
                yield f"{kind.key}.{fmt} of {campaign.status}", fmt, response


@pytest.mark.parametrize("variant", [0, 1], ids=["script", "img-onerror"])
def test_every_report_renders_hostile_text_in_every_format(demo_world, client, variant):
    fill_free_text(PAYLOADS[variant])
    client.force_login(User.objects.get(username="admin"))
    campaigns = Campaign.objects.filter(pk__in=sample_campaigns())

    outcomes = {name: response.status_code for name, _, response in report_responses(client, campaigns)}

    assert [name for name, status in outcomes.items() if status >= 500] == []
    rendered = {name.split(" of ")[0] for name, status in outcomes.items() if status == 200}
    assert rendered >= {f"{kind}.{fmt}" for kind in registry.KINDS for fmt in ("json", "md", "xlsx", "pdf")}
