"""`campaignflow backup` and `campaignflow restore` as an operator runs them: real processes on
scratch data directories, a demo organization with uploaded files, and proof that a restore gives
back every row of every table and every file, byte for byte.

Run: pytest -p no:xdist -q tests/backup   (the PostgreSQL test needs pg_dump and a server on
127.0.0.1:5432, or CAMPAIGNFLOW_TEST_POSTGRES_URL / a postgres DATABASE_URL)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.parse
import zipfile
from pathlib import Path

import pytest

CAMPAIGNFLOW = [sys.executable, "-m", "campaignflow"]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A fresh `campaignflow` process on data_dir: SQLite unless DATABASE_URL is given."""
    dropped = ("DATABASE_URL", "REDIS_URL", "CAMPAIGNFLOW_LOG_FORMAT", "CAMPAIGNFLOW_SECRET_KEY")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    return env | {"CAMPAIGNFLOW_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"} | extra


def cf(data_dir: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CAMPAIGNFLOW, *args],
        env=cli_env(data_dir, **env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=data_dir.parent,
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def add_uploads(data_dir: Path) -> None:
    """Files the demo does not make: a zip in the archives, a nested file with a Chinese name, an empty one."""
    archives = data_dir / "media" / "archives" / "1"
    archives.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("snapshot.json", json.dumps({"campaign": "春季新品"}))
    (archives / "archive.zip").write_bytes(buffer.getvalue())
    nested = data_dir / "media" / "expenses" / "99" / "发票"
    nested.mkdir(parents=True)
    (nested / "发票-2026.pdf").write_bytes(b"%PDF-1.4\n" + secrets.token_bytes(50_000))
    (data_dir / "media" / "expenses" / "99" / "empty.txt").write_bytes(b"")


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in tables}
    finally:
        db.close()


