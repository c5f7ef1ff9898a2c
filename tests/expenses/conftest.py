"""Personas and data for the expenses tests (see tests/conftest.py for the shared personas).

live        live campaign 2026-11-01 – 2026-11-30, owned by the planner, "today" is 2026-11-23;
            budget 100,000: promotion on WeChat Moments 60,000, materials 20,000, third-party
            services 10,000, contingency 10,000
pm          the live campaign's project manager: records expenses
viewer      Sales, viewer of both campaigns: reads
closing     the same plan, closing (2026-10-01 – 2026-10-31)
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaignflow.campaigns.models import BudgetLine, CampaignMember
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

TODAY = dt.date(2026, 11, 23)
START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Freeze "today" (timezone.localdate) so burn rate, forecast and date rules are exact."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def moments(db):
    return ChannelFactory(name="朋友圈", kind="paid_social")


def _plan(campaign, moments) -> dict[str, BudgetLine]:
    lines = {
        "promotion": BudgetLine.objects.create(
            campaign=campaign, category="promotion", channel=moments, amount=Decimal("60000.00")
        ),
        "materials": BudgetLine.objects.create(
            campaign=campaign, category="materials", amount=Decimal("20000.00")
        ),
        "third_party": BudgetLine.objects.create(
            campaign=campaign, category="third_party", amount=Decimal("10000.00")
        ),
        "contingency": BudgetLine.objects.create(
            campaign=campaign, category="contingency", amount=Decimal("10000.00")
        ),
    }
    campaign.lines = lines
    return lines


@pytest.fixture
def live(planner, marketing, moments):
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        name="Spring tea launch",
        status="live",
        number="MC-2026-0042",
        start_date=START,
        end_date=END,
    )
    _plan(campaign, moments)
    return campaign


@pytest.fixture
def closing(planner, marketing, moments):
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        name="Autumn pop-up",
        status="closing",
        number="MC-2026-0031",
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 10, 31),
    )
    _plan(campaign, moments)
    return campaign


@pytest.fixture
def pm(marketing, live, closing):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    for campaign in (live, closing):
        CampaignMember.objects.create(campaign=campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def viewer(sales, live, closing):
    user = UserFactory(username="viewer", department=sales, roles=["member"])
    for campaign in (live, closing):
        CampaignMember.objects.create(campaign=campaign, user=user, role="viewer")
    return user


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["发票号", "金额"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def expense_data(line, **overrides) -> dict:
    return {
        "budget_line": line,
        "amount": Decimal("1200.00"),
        "date": dt.date(2026, 11, 10),
        "vendor": "上海印象印务有限公司",
        "reference": "INV-0001",
        "note": "海报印制",
        **overrides,
    }
