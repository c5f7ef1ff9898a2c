"""Backups of an installation: the database, every uploaded file and, if asked, the secret key.

A backup is one tar file (gzip-compressed when its name ends in `.gz` or `.tgz`):

    database/campaignflow.sqlite3   SQLite: a copy made with SQLite's online backup API
    database/campaignflow.pgdump    PostgreSQL: `pg_dump -Fc`
    media/<path>                    every regular file under MEDIA_ROOT (attachments, archives, …)
    secret_key                      only with --include-secret (the generated <data dir>/secret_key)
    manifest.json                   written last: format version, creation time, app version,
                                    database vendor, applied migrations per app, rows per table,
                                    and the size and SHA-256 of every other entry

Consistency while the application runs: SQLite's backup API copies the database inside one read
transaction, so writers are never blocked for long and the copy is one committed state. On
PostgreSQL a REPEATABLE READ transaction exports its snapshot, `pg_dump --snapshot` dumps exactly
that state, and the row counts and migrations in the manifest are read in the same snapshot.

`verify_backup` checks every checksum and restores the database into a scratch location (a temp
file; a temporary PostgreSQL database `<name>_verify_<random>` that is dropped afterwards), then
compares its migrations and row counts with the manifest. `restore_backup` refuses a backup whose
migrations this code does not know, stages everything next to the data it replaces, and swaps it
in so that a failed restore leaves the old data in place (see docs/deployment.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

logger = logging.getLogger("campaignflow.backup")

FORMAT = "campaignflow-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SECRET_KEY_ENTRY = "secret_key"
SQLITE_ENTRY = "database/campaignflow.sqlite3"
POSTGRES_ENTRY = "database/campaignflow.pgdump"
CHUNK = 1024 * 1024
# Keys of a database's OPTIONS that are Django's own and not libpq connection parameters.
DJANGO_ONLY_OPTIONS = {"isolation_level", "pool", "server_side_binding", "assume_role", "cursor_factory"}


class BackupError(Exception):
    """A backup, verification or restore that cannot go on; the message says why."""


@dataclass
class Entry:
    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass
class VerifyResult:
    manifest: dict
    files: int
    tables: int
    rows: int
    problems: list[str] = field(default_factory=list)


# --- small helpers ----------------------------------------------------------------------------------


def app_version() -> str:
    try:
        return metadata.version("campaignflow")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


def sha256_file(path: Path) -> Entry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Entry(str(path), size, digest.hexdigest())


class _HashingReader:
    """Reads at most `size` bytes of a file and hashes exactly what tarfile copies."""

    def __init__(self, raw, size: int):
        self.raw = raw
        self.remaining = size
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0 or n > self.remaining:
            n = self.remaining
        data = self.raw.read(n)
        self.digest.update(data)
        self.remaining -= len(data)
        return data


def _vendor() -> str:
    return connections["default"].vendor


def _safe_member_name(name: str) -> bool:
    """Only the entries a backup writes, and no path that could leave the staging directory."""
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        return False
    return name in (MANIFEST, SECRET_KEY_ENTRY) or (
        path.parts[0] in ("database", "media") and len(path.parts) > 1
    )


def _media_files(media_root: Path) -> Iterator[tuple[Path, str]]:
    """Every regular file under MEDIA_ROOT with its archive name; symbolic links are skipped."""
    if not media_root.is_dir():
        return
    for folder, dirnames, filenames in os.walk(media_root):
        if Path(folder) == media_root:  # leftovers of an interrupted restore are not uploads
            dirnames[:] = [name for name in dirnames if not name.startswith(".restore-")]
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                logger.warning("backup: skipped %s (not a regular file)", path)
                continue
            yield path, "media/" + path.relative_to(media_root).as_posix()


# --- databases: SQLite ------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(connections["default"].settings_dict["NAME"])


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_state(db: sqlite3.Connection) -> tuple[dict[str, int], dict[str, list[str]]]:
    tables = _sqlite_tables(db)
    counts = {name: db.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0] for name in tables}  # noqa: S608
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
            migrations.setdefault(app, []).append(name)
    return counts, migrations


def _sqlite_dump(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    live = _sqlite_path()
    if not live.exists():
        raise BackupError(
            _("There is no database at %(path)s: run “campaignflow migrate” first.") % {"path": live}
        )
    source = sqlite3.connect(live, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole copy is made in a single read transaction, so it is one
        # committed state however busy the writers are; with WAL they are not blocked meanwhile.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        return _sqlite_state(copy)
    finally:
        copy.close()
        source.close()


def _sqlite_check(path: Path) -> tuple[dict[str, int], dict[str, list[str]], list[str]]:
    db = sqlite3.connect(path)
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        problems = (
            []
            if result == "ok"
            else [_("The database copy fails SQLite's integrity check: %(result)s") % {"result": result}]
        )
        counts, migrations = _sqlite_state(db)
        return counts, migrations, problems
    except sqlite3.DatabaseError as exc:
        return {}, {}, [_("The database copy cannot be read: %(error)s") % {"error": exc}]
    finally:
        db.close()


def _sqlite_restore(staged: Path) -> None:
    """Copy the staged database into the live one with the backup API: one write transaction.

    Not os.replace: the live database runs in WAL mode, so a -wal file beside it would be replayed
    onto the new file by the next connection, and running processes would keep the old file open.
    The backup API writes through SQLite's own locking and keeps the live file's WAL mode; if it
    fails, the transaction rolls back and the old database is untouched.
    """
    live_path = _sqlite_path()
    live_path.parent.mkdir(parents=True, exist_ok=True)
    connections["default"].close()
    source = sqlite3.connect(staged)
    try:
        live = sqlite3.connect(live_path, timeout=30)
        try:
            live.execute("PRAGMA busy_timeout=30000")
            source.backup(live)
        finally:
            live.close()
    except sqlite3.Error as exc:
        raise BackupError(
            _("The database %(path)s could not be replaced, so nothing was restored: %(error)s")
            % {"path": live_path, "error": exc}
        )
    finally:
        source.close()


# --- databases: PostgreSQL --------------------------------------------------------------------------


def _pg_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(program)s was not found on PATH. Install the PostgreSQL client programs "
                "(Debian and Ubuntu: apt-get install postgresql-client), in a version not older than the server."
            )
            % {"program": name}
        )
    return path


def _pg_settings() -> dict:
    return connections["default"].settings_dict


def _pg_env(dbname: str | None = None) -> dict[str, str]:
    """libpq's environment for the configured database: no password ever on a command line."""
    conf = _pg_settings()
    env = dict(os.environ)
    values = {
        "PGHOST": conf.get("HOST"),
        "PGPORT": conf.get("PORT"),
        "PGUSER": conf.get("USER"),
        "PGPASSWORD": conf.get("PASSWORD"),
        "PGDATABASE": dbname or conf.get("NAME"),
    }
    options = conf.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service", "connect_timeout"):
        if options.get(key):
            values["PG" + key.upper()] = options[key]  # PGSSLMODE, PGPASSFILE, …
    for key, value in values.items():
        if value not in (None, ""):
            env[key] = str(value)
    return env


