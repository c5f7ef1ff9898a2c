"""Full-text search over knowledge entries behind one interface, on SQLite and on PostgreSQL.

SQLite: an FTS5 table `knowledge_fts(tokens)` whose rowid is the entry's id. PostgreSQL: a
table `knowledge_search(entry_id, search_vector tsvector)` with a GIN index, built with the
'simple' configuration (no stemming, no stop words: the text is already segmented by jieba); a
narrow table of its own, because ranking thousands of matches read from the wide entry rows is
ten times slower. Both are created by migration 0002 and fed `KnowledgeEntry.search_tokens` by
`index_entries`, called by every service that changes an entry (no triggers: Django rebuilds
SQLite tables on some schema changes and would silently drop them). A row left behind by a
deleted entry is harmless: hits are loaded through the entry table.

A query never reaches the database as syntax. On SQLite each token becomes a double-quoted FTS5
string (a quote inside is doubled), so `NEAR`, `OR`, `*` or parentheses are plain words; on
PostgreSQL each token goes through plainto_tsquery as a bound parameter, which has no syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

FTS_TABLE = "knowledge_fts"
PG_TABLE = "knowledge_search"


@dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float  # higher is better on both backends


def _vendor() -> str:
    return connection.vendor


# --- indexing ---------------------------------------------------------------------------------


def index_entries(rows: Iterable[tuple[int, str]]) -> None:
    """(entry id, search tokens) pairs into the index, replacing what was there."""
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        if _vendor() == "postgresql":
            cursor.executemany(
                f"INSERT INTO {PG_TABLE} (entry_id, search_vector) VALUES (%s, to_tsvector('simple', %s)) "  # noqa: S608 - constant names
                "ON CONFLICT (entry_id) DO UPDATE SET search_vector = EXCLUDED.search_vector",
                rows,
            )
        else:
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows])  # noqa: S608
            cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (%s, %s)", rows)  # noqa: S608


def rebuild() -> int:
    """Segment every entry's text again and re-index it (after a restore, or a vocabulary change)."""
    from . import text
    from .models import KnowledgeEntry

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PG_TABLE if _vendor() == 'postgresql' else FTS_TABLE}")  # noqa: S608
    rows = []
    for pk, search_text in list(KnowledgeEntry.objects.values_list("pk", "search_text")):
        tokens = text.index_text(search_text)
        KnowledgeEntry.objects.filter(pk=pk).update(search_tokens=tokens)
        rows.append((pk, tokens))
    index_entries(rows)
    return len(rows)


# --- matching ---------------------------------------------------------------------------------


def _fts5_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match(
    tokens: Sequence[str], *, within: QuerySet | None = None, any_token: bool = False, limit: int = 50
) -> list[Hit]:
    """Entries whose text holds every token (or, with any_token, at least one), best first.

    `within` is a queryset of entries (permissions and filters) evaluated by the database as a
    subquery of the same statement. Tokens come from text.query_tokens; none means no hits.
    """
    tokens = [token for token in tokens if token]
    if not tokens or limit <= 0:
        return []
    within_sql, within_params = "", ()
    if within is not None:
        sub_sql, within_params = within.order_by().values("pk").query.sql_with_params()
        within_sql = f" AND @id IN ({sub_sql})"
    if _vendor() == "postgresql":
        operator = " || " if any_token else " && "
        query = operator.join(["plainto_tsquery('simple', %s)"] * len(tokens))
        sql = (
            f"SELECT s.entry_id, ts_rank(s.search_vector, q.query) AS score "  # noqa: S608 - placeholders only
            f"FROM {PG_TABLE} s, (SELECT {query} AS query) q "
            f"WHERE s.search_vector @@ q.query{within_sql.replace('@id', 's.entry_id', 1)} "
            f"ORDER BY score DESC, s.entry_id DESC LIMIT %s"
        )
        params = [*tokens, *within_params, limit]
    else:
        expression = (" OR " if any_token else " ").join(_fts5_string(token) for token in tokens)
        # Matches first, then the permission/filter subquery: left to itself SQLite probes the
        # FTS index once per row of the subquery, fifty times slower with a year or channel filter.
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT rowid AS id, -bm25({FTS_TABLE}) AS score "  # noqa: S608 - placeholders only
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
            f"SELECT id, score FROM hits WHERE 1 = 1{within_sql.replace('@id', 'id', 1)} "
            f"ORDER BY score DESC, id DESC LIMIT %s"
        )
        params = [expression, *within_params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Hit(entry_id=row[0], score=float(row[1] or 0)) for row in cursor.fetchall()]
