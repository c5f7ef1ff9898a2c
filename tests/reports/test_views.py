"""The campaign's Reports tab, downloads, interim review pages and the morning job with its digest."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from campaignflow.notifications.models import Notification
from campaignflow.reports import services, tasks
from campaignflow.reports.models import DailyReport, InterimReview

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_the_tab_lists_reports_with_anomalies_highlighted_and_downloads(client, table_3, pm, planner):
    report = services.daily_report_generate(campaign=table_3, actor=pm, day=dt.date(2024, 6, 10))
    client.force_login(planner)

    response = client.get(f"/reports/campaigns/{table_3.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="alert alert-warning anomalies"' in html
    assert "朋友圈: Clicks +31.25% day over day (800 → 1,050)." in html
    assert f"/reports/daily/{report.pk}/download/?format=xlsx" in html
    assert f"/reports/daily/{report.pk}/download/?format=pdf" in html
    for kind in ("plan", "tasks", "daily", "evaluation", "settlement"):  # every report, as PDF and XLSX
        assert f"/reports/campaigns/{table_3.pk}/{kind}/download/?format=pdf" in html
    assert ">Reports</a>" in html


def test_the_generate_button_makes_a_report_and_a_stored_report_downloads_as_generated(client, table_3, pm):
    client.force_login(pm)

    response = client.post(f"/reports/campaigns/{table_3.pk}/daily/generate/", {"date": "2024-06-10"})
    report = DailyReport.objects.get()
    download = client.get(f"/reports/daily/{report.pk}/download/", {"format": "md"})
    pdf = client.get(f"/reports/daily/{report.pk}/download/", {"format": "pdf"})

    assert response.status_code == 302
    assert download["Content-Disposition"] == 'attachment; filename="MC-2024-0007-daily-2024-06-10.md"'
    assert "| 朋友圈 | 50,000 | 1,050 | 2.10% |" in download.content.decode()
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_a_viewer_sees_no_generate_button_and_cannot_post(client, table_3, viewer):
    client.force_login(viewer)

    page = client.get(f"/reports/campaigns/{table_3.pk}/").content.decode()
    response = client.post(f"/reports/campaigns/{table_3.pk}/daily/generate/", {"date": "2024-06-10"})

    assert "Generate now" not in page
    assert response.status_code == 403
    assert not DailyReport.objects.exists()


def test_an_outsider_gets_404_on_every_page(client, table_3, pm, outsider):
    review = services.interim_review_create(
        campaign=table_3, actor=pm, period_from=dt.date(2024, 6, 1), period_to=dt.date(2024, 6, 10)
    )
    client.force_login(outsider)

    for url in (
        f"/reports/campaigns/{table_3.pk}/",
        f"/reports/reviews/{review.pk}/",
        f"/reports/campaigns/{table_3.pk}/daily/download/?format=md",
    ):
        assert client.get(url).status_code == 404


def test_a_review_is_started_edited_with_htmx_and_finalised_from_the_pages(client, table_3, pm):
    client.force_login(pm)

    created = client.post(
        f"/reports/campaigns/{table_3.pk}/reviews/new/",
        {"period_from": "2024-06-01", "period_to": "2024-06-10"},
    )
    review = InterimReview.objects.get()
    item = review.items.get(metric="revenue")
    row = client.post(
        f"/reports/review-items/{item.pk}/",
        {f"i{item.pk}-stage_target": "abc", f"i{item.pk}-cause": "暴雨"},
        HTTP_HX_REQUEST="true",
    )
    saved = client.post(
        f"/reports/review-items/{item.pk}/",
        {f"i{item.pk}-stage_target": "90000", f"i{item.pk}-cause": "暴雨"},
        HTTP_HX_REQUEST="true",
    )
    final = client.post(f"/reports/reviews/{review.pk}/finalise/")
    page = client.get(f"/reports/reviews/{review.pk}/").content.decode()

    assert created.status_code == 302 and created["Location"] == f"/reports/reviews/{review.pk}/"
    assert row.status_code == 422 and "Enter a number." in row.content.decode()
    assert saved.status_code == 200 and "94.44%" in saved.content.decode()
    assert final.status_code == 302
    assert "暴雨" in page and "Save summary" not in page
    assert client.post(f"/reports/reviews/{review.pk}/finalise/").status_code == 409


def test_the_morning_job_reports_yesterday_for_live_campaigns_once_and_sends_the_digest(table_3, planner, pm):
    before_seven = dt.datetime(2024, 6, 11, 6, 30, tzinfo=SHANGHAI)
    morning = dt.datetime(2024, 6, 11, 7, 5, tzinfo=SHANGHAI)

    assert tasks.generate_morning_reports(before_seven) == []
    first = tasks.generate_morning_reports(morning)
    again = tasks.generate_morning_reports(morning.replace(hour=8))

    report = DailyReport.objects.get()
    assert first == [report.pk] and again == []
    assert report.day == dt.date(2024, 6, 10) and report.generated_by is None
    digests = Notification.objects.filter(event="report.daily").order_by("recipient__username")
    assert [n.recipient.username for n in digests] == ["planner", "pm"]
    assert digests[0].title == "Daily data report of 618 tea festival for 2024-06-10"
    assert "Anomalies noted: 5" in digests[0].body
    assert digests[0].url == f"/reports/campaigns/{table_3.pk}/?day=2024-06-10"
