"""A real HTTP server on 127.0.0.1 that records what webhooks post to it and answers as told."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OK_DINGTALK = (200, b'{"errcode":0,"errmsg":"ok"}')


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: Message  # case-insensitive, like every HTTP server's view of headers
    body: bytes

    @property
    def json(self):
        return json.loads(self.body.decode())


def free_port() -> int:
    """A port nothing listens on (yet): connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """Records each POST; answers with the queued (status, body) pairs, then with `default`."""

    def __init__(self, port: int = 0, default: tuple[int, bytes] = OK_DINGTALK, delay: float = 0.0):
        self.requests: list[Received] = []
        self.answers: deque[tuple[int, bytes]] = deque()
        self.default = default
        self.delay = delay
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                with receiver._lock:
                    receiver.requests.append(
                        Received(
                            "POST",
                            parts.path,
                            {key: values[0] for key, values in parse_qs(parts.query).items()},
                            parts.query,
                            self.headers,
                            body,
                        )
                    )
                    status, answer = receiver.answers.popleft() if receiver.answers else receiver.default
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook", query: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}" + (f"?{query}" if query else "")

    def answer(self, status: int, body: bytes = b"", times: int = 1) -> None:
        for _ in range(times):
            self.answers.append((status, body))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