def _pg_connect(dbname: str | None = None):
    import psycopg

    conf = _pg_settings()
    params = {
        key: value
        for key, value in (conf.get("OPTIONS") or {}).items()
        if key not in DJANGO_ONLY_OPTIONS and isinstance(value, str | int)
    }
    for key, setting in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")):
        if conf.get(setting):
            params[key] = conf[setting]
    return psycopg.connect(dbname=dbname or conf["NAME"], autocommit=True, **params)


def _pg_state(cursor) -> tuple[dict[str, int], dict[str, list[str]]]:
    from psycopg import sql

    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for name in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name)))
        counts[name] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return counts, migrations


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s failed (exit status %(status)d): %(error)s")
            % {"what": what, "status": result.returncode, "error": result.stderr.strip()[-2000:]}
        )


def _pg_dump(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    pg_dump = _pg_binary("pg_dump")
    with _pg_connect() as db, db.cursor() as cursor:
        # The dump, the row counts and the migrations all come from this one snapshot.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run([pg_dump, "-Fc", f"--snapshot={snapshot}", "-f", str(target)], _pg_env(), "pg_dump")
        state = _pg_state(cursor)
        cursor.execute("COMMIT")
    return state


@contextmanager
def _pg_scratch_database() -> Iterator[str]:
    """A temporary database `<name>_verify_<random>`, dropped afterwards whatever happened."""
    from psycopg import sql

    name = f"{_pg_settings()['NAME']}_verify_{secrets.token_hex(4)}"[:63]
    with _pg_connect() as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with _pg_connect() as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _pg_check(dump: Path) -> tuple[dict[str, int], dict[str, list[str]], list[str]]:
    pg_restore = _pg_binary("pg_restore")
    with _pg_scratch_database() as scratch:
        try:
            _run(
                [
                    pg_restore,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--exit-on-error",
                    "-d",
                    scratch,
                    str(dump),
                ],
                _pg_env(scratch),
                "pg_restore",
            )
        except BackupError as exc:
            return {}, {}, [str(exc)]
        with _pg_connect(scratch) as db, db.cursor() as cursor:
            counts, migrations = _pg_state(cursor)
    return counts, migrations, []


def _pg_restore(dump: Path, workdir: Path) -> None:
    """Replace the live database's tables with the dump's, in one transaction.

    pg_restore writes the SQL to a file first (a damaged dump fails there, before anything is
    touched); psql then runs it after dropping every table of the schema, all in one transaction
    (`--single-transaction`, stop on the first error), so tables only a newer version had do not
    survive and a failure rolls everything back.
    """
    from psycopg import sql

    pg_restore = _pg_binary("pg_restore")
    psql = _pg_binary("psql")
    script = workdir / "restore.sql"
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "-f", str(script), str(dump)],
        _pg_env(),
        "pg_restore",
    )
    with _pg_connect() as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        tables = [name for (name,) in cursor.fetchall()]
        drops = [
            sql.SQL("DROP TABLE IF EXISTS {} CASCADE;").format(sql.Identifier(name)).as_string(db)
            for name in tables
        ]
    prelude = workdir / "prelude.sql"
    prelude.write_text("SET lock_timeout = '60s';\n" + "\n".join(drops) + "\n")
    connections["default"].close()
    _run(
        [
            psql,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-f",
            str(prelude),
            "-f",
            str(script),
        ],
        _pg_env(),
        "psql",
    )


