"""The Redis click buffer, against the real Redis at 127.0.0.1:6379 under a key prefix of its own."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from campaignflow.links import buffer as click_buffer
from campaignflow.links.buffer import ClickRecord, RedisBuffer
from campaignflow.links.models import Click, ClickBatch

from .conftest import BROWSER

URL = "redis://127.0.0.1:6379/0"
pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_buffer():
    buffer = RedisBuffer(URL, prefix=f"test-links-{uuid.uuid4().hex}", background=False)
    previous = click_buffer.set_buffer(buffer)
    yield buffer
    click_buffer.set_buffer(previous)
    buffer.clear()
    assert not buffer.client.keys(f"{buffer.prefix}*")


def record(link, n: int) -> ClickRecord:
    return ClickRecord(link.pk, time.time(), f"{n:032x}", "browser", False, f"r{n}")


def test_redirects_push_clicks_to_redis_and_a_flush_stores_them(client, link, redis_buffer):
    for _ in range(3):
        assert client.get(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER).status_code == 302

    assert redis_buffer.client.llen(redis_buffer.key) == 3
    assert Click.objects.count() == 0

    assert click_buffer.flush_clicks() == 3
    assert Click.objects.filter(link=link).count() == 3
    assert redis_buffer.pending() == 0


def test_a_batch_stored_before_a_crash_is_not_stored_twice(link, redis_buffer):
    client = redis_buffer.client
    for n in range(4):
        redis_buffer.add(record(link, n))
    # A flush took the list and committed, then died before deleting its batch key.
    batch = f"{redis_buffer.prefix}:batch:crashed"
    client.rename(redis_buffer.key, batch)
    client.sadd(redis_buffer.processing, batch)
    click_buffer.store([ClickRecord.decode(raw) for raw in client.lrange(batch, 0, -1)])
    ClickBatch.objects.create(key=batch, clicks=4)
    redis_buffer.add(record(link, 99))

    assert redis_buffer.flush() == 1

    assert Click.objects.filter(link=link).count() == 5
    assert not client.exists(batch)
    assert not client.smembers(redis_buffer.processing)


def test_a_batch_taken_but_not_stored_before_a_crash_is_stored_by_the_next_flush(link, redis_buffer):
    client = redis_buffer.client
    for n in range(4):
        redis_buffer.add(record(link, n))
    batch = f"{redis_buffer.prefix}:batch:lost"
    client.rename(redis_buffer.key, batch)
    client.sadd(redis_buffer.processing, batch)

    assert redis_buffer.flush() == 4
    assert Click.objects.filter(link=link).count() == 4


def test_when_redis_is_down_the_clicks_are_written_to_the_database_instead(link):
    buffer = RedisBuffer("redis://127.0.0.1:1/0", prefix="unreachable", background=False)

    buffer.add(record(link, 1))

    assert Click.objects.filter(link=link).count() == 1
    with pytest.raises(redis.RedisError):
        buffer.pending()


@pytest.mark.django_db(transaction=True)
def test_a_web_process_sends_its_clicks_in_batches_and_the_rest_at_exit(link):
    buffer = RedisBuffer(URL, prefix=f"test-links-{uuid.uuid4().hex}")
    try:
        for n in range(450):  # two full batches of 200 go at once, the rest on the timer
            buffer.add(record(link, n))
        deadline = time.monotonic() + 20
        while buffer.client.llen(buffer.key) < 450 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert buffer.client.llen(buffer.key) == 450
        buffer.add(record(link, 999))
        buffer.local.shutdown()  # what atexit runs on a clean shutdown
        assert buffer.client.llen(buffer.key) == 451
        assert buffer.flush() == 451
        assert Click.objects.filter(link=link).count() == 451
    finally:
        buffer.clear()
