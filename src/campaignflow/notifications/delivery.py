"""The outbox worker's side: claim a due delivery, send it, record the outcome, retry with backoff.

Delivery is at least once. A row is claimed with a compare-and-set UPDATE, so two workers never
send it at the same time; the claim is a lease, so a worker killed mid-send leaves a row that
becomes due again when the lease runs out. A worker killed after the receiver accepted the message
but before recording it causes one repeat, which receivers can recognise by the message `id`
(X-CampaignFlow-Delivery on generic webhooks).

Every function takes `now` so tests (and the periodic sweep) control time.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import random
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import addresses
from .choices import Channel, DeliveryStatus
from .formats import ReceiverError, WebhookRequest, build_request, check_answer
from .models import Delivery, Webhook

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Longer than the slowest send (HTTP_TIMEOUT, SMTP_TIMEOUT) by a wide margin: a lease that ran out
# while its worker is still sending would let a second worker send the same message.
LEASE = dt.timedelta(minutes=2)
HTTP_TIMEOUT = 10  # seconds, connect and each read
SMTP_TIMEOUT = 30
BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=2)
SWEEP_BATCH = 200
MAX_ANSWER_BYTES = 64 * 1024
MAX_ERROR_CHARS = 1000


class DeliveryError(Exception):
    """This attempt failed; the row is retried unless it is out of attempts."""


class Undeliverable(DeliveryError):
    """No attempt can succeed (the webhook is gone or switched off): the row is dead at once."""


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, … doubling, at most 2 h, ±25 %.

    The jitter spreads the retries of many messages to one receiver that was down, so they do not
    all arrive again in the same second.
    """
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    factor = (rng or random).uniform(0.75, 1.25)
    return base * factor


def _due(now: dt.datetime) -> Q:
    waiting = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now)
    abandoned = Q(status=DeliveryStatus.SENDING, lease_expires_at__lt=now)
    return (waiting | abandoned) & Q(attempts__lt=MAX_ATTEMPTS)