# --- creating a backup ------------------------------------------------------------------------------


def default_backup_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"campaignflow-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def _write_mode(path: Path) -> str:
    return "w:gz" if path.name.endswith((".gz", ".tgz")) else "w"


def _add_file(archive: tarfile.TarFile, source: Path, name: str) -> Entry:
    stat = source.stat()
    info = tarfile.TarInfo(name)
    info.size = stat.st_size
    info.mtime = int(stat.st_mtime)
    info.mode = 0o600
    with source.open("rb") as raw:
        reader = _HashingReader(raw, info.size)
        try:
            archive.addfile(info, reader)
        except (OSError, tarfile.TarError) as exc:  # the file shrank while it was being read
            raise BackupError(
                _("%(path)s changed while it was being copied: %(error)s") % {"path": source, "error": exc}
            )
    return Entry(name, info.size, reader.digest.hexdigest())


def create_backup(destination: Path, *, include_secret: bool = False) -> dict:
    """Write a backup to `destination` (a file name, or a directory to put a dated one in).

    The archive is written under a temporary name and renamed at the end, so an interrupted backup
    never leaves a file that looks complete. It holds personal data: it is created with mode 0600.
    """
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / default_backup_name()
    vendor = _vendor()
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    secret_file = Path(settings.DATA_DIR) / "secret_key"
    if include_secret and not secret_file.is_file():
        raise BackupError(
            _(
                "There is no generated secret key at %(path)s to include: the key comes from "
                "CAMPAIGNFLOW_SECRET_KEY, so keep that in your secret store."
            )
            % {"path": secret_file}
        )
    partial = destination.with_name(destination.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="campaignflow-backup-") as workdir:
        if vendor == "sqlite":
            entry_name, dump = SQLITE_ENTRY, Path(workdir) / "campaignflow.sqlite3"
            counts, migrations = _sqlite_dump(dump)
        else:
            entry_name, dump = POSTGRES_ENTRY, Path(workdir) / "campaignflow.pgdump"
            counts, migrations = _pg_dump(dump)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        try:
            with tarfile.open(partial, _write_mode(destination)) as archive:
                entries = [_add_file(archive, dump, entry_name)]
                entries += [
                    _add_file(archive, path, name) for path, name in _media_files(Path(settings.MEDIA_ROOT))
                ]
                if include_secret:
                    entries.append(_add_file(archive, secret_file, SECRET_KEY_ENTRY))
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "app_version": app_version(),
                    "database": {"vendor": vendor, "path": entry_name, "tables": counts},
                    "migrations": migrations,
                    "files": [entry.as_dict() for entry in entries],
                }
                data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
                info.mode = 0o600
                archive.addfile(info, _BytesReader(data))
            os.replace(partial, destination)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    manifest["path"] = str(destination)
    logger.info(
        "backup written to %s: %s database, %d tables, %d rows, %d files, %d bytes%s",
        destination,
        vendor,
        len(counts),
        sum(counts.values()),
        len(entries),
        destination.stat().st_size,
        ", secret key included" if include_secret else "",
    )
    return manifest


