"""The real job queue and the real worker for tests: `real_queue`, `Worker` and a loopback SMTP server.

Tests run Huey in immediate mode (settings: TESTING). These helpers let a test use the queue an
installation uses instead: the SQLite queue file (the default) or Redis when REDIS_URL is set
(the PostgreSQL CI pass), under a queue name of the test's own so parallel test processes
sharing one Redis never take each other's jobs. A `Worker` is `campaignflow worker` in a
subprocess on the test's own database (tests using it need `transactional_db`, so that the
worker sees the rows the test commits and the test sees the worker's).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socketserver
import subprocess
import threading
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from huey.contrib.djhuey import HUEY

from tests.deploy.helpers import CAMPAIGNFLOW, ROOT, cli_env_for_test_db, wait_for


def queue_backend() -> str:
    return "redis" if os.environ.get("REDIS_URL") else "sqlite"


@contextlib.contextmanager
def real_queue(directory: Path):
    """This process enqueues into a real queue of its own (not inline), emptied before and after.

    Yields the Huey instance; `name` is what a worker needs (CAMPAIGNFLOW_HUEY_NAME) and, on
    SQLite, the queue file is `directory`/huey.sqlite3 (the worker's CAMPAIGNFLOW_DATA_DIR).
    """
    saved = (HUEY.name, HUEY._immediate, HUEY.storage, dict(HUEY.storage_kwargs))
    HUEY.name = f"test-{uuid.uuid4().hex[:12]}"
    HUEY._immediate = False
    if "filename" in HUEY.storage_kwargs:
        HUEY.storage_kwargs["filename"] = str(directory / "huey.sqlite3")
    HUEY.storage = HUEY.create_storage()
    HUEY.flush()
    try:
        yield HUEY
    finally:
        with contextlib.suppress(Exception):
            HUEY.flush()
        HUEY.name, HUEY._immediate, HUEY.storage, storage_kwargs = saved
        HUEY.storage_kwargs.clear()
        HUEY.storage_kwargs.update(storage_kwargs)


def queued_jobs(huey) -> list[tuple[str, tuple]]:
    """(task name, args) of every job waiting in the queue, oldest first."""
    return [(task.name, task.args) for task in huey.pending()]


class Worker:
    """`campaignflow worker` in a subprocess, consuming the test's queue on the test's database."""

    def __init__(self, data_dir: Path, queue_name: str, **env: str):
        self.data_dir = data_dir
        self.env = cli_env_for_test_db(
            data_dir,
            CAMPAIGNFLOW_HUEY_NAME=queue_name,
            # its minute click flush must not take the clicks other tests leave in a shared Redis
            CAMPAIGNFLOW_CLICK_REDIS_PREFIX=f"{queue_name}:links",
            CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE="1",  # the test's receivers listen on 127.0.0.1
            **env,
        )
        if os.environ.get("REDIS_URL"):
            self.env["REDIS_URL"] = os.environ["REDIS_URL"]
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []
        self._reader: threading.Thread | None = None

    def start(self, workers: int = 2) -> Worker:
        self.output = []
        self.process = subprocess.Popen(
            [*CAMPAIGNFLOW, "worker", "--workers", str(workers)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        # Huey logs this once its worker threads and scheduler run
        wait_for(lambda: self.said("consumer started") or self._exited(), seconds=60, what="worker start")
        return self

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.output.append(line)

    def _exited(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError("the worker exited:\n" + self.text())
        return False

    def wait_for(self, condition, *, seconds: float = 60, what: str = "the condition"):
        """`wait_for` that shows what the worker logged when it fails."""
        try:
            return wait_for(condition, seconds=seconds, what=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the worker said:\n{self.text()}") from None

    def said(self, text: str) -> bool:
        return any(text.lower() in line.lower() for line in list(self.output))

    def text(self) -> str:
        return "".join(self.output)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the OOM killer takes it."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # graceful: running jobs finish
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self._reader.join(timeout=10)


# --- e-mail ----------------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    """A minimal SMTP server on 127.0.0.1 (no TLS, no auth) keeping every message it accepts."""

    messages: list[EmailMessage] = field(default_factory=list)

    def __post_init__(self):
        inbox = self.messages

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")
                self.wfile.flush()

            def handle(self):
                self.reply("220 localhost test SMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode(errors="replace").strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 localhost")
                    elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                        self.reply("250 OK")
                    elif command == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = []
                        for raw in iter(self.rfile.readline, b""):
                            if raw in (b".\r\n", b".\n"):
                                break
                            data.append(raw[1:] if raw.startswith(b"..") else raw)
                        inbox.append(message_from_bytes(b"".join(data), policy=policy.default))
                        self.reply("250 OK queued")
                    elif command == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def env(self) -> dict[str, str]:
        """Settings of a `campaignflow` process that sends its e-mail here."""
        return {
            "CAMPAIGNFLOW_EMAIL_HOST": "127.0.0.1",
            "CAMPAIGNFLOW_EMAIL_PORT": str(self.port),
            "CAMPAIGNFLOW_EMAIL_USE_TLS": "false",
            "CAMPAIGNFLOW_EMAIL_USER": "",
            "CAMPAIGNFLOW_EMAIL_PASSWORD": "",
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
