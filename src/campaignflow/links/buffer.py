"""Click buffers: the redirect hands each click to a buffer and answers; clicks reach the database
in batches (DESIGN §7: the redirect never waits on the main database).

- `RedisBuffer` (REDIS_URL set): RPUSH onto one list shared by every web process (each process
  sends its clicks every PUSH_SECONDS, and at exit, in one RPUSH). A flush moves
  the whole list atomically to a batch key recorded in a "processing" set, stores it with one
  `bulk_create` and a `ClickBatch` row in the same transaction, then deletes the key. A flush that
  dies after its commit leaves the key behind; the next flush sees the ClickBatch row and only
  deletes it, so no click is stored twice and none is lost. If Redis cannot be reached, the
  clicks are written to the database by the pushing thread instead; the redirect never fails.
- `MemoryBuffer` (no Redis): a list in the web process, written by a background thread every
  FLUSH_SECONDS or as soon as FLUSH_SIZE clicks wait, and once more at interpreter exit (atexit),
  which runs on a clean shutdown (gunicorn's SIGTERM/SIGINT to its workers). A failed write puts
  the clicks back. A hard kill (SIGKILL, power loss) loses the clicks of the last few seconds.

`flush_clicks()` stores whatever this process's buffer holds (for Redis: everything every process
has buffered) and then adds stored clicks and conversions to the daily metrics (rollup.py); the
Huey task `links.tasks.flush_clicks_task` runs it every minute and `campaignflow flush-clicks` on
demand.

Environment: CAMPAIGNFLOW_CLICK_BUFFER (memory | redis; default redis when REDIS_URL is set),
CAMPAIGNFLOW_CLICK_FLUSH_SECONDS (default 5), CAMPAIGNFLOW_CLICK_FLUSH_SIZE (default 500),
CAMPAIGNFLOW_CLICK_REDIS_PREFIX (Redis key prefix, default campaignflow:links).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from campaignflow.config.env import env_int, env_str

from .choices import Rollup
from .tracking import local_day

logger = logging.getLogger(__name__)

FLUSH_SECONDS = max(1, env_int("CAMPAIGNFLOW_CLICK_FLUSH_SECONDS", 5))
FLUSH_SIZE = max(1, env_int("CAMPAIGNFLOW_CLICK_FLUSH_SIZE", 500))
BUFFER_KIND = env_str("CAMPAIGNFLOW_CLICK_BUFFER", "").strip().lower()
REDIS_PREFIX = env_str("CAMPAIGNFLOW_CLICK_REDIS_PREFIX", "campaignflow:links")
PUSH_SECONDS = 0.2
PUSH_SIZE = 200
BATCH_SIZE = 2000
BATCH_KEEP_DAYS = 7


class ClickRecord(NamedTuple):
    """A click as buffered: no IP, only the visitor hash."""

    link_id: int
    at: float  # Unix time
    visitor: str
    ua_class: str
    is_bot: bool
    token: str

    def encode(self) -> str:
        return f"{self.link_id}|{self.at:.6f}|{self.visitor}|{self.ua_class}|{int(self.is_bot)}|{self.token}"

    @classmethod
    def decode(cls, raw: bytes | str) -> ClickRecord | None:
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            link_id, at, visitor, ua_class, is_bot, token = text.split("|")
            return cls(int(link_id), float(at), visitor, ua_class, is_bot == "1", token)
        except ValueError:
            logger.error("unreadable buffered click %r dropped", text[:200])
            return None


_COLUMNS = ("link_id", "at", "day", "visitor", "ua_class", "is_bot", "token", "rollup")


def store(records: Sequence[ClickRecord]) -> int:
    """Write clicks in bulk; clicks of links deleted meanwhile are dropped. Returns the count.

    One multi-row INSERT per batch through the cursor (executemany), not Model.bulk_create: the
    ORM spends about 100 µs per click building and compiling instances (measured with
    bench/redirect.py), which in a web process competes with the redirects for the CPU; the raw
    insert costs a tenth of that. Values are adapted by the backend's own operations.
    """
    from django.db import connection

    from .models import Click, TrackedLink

    if not records:
        return 0
    existing = set()
    ids = list({record.link_id for record in records})
    for start in range(0, len(ids), 500):
        existing.update(
            TrackedLink.objects.filter(pk__in=ids[start : start + 500]).values_list("pk", flat=True)
        )
    ops = connection.ops
    days: dict[int, tuple] = {}
    rows = []
    for record in records:
        if record.link_id not in existing:
            continue
        at = dt.datetime.fromtimestamp(record.at, tz=dt.UTC)
        minute = int(record.at // 60)  # the local day cannot change within a minute
        if minute not in days:
            days[minute] = ops.adapt_datefield_value(local_day(at))
        rows.append(
            (
                record.link_id,
                ops.adapt_datetimefield_value(at),
                days[minute],
                record.visitor,
                record.ua_class,
                record.is_bot,
                record.token,
                # Bots are kept (they show in the stats) but never counted as traffic.
                Rollup.SKIPPED if record.is_bot else Rollup.PENDING,
            )
        )
    table = connection.ops.quote_name(Click._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(Click._meta.get_field(name.removesuffix("_id")).column) for name in _COLUMNS
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"  # noqa: S608 - names from _meta
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])
    return len(rows)


class MemoryBuffer:
    """Clicks kept in this process until a background thread (or exit) writes them (or hands them
    to `sink`)."""

    def __init__(
        self,
        *,
        flush_size: int = FLUSH_SIZE,
        flush_seconds: float = FLUSH_SECONDS,
        background: bool = True,
        sink: Callable[[Sequence[ClickRecord]], int] | None = None,
    ):
        self.flush_size = flush_size
        self.flush_seconds = flush_seconds
        self.background = background
        self.sink = sink  # where a flush sends the clicks; default: store() into the database
        self._reset()
        self._atexit = False

    def _reset(self) -> None:
        # After a fork the child starts empty: the parent's clicks are the parent's to write.
        self._pid = os.getpid()
        self._items: list[ClickRecord] = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, record: ClickRecord) -> None:
        if self._pid != os.getpid():
            self._reset()
        with self._lock:
            self._items.append(record)
            size = len(self._items)
            start = self.background and self._thread is None
            if start:
                self._thread = threading.Thread(target=self._run, name="click-flush", daemon=True)
        if start:
            self._thread.start()
            if not self._atexit:
                atexit.register(self.shutdown)
                self._atexit = True
        if size >= self.flush_size:
            self._wake.set()

    def pending(self) -> int:
        return len(self._items) if self._pid == os.getpid() else 0

    def flush(self) -> int:
        """Write every buffered click now; on failure they go back to the buffer and the error is raised."""
        if self._pid != os.getpid():
            self._reset()
        # One flush at a time: the exit flush waits for a background flush in progress to finish.
        with self._flush_lock:
            with self._lock:
                items, self._items = self._items, []
            if not items:
                return 0
            try:
                return (self.sink or store)(items)
            except BaseException:
                with self._lock:
                    self._items[:0] = items
                raise

    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                logger.exception("writing buffered clicks failed; they stay buffered")
            finally:
                connections.close_all()  # this thread's connections only

    def shutdown(self) -> None:
        """The exit flush: everything still buffered is written before the process ends."""
        if self._pid != os.getpid():
            return
        try:
            stored = self.flush()
            if stored:
                logger.info("wrote %d buffered clicks at exit", stored)
        except Exception:
            logger.exception("writing %d buffered clicks at exit failed", len(self._items))


class RedisBuffer:
    """Clicks on a Redis list shared by every web process; see the module docstring."""

    # Moves the list to a batch key and records the key as in progress, in one atomic step.
    TAKE = """
    if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
    redis.call('RENAME', KEYS[1], KEYS[2])
    redis.call('SADD', KEYS[3], KEYS[2])
    return 1
    """

    def __init__(self, url: str, *, prefix: str = "campaignflow:links", background: bool = True):
        self.url = url
        self.prefix = prefix
        self.key = f"{prefix}:clicks"
        self.processing = f"{prefix}:processing"
        self.lock_name = f"{prefix}:flush-lock"
        self.background = background
        # A round trip per click would cost the redirect more CPU than all its other work: the
        # process gathers clicks for at most PUSH_SECONDS and sends them with one RPUSH (and at exit).
        self.local = MemoryBuffer(
            flush_size=PUSH_SIZE, flush_seconds=PUSH_SECONDS, background=background, sink=self._push
        )
        self._client = None
        self._pid = None

    @property
    def client(self):
        if self._client is None or self._pid != os.getpid():
            import redis

            self._client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
            self._take = self._client.register_script(self.TAKE)
            self._pid = os.getpid()
        return self._client

    def add(self, record: ClickRecord) -> None:
        if self.background:
            self.local.add(record)
        else:
            self._push([record])

    def _push(self, records: Sequence[ClickRecord]) -> int:
        """RPUSH the clicks; if Redis cannot be reached, store them in the database instead.

        Returns how many were stored in the database (0 when they went to Redis)."""
        import redis

        try:
            self.client.rpush(self.key, *(record.encode() for record in records))
            return 0
        except redis.RedisError:
            logger.warning(
                "Redis unavailable; %d clicks written to the database directly", len(records), exc_info=True
            )
            return store(records)

    def pending(self) -> int:
        client = self.client
        batches = client.smembers(self.processing)
        return client.llen(self.key) + sum(client.llen(batch) for batch in batches) + self.local.pending()

    def flush(self) -> int:
        stored = self.local.flush()  # this process's clicks not yet pushed
        client = self.client
        # Two flushers (the periodic task and a command) must not store the same batch twice.
        with client.lock(self.lock_name, timeout=600, blocking_timeout=120):
            for batch in sorted(client.smembers(self.processing)):
                stored += self._store_batch(batch.decode())
            batch = f"{self.prefix}:batch:{uuid.uuid4().hex}"
            if self._take(keys=[self.key, batch, self.processing]):
                stored += self._store_batch(batch)
        self._prune()
        return stored

    def _store_batch(self, batch: str) -> int:
        from .models import ClickBatch

        client = self.client
        stored = 0
        if not ClickBatch.objects.filter(key=batch).exists():
            records = [r for r in map(ClickRecord.decode, client.lrange(batch, 0, -1)) if r is not None]
            with transaction.atomic():
                stored = store(records)
                ClickBatch.objects.create(key=batch, clicks=stored)
        pipe = client.pipeline()
        pipe.delete(batch)
        pipe.srem(self.processing, batch)
        pipe.execute()
        return stored

    def _prune(self) -> None:
        from .models import ClickBatch

        ClickBatch.objects.filter(at__lt=timezone.now() - dt.timedelta(days=BATCH_KEEP_DAYS)).delete()

    def clear(self) -> None:
        """Remove this buffer's keys (tests and benchmarks use their own prefix)."""
        client = self.client
        keys = [self.key, self.processing, self.lock_name, *client.smembers(self.processing)]
        client.delete(*keys)


_buffer: MemoryBuffer | RedisBuffer | None = None


def make_buffer() -> MemoryBuffer | RedisBuffer:
    kind = BUFFER_KIND or ("redis" if settings.REDIS_URL else "memory")
    # Tests write the buffer explicitly (flush_clicks) inside their transaction.
    background = not getattr(settings, "TESTING", False)
    if kind == "redis" and settings.REDIS_URL:
        return RedisBuffer(settings.REDIS_URL, prefix=REDIS_PREFIX, background=background)
    return MemoryBuffer(background=background)


def get_buffer() -> MemoryBuffer | RedisBuffer:
    global _buffer
    if _buffer is None:
        _buffer = make_buffer()
    return _buffer


def set_buffer(buffer: MemoryBuffer | RedisBuffer | None) -> MemoryBuffer | RedisBuffer | None:
    """Replace the process's buffer (tests, benchmarks); returns the previous one."""
    global _buffer
    previous, _buffer = _buffer, buffer
    return previous


def record_click(record: ClickRecord) -> None:
    get_buffer().add(record)


def flush_clicks() -> int:
    """Store every buffered click, then add stored clicks and conversions to the daily metrics."""
    from .rollup import rollup_pending

    stored = get_buffer().flush()
    rollup_pending()
    return stored
