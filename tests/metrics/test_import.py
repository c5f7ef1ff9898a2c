"""POST /api/v1/campaigns/{id}/metrics/import: channel exports in, all rows or none (issue 4).

Every refused import is checked for its exact errors ({row, column, message}, row = the file's
line) and for having written nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics import services
from campaignflow.metrics.imports.rows import RowChecker
from campaignflow.metrics.models import DailyMetric
from tests.metrics.helpers import TABLE_3, csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["日期", "渠道", "曝光量", "点击量", "转化量", "销售额", "花费", "异常说明"]


def post(client, campaign, content: bytes, name: str = "daily.csv", **query):
    url = f"/api/v1/campaigns/{campaign.pk}/metrics/import"
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(url, {"file": upload(content, name)})


def stored() -> list[tuple]:
    return list(
        DailyMetric.objects.order_by("date", "channel__name").values_list(
            "date",
            "channel__name",
            "impressions",
            "clicks",
            "conversions",
            "new_users",
            "revenue",
            "cost",
            "note",
        )
    )


@pytest.fixture
def signed_in(client, analyst, moments, store, douyin):
    client.force_login(analyst)
    return client


# --- the happy paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_it_imports_table_3_in_every_encoding_excel_writes(signed_in, live_campaign, encoding):
    response = post(signed_in, live_campaign, csv_bytes(TABLE_3, encoding))

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "rows": 2,
        "dry_run": False,
        "errors": [],
        "warnings": [
            {
                "row": 3,
                "column": "转化率",
                "message": "转化率 was not used: the row has no clicks to apply it to.",
            }
        ],
    }
    # clicks = round(50000 × 2.1 %) = 1050; conversions = round(1050 × 3.5 %) = round(36.75) = 37
    assert stored() == [
        (dt.date(2024, 6, 10), "朋友圈", 50000, 1050, 37, 175, Decimal("35000.00"), Decimal("0.00"), ""),
        (
            dt.date(2024, 6, 10),
            "线下门店",
            2000,
            0,
            0,
            160,
            Decimal("32000.00"),
            Decimal("0.00"),
            "客流低于预期20%",
        ),
    ]


def test_it_imports_an_xlsx_with_english_headers_dates_and_percent_cells(signed_in, live_campaign):
    rows = [
        ["Date", "Channel", "Impressions", "CTR", "Conversions", "Revenue", "Spend", "Note"],
        [dt.datetime(2024, 6, 11), "  朋友圈 ", 40000, 0.025, 30, 12345.678, "1,500.50", None],
        [dt.date(2024, 6, 12), "抖音", 1000, 0.1, 5, 0, 0, "rain"],
    ]
    content = xlsx_bytes(rows, {"D2": "0.00%", "D3": "0.00%"})

    response = post(signed_in, live_campaign, content, "export.xlsx")

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    assert stored() == [
        (dt.date(2024, 6, 11), "朋友圈", 40000, 1000, 30, 0, Decimal("12345.68"), Decimal("1500.50"), ""),
        (dt.date(2024, 6, 12), "抖音", 1000, 100, 5, 0, Decimal("0.00"), Decimal("0.00"), "rain"),
    ]


def test_it_reads_separators_units_percent_headers_title_lines_and_skips_total_rows(signed_in, live_campaign):
    rows = [
        ["618 大促渠道日报"],
        [],
        ["日期", "渠道", "展现量", "点击率(%)", "消耗(元)", "GMV", "序号"],
        ["2024/6/10", "朋友圈", "1,200,000", "2.5", "¥3,000.00", "1.2万", "1"],
        ["2024年6月11日", "朋友圈", "1000", "10", "0", "0", "2"],
        ["合计", "", "1,201,000", "", "3000", "12000", ""],
    ]

    response = post(signed_in, live_campaign, csv_bytes(rows))

    assert response.status_code == 200, response.json()
    assert stored() == [
        (dt.date(2024, 6, 10), "朋友圈", 1200000, 30000, 0, 0, Decimal("12000.00"), Decimal("3000.00"), ""),
        (dt.date(2024, 6, 11), "朋友圈", 1000, 100, 0, 0, Decimal("0.00"), Decimal("0.00"), ""),
    ]


def test_it_reads_excels_tab_separated_unicode_text(signed_in, live_campaign):
    content = "\ufeff".encode("utf-16-le")[:0] + csv_bytes(TABLE_3, "utf-16", delimiter="\t")

    response = post(signed_in, live_campaign, content, "daily.txt")

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2


def test_a_reimport_updates_rows_instead_of_duplicating_them(signed_in, live_campaign):
    first = [HEADER, ["2024-06-10", "朋友圈", "100", "10", "1", "50", "20", ""]]
    second = [
        HEADER,
        ["2024-06-10", "朋友圈", "200", "20", "2", "90", "30", "fixed"],
        ["2024-06-11", "朋友圈", "5", "1", "0", "0", "1", ""],
    ]
    post(signed_in, live_campaign, csv_bytes(first))

    response = post(signed_in, live_campaign, csv_bytes(second))

    assert response.json() | {"warnings": []} == {
        "created": 1,
        "updated": 1,
        "rows": 2,
        "dry_run": False,
        "errors": [],
        "warnings": [],
    }
    assert stored() == [
        (dt.date(2024, 6, 10), "朋友圈", 200, 20, 2, 0, Decimal("90.00"), Decimal("30.00"), "fixed"),
        (dt.date(2024, 6, 11), "朋友圈", 5, 1, 0, 0, Decimal("0.00"), Decimal("1.00"), ""),
    ]


def test_a_reimport_only_touches_the_columns_its_file_has(signed_in, live_campaign):
    post(
        signed_in,
        live_campaign,
        csv_bytes([HEADER, ["2024-06-10", "朋友圈", "100", "10", "1", "50", "20", "n"]]),
    )

    post(signed_in, live_campaign, csv_bytes([["日期", "渠道", "新增用户"], ["2024-06-10", "朋友圈", "7"]]))

    assert stored() == [
        (dt.date(2024, 6, 10), "朋友圈", 100, 10, 1, 7, Decimal("50.00"), Decimal("20.00"), "n")
    ]


def test_a_dry_run_says_what_would_change_and_writes_nothing(signed_in, live_campaign):
    post(
        signed_in,
        live_campaign,
        csv_bytes([HEADER, ["2024-06-10", "朋友圈", "100", "10", "1", "50", "20", ""]]),
    )
    before, events = stored(), AuditEvent.objects.count()
    rows = [
        HEADER,
        ["2024-06-10", "朋友圈", "1", "1", "1", "1", "1", ""],
        ["2024-06-11", "抖音", "1", "1", "1", "1", "1", ""],
    ]

    response = post(signed_in, live_campaign, csv_bytes(rows), dry_run="true")

    assert response.status_code == 200
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "rows": 2,
        "dry_run": True,
        "errors": [],
        "warnings": [],
    }
    assert stored() == before
    assert AuditEvent.objects.count() == events


def test_a_preset_maps_an_ocean_engine_export_to_douyin(signed_in, live_campaign):
    rows = [
        ["日期", "展示数", "点击数", "点击率", "平均点击单价", "消耗", "转化数", "转化成本", "转化率"],
        ["2024-06-10", "80000", "1280", "1.60%", "2.50", "3200.00", "40", "80.00", "3.13%"],
    ]

    refused = post(signed_in, live_campaign, csv_bytes(rows))
    response = post(signed_in, live_campaign, csv_bytes(rows), preset="ocean_engine")

    assert refused.status_code == 422  # the export has no channel column; the preset knows it is Douyin
    assert [e["message"] for e in refused.json()["errors"]] == [
        "The file has no channel column (渠道 or channel); choose the channel its rows belong to."
    ]
    assert response.status_code == 200, response.json()
    assert stored() == [
        (dt.date(2024, 6, 10), "抖音", 80000, 1280, 40, 0, Decimal("0.00"), Decimal("3200.00"), "")
    ]


def test_a_default_channel_covers_rows_without_one(signed_in, live_campaign, store):
    rows = [["日期", "客流量", "付费用户"], ["2024-06-10", "2,000", "160"]]

    response = post(signed_in, live_campaign, csv_bytes(rows), channel=store.pk)

    assert response.status_code == 200, response.json()
    assert DailyMetric.objects.get().channel == store
    assert (DailyMetric.objects.get().visits, DailyMetric.objects.get().conversions) == (2000, 160)


def test_one_audit_event_records_the_import_with_its_counts(signed_in, live_campaign, analyst):
    post(signed_in, live_campaign, csv_bytes(TABLE_3), "table3.csv")

    event = AuditEvent.objects.get(verb="metrics.imported")
    assert (event.actor, event.campaign, event.comment) == (analyst, live_campaign, "table3.csv")
    assert event.after | {"channels": None} == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "date_from": "2024-06-10",
        "date_to": "2024-06-10",
        "channels": None,
        "format": "csv",
        "encoding": "UTF-8",
        "preset": "",
        "warnings": 1,
    }
    assert AuditEvent.objects.filter(campaign=live_campaign).count() == 1


def test_the_after_import_hooks_run_once_with_the_result(signed_in, live_campaign, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "AFTER_IMPORT", [lambda **kwargs: calls.append(kwargs)])

    post(signed_in, live_campaign, csv_bytes(TABLE_3))

    assert len(calls) == 1
    assert calls[0]["campaign"] == live_campaign
    assert (calls[0]["result"].created, calls[0]["result"].date_from) == (2, dt.date(2024, 6, 10))


def test_the_fast_path_writes_exactly_what_the_full_check_writes(signed_in, live_campaign, monkeypatch):
    rows = [["日期", "渠道", "曝光量", "点击量", "转化量", "新增用户", "销售额", "花费", "线索", "异常说明"]]
    for day in range(1, 31):
        for name, base in (("朋友圈", 1000), ("抖音", 3000), ("线下门店", 7)):
            rows.append(
                [
                    f"2024-06-{day:02d}",
                    name,
                    str(base * day),
                    str(base * day // 50),
                    str(base * day // 500),
                    str(day * 2),
                    f"{day * 199}.50",
                    f"{day}.05",
                    "0",
                    "" if day % 7 else "  promo \\ day\t",
                ]
            )
    content = csv_bytes(rows)
    assert post(signed_in, live_campaign, content).status_code == 200
    fast = stored()
    DailyMetric.objects.all().delete()
    monkeypatch.setattr(RowChecker, "_shortcut", lambda self: None)

    assert post(signed_in, live_campaign, content).status_code == 200

    assert stored() == fast
    assert len(fast) == 90
    assert DailyMetric.objects.filter(note="promo \\ day").count() == 12


# --- bad input: exact errors, nothing written ----------------------------------------------------------


def refused(client, campaign, content, name="daily.csv", status=422, **query):
    response = post(client, campaign, content, name, **query)
    assert response.status_code == status, response.json()
    assert not DailyMetric.objects.exists()
    assert not AuditEvent.objects.filter(verb="metrics.imported").exists()
    body = response.json()
    assert (body["created"], body["updated"], body["code"]) == (
        0,
        0,
        "import_invalid" if status == 422 else "file_too_large",
    )
    return [(e["row"], e["column"], e["message"]) for e in body["errors"]]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b" \r\n\r\n"])
def test_it_refuses_an_empty_file(signed_in, live_campaign, content):
    assert refused(signed_in, live_campaign, content) == [(None, None, "The file is empty.")]


def test_it_refuses_a_header_without_rows(signed_in, live_campaign):
    assert refused(signed_in, live_campaign, csv_bytes([HEADER])) == [
        (None, None, "The file has no data rows.")
    ]


def test_it_refuses_unknown_and_repeated_columns(signed_in, live_campaign):
    rows = [["日期", "渠道", "点击量", "Clicks", "天气"], ["2024-06-10", "朋友圈", "1", "1", "晴"]]

    assert refused(signed_in, live_campaign, csv_bytes(rows)) == [
        (1, "Clicks", "“Clicks” is a second column for “点击量”; keep one of them."),
        (1, "天气", "Unknown column “天气”. Rename it to a known header or remove it."),
    ]


def test_it_refuses_a_file_without_a_date_column(signed_in, live_campaign):
    rows = [["渠道", "点击量"], ["朋友圈", "1"]]

    assert refused(signed_in, live_campaign, csv_bytes(rows)) == [
        (1, None, "No header row with a date column (日期 or date) in the first 10 rows.")
    ]


def test_it_refuses_a_file_without_channels(signed_in, live_campaign):
    rows = [["日期", "点击量"], ["2024-06-10", "1"]]

    assert refused(signed_in, live_campaign, csv_bytes(rows)) == [
        (1, None, "The file has no channel column (渠道 or channel); choose the channel its rows belong to.")
    ]


def test_it_lists_every_bad_row_with_its_line_and_column(signed_in, live_campaign):
    rows = [
        HEADER,
        ["2024-06-10", "朋友圈", "1000", "10", "1", "100", "10", ""],  # line 2: fine
        ["", "朋友圈", "1000", "10", "1", "100", "10", ""],  # 3: no date
        ["2024-06-10", "", "1000", "10", "1", "100", "10", ""],  # 4: no channel
        ["2024-07-01", "朋友圈", "1000", "10", "1", "100", "10", ""],  # 5: after the campaign
        ["2024-06-11", "朋友圈", "-5", "10", "1", "100", "-3", ""],  # 6: negative count and amount
        ["2024-06-12", "朋友圈", "1000", "1200", "1", "100", "10", ""],  # 7: clicks above impressions
        ["2024-06-13", "朋友圈", "1000", "10", "11", "100", "10", ""],  # 8: conversions above clicks
        ["2024-06-10", " 朋友圈", "1", "1", "1", "1", "1", ""],  # 9: same channel and day as line 2
        ["2024-06-14", "微博", "1", "1", "1", "1", "1", ""],  # 10: unknown channel
        ["06/15/2024", "朋友圈", "abc", "1.5", "1", "1", "1", ""],  # 11: bad date, not numbers
    ]

    assert refused(signed_in, live_campaign, csv_bytes(rows)) == [
        (3, "日期", "The date is missing."),
        (4, "渠道", "The channel is missing."),
        (5, "日期", "2024-07-01 is outside the campaign (2024-06-01 – 2024-06-30)."),
        (6, "曝光量", "Must not be negative (got -5)."),
        (6, "花费", "Must not be negative (got -3)."),
        (7, "点击量", "Clicks (1200) cannot be more than impressions (1000)."),
        (8, "转化量", "Conversions (11) cannot be more than clicks (10)."),
        (9, "渠道", "朋友圈 on 2024-06-10 already appears on row 2."),
        (10, "渠道", "Unknown channel “微博”; add it to the channel list first."),
        (11, "日期", "Not a date: “06/15/2024”. Write dates as YYYY-MM-DD."),
        (11, "曝光量", "Not a number: “abc”."),
        (11, "点击量", "Must be a whole number (got 1.5)."),
    ]


@pytest.mark.parametrize(
    ("ctr", "message"),
    [
        ("120%", "A rate cannot be above 100% (got 120%)."),
        ("1.2", "A rate cannot be above 100% (got 120%)."),
        ("-1%", "A rate cannot be negative (got -1%)."),
    ],
)
def test_it_refuses_a_rate_outside_0_to_100_percent(signed_in, live_campaign, ctr, message):
    rows = [["日期", "渠道", "曝光量", "点击率"], ["2024-06-10", "朋友圈", "1000", ctr]]

    assert refused(signed_in, live_campaign, csv_bytes(rows)) == [(2, "点击率", message)]


def test_it_refuses_a_spreadsheet_formula_and_names_its_cell(signed_in, live_campaign):
    rows = [["日期", "渠道", "曝光量", "点击量"], ["2024-06-10", "朋友圈", 1000, "=C2*0.02"]]

    assert refused(signed_in, live_campaign, xlsx_bytes(rows), "daily.xlsx") == [
        (2, "点击量", "The cell holds a formula (=C2*0.02); paste the values instead.")
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "daily.xlsx", "The file is not a valid XLSX workbook."),
        (b"date,channel\n", "daily.xlsx", "The file is not a valid XLSX workbook."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "daily.xls",
            "Old Excel .xls files are not supported; save the sheet as .xlsx or CSV.",
        ),
        (b"\xff\xfe\x00\xd8a\x00", "daily.csv", "The file is not valid UTF-16 text."),
        (
            b"date,channel\n\x80\x80\x80\xff\xff",
            "daily.csv",
            "The file's text encoding was not recognized; save it as CSV in UTF-8 or GBK.",
        ),
    ],
)
def test_it_refuses_a_malformed_file(signed_in, live_campaign, content, name, message):
    assert refused(signed_in, live_campaign, content, name) == [(None, None, message)]


@override_settings(CAMPAIGNFLOW_MAX_IMPORT_BYTES=1000)
def test_it_refuses_a_file_at_or_over_the_size_limit(signed_in, live_campaign):
    content = csv_bytes([HEADER] + [["2024-06-10", "朋友圈", "1", "1", "1", "1", "1", ""]] * 40)
    assert len(content) > 1000

    assert refused(signed_in, live_campaign, content, status=413) == [
        (None, None, "The file is too large: imports must be smaller than 0.001 MB.")
    ]


def test_it_refuses_a_200_mb_upload_from_its_content_length_without_reading_it(
    signed_in, live_campaign, monkeypatch
):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("the request body was parsed")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", must_not_parse)
    size = 200 * 1024 * 1024

    response = signed_in.post(
        f"/api/v1/campaigns/{live_campaign.pk}/metrics/import",
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(size),
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "The file is too large: imports must be smaller than 200 MB."
    assert not DailyMetric.objects.exists()


def test_it_refuses_an_import_without_a_file(signed_in, live_campaign):
    response = signed_in.post(f"/api/v1/campaigns/{live_campaign.pk}/metrics/import", {})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "message": "Attach the file to import in the form field “file”."}
    ]


def test_it_refuses_an_unknown_preset_or_channel(signed_in, live_campaign):
    by_preset = post(signed_in, live_campaign, csv_bytes(TABLE_3), preset="myspace")
    by_channel = post(signed_in, live_campaign, csv_bytes(TABLE_3), channel=999999)

    assert by_preset.status_code == by_channel.status_code == 422
    assert by_preset.json()["errors"][0]["field"] == "preset"
    assert by_channel.json()["errors"] == [{"field": "channel", "message": "Unknown channel."}]
    assert not DailyMetric.objects.exists()


def test_a_zero_base_means_not_measured_so_a_store_may_convert_without_clicks(signed_in, live_campaign):
    rows = [HEADER, ["2024-06-10", "线下门店", "0", "0", "160", "32000", "0", ""]]

    response = post(signed_in, live_campaign, csv_bytes(rows))

    assert response.status_code == 200, response.json()
    assert stored() == [
        (dt.date(2024, 6, 10), "线下门店", 0, 0, 160, 0, Decimal("32000.00"), Decimal("0.00"), "")
    ]


def test_a_bad_row_after_good_ones_rolls_back_everything(signed_in, live_campaign):
    rows = [HEADER] + [[f"2024-06-{d:02d}", "朋友圈", "10", "1", "0", "0", "0", ""] for d in range(1, 31)]
    rows.append(["2024-06-30", "抖音", "10", "11", "0", "0", "0", ""])

    assert refused(signed_in, live_campaign, csv_bytes(rows)) == [
        (32, "点击量", "Clicks (11) cannot be more than impressions (10).")
    ]


def test_a_file_wrong_everywhere_lists_the_first_thousand_problems(signed_in, live_campaign):
    rows = [HEADER] + [["2024-06-10", "微博", "1", "1", "1", "1", "1", ""]] * 1500

    errors = refused(signed_in, live_campaign, csv_bytes(rows))

    assert len(errors) == 1001
    assert errors[-1] == (None, None, "… and 500 more problems not listed.")


def test_notes_keep_tabs_line_breaks_and_backslashes(signed_in, live_campaign):
    note = "暴雨\t闭店 2 小时\nC:\\temp \\N"
    rows = [["日期", "渠道", "客流量", "异常说明"], ["2024-06-10", "线下门店", "1500", note]]

    response = post(signed_in, live_campaign, csv_bytes(rows))

    assert response.status_code == 200, response.json()
    assert DailyMetric.objects.get().note == note


def test_xlsx_errors_name_the_sheet_row_even_after_blank_rows(signed_in, live_campaign):
    rows = [
        ["日期", "渠道", "点击量"],
        [None, None, None],
        ["", "", ""],
        [dt.date(2024, 6, 10), "朋友圈", -3],
    ]

    assert refused(signed_in, live_campaign, xlsx_bytes(rows), "daily.xlsx") == [
        (4, "点击量", "Must not be negative (got -3).")
    ]


def test_every_preset_loads_with_names_in_three_languages_and_known_columns():
    from campaignflow.metrics.imports.headers import FIELDS, presets

    loaded = presets()

    assert set(loaded) == {"ocean_engine", "tencent_ads", "baidu_marketing", "xiaohongshu_juguang"}
    for preset in loaded.values():
        assert set(preset.names) == {"en", "zh-hans", "zh-hant"}
        assert set(preset.columns.values()) <= set(FIELDS)
        assert "date" in preset.columns.values()
        assert preset.channels


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=10)
def test_an_upload_spooled_to_a_temporary_file_is_read_from_disk(signed_in, live_campaign):
    response = post(signed_in, live_campaign, csv_bytes(TABLE_3, "gbk"))

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