class _BytesReader:
    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.offset = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n is None or n < 0 else self.offset + n
        chunk = bytes(self.data[self.offset : end])
        self.offset += len(chunk)
        return chunk


# --- reading a backup -------------------------------------------------------------------------------


def _read_archive(
    path: Path, target_for: Callable[[str], Path | None]
) -> tuple[dict, dict[str, Entry], list[str]]:
    """Stream through the archive once: hash every entry, extract some, read the manifest.

    `target_for(name)` is where to write an entry, or None to only hash it. Returns the manifest,
    what was found (name -> size and SHA-256) and the problems seen.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("No backup file at %(path)s.") % {"path": path})
    found: dict[str, Entry] = {}
    problems: list[str] = []
    manifest_bytes = None
    current = None
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                current = member.name
                if not _safe_member_name(member.name) or not (member.isfile() or member.isdir()):
                    problems.append(_("Unexpected entry in the archive: %(name)s") % {"name": member.name})
                    continue
                if member.isdir():
                    continue
                source = archive.extractfile(member)
                digest = hashlib.sha256()
                size = 0
                target = None
                target_path = target_for(member.name) if member.name != MANIFEST else None
                if target_path is not None:
                    target_path.parent.mkdir(parents=True, exist_ok=True)
                    target = target_path.open("wb")
                collected = [] if member.name == MANIFEST else None
                try:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        if target is not None:
                            _write(target, chunk)
                        if collected is not None:
                            collected.append(chunk)
                finally:
                    if target is not None:
                        target.close()
                        os.utime(target.name, (member.mtime, member.mtime))
                if collected is not None:
                    manifest_bytes = b"".join(collected)
                else:
                    found[member.name] = Entry(member.name, size, digest.hexdigest())
            current = None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        error = str(exc) or exc.__class__.__name__
        if current:
            message = _("The archive %(path)s is damaged or truncated at %(name)s: %(error)s")
        else:
            message = _("The archive %(path)s is damaged or truncated: %(error)s")
        raise BackupError(message % {"path": path, "name": current, "error": error})
    if manifest_bytes is None:
        raise BackupError(
            _("The archive %(path)s has no manifest.json: it is truncated or not a CampaignFlow backup.")
            % {"path": path}
        )
    manifest = _parse_manifest(manifest_bytes, path)
    problems += _compare(manifest, found)
    return manifest, found, problems


def _write(target, chunk: bytes) -> None:
    """Write to an extracted file; a full disk is not a damaged archive."""
    try:
        target.write(chunk)
    except OSError as exc:
        raise BackupError(_("Could not write %(path)s: %(error)s") % {"path": target.name, "error": exc})


def _parse_manifest(data: bytes, path: Path) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise BackupError(
            _("The manifest of %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
        )
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not a CampaignFlow backup.") % {"path": path})
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            _(
                "%(path)s has backup format %(version)s; this version of CampaignFlow reads format %(ours)d or older."
            )
            % {"path": path, "version": version, "ours": FORMAT_VERSION}
        )
    return manifest


def _compare(manifest: dict, found: dict[str, Entry]) -> list[str]:
    problems = []
    listed = {item["path"]: item for item in manifest.get("files", [])}
    for name, item in listed.items():
        entry = found.get(name)
        if entry is None:
            problems.append(_("Missing from the archive: %(name)s") % {"name": name})
        elif entry.size != item.get("size") or entry.sha256 != item.get("sha256"):
            problems.append(
                _(
                    "Checksum mismatch: %(name)s (%(size)d bytes, SHA-256 %(actual)s; the manifest says %(expected)s)"
                )
                % {"name": name, "size": entry.size, "actual": entry.sha256, "expected": item.get("sha256")}
            )
    for name in sorted(set(found) - set(listed)):
        problems.append(_("Not listed in the manifest: %(name)s") % {"name": name})
    return problems


def _compare_database(manifest: dict, counts: dict[str, int], migrations: dict[str, list[str]]) -> list[str]:
    problems = []
    if "django_migrations" not in counts:
        problems.append(_("The restored database has no django_migrations table."))
    expected = manifest["database"].get("tables", {})
    for table in sorted(set(expected) | set(counts)):
        if table not in counts:
            problems.append(_("Table %(table)s is missing from the restored database.") % {"table": table})
        elif table not in expected:
            problems.append(_("Table %(table)s is not listed in the manifest.") % {"table": table})
        elif counts[table] != expected[table]:
            problems.append(
                _("Table %(table)s has %(actual)d rows; the manifest says %(expected)d.")
                % {"table": table, "actual": counts[table], "expected": expected[table]}
            )
    if migrations != manifest.get("migrations"):
        problems.append(_("The restored database's migrations differ from the manifest's."))
    return problems


def verify_backup(path: Path) -> VerifyResult:
    """Check every checksum, restore the database into a scratch location and compare it.

    Raises BackupError listing every problem found.
    """
    with tempfile.TemporaryDirectory(prefix="campaignflow-verify-") as workdir:
        scratch = Path(workdir)
        manifest, found, problems = _read_archive(
            path, lambda name: scratch / name if name.startswith("database/") else None
        )
        database = manifest.get("database") or {}
        vendor = database.get("vendor")
        dump = scratch / str(database.get("path", ""))
        counts: dict[str, int] = {}
        if database.get("path") not in found:
            problems.append(_("The archive holds no database dump."))
        elif vendor == "sqlite":
            counts, migrations, db_problems = _sqlite_check(dump)
            problems += db_problems or _compare_database(manifest, counts, migrations)
        elif vendor == "postgresql":
            if _vendor() != "postgresql":
                raise BackupError(
                    _(
                        "%(path)s holds a PostgreSQL database: set DATABASE_URL to a PostgreSQL server to verify it."
                    )
                    % {"path": path}
                )
            counts, migrations, db_problems = _pg_check(dump)
            problems += db_problems or _compare_database(manifest, counts, migrations)
        else:
            problems.append(_("Unknown database vendor in the manifest: %(vendor)s") % {"vendor": vendor})
    if problems:
        logger.warning("backup verification of %s failed: %s", path, "; ".join(problems))
        raise BackupError("\n".join(problems))
    logger.info("backup %s verified: %d files, %d tables", path, len(found), len(counts))
    return VerifyResult(manifest, files=len(found), tables=len(counts), rows=sum(counts.values()))


def read_manifest(path: Path) -> dict:
    """The manifest alone, without checking anything else (fast on an uncompressed archive)."""
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.getmember(MANIFEST)
            data = archive.extractfile(member).read()
    except KeyError:
        raise BackupError(
            _("The archive %(path)s has no manifest.json: it is truncated or not a CampaignFlow backup.")
            % {"path": path}
        )
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            _("The archive %(path)s is damaged or truncated: %(error)s") % {"path": path, "error": exc}
        )
    return _parse_manifest(data, Path(path))


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations applied in the backup that this code does not have: the backup is newer."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations) | set(loader.graph.nodes)
    return [
        f"{app}.{name}"
        for app, names in sorted((manifest.get("migrations") or {}).items())
        for name in names
        if (app, name) not in known
    ]


def pending_migrations(manifest: dict) -> list[str]:
    """Migrations this code has that the backup's database had not applied: run migrate after."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes if (app, name) not in applied)


