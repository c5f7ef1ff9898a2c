"""The full-text index of search.py: an FTS5 table on SQLite, a narrow table of tsvectors with a
GIN index on PostgreSQL ('simple' configuration: the text is already segmented by jieba). Both
are keyed by the entry's id and kept apart from the wide entry table, whose rows a search would
otherwise have to read. No foreign key: Django's flush truncates the entry table without knowing
this one. Other databases get nothing and search.py is not supported on them."""

from django.db import migrations

SQLITE_FORWARD = ["CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5(tokens, tokenize = 'unicode61')"]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS knowledge_fts"]
POSTGRES_FORWARD = [
    "CREATE TABLE IF NOT EXISTS knowledge_search (entry_id bigint PRIMARY KEY, search_vector tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS knowledge_search_vector ON knowledge_search USING GIN (search_vector)",
]
POSTGRES_BACKWARD = ["DROP TABLE IF EXISTS knowledge_search"]


FORWARD = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
BACKWARD = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}


def forward(apps, schema_editor):
    for statement in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    for statement in BACKWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(forward, backward)
    ]
