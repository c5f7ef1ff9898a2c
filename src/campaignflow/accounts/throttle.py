"""Sign-in throttling: too many failed sign-ins for a username, or from an address, lock it for a while.

Counted in Django's cache, so it works with the per-process memory cache and, across processes,
with Redis (`REDIS_URL`). A username is locked after CAMPAIGNFLOW_LOGIN_MAX_FAILURES failures
(default 5) within CAMPAIGNFLOW_LOGIN_LOCKOUT_SECONDS (default 900); an address after
CAMPAIGNFLOW_LOGIN_MAX_FAILURES_PER_IP (default 20, higher because an office shares one address).
A lock lasts CAMPAIGNFLOW_LOGIN_LOCKOUT_SECONDS; while it lasts even the right password is refused,
without being checked. A successful sign-in clears the username's count.

The client's address is REMOTE_ADDR, or, when that is a trusted proxy (FORWARDED_ALLOW_IPS, the
list gunicorn trusts), the last address in X-Forwarded-For that is not a trusted proxy.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

PREFIX = "campaignflow:login"


@dataclass(frozen=True)
class Limits:
    per_username: int
    per_address: int
    seconds: int


def limits() -> Limits:
    return Limits(
        per_username=max(1, int(getattr(settings, "CAMPAIGNFLOW_LOGIN_MAX_FAILURES", 5))),
        per_address=max(1, int(getattr(settings, "CAMPAIGNFLOW_LOGIN_MAX_FAILURES_PER_IP", 20))),
        seconds=max(1, int(getattr(settings, "CAMPAIGNFLOW_LOGIN_LOCKOUT_SECONDS", 900))),
    )


def _trusted(address: str) -> bool:
    trusted = getattr(settings, "CAMPAIGNFLOW_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
    return "*" in trusted or address in trusted


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    if not _trusted(remote):
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    for address in reversed(forwarded):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            break  # garbage: stop trusting the header here
        if not _trusted(address):
            return address
    return remote


def _key(kind: str, value: str) -> str:
    # Hashed: usernames may hold any character, and the key must not grow with the input.
    return f"{PREFIX}:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _username(username: str) -> str:
    return (username or "").strip().casefold()


def locked_for(*, username: str, address: str) -> int:
    """Seconds until the username or the address may try again; 0 when neither is locked."""
    now = time.time()
    until = [
        cache.get(_key("lock-user", _username(username))) or 0,
        cache.get(_key("lock-addr", address)) or 0,
    ]
    remaining = max(until) - now
    return math.ceil(remaining) if remaining > 0 else 0


def _count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def _lock(kind: str, value: str, seconds: int) -> None:
    cache.set(_key(f"lock-{kind}", value), time.time() + seconds, timeout=seconds)
    cache.delete(_key(f"fail-{kind}", value))


@dataclass(frozen=True)
class Failure:
    username_failures: int
    address_failures: int
    locked_username: bool
    locked_address: bool


def record_failure(*, username: str, address: str) -> Failure:
    """Count one failed sign-in; lock the username or the address when it reaches its limit."""
    limit = limits()
    name = _username(username)
    by_name = _count(_key("fail-user", name), limit.seconds) if name else 0
    by_address = _count(_key("fail-addr", address), limit.seconds)
    locked_name = bool(name) and by_name >= limit.per_username
    locked_address = by_address >= limit.per_address
    if locked_name:
        _lock("user", name, limit.seconds)
    if locked_address:
        _lock("addr", address, limit.seconds)
    return Failure(by_name, by_address, locked_name, locked_address)


def record_success(*, username: str) -> None:
    cache.delete(_key("fail-user", _username(username)))
