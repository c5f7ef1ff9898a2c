"""Request ids on responses and in log records, and the JSON log format."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest

from campaignflow.core.logging import JsonFormatter, RequestContextFilter

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_a_valid_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a:42_x.1")

    assert response["X-Request-ID"] == "lb-7f3a:42_x.1"


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", "line\nbreak", "<script>", "x" * 65, "引号"],
    ids=["empty", "space", "newline", "markup", "too-long", "non-ascii"],
)
def test_an_unsafe_request_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert GENERATED.fullmatch(first)
    assert first != second


def test_an_id_of_64_characters_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="a" * 64)

    assert response["X-Request-ID"] == "a" * 64


@pytest.fixture
def json_log():
    """The console handler of CAMPAIGNFLOW_LOG_FORMAT=json, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("campaignflow")
    request_logger = logging.getLogger("campaignflow.request")
    level = request_logger.level
    logger.addHandler(handler)
    request_logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    request_logger.setLevel(level)


def test_each_request_writes_one_json_record_with_its_id_status_and_duration(client, json_log):
    client.get("/healthz?token=secret", HTTP_X_REQUEST_ID="req-1")

    records = [record for record in json_log() if record["logger"] == "campaignflow.request"]
    assert len(records) == 1
    record = records[0]
    assert record["request_id"] == "req-1"
    assert record["method"] == "GET"
    assert record["path"] == "/healthz"  # no query string: it may carry secrets
    assert record["status"] == 200
    assert isinstance(record["duration_ms"], float)
    assert record["level"] == "INFO"
    assert "secret" not in json.dumps(record)


def test_records_logged_while_serving_a_request_carry_its_id(client, db, settings, json_log):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the readiness check logs why Redis failed

    client.get("/readyz", HTTP_X_REQUEST_ID="req-2")

    warning = next(record for record in json_log() if record["logger"] == "campaignflow.core.health")
    assert warning["request_id"] == "req-2"
    assert warning["path"] == "/readyz"
    assert warning["message"] == "readiness check redis failed"
    assert "ConnectionError" in warning["exception"]


def test_records_outside_a_request_have_no_request_id(json_log):
    logging.getLogger("campaignflow.jobs").warning("job done")

    (record,) = json_log()
    assert record["message"] == "job done"
    assert "request_id" not in record


def settings_process(code: str, **env) -> subprocess.CompletedProcess:
    """Python with the settings loaded from the given environment, as `campaignflow` starts."""
    inherited = {k: v for k, v in os.environ.items() if k != "CAMPAIGNFLOW_LOG_FORMAT"}
    environment = inherited | {"DJANGO_SETTINGS_MODULE": "campaignflow.config.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_log_format_json_makes_the_console_write_json_lines(tmp_path):
    result = settings_process(
        "import logging; logging.getLogger('campaignflow.x').warning('budget %s', '超支')",
        CAMPAIGNFLOW_LOG_FORMAT="json",
        CAMPAIGNFLOW_DATA_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["message"] == "budget 超支"
    assert record["level"] == "WARNING"
    assert record["logger"] == "campaignflow.x"


def test_plain_text_stays_the_default(tmp_path):
    code = "import logging; logging.getLogger('campaignflow.x').warning('plain line')"

    result = settings_process(code, CAMPAIGNFLOW_DATA_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert re.search(r"WARNING campaignflow\.x plain line$", result.stderr.strip())


def test_an_unknown_log_format_fails_naming_the_variable(tmp_path):
    result = settings_process("", CAMPAIGNFLOW_LOG_FORMAT="xml", CAMPAIGNFLOW_DATA_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "CAMPAIGNFLOW_LOG_FORMAT must be plain or json; got 'xml'" in result.stderr
