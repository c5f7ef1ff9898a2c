"""Pieces of core/backup.py that need no real process: names accepted from an archive, missing tools."""

from __future__ import annotations

import pytest

from campaignflow.core import backup


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("manifest.json", True),
        ("secret_key", True),
        ("database/campaignflow.sqlite3", True),
        ("media/expenses/1/发票.pdf", True),
        ("media/../../etc/passwd", False),
        ("/etc/passwd", False),
        ("media//x", False),
        ("media", False),
        ("static/app.css", False),
        ("huey.sqlite3", False),
    ],
)
def test_only_the_entries_a_backup_writes_are_read_back(name, safe):
    assert backup._safe_member_name(name) is safe


def test_a_missing_postgresql_client_is_named_with_how_to_install_it(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)

    with pytest.raises(backup.BackupError) as error:
        backup._pg_binary("pg_dump")

    assert "pg_dump was not found on PATH" in str(error.value)
    assert "apt-get install postgresql-client" in str(error.value)


def test_the_password_goes_to_the_environment_not_the_command_line(monkeypatch):
    configured = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "campaignflow",
        "USER": "cf",
        "PASSWORD": "s3cret word",
        "HOST": "db.internal",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require", "pool": True},
    }
    monkeypatch.setattr(backup, "_pg_settings", lambda: configured)

    env = backup._pg_env()

    assert (env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGUSER"]) == (
        "s3cret word",
        "db.internal",
        "5433",
        "cf",
    )
    assert (env["PGDATABASE"], env["PGSSLMODE"]) == ("campaignflow", "require")
    assert "PGPOOL" not in env