def check_restorable(manifest: dict, path: Path) -> None:
    vendor = (manifest.get("database") or {}).get("vendor")
    if vendor != _vendor():
        raise BackupError(
            _(
                "%(path)s holds a %(backup)s database but this installation uses %(ours)s; "
                "a backup restores only into the same kind of database."
            )
            % {"path": path, "backup": vendor, "ours": _vendor()}
        )
    newer = unknown_migrations(manifest)
    if newer:
        raise BackupError(
            _(
                "%(path)s was made by a newer version of CampaignFlow (%(version)s): its database has "
                "migrations this version does not know: %(migrations)s. Install that version or a "
                "later one, then restore."
            )
            % {"path": path, "version": manifest.get("app_version", "?"), "migrations": ", ".join(newer)}
        )


# --- restoring --------------------------------------------------------------------------------------


def _swap_media(media_root: Path, incoming: Path, outgoing: Path, staging: set[Path]) -> None:
    """Move MEDIA_ROOT's entries into `outgoing`, then `incoming`'s entries into MEDIA_ROOT.

    Entry by entry inside MEDIA_ROOT rather than renaming the directory itself: MEDIA_ROOT is
    often a mount point (the compose volume), which cannot be renamed, and renames within one
    file system are atomic and fast. The staging directories themselves stay where they are.
    """
    outgoing.mkdir(exist_ok=True)
    for entry in sorted(media_root.iterdir()):
        if entry not in staging:
            os.replace(entry, outgoing / entry.name)
    for entry in sorted(incoming.iterdir()):
        os.replace(entry, media_root / entry.name)