def members(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.getnames()


def rewrite_manifest(source: Path, target: Path, change) -> None:
    """Copy a backup, changing its manifest with change(manifest)."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old:
            data = old.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def state_of(data_dir: Path) -> dict[str, str]:
    """Hashes of the database and every uploaded file: what a refused restore must not change."""
    db = data_dir / "campaignflow.sqlite3"
    return {"db": repr(sqlite_rows(db))} | file_hashes(data_dir / "media")


# --- SQLite -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A data directory with the demo organization (attachments, archived reports) and more uploads."""
    data_dir = tmp_path_factory.mktemp("backup-demo") / "data"
    data_dir.mkdir()
    ok(cf(data_dir, "migrate", "--noinput", "-v", "0"))
    ok(cf(data_dir, "demo"))
    add_uploads(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def demo_backup(demo_dir) -> Path:
    target = demo_dir.parent / "demo-backup.tar"
    ok(cf(demo_dir, "backup", str(target)))
    return target


def test_a_restore_gives_back_every_row_and_every_file(demo_dir, tmp_path):
    # given the demo organization with uploaded files, backed up compressed
    rows_before = sqlite_rows(demo_dir / "campaignflow.sqlite3")
    files_before = file_hashes(demo_dir / "media")
    archive = tmp_path / "backup.tar.gz"
    backup = ok(cf(demo_dir, "backup", str(archive)))

    # when the data directory is lost and the backup restored into a fresh one
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    restore = ok(cf(fresh, "restore", "--noinput", str(archive)))

    # then every row of every table and every file is identical, and the schema is up to date
    assert "Backup written to" in backup.stdout
    assert "Restored" in restore.stdout
    assert rows_before["campaigns_campaign"] and rows_before["expenses_expense"]
    assert any(name.startswith("archives/") for name in files_before)
    assert any(name.startswith("expenses/") and name.endswith(".pdf") for name in files_before)
    assert sqlite_rows(fresh / "campaignflow.sqlite3") == rows_before
    assert file_hashes(fresh / "media") == files_before
    assert not list(fresh.glob(".restore-*"))
    ok(cf(fresh, "migrate", "--check"))
    # and the secret key was not in the backup (the fresh directory generated its own)
    assert "secret_key" not in members(archive)
    assert (fresh / "secret_key").read_text() != (demo_dir / "secret_key").read_text()


def test_the_manifest_records_versions_migrations_counts_and_checksums(demo_dir, demo_backup):
    with tarfile.open(demo_backup) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
        digests = {
            member.name: hashlib.sha256(tar.extractfile(member).read()).hexdigest()
            for member in tar
            if member.isfile() and member.name != "manifest.json"
        }

    assert (manifest["format"], manifest["format_version"]) == ("campaignflow-backup", 1)
    assert manifest["created_at"] and manifest["app_version"]
    assert manifest["database"]["vendor"] == "sqlite"
    assert "0001_initial" in manifest["migrations"]["campaigns"]
    rows = sqlite_rows(demo_dir / "campaignflow.sqlite3")
    assert manifest["database"]["tables"] == {table: len(found) for table, found in rows.items()}
    assert {item["path"]: item["sha256"] for item in manifest["files"]} == digests
    assert set(names) == {*digests, "manifest.json"}
    assert "media/expenses/99/发票/发票-2026.pdf" in names
    assert not any(name.startswith(("static/", "media/../")) or "huey" in name for name in names)


def test_verify_passes_a_good_backup(demo_dir, demo_backup):
    result = ok(cf(demo_dir, "backup", "--verify", str(demo_backup)))

    assert "is good" in result.stdout


def test_a_backup_taken_while_writers_commit_is_consistent(demo_dir, tmp_path):
    # given a process committing new sessions as fast as it can
    writer_code = (
        "import sqlite3, sys, time, uuid\n"
        "db = sqlite3.connect(sys.argv[1], timeout=30)\n"
        "db.execute('PRAGMA journal_mode=WAL')\n"
        "open(sys.argv[2], 'w').close()\n"
        "while True:\n"
        "    with db:\n"
        "        db.execute(\"INSERT INTO django_session VALUES (?, 'x', datetime('now', '+1 day'))\", (uuid.uuid4().hex,))\n"
    )
    started = tmp_path / "started"
    writer = subprocess.Popen(
        [sys.executable, "-c", writer_code, str(demo_dir / "campaignflow.sqlite3"), str(started)]
    )
    try:
        while not started.exists():
            assert writer.poll() is None, "the writer died"
            time.sleep(0.05)
        # when a backup is taken meanwhile
        archive = tmp_path / "busy.tar"
        ok(cf(demo_dir, "backup", str(archive)))
    finally:
        writer.kill()
        writer.wait()

    # then it verifies: its database copy holds exactly the rows its manifest counted
    with tarfile.open(archive) as tar:
        sessions = json.loads(tar.extractfile("manifest.json").read())["database"]["tables"]["django_session"]
    assert sessions > 0
    ok(cf(demo_dir, "backup", "--verify", str(archive)))


def test_verify_names_a_file_whose_bytes_changed(demo_dir, demo_backup, tmp_path):
    # given a backup in which one byte of an uploaded file was flipped
    damaged = tmp_path / "damaged.tar"
    shutil.copy(demo_backup, damaged)
    with tarfile.open(damaged) as tar:
        member = tar.getmember("media/expenses/99/发票/发票-2026.pdf")
    with damaged.open("r+b") as handle:
        handle.seek(member.offset_data + 1000)
        byte = handle.read(1)
        handle.seek(member.offset_data + 1000)
        handle.write(bytes([byte[0] ^ 0xFF]))

    result = cf(demo_dir, "backup", "--verify", str(damaged))

    assert result.returncode != 0
    assert "Checksum mismatch: media/expenses/99/发票/发票-2026.pdf" in result.stderr


def test_verify_refuses_a_truncated_archive(demo_dir, demo_backup, tmp_path):
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(demo_backup.read_bytes()[: demo_backup.stat().st_size // 2])

    result = cf(demo_dir, "backup", "--verify", str(truncated))

    assert result.returncode != 0
    assert "truncated" in result.stderr
    assert str(truncated) in result.stderr


def test_verify_compares_the_restored_rows_with_the_manifest(demo_dir, demo_backup, tmp_path):
    # given a manifest that claims one more campaign than the database holds
    edited = tmp_path / "edited.tar"
    rewrite_manifest(
        demo_backup,
        edited,
        lambda m: m["database"]["tables"].update(
            campaigns_campaign=m["database"]["tables"]["campaigns_campaign"] + 1
        ),
    )

    result = cf(demo_dir, "backup", "--verify", str(edited))

    assert result.returncode != 0
    assert "Table campaigns_campaign has" in result.stderr


def test_restore_refuses_a_backup_from_newer_code_and_changes_nothing(demo_dir, demo_backup, tmp_path):
    # given a backup whose database has a migration this code does not know, and a live installation
    newer = tmp_path / "newer.tar"
    rewrite_manifest(demo_backup, newer, lambda m: m["migrations"]["accounts"].append("9999_from_the_future"))
    live = tmp_path / "live"
    shutil.copytree(demo_dir, live)
    before = state_of(live)

    result = cf(live, "restore", "--noinput", str(newer))

    assert result.returncode != 0
    assert "newer version" in result.stderr
    assert "accounts.9999_from_the_future" in result.stderr
    assert state_of(live) == before


def test_restore_asks_first_and_a_no_changes_nothing(demo_dir, demo_backup, tmp_path):
    live = tmp_path / "live"
    shutil.copytree(demo_dir, live)
    (live / "media" / "keep.txt").write_text("mine")
    before = state_of(live)

    result = cf(live, "restore", str(demo_backup), stdin="no\n")

    assert result.returncode != 0
    assert "Type “yes” to continue" in result.stdout
    assert "Restore cancelled." in result.stderr
    assert state_of(live) == before


def test_a_restore_that_fails_its_checks_leaves_the_data_in_place(demo_dir, demo_backup, tmp_path):
    # given a backup with a damaged database copy
    damaged = tmp_path / "damaged.tar"
    shutil.copy(demo_backup, damaged)
    with tarfile.open(damaged) as tar:
        member = tar.getmember("database/campaignflow.sqlite3")
    with damaged.open("r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        handle.write(b"\x00" * 4096)
    live = tmp_path / "live"
    shutil.copytree(demo_dir, live)
    (live / "media" / "keep.txt").write_text("mine")
    before = state_of(live)

    result = cf(live, "restore", "--noinput", str(damaged))

    assert result.returncode != 0
    assert "Checksum mismatch: database/campaignflow.sqlite3" in result.stderr
    assert state_of(live) == before
    assert not list(live.glob(".restore-*"))


def test_the_secret_key_is_stored_only_when_asked(demo_dir, tmp_path):
    archive = tmp_path / "with-secret.tar"
    ok(cf(demo_dir, "backup", "--include-secret", str(archive)))
    fresh = tmp_path / "fresh"
    fresh.mkdir()

    ok(cf(fresh, "restore", "--noinput", str(archive)))

    assert "secret_key" in members(archive)
    assert (fresh / "secret_key").read_text() == (demo_dir / "secret_key").read_text()
    assert (fresh / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_backup_is_readable_by_its_owner_only(demo_backup):
    assert demo_backup.stat().st_mode & 0o777 == 0o600


# --- PostgreSQL -------------------------------------------------------------------------------------


def postgres_url(dbname: str) -> str:
    base = os.environ.get("CAMPAIGNFLOW_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_POSTGRES
    return urllib.parse.urlsplit(base)._replace(path="/" + dbname).geturl()


def postgres_rows(url: str) -> dict[str, list[tuple]]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        rows = {}
        for name in tables:
            cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(name)))
            rows[name] = sorted(cursor.fetchall(), key=repr)
        return rows


def postgres_databases(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return {name for (name,) in db.execute("SELECT datname FROM pg_database")}


@pytest.fixture(scope="module")
def postgres_backup(tmp_path_factory):
    """The demo organization on a scratch PostgreSQL database, with uploads, backed up once.

    Yields (data dir, database URL, backup file, URL of an empty second database); both
    databases are dropped afterwards.
    """
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")
    import psycopg

    suffix = secrets.token_hex(3)
    names = (f"cf_backup_src_{suffix}", f"cf_backup_dst_{suffix}")
    admin = postgres_url("postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        for name in names:
            db.execute(f'CREATE DATABASE "{name}"')
    try:
        source_url, target_url = (postgres_url(name) for name in names)
        source = tmp_path_factory.mktemp("backup-pg") / "source"
        source.mkdir()
        ok(cf(source, "migrate", "--noinput", "-v", "0", DATABASE_URL=source_url))
        ok(cf(source, "demo", DATABASE_URL=source_url))
        add_uploads(source)
        archive = source.parent / "pg.tar"
        ok(cf(source, "backup", str(archive), DATABASE_URL=source_url))
        yield source, source_url, archive, target_url
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            for name in names:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def leftover_verify_databases(url: str) -> list[str]:
    return [
        name for name in postgres_databases(url) if name.startswith("cf_backup_src_") and "_verify_" in name
    ]


@pytest.mark.postgres
def test_a_postgresql_restore_gives_back_every_row_and_every_file(postgres_backup, tmp_path):
    # given the demo organization on PostgreSQL with uploaded files, and its backup
    source, source_url, archive, target_url = postgres_backup
    rows_before = postgres_rows(source_url)
    files_before = file_hashes(source / "media")

    # when the backup is verified
    verified = ok(cf(source, "backup", "--verify", str(archive), DATABASE_URL=source_url))
    # and restored over another installation that has tables and rows of its own
    import psycopg

    with psycopg.connect(target_url, autocommit=True) as db:
        db.execute("CREATE TABLE left_over_from_a_newer_version (id int)")
        db.execute("CREATE TABLE accounts_department (id int, name text)")
        db.execute("INSERT INTO accounts_department VALUES (1, 'Doomed')")
    target = tmp_path / "target"
    target.mkdir()
    ok(cf(target, "restore", "--noinput", str(archive), DATABASE_URL=target_url))

    # then every row of every table and every file is identical, and no scratch database is left
    assert "is good" in verified.stdout
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["database"]["vendor"] == "postgresql"
    assert "database/campaignflow.pgdump" in names
    assert rows_before["campaigns_campaign"] and rows_before["expenses_expense"]
    assert postgres_rows(target_url) == rows_before
    assert file_hashes(target / "media") == files_before
    assert leftover_verify_databases(source_url) == []
    ok(cf(target, "migrate", "--check", DATABASE_URL=target_url))


@pytest.mark.postgres
def test_verify_of_a_postgresql_backup_compares_rows_and_drops_its_scratch_database(
    postgres_backup, tmp_path
):
    source, source_url, archive, _target_url = postgres_backup
    # a manifest that claims one more user than the dump has
    with tarfile.open(archive) as tar:
        users = json.loads(tar.extractfile("manifest.json").read())["database"]["tables"]["accounts_user"]
    edited = tmp_path / "edited.tar"
    rewrite_manifest(archive, edited, lambda m: m["database"]["tables"].update(accounts_user=users + 1))

    result = cf(source, "backup", "--verify", str(edited), DATABASE_URL=source_url)

    assert result.returncode != 0
    assert f"Table accounts_user has {users} rows; the manifest says {users + 1}." in result.stderr
    assert leftover_verify_databases(source_url) == []


def test_when_the_database_cannot_be_replaced_the_old_files_come_back(demo_dir, demo_backup, tmp_path):
    # given an installation whose database file cannot be written (here: a directory in its place)
    live = tmp_path / "live"
    (live / "media" / "expenses").mkdir(parents=True)
    (live / "media" / "keep.txt").write_text("mine")
    (live / "media" / "expenses" / "old.pdf").write_bytes(b"%PDF-old")
    (live / "campaignflow.sqlite3").mkdir()
    before = file_hashes(live / "media")

    result = cf(live, "restore", "--noinput", str(demo_backup))

    # then the restore fails with a message, and the uploads are the old ones, nothing left over
    assert result.returncode != 0
    assert "could not be replaced, so nothing was restored" in result.stderr
    assert file_hashes(live / "media") == before
    assert [p.name for p in (live / "media").iterdir() if p.name.startswith(".restore-")] == []
    assert not list(live.glob(".restore-*"))
