"""`campaignflow import-metrics <campaign> <file>`: the import from the shell, as a named user."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.models import DailyMetric
from tests.metrics.helpers import TABLE_3, csv_bytes

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import-metrics", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def table_3(tmp_path, moments, store):
    path = tmp_path / "日报.csv"
    path.write_bytes(csv_bytes(TABLE_3, "gbk"))
    return path


def test_the_hyphenated_command_is_found_by_django(db):
    result = subprocess.run(
        [sys.executable, "-m", "campaignflow", "import-metrics", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "--dry-run" in result.stdout


@pytest.mark.parametrize("reference", ["id", "MC-2024-0007", "mc-2024-0007"])
def test_it_imports_a_file_into_a_campaign_named_by_id_or_number(table_3, live_campaign, analyst, reference):
    campaign = str(live_campaign.pk) if reference == "id" else reference

    out, err = run(campaign, str(table_3), "--user", "analyst")

    assert "Imported 2 rows: 2 added, 0 updated." in out
    assert "row 3, 转化率: 转化率 was not used: the row has no clicks to apply it to." in err
    assert DailyMetric.objects.filter(campaign=live_campaign).count() == 2
    assert AuditEvent.objects.get(verb="metrics.imported").actor == analyst


def test_a_dry_run_writes_nothing(table_3, live_campaign, analyst):
    out, _err = run(str(live_campaign.pk), str(table_3), "--user", "analyst", "--dry-run")

    assert "Dry run: 2 rows are valid; 2 would be added and 0 updated." in out
    assert not DailyMetric.objects.exists()


def test_a_preset_and_a_default_channel_are_named_on_the_command_line(
    tmp_path, live_campaign, analyst, douyin, store
):
    path = tmp_path / "ocean.csv"
    path.write_bytes(csv_bytes([["日期", "展示数", "点击数", "消耗"], ["2024-06-10", "1000", "10", "5.5"]]))

    run(str(live_campaign.pk), str(path), "--user", "analyst", "--preset", "ocean_engine")
    run(str(live_campaign.pk), str(path), "--user", "analyst", "--channel", " 线下门店 ")

    assert sorted(DailyMetric.objects.values_list("channel__name", "date", "clicks")) == [
        ("抖音", dt.date(2024, 6, 10), 10),
        ("线下门店", dt.date(2024, 6, 10), 10),
    ]


def test_a_bad_file_lists_each_problem_and_fails(tmp_path, live_campaign, analyst, moments):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["日期", "渠道", "曝光量"], ["2024-07-01", "朋友圈", "-1"]]))

    err = StringIO()
    with pytest.raises(CommandError, match=r"The import has 2 problems; nothing was imported\."):
        call_command("import-metrics", str(live_campaign.pk), str(path), "--user", "analyst", stderr=err)

    assert err.getvalue().splitlines() == [
        "row 2, 日期: 2024-07-01 is outside the campaign (2024-06-01 – 2024-06-30).",
        "row 2, 曝光量: Must not be negative (got -1).",
    ]
    assert not DailyMetric.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "No active user “nobody”."),
        (["--user", "teammate"], "Only data analysts, the campaign's owner and project managers"),
        (["--user", "outsider"], "Campaign not found."),
        (["--user", "analyst", "--channel", "微博"], "Unknown channel “微博”."),
    ],
)
def test_it_refuses_what_the_api_refuses(table_3, live_campaign, outsider, teammate, analyst, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(live_campaign.pk), str(table_3), *args)
    assert not DailyMetric.objects.exists()


def test_it_refuses_a_missing_file_and_an_unknown_campaign(tmp_path, table_3, analyst):
    with pytest.raises(CommandError, match="No such file"):
        run("1", str(tmp_path / "missing.csv"), "--user", "analyst")
    with pytest.raises(CommandError, match=r"Campaign not found\."):
        run("MC-1999-0001", str(table_3), "--user", "analyst")