def restore_backup(path: Path, *, confirm: Callable[[dict], bool] | None = None) -> dict:
    """Replace the database and MEDIA_ROOT (and the secret key, if the backup has one) with the backup's.

    Order, so that a failure leaves the old data in place: the archive is extracted into staging
    directories (the database beside it in the data directory, the files inside MEDIA_ROOT, on
    its file system) and every checksum compared; the staged database is checked; then the media
    entries are swapped by renaming, the database replaced in one transaction, and on failure the
    old media entries are moved back.
    """
    path = Path(path)
    manifest = read_manifest(path)
    check_restorable(manifest, path)
    if confirm is not None and not confirm(manifest):
        raise BackupError(_("Restore cancelled."))
    data_dir = Path(settings.DATA_DIR)
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    new_media = media_root / f".restore-new-{token}"
    old_media = media_root / f".restore-old-{token}"
    failed_media = media_root / f".restore-failed-{token}"
    media_staging = {new_media, old_media, failed_media}

    def target_for(name: str) -> Path:
        if name.startswith("media/"):
            return new_media / name.removeprefix("media/")
        return staging / name

    try:
        new_media.mkdir()
        manifest, found, problems = _read_archive(path, target_for)
        database = manifest["database"]
        staged_db = staging / database["path"]
        if not problems and database["path"] not in found:
            problems.append(_("The archive holds no database dump."))
        if not problems and database["vendor"] == "sqlite":
            counts, migrations, problems = _sqlite_check(staged_db)
            problems = problems or _compare_database(manifest, counts, migrations)
        if problems:
            raise BackupError("\n".join(problems))
        _swap_media(media_root, new_media, old_media, media_staging)
        try:
            if database["vendor"] == "sqlite":
                _sqlite_restore(staged_db)
            else:
                _pg_restore(staged_db, staging)
        except BaseException:
            _swap_media(media_root, old_media, failed_media, media_staging)  # the old entries back
            raise
        staged_secret = staging / SECRET_KEY_ENTRY
        if staged_secret.is_file():
            staged_secret.chmod(0o600)
            os.replace(staged_secret, data_dir / "secret_key")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(new_media, ignore_errors=True)
        shutil.rmtree(old_media, ignore_errors=True)
        shutil.rmtree(failed_media, ignore_errors=True)
    logger.info(
        "restored %s (made %s by version %s): %s database, %d files%s",
        path,
        manifest.get("created_at"),
        manifest.get("app_version"),
        manifest["database"]["vendor"],
        len(manifest.get("files", [])),
        ", secret key restored" if SECRET_KEY_ENTRY in found else "",
    )
    return manifest
