"""`campaignflow worker` with one slow job queued, for tests/deploy/test_shutdown.py.

    python tests/deploy/slow_job_worker.py <marker dir>

Queues a job that touches <dir>/started, sleeps 3 s and touches <dir>/finished, then runs the
worker (one thread) on the SQLite queue of CAMPAIGNFLOW_DATA_DIR until it is signalled.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from huey.contrib.djhuey import HUEY  # noqa: E402


@HUEY.task(name="tests_deploy_slow_job")
def slow_job(directory: str) -> None:
    Path(directory, "started").touch()
    time.sleep(3)
    Path(directory, "finished").touch()


if __name__ == "__main__":
    slow_job(sys.argv[1])
    call_command("worker", workers=1)