def delivery_claim(delivery_id: int, *, now: dt.datetime) -> Delivery | None:
    """Take the delivery for one attempt, or None if it is not due, already sent or claimed.

    The UPDATE … WHERE <due> is a compare-and-set: when two workers race for the row, the database
    (the row lock on PostgreSQL, the write lock on SQLite) lets exactly one UPDATE match, and the
    other sees zero rows. No lock is held while the message is sent.
    """
    claimed = Delivery.objects.filter(_due(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, lease_expires_at=now + LEASE
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("webhook").get(pk=delivery_id)


def delivery_attempt(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Claim, send and record one delivery; the Huey job `deliver` calls this. Never raises.

    Returns the row's status after the attempt, or "skipped" when it was not this worker's to send.
    """
    now = now or timezone.now()
    delivery = delivery_claim(delivery_id, now=now)
    if delivery is None:
        return "skipped"
    error: str | None = None
    final = False
    try:
        send(delivery)
    except Undeliverable as exc:
        error, final = str(exc), True
    except DeliveryError as exc:
        error = str(exc)
    except Exception as exc:  # a bug or an unexpected library error must not kill the worker
        logger.exception("delivery %s failed unexpectedly", delivery.pk)
        error = f"{type(exc).__name__}: {exc}"
    return _record(delivery, error=error, final=final, now=now)


def _record(delivery: Delivery, *, error: str | None, final: bool, now: dt.datetime) -> str:
    """Write the outcome, fenced on this claim (status and attempt number) so a worker whose lease
    ran out cannot overwrite the result of the worker that took the row over."""
    mine = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts)
    if error is None:
        status = DeliveryStatus.SENT
        mine.update(status=status, sent_at=now, lease_expires_at=None, last_error="")
    elif final or delivery.attempts >= MAX_ATTEMPTS:
        status = DeliveryStatus.DEAD
        mine.update(status=status, lease_expires_at=None, last_error=error[:MAX_ERROR_CHARS])
    else:
        status = DeliveryStatus.FAILED
        mine.update(
            status=status,
            lease_expires_at=None,
            next_attempt_at=now + backoff_delay(delivery.attempts),
            last_error=error[:MAX_ERROR_CHARS],
        )
    if error is not None:
        logger.warning(
            "delivery %s (%s, attempt %s) %s: %s",
            delivery.pk,
            delivery.channel,
            delivery.attempts,
            status,
            error,
        )
    if delivery.webhook_id:
        webhook_outcome(delivery.webhook_id, error=error, now=now)
    return status


def webhook_outcome(webhook_id: int, *, error: str | None, now: dt.datetime) -> None:
    """What the webhook's settings page shows: when it last worked and its last error."""
    if error is None:
        Webhook.objects.filter(pk=webhook_id).update(last_sent_at=now)
    else:
        Webhook.objects.filter(pk=webhook_id).update(last_error=error[:MAX_ERROR_CHARS], last_error_at=now)


def deliveries_due(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of the deliveries to attempt now: pending, failed and due, or abandoned by a dead worker.

    A row abandoned during its last allowed attempt is given up here, since no claim can take it.
    """
    now = now or timezone.now()
    Delivery.objects.filter(
        status=DeliveryStatus.SENDING, lease_expires_at__lt=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=DeliveryStatus.DEAD,
        lease_expires_at=None,
        last_error="The worker stopped during the last attempt.",
    )
    due = Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
    return list(due.values_list("pk", flat=True)[:limit])


def retry_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Attempt every due delivery in this process, one after another; for tests and the CLI."""
    outcomes: dict[str, int] = {}
    for pk in deliveries_due(now=now):
        status = delivery_attempt(pk, now=now)
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


# --- sending ----------------------------------------------------------------------------------------


def send(delivery: Delivery) -> None:
    """Send one delivery; raise DeliveryError (or Undeliverable) when it did not get through."""
    if delivery.channel == Channel.EMAIL:
        send_email(address=delivery.target, message=delivery.payload)
        return
    webhook = delivery.webhook
    if webhook is None:
        raise Undeliverable("The webhook was removed.")
    if not webhook.active:
        raise Undeliverable("The webhook is switched off.")
    send_webhook(kind=webhook.kind, url=webhook.url, secret=webhook.secret, message=delivery.payload)


def send_webhook(*, kind: str, url: str, secret: str, message: dict) -> None:
    """Build the platform's request, signed now, post it and check the answer."""
    request = build_request(kind=kind, url=url, secret=secret, message=message, now=time.time())
    status, answer = post(request)
    try:
        check_answer(kind, status, answer)
    except ReceiverError as exc:
        raise DeliveryError(str(exc))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new destination: the message was signed for this URL."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(request: WebhookRequest, *, timeout: float = HTTP_TIMEOUT) -> tuple[int, bytes]:
    """POST the request; (status, first 64 KiB of the answer) for a 2xx, DeliveryError otherwise."""
    if urlsplit(request.url).scheme not in ("http", "https"):
        raise Undeliverable("Only http and https URLs are supported.")
    blocked = addresses.blocked_address(request.url)
    if blocked:
        raise Undeliverable(f"The address resolves to {blocked}, inside a private network; not sent.")
    http_request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        request.url, data=request.body, headers=request.headers, method="POST"
    )
    try:
        with _OPENER.open(http_request, timeout=timeout) as response:
            return response.status, response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode(errors="replace") if exc.fp else ""
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}: {detail}".strip())
    except urllib.error.URLError as exc:
        raise DeliveryError(f"Cannot reach the receiver: {exc.reason}")
    except (OSError, http.client.HTTPException) as exc:  # timeouts, resets, malformed answers
        raise DeliveryError(f"{type(exc).__name__}: {exc}")


def email_text(message: dict) -> tuple[str, str]:
    """Subject and plain-text body of a notification e-mail, in the message's language."""
    with translation.override(message.get("language") or settings.LANGUAGE_CODE):
        app = str(settings.CAMPAIGNFLOW_APP_NAME)
        # A header must be one line; a title is plain text, so collapse any line breaks.
        subject = f"[{app}] " + " ".join(str(message["title"]).split())
        parts = [message.get("body") or "", message.get("url") or ""]
        settings_url = settings.CAMPAIGNFLOW_BASE_URL + reverse("notifications:settings")
        footer = _("You receive this e-mail because of your %(app)s notification settings: %(url)s") % {
            "app": app,
            "url": settings_url,
        }
        text = "\n\n".join(part for part in parts if part) + "\n\n-- \n" + footer + "\n"
    return subject, text


def send_email(*, address: str, message: dict) -> None:
    """Send the notification e-mail with Django's configured backend (SMTP, console, or locmem in tests)."""
    subject, text = email_text(message)
    try:
        connection = get_connection(timeout=SMTP_TIMEOUT)
        send_mail(subject, text, None, [address], connection=connection)
    except Exception as exc:  # SMTP, socket and TLS errors all mean: try again later
        raise DeliveryError(f"E-mail to {address} failed: {type(exc).__name__}: {exc}")


def deliveries_revive(*, since: dt.datetime | None = None) -> int:
    """Give dead deliveries (created since `since`) a fresh set of attempts; for after an outage is fixed."""
    dead = Delivery.objects.filter(status=DeliveryStatus.DEAD)
    if since is not None:
        dead = dead.filter(created_at__gte=since)
    return dead.update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_expires_at=None
    )


def outbox_counts() -> dict[str, int]:
    """How many deliveries are in each status."""
    rows = Delivery.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    counts.update(dict(rows))
    return counts
