"""Settings come from the environment and fail loudly, naming the variable (STYLE §8).

The typed helpers are tested in-process. Whole-settings behaviour (which database, which queue,
where the secret key comes from) is tested by importing the settings in a fresh interpreter, the
way `campaignflow` starts, instead of reloading them under pytest.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

import campaignflow
from campaignflow.config.env import env_bool, env_int, env_list, env_path, env_str


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("CAMPAIGNFLOW_FLAG", raw)

    assert env_bool("CAMPAIGNFLOW_FLAG") is expected


def test_env_bool_rejects_a_bad_value_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CAMPAIGNFLOW_DEBUG", "maybe")

    with pytest.raises(ImproperlyConfigured, match=r"CAMPAIGNFLOW_DEBUG.*'maybe'"):
        env_bool("CAMPAIGNFLOW_DEBUG")


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("CAMPAIGNFLOW_FLAG", raising=False)

    assert env_bool("CAMPAIGNFLOW_FLAG", True) is True


def test_env_int_rejects_a_bad_value_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CAMPAIGNFLOW_WORKERS", "two")

    with pytest.raises(ImproperlyConfigured, match="CAMPAIGNFLOW_WORKERS must be an integer; got 'two'"):
        env_int("CAMPAIGNFLOW_WORKERS", 2)


@pytest.mark.parametrize(("raw", "expected"), [(None, 2), ("", 2), (" 7 ", 7), ("-1", -1)])
def test_env_int_parses_or_falls_back_to_the_default(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("CAMPAIGNFLOW_WORKERS", raising=False)
    else:
        monkeypatch.setenv("CAMPAIGNFLOW_WORKERS", raw)

    assert env_int("CAMPAIGNFLOW_WORKERS", 2) == expected


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("CAMPAIGNFLOW_ALLOWED_HOSTS", " cf.example.com, ,localhost,")

    assert env_list("CAMPAIGNFLOW_ALLOWED_HOSTS", ["default"]) == ["cf.example.com", "localhost"]


def test_env_list_and_env_str_use_defaults_when_unset(monkeypatch):
    monkeypatch.delenv("CAMPAIGNFLOW_ALLOWED_HOSTS", raising=False)
    monkeypatch.delenv("CAMPAIGNFLOW_NAME", raising=False)

    assert env_list("CAMPAIGNFLOW_ALLOWED_HOSTS", ["127.0.0.1"]) == ["127.0.0.1"]
    assert env_str("CAMPAIGNFLOW_NAME", "fallback") == "fallback"


def test_env_path_expands_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CAMPAIGNFLOW_DATA_DIR", "~/cf-data")

    assert env_path("CAMPAIGNFLOW_DATA_DIR", Path("var")) == tmp_path / "cf-data"


def test_translations_are_looked_up_where_make_messages_writes_them():
    assert settings.LOCALE_PATHS[0] == Path(campaignflow.__file__).resolve().parent / "locale"


# --- the settings module as `campaignflow` loads it ----------------------------------------------

# Reading the settings needs no app registry, so the probe skips django.setup() to start fast.
PROBE = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""), "port": db.get("PORT", ""),
    "user": db.get("USER", ""), "options": db.get("OPTIONS", {}),
    "huey_class": s.HUEY["huey_class"], "huey_connection": s.HUEY["connection"],
    "cache": s.CACHES["default"]["BACKEND"], "allowed_hosts": s.ALLOWED_HOSTS,
    "debug": s.DEBUG, "secret_key": s.SECRET_KEY, "data_dir": str(s.DATA_DIR),
}))
"""


def start_settings(data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only the given CampaignFlow variables."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CAMPAIGNFLOW_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "campaignflow.config.settings",
        "CAMPAIGNFLOW_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, timeout=120
    )


def loaded(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_database_url_it_uses_sqlite_in_the_data_dir_with_wal_and_immediate(tmp_path):
    config = loaded(start_settings(tmp_path))

    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(tmp_path / "campaignflow.sqlite3")
    assert config["options"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in config["options"]["init_command"]


def test_database_url_selects_postgresql(tmp_path):
    config = loaded(start_settings(tmp_path, DATABASE_URL="postgres://cf:secret@db.internal:5433/campaigns"))

    assert config["engine"] == "django.db.backends.postgresql"
    assert (config["name"], config["host"], config["port"], config["user"]) == (
        "campaigns",
        "db.internal",
        5433,
        "cf",
    )


def test_redis_url_moves_the_job_queue_and_the_cache_to_redis(tmp_path):
    config = loaded(start_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3"))

    assert config["huey_class"] == "huey.RedisHuey"
    assert config["huey_connection"] == {"url": "redis://127.0.0.1:6379/3"}
    assert config["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_without_redis_url_jobs_queue_in_sqlite_in_the_data_dir(tmp_path):
    config = loaded(start_settings(tmp_path))

    assert config["huey_class"] == "huey.SqliteHuey"
    assert config["huey_connection"] == {"filename": str(tmp_path / "huey.sqlite3")}
    assert config["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_allowed_hosts_come_from_a_comma_separated_list(tmp_path):
    config = loaded(start_settings(tmp_path, CAMPAIGNFLOW_ALLOWED_HOSTS="cf.example.com,.example.org"))

    assert config["allowed_hosts"] == ["cf.example.com", ".example.org"]


def test_a_bad_boolean_stops_start_up_naming_the_variable(tmp_path):
    result = start_settings(tmp_path, CAMPAIGNFLOW_DEBUG="maybe")

    assert result.returncode != 0
    assert "CAMPAIGNFLOW_DEBUG must be one of" in result.stderr


def test_a_short_secret_key_stops_start_up(tmp_path):
    result = start_settings(tmp_path, CAMPAIGNFLOW_SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "CAMPAIGNFLOW_SECRET_KEY must be at least 32 characters" in result.stderr


def test_a_configured_secret_key_is_used_and_nothing_is_written(tmp_path):
    key = "k" * 40

    config = loaded(start_settings(tmp_path, CAMPAIGNFLOW_SECRET_KEY=key))

    assert config["secret_key"] == key
    assert not (tmp_path / "secret_key").exists()


def test_without_a_secret_key_one_is_generated_once_and_kept_private(tmp_path):
    first = loaded(start_settings(tmp_path))
    second = loaded(start_settings(tmp_path))

    key_file = tmp_path / "secret_key"
    assert first["secret_key"] == second["secret_key"] == key_file.read_text().strip()
    assert len(first["secret_key"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["debug"] is False
