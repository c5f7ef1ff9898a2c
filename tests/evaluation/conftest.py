"""Personas and data for the evaluation tests (see tests/conftest.py for the shared personas).

closing     campaign 2026-10-01 – 2026-10-31, closing, owned by the planner, with four goals:
            revenue 1,000,000 · new users 20,000 · CPA 50 (lower is better) · satisfaction 90 %
            (not in the daily data); two channels of daily data summing to cost 50,000, revenue
            1,200,000, 800 conversions, 18,000 new users
pm          the campaign's project manager: writes the report
viewer      Sales, viewer of the campaign: reads
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from decimal import Decimal

import pytest

from campaignflow.campaigns.models import BudgetLine, CampaignMember, Goal
from campaignflow.metrics.models import DailyMetric
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def closing(planner, marketing):
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        name="秋季新品推广",
        status="closing",
        number="MC-2026-0050",
        start_date=START,
        end_date=END,
    )
    Goal.objects.create(campaign=campaign, metric="revenue", name="销售额", target=Decimal("1000000"))
    Goal.objects.create(campaign=campaign, metric="new_users", name="新增用户数", target=Decimal("20000"))
    Goal.objects.create(campaign=campaign, metric="cpa", name="单次转化成本", target=Decimal("50"))
    Goal.objects.create(
        campaign=campaign, metric="satisfaction", name="用户满意度", target=Decimal("0.9"), unit="%"
    )
    moments, douyin = ChannelFactory(name="朋友圈"), ChannelFactory(name="抖音")
    BudgetLine.objects.create(
        campaign=campaign, category="promotion", channel=moments, amount=Decimal("30000")
    )
    BudgetLine.objects.create(
        campaign=campaign, category="promotion", channel=douyin, amount=Decimal("25000")
    )
    for channel, cost, revenue, conversions, new_users in (
        (moments, 30000, 700000, 500, 12000),
        (douyin, 20000, 500000, 300, 6000),
    ):
        for day, share in ((START, Decimal("0.4")), (START + dt.timedelta(days=1), Decimal("0.6"))):
            DailyMetric.objects.create(
                campaign=campaign,
                channel=channel,
                date=day,
                impressions=int(100000 * share),
                clicks=int(10000 * share),
                cost=Decimal(cost) * share,
                revenue=Decimal(revenue) * share,
                conversions=int(conversions * share),
                new_users=int(new_users * share),
            )
    return campaign


@pytest.fixture
def pm(closing, marketing):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=closing, user=user, role="project_manager")
    return user


@pytest.fixture
def viewer(closing, sales):
    user = UserFactory(username="viewer", department=sales, roles=["member"])
    CampaignMember.objects.create(campaign=closing, user=user, role="viewer")
    return user


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            nxt = raw[i + 1 : i + 2]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group()
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def pdf_text(content: bytes) -> str:
    """The text shown by a reportlab PDF: its content streams decoded, CID strings read as UCS-2."""
    texts = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = match.group(1).strip()
        try:
            data = zlib.decompress(base64.a85decode(data, adobe=True))
        except ValueError:
            continue
        except zlib.error:
            continue
        for string in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", data, re.S):
            raw = _unescape(string)
            texts.append(
                raw.decode("utf-16-be", errors="replace") if len(raw) % 2 == 0 else raw.decode("latin-1")
            )
    return "".join(texts)
