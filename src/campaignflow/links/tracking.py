"""The hot path of the redirect: link lookup through the cache, client class, visitor hash.

Nothing here writes to the database, and a repeat hit reads only the cache: the lookup stores
code → (link id, tagged URL) in Django's cache for CACHE_SECONDS (an unknown or inactive code as a
miss for MISS_SECONDS) and in a per-process dict for LOCAL_SECONDS. The link services delete both
entries on every change of a link. With a shared cache (REDIS_URL) another web process may serve
a changed link for up to LOCAL_SECONDS; with the default per-process cache, up to CACHE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .choices import UaClass

CACHE_SECONDS = 60
MISS_SECONDS = 30
LOCAL_SECONDS = 5  # the per-process copy in front of a shared (Redis) cache
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_MISS = "-"

# Crawlers, link previewers, monitors and HTTP libraries; an empty User-Agent is a bot too.
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|scrapy|preview|facebookexternalhit|embedly|headless|phantomjs|"
    r"lighthouse|pingdom|uptime|monitor|curl/|wget/|httpie|python-requests|python-urllib|aiohttp|"
    r"httpx|go-http-client|java/|okhttp|axios|node-fetch|libwww|apache-httpclient|feedfetcher",
    re.IGNORECASE,
)
MOBILE_PATTERN = re.compile(r"mobile|android|iphone|ipad|ipod|harmonyos|micromessenger|windows phone", re.I)


@dataclass(frozen=True)
class Target:
    link_id: int
    url: str


def cache_key(code: str) -> str:
    return f"links:code:{code}"


# code → (expires at, Target or None). A round trip to a shared cache costs the redirect more
# CPU than everything else it does, so each process keeps what it looked up for LOCAL_SECONDS.
_local: dict[str, tuple[float, Target | None]] = {}
LOCAL_MAX = 10_000


def lookup(code: str) -> Target | None:
    """The active link with this code, from the caches when it was looked up recently."""
    if not CODE_PATTERN.fullmatch(code):
        return None
    now = time.monotonic()
    local = _local.get(code)
    if local is not None and local[0] > now:
        return local[1]
    target = _shared_lookup(code)
    if len(_local) >= LOCAL_MAX:
        _local.clear()
    _local[code] = (now + LOCAL_SECONDS, target)
    return target


def _shared_lookup(code: str) -> Target | None:
    key = cache_key(code)
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _MISS else Target(*cached)
    from .models import TrackedLink

    link = TrackedLink.objects.filter(code=code, active=True).first()
    if link is None:
        cache.set(key, _MISS, MISS_SECONDS)
        return None
    target = Target(link.pk, link.tagged_url)
    cache.set(key, (target.link_id, target.url), CACHE_SECONDS)
    return target


def forget(code: str) -> None:
    """Drop a link from the lookup caches (after it changed); other processes' copies expire
    within LOCAL_SECONDS."""
    _local.pop(code, None)
    cache.delete(cache_key(code))


@lru_cache(maxsize=4096)
def classify(user_agent: str) -> tuple[str, bool]:
    """(ua_class, is_bot) for a User-Agent string."""
    if not user_agent.strip() or BOT_PATTERN.search(user_agent):
        return UaClass.BOT.value, True
    if MOBILE_PATTERN.search(user_agent):
        return UaClass.MOBILE.value, False
    if user_agent.startswith("Mozilla/") or "Opera" in user_agent:
        return UaClass.BROWSER.value, False
    return UaClass.OTHER.value, False


@lru_cache(maxsize=4)
def _salt(day: dt.date) -> bytes:
    # Derived from SECRET_KEY and the day: nobody can rebuild an IP from a stored hash without the
    # key, and the same person hashes differently tomorrow.
    message = f"campaignflow.links.visitor.{day.isoformat()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()


def visitor_hash(ip: str, user_agent: str, day: dt.date) -> str:
    """32 hex characters identifying (IP, User-Agent) for one day; the IP itself is never kept."""
    return hmac.new(_salt(day), f"{ip}\n{user_agent}".encode(), hashlib.sha256).hexdigest()[:32]


def client_ip(meta) -> str:
    """The visitor's address: the first X-Forwarded-For hop (behind the reverse proxy), else the peer."""
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",", 1)[0].strip()
    return meta.get("HTTP_X_REAL_IP") or meta.get("REMOTE_ADDR", "")


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()
