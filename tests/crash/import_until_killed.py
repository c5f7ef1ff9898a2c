"""`campaignflow import-metrics` that stops in the middle of writing, for tests/crash/test_import_kill.py.

    python tests/crash/import_until_killed.py <batches> <import-metrics arguments...>

Runs the real command (the same service, transaction and writer as the CLI, API and web). After
the writer has sent <batches> batches of rows to the database, inside the import's still open
transaction, it prints "MID-IMPORT <rows>" and waits to be killed: the kill lands mid-import every
time, not only when the machine happens to be slow.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from campaignflow.metrics.imports import writers  # noqa: E402


def pause_after(batches: int) -> None:
    for writer in (writers.SqliteWriter, writers.PostgresWriter):
        flush = writer._flush

        def paused_flush(self, flush=flush):
            flush(self)
            self.flushes = getattr(self, "flushes", 0) + 1
            if self.flushes == batches:
                print(f"MID-IMPORT {self.written}", flush=True)
                time.sleep(300)

        writer._flush = paused_flush


if __name__ == "__main__":
    pause_after(int(sys.argv[1]))
    call_command("import-metrics", *sys.argv[2:])
    print("FINISHED", flush=True)  # only if nobody killed it
