"""Interim review (阶段性复盘报告): prefilled from goals and KPIs, edited while draft, then final."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from campaignflow.audit.models import AuditEvent
from campaignflow.core.errors import Conflict, Forbidden, ValidationFailed
from campaignflow.reports import services
from campaignflow.reports.models import InterimReview, InterimReviewItem

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _create(campaign, actor, start=(2024, 6, 1), end=(2024, 6, 10)):
    return services.interim_review_create(
        campaign=campaign,
        actor=actor,
        period_from=dt.date(*start),
        period_to=dt.date(*end),
        summary="首周复盘",
    )


def test_it_is_prefilled_from_goals_and_core_kpis_with_period_actuals(table_3, pm):
    review = _create(table_3, pm)

    items = {item.metric: item for item in review.items.all()}
    assert list(items) == ["revenue", "cvr", "cpa", "ctr", "roas"]  # goals, then KPIs no goal covers
    # revenue counts up: 10 of 30 days → a third of 300,000
    assert items["revenue"].stage_target == Decimal("100000.0000")
    assert items["revenue"].actual == Decimal("85000")
    assert items["cvr"].stage_target == Decimal("0.5")  # a rate applies as it is
    assert items["cvr"].actual == (Decimal(425) / Decimal(1850)).quantize(Decimal("0.000001"))
    assert (items["cpa"].direction, items["ctr"].stage_target) == ("lower", None)
    assert AuditEvent.objects.filter(verb="interimreview.created", actor=pm).count() == 1


def test_a_period_outside_the_campaign_or_reversed_names_the_field(table_3, pm):
    with pytest.raises(ValidationFailed) as reversed_period:
        _create(table_3, pm, start=(2024, 6, 10), end=(2024, 6, 1))
    with pytest.raises(ValidationFailed) as outside:
        _create(table_3, pm, start=(2024, 5, 30), end=(2024, 6, 1))

    assert reversed_period.value.errors[0].field == "period_to"
    assert outside.value.errors[0].field == "period_from"
    assert not InterimReview.objects.exists()


def test_items_are_edited_then_finalised_and_never_edited_again(client, table_3, pm):
    review = _create(table_3, pm)
    item = review.items.get(metric="revenue")
    client.force_login(pm)

    edited = client.patch(
        f"/api/v1/interim-review-items/{item.pk}",
        {
            "stage_target": "90000",
            "cause": "线下门店受暴雨影响",
            "adjustment": "加大直播投放",
            "expected_effect": "销售额追平进度",
        },
        content_type=JSON,
    )
    final = client.post(f"/api/v1/interim-reviews/{review.pk}/finalise")
    refused = client.patch(f"/api/v1/interim-review-items/{item.pk}", {"cause": "later"}, content_type=JSON)
    summary = client.patch(f"/api/v1/interim-reviews/{review.pk}", {"summary": "x"}, content_type=JSON)

    assert edited.status_code == 200
    assert edited.json()["achievement"] == "0.9444"  # 85,000 / 90,000
    assert final.status_code == 200 and final.json()["status"] == "final"
    assert (refused.status_code, summary.status_code) == (409, 409)
    item.refresh_from_db()
    assert (item.cause, item.stage_target) == ("线下门店受暴雨影响", Decimal("90000"))
    assert InterimReview.objects.get().summary == "首周复盘"
    assert AuditEvent.objects.filter(verb="interimreview.finalised").count() == 1


def test_refresh_recomputes_actuals_of_a_draft_only(table_3, pm, moments):
    from tests.reports.conftest import metric

    review = _create(table_3, pm)
    metric(table_3, moments, dt.date(2024, 6, 5), revenue=Decimal("5000"), cost=Decimal("100"))

    services.interim_review_refresh(review=review, actor=pm)
    services.interim_review_finalise(review=review, actor=pm)

    assert review.items.get(metric="revenue").actual == Decimal("90000")
    with pytest.raises(Conflict):
        services.interim_review_refresh(review=review, actor=pm)


@pytest.mark.parametrize("persona", ["viewer", "finance", "dept_head"])
def test_readers_may_not_write_reviews(table_3, pm, persona, request):
    review = _create(table_3, pm)
    actor = request.getfixturevalue(persona)

    with pytest.raises(Forbidden):
        _create(table_3, actor)
    with pytest.raises(Forbidden):
        services.interim_item_update(item=review.items.first(), actor=actor, data={"cause": "x"})
    with pytest.raises(Forbidden):
        services.interim_review_finalise(review=review, actor=actor)

    assert InterimReview.objects.get().status == "draft"
    assert not InterimReviewItem.objects.exclude(cause="").exists()


def test_an_outsider_does_not_see_a_review(client, table_3, pm, outsider):
    review = _create(table_3, pm)
    client.force_login(outsider)

    assert client.get(f"/api/v1/interim-reviews/{review.pk}").status_code == 404
    assert client.post(f"/api/v1/interim-reviews/{review.pk}/finalise").status_code == 404


def test_markdown_and_xlsx_export(client, table_3, pm, viewer):
    review = _create(table_3, pm)
    services.interim_item_update(
        item=review.items.get(metric="cvr"),
        actor=pm,
        data={"cause": "=渠道选择偏差", "adjustment": "优化活动规则"},
    )
    client.force_login(viewer)

    md = client.get(f"/api/v1/campaigns/{table_3.pk}/reports/interim", {"format": "md", "review": review.pk})
    xlsx = client.get(f"/reports/reviews/{review.pk}/download/", {"format": "xlsx"})

    text = md.content.decode()
    assert "# Interim review · 618 tea festival · 2024-06-01 – 2024-06-10" in text
    assert "| Sales | revenue | 100,000.00 | 85,000.00 | 85.00% |" in text
    assert (
        "| Conversion rate | cvr | 50.00% | 22.97% | 45.95% | =渠道选择偏差 | 优化活动规则 |  |".replace(
            "|  |", "| — |"
        )
        in text
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[1]
    header = next(row for row in sheet.iter_rows() if row[0].value == "Metric or goal")
    values = [cell.value for cell in sheet[header[0].row + 2]]
    assert values[:6] == [
        "Conversion rate",
        "cvr",
        "50.00%",
        "22.97%",
        pytest.approx(0.4595, abs=1e-4),
        "=渠道选择偏差",
    ]
    assert sheet.cell(row=header[0].row + 2, column=6).data_type == "s"


def test_interim_without_a_review_is_404(client, table_3, pm):
    client.force_login(pm)

    assert client.get(f"/api/v1/campaigns/{table_3.pk}/reports/interim").status_code == 404


def test_a_draft_review_of_an_archived_campaign_is_frozen(table_3, pm):
    from campaignflow.campaigns.models import Campaign

    review = _create(table_3, pm)
    Campaign.objects.filter(pk=table_3.pk).update(status="archived")

    with pytest.raises(Conflict) as refused:
        services.interim_review_update(review=review, actor=pm, data={"summary": "rewritten later"})

    assert refused.value.code == "campaign_closed"
    review.refresh_from_db()
    assert review.summary != "rewritten later"
