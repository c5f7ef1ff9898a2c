"""Writing checked rows of daily data in batches, the fastest way each database offers.

Both writers upsert on (campaign, date, channel) and touch only the columns the input has, so an
export with only spend and clicks does not wipe the revenue another export recorded. They run
inside the caller's transaction: if the input turns out to be bad, the caller rolls it all back.

- PostgreSQL: rows stream through `COPY … FROM STDIN`. Into the table itself when the campaign has
  no rows yet (the first import: nothing can conflict), otherwise into a temporary table that one
  `INSERT … SELECT … ON CONFLICT DO UPDATE` merges. The server parses while Python checks the next
  rows, so an import costs little more than the COPY alone.
- SQLite: `executemany` of `INSERT` in batches, with `ON CONFLICT DO UPDATE` unless the campaign
  has no rows yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import connection

from ..models import DailyMetric

BATCH = 5000
CONFLICT_FIELDS = ("campaign_id", "date", "channel_id")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(name: str) -> str:
    return DailyMetric._meta.get_field(name).column


class Writer:
    """Collects rows for one campaign and writes them in batches; `close` finishes the work."""

    def __init__(self, *, campaign_id: int, fields: Sequence[str], update_fields: Sequence[str]):
        self.campaign_id = campaign_id
        self.columns = ["channel_id", "date", *(_column(name) for name in fields)]
        self.update_columns = [_column(name) for name in update_fields]
        self.has_note = bool(fields) and fields[-1] == "note"
        self.table = _quote(DailyMetric._meta.db_table)
        self.written = 0

    def write(self, values: tuple[str, ...]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self, *, keep: bool = True) -> None:  # pragma: no cover - abstract
        """Finish writing; with keep=False the rows are about to be rolled back: skip the work."""
        raise NotImplementedError

    def _on_conflict(self, excluded: str = "EXCLUDED") -> str:
        target = ", ".join(_quote(column) for column in CONFLICT_FIELDS)
        if not self.update_columns:
            return f"ON CONFLICT ({target}) DO NOTHING"
        assignments = ", ".join(f"{_quote(c)} = {excluded}.{_quote(c)}" for c in self.update_columns)
        return f"ON CONFLICT ({target}) DO UPDATE SET {assignments}"


class SqliteWriter(Writer):
    def __init__(self, *, fresh: bool, **kwargs):
        super().__init__(**kwargs)
        columns = ["campaign_id", *self.columns]
        placeholders = ", ".join(["%s"] * len(columns))
        # Nothing stored for the campaign (checked under its lock): nothing can conflict.
        conflict = "" if fresh else f" {self._on_conflict('excluded')}"
        self.sql = (
            f"INSERT INTO {self.table} ({', '.join(_quote(c) for c in columns)}) "  # noqa: S608
            f"VALUES ({placeholders}){conflict}"
        )
        self.batch: list[tuple] = []
        self.cursor = connection.cursor()

    def write(self, values: tuple[str, ...]) -> None:
        self.batch.append((self.campaign_id, *values))
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.batch:
            self.cursor.executemany(self.sql, self.batch)
            self.written += len(self.batch)
            self.batch = []

    def close(self, *, keep: bool = True) -> None:
        if keep:
            self._flush()
        self.cursor.close()


def _copy_escape(text: str) -> str:
    """A value in COPY's text format: backslash, tab and line breaks escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class PostgresWriter(Writer):
    def __init__(self, *, fresh: bool, **kwargs):
        super().__init__(**kwargs)
        self.fresh = fresh
        self.cursor = connection.cursor()
        if fresh:
            # Nothing of this campaign is stored (the caller checked under the campaign lock), so
            # nothing can conflict: the rows go straight into the table.
            target, columns, self.prefix = self.table, ["campaign_id", *self.columns], f"{self.campaign_id}\t"
        else:
            self.stage = _quote(f"metrics_import_{uuid.uuid4().hex[:12]}")
            types = ", ".join(f"{_quote(c)} {_db_type(c)}" for c in self.columns)
            self.cursor.execute(f"CREATE TEMPORARY TABLE {self.stage} ({types}) ON COMMIT DROP")
            target, columns, self.prefix = self.stage, self.columns, ""
        quoted = ", ".join(_quote(c) for c in columns)
        with connection.wrap_database_errors:
            self._copy_context = self.cursor.cursor.copy(f"COPY {target} ({quoted}) FROM STDIN")
            self.copy = self._copy_context.__enter__()
        self.buffer: list[str] = []

    def write(self, values: tuple[str, ...]) -> None:
        if self.has_note:
            note = values[-1]
            if note and ("\\" in note or "\t" in note or "\n" in note or "\r" in note):
                values = (*values[:-1], _copy_escape(note))
        self.buffer.append(self.prefix + "\t".join(values) + "\n")
        if len(self.buffer) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            with connection.wrap_database_errors:
                self.copy.write("".join(self.buffer))
            self.written += len(self.buffer)
            self.buffer = []

    def close(self, *, keep: bool = True) -> None:
        if keep:
            self._flush()
        with connection.wrap_database_errors:
            self._copy_context.__exit__(None, None, None)  # ends the COPY; the connection is usable again
        if not self.fresh and keep:
            columns = ", ".join(_quote(c) for c in self.columns)
            # Quoted identifiers from the model's metadata; the one value is a bound parameter.
            self.cursor.execute(
                f"INSERT INTO {self.table} ({_quote('campaign_id')}, {columns}) "  # noqa: S608
                f"SELECT %s, {columns} FROM {self.stage} {self._on_conflict()}",
                [self.campaign_id],
            )
        if not self.fresh:
            self.cursor.execute(f"DROP TABLE {self.stage}")
        self.cursor.close()


def _db_type(column: str) -> str:
    model_field = next(f for f in DailyMetric._meta.concrete_fields if f.column == column)
    if model_field.is_relation:
        return "bigint"
    return model_field.db_type(connection)


def make_writer(
    *, campaign_id: int, fields: Sequence[str], update_fields: Sequence[str], fresh: bool
) -> Writer:
    if connection.vendor == "postgresql":
        return PostgresWriter(
            campaign_id=campaign_id, fields=fields, update_fields=update_fields, fresh=fresh
        )
    if connection.vendor == "sqlite":
        return SqliteWriter(campaign_id=campaign_id, fields=fields, update_fields=update_fields, fresh=fresh)
    raise NotImplementedError(f"daily metric imports support PostgreSQL and SQLite, not {connection.vendor}")
