"""Telling people what concerns them. Other apps call `notify` inside their transaction.

CONTRACT (the notifications helper implements it; callers rely on nothing else):

    notify(*, event, recipients, title, body="", params=None, campaign=None, url="", actor=None)

- event: a key such as "task.assigned", "task.due_soon", "task.overdue", "approval.requested",
  "approval.decided", "change_request.requested", "change_request.decided".
- recipients: users; duplicates and inactive users are dropped, the actor is not told about their
  own action.
- title/body: gettext_lazy strings with %(name)s placeholders, rendered per recipient in the
  recipient's language with `params`.
- Called inside the caller's transaction: the rows (in-app notification + outbox deliveries) commit
  or roll back with the business write; delivery runs after commit in the worker.

Team chat webhooks of the campaign hear each event once, whoever the recipients are, so word
titles in the third person ("Task “%(task)s” assigned to %(assignee)s") when a campaign is given.
The rest of this module holds the writes of the notifications app itself: reading notifications,
e-mail preferences and webhook configuration.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.audit.services import audit_record
from campaignflow.core.errors import FieldError, NotFound, ValidationFailed, field_error

from . import addresses, permissions
from .choices import TEST_EVENT, Channel, Event, WebhookKind
from .models import Delivery, Notification, NotificationOnce, NotificationPreference, Webhook

logger = logging.getLogger(__name__)

WEBHOOK_FIELDS = ("kind", "name", "url", "secret", "events", "language", "active")


# --- notify -------------------------------------------------------------------------------------


def notify(
    *,
    event: str,
    recipients: Iterable,
    title,
    body="",
    params: dict | None = None,
    campaign=None,
    url: str = "",
    actor=None,
) -> list[Notification]:
    """Write the in-app notifications and the outbox rows for one event; enqueue them after commit.

    Per recipient: a notification in the bell, an e-mail unless they switched it off for this event
    (or have no address), and a call to each of their own webhooks that hears the event. Per event:
    one call to each of the campaign's webhooks that hears it. Rendering problems are logged and
    never raised, so a notification can never undo the business write that caused it.
    """
    people = _recipients(recipients, actor)
    link = url or (reverse("campaigns:detail", args=[campaign.pk]) if campaign is not None else "")
    occurred_at = timezone.now()
    message = partial(
        _message,
        event=event,
        title=title,
        body=body,
        params=params or {},
        link=link,
        campaign=campaign,
        occurred_at=occurred_at,
    )
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=people)}
    own_webhooks = defaultdict(list)
    for webhook in Webhook.objects.filter(user__in=people, active=True):
        if webhook.hears(event):
            own_webhooks[webhook.user_id].append(webhook)

    notifications: list[Notification] = []
    deliveries: list[Delivery] = []
    for person in people:
        language = person.language or settings.LANGUAGE_CODE
        rendered = message(language=language, uid="")
        notification = Notification.objects.create(
            recipient=person,
            event=event,
            title=rendered["title"][:300],
            body=rendered["body"],
            url=link[:500],
            campaign=campaign,
            actor=actor if getattr(actor, "pk", None) else None,
            created_at=occurred_at,
        )
        notifications.append(notification)
        preference = preferences.get(person.pk)
        if person.email and (preference is None or preference.wants_email(event)):
            deliveries.append(
                _delivery(
                    message, language, Channel.EMAIL, event, notification=notification, target=person.email
                )
            )
        for webhook in own_webhooks[person.pk]:
            deliveries.append(
                _delivery(
                    message,
                    webhook.language or language,
                    Channel.WEBHOOK,
                    event,
                    notification,
                    webhook=webhook,
                )
            )
    if campaign is not None:
        for webhook in Webhook.objects.filter(campaign=campaign, active=True):
            if webhook.hears(event):
                language = webhook.language or settings.LANGUAGE_CODE
                deliveries.append(_delivery(message, language, Channel.WEBHOOK, event, None, webhook=webhook))
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        # After commit: a rolled-back business write leaves nothing to send. Should enqueueing fail
        # (the queue is down), the rows are still there and the minute sweep sends them.
        transaction.on_commit(partial(enqueue, [d.pk for d in deliveries]), robust=True)
    return notifications


def notify_once(*, key: str, **notify_kwargs) -> list[Notification]:
    """`notify` unless a notification with this key went out before; for sweeps that run repeatedly.

    Put what makes the reminder new into the key, e.g. f"task.due_soon:{task.pk}:{task.planned_finish}",
    so a moved deadline gets a new reminder. The key is written in the caller's transaction.
    """
    _row, created = NotificationOnce.objects.get_or_create(key=key[:200])
    if not created:
        return []
    return notify(**notify_kwargs)


def enqueue(delivery_ids: list[int]) -> None:
    """Queue one `deliver` job per delivery; never raises (the periodic sweep is the safety net)."""
    from . import tasks

    for pk in delivery_ids:
        try:
            tasks.deliver(pk)
        except Exception:
            logger.exception("could not enqueue delivery %s; the periodic sweep will send it", pk)


def _recipients(recipients: Iterable, actor) -> list:
    """Active users, each once, in the order given, without the actor."""
    actor_pk = getattr(actor, "pk", None)
    seen: set[int] = set()
    people = []
    for person in recipients or ():
        if person is None or not person.pk or person.pk in seen:
            continue
        seen.add(person.pk)
        if person.is_active and person.pk != actor_pk:
            people.append(person)
    return people


def render(text, params: dict, language: str) -> str:
    """A (lazy) message in `language` with its %(name)s placeholders filled; lazy params too."""
    with translation.override(language):
        value = str(text or "")
        if not params:
            return value
        values = {key: str(item) if isinstance(item, Promise) else item for key, item in params.items()}
        try:
            return value % values
        except (KeyError, ValueError, TypeError):
            logger.warning("notification text %r does not match its params %r", value, sorted(params))
            return value


def absolute_url(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.CAMPAIGNFLOW_BASE_URL + (link if link.startswith("/") else "/" + link)


def _message(*, event, title, body, params, link, campaign, occurred_at, language: str, uid: str) -> dict:
    """The platform-neutral message stored in Delivery.payload (see formats.py)."""
    return {
        "id": uid,
        "event": event,
        "title": render(title, params, language),
        "body": render(body, params, language),
        "url": absolute_url(link),
        "campaign": (
            {"id": campaign.pk, "number": campaign.number, "name": campaign.name}
            if campaign is not None
            else None
        ),
        "occurred_at": occurred_at.isoformat(),
        "language": language,
    }


def _delivery(message, language, channel, event, notification, *, target="", webhook=None) -> Delivery:
    uid = uuid.uuid4()
    return Delivery(
        uid=uid,
        notification=notification,
        webhook=webhook,
        channel=channel,
        target=target,
        event=event,
        payload=message(language=language, uid=str(uid)),
    )


# --- reading ------------------------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again is harmless); someone else's is a 404."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound(_("Notification not found."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark all of the user's unread notifications read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- e-mail preferences -----------------------------------------------------------------------------


def _check_events(events, field: str = "events") -> list[str]:
    if events is None:
        return []
    if not isinstance(events, list | tuple) or not all(isinstance(e, str) for e in events):
        raise field_error(field, _("Give a list of event keys."))
    unknown = [event for event in events if event not in Event.values]
    if unknown:
        raise field_error(
            field,
            _("Unknown event “%(event)s”; choose from %(events)s.")
            % {"event": unknown[0], "events": ", ".join(Event.values)},
        )
    return list(dict.fromkeys(events))


@transaction.atomic
def preferences_update(*, user, email_off: list[str]) -> NotificationPreference:
    """Choose the events the user does not want by e-mail (the bell still shows them)."""
    email_off = _check_events(email_off, "email_off")
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    before = {"email_off": list(preference.email_off)}
    preference.email_off = email_off
    preference.save()
    audit_record(
        actor=user,
        verb="notification_preference.updated",
        obj=preference,
        before=before,
        after={"email_off": email_off},
    )
    return preference


# --- webhooks -----------------------------------------------------------------------------------------


def mask_secret(secret: str) -> str:
    """Dots and, for a long secret, its last four characters; empty when there is none."""
    if not secret:
        return ""
    return "••••" + secret[-4:] if len(secret) >= 16 else "••••"


def mask_url(url: str) -> str:
    """The scheme and host, then only the last four characters: the path or query holds the token."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "••••"
    rest = url.split(parts.netloc, 1)[-1] if parts.netloc else url
    tail = rest[-4:] if len(rest) > 12 else ""
    return f"{parts.scheme}://{host}{port}/••••{tail}"


def webhook_snapshot(webhook: Webhook) -> dict:
    """What the audit trail keeps of a webhook: never the secret, and the URL only masked."""
    return {
        "kind": webhook.kind,
        "name": webhook.name,
        "url": mask_url(webhook.url),
        "has_secret": bool(webhook.secret),
        "events": list(webhook.events or []),
        "language": webhook.language,
        "active": webhook.active,
    }


def _clean_webhook(data: dict) -> dict:
    """Checked, normalised values for the webhook fields present in `data` (422 naming each bad one)."""
    unknown = set(data) - set(WEBHOOK_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    cleaned: dict = {}
    errors: list[FieldError] = []
    for key, value in data.items():
        try:
            cleaned[key] = CLEANERS[key](value)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(
            _("Some fields are invalid: %(fields)s") % {"fields": ", ".join(e.field for e in errors)}, errors
        )
    return cleaned


def _clean_kind(value) -> str:
    value = getattr(value, "value", value)
    if value not in WebhookKind.values:
        raise field_error("kind", _("Choose one of %(kinds)s.") % {"kinds": ", ".join(WebhookKind.values)})
    return value


def _clean_name(value) -> str:
    value = (value or "").strip()
    if not value:
        raise field_error("name", _("Give the webhook a name."))
    if len(value) > 100:
        raise field_error("name", _("At most %(max)d characters.") % {"max": 100})
    return value


def _clean_url(value) -> str:
    value = (value or "").strip()
    if len(value) > 1000:
        raise field_error("url", _("At most %(max)d characters.") % {"max": 1000})
    try:
        URLValidator(schemes=["http", "https"])(value)
    except DjangoValidationError:
        raise field_error("url", _("Enter the webhook's full http:// or https:// address."))
    blocked = addresses.blocked_address(value)
    if blocked:
        raise field_error(
            "url",
            _(
                "This address leads to %(address)s, inside a private network; webhooks are sent to "
                "public addresses only. An administrator can allow private ones "
                "(CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE)."
            )
            % {"address": blocked},
        )
    return value


def _clean_secret(value) -> str:
    value = (value or "").strip()
    if len(value) > 200:
        raise field_error("secret", _("At most %(max)d characters.") % {"max": 200})
    return value


def _clean_language(value) -> str:
    value = (value or "").strip()
    if value and value not in dict(settings.LANGUAGES):
        raise field_error(
            "language",
            _("Choose one of %(languages)s, or leave empty for the default.")
            % {"languages": ", ".join(dict(settings.LANGUAGES))},
        )
    return value


def _clean_active(value) -> bool:
    if not isinstance(value, bool):
        raise field_error("active", _("Give true or false."))
    return value


CLEANERS = {
    "kind": _clean_kind,
    "name": _clean_name,
    "url": _clean_url,
    "secret": _clean_secret,
    "events": _check_events,
    "language": _clean_language,
    "active": _clean_active,
}


@transaction.atomic
def webhook_create(*, actor, data: dict, campaign=None) -> Webhook:
    """Add a team chat webhook to a campaign, or, without a campaign, a personal one for the actor."""
    if campaign is not None:
        permissions.require_campaign_manager(actor, campaign)
    data = {key: value for key, value in data.items() if value is not None}
    missing = [key for key in ("kind", "name", "url") if key not in data]
    if missing:
        raise ValidationFailed(
            _("Some fields are invalid: %(fields)s") % {"fields": ", ".join(missing)},
            [FieldError(key, _("This field is required.")) for key in missing],
        )
    webhook = Webhook(
        campaign=campaign,
        user=None if campaign is not None else actor,
        created_by=actor,
        **_clean_webhook(data),
    )
    webhook.save()
    audit_record(
        actor=actor, verb="webhook.created", obj=webhook, campaign=campaign, after=webhook_snapshot(webhook)
    )
    return webhook


@transaction.atomic
def webhook_update(*, actor, webhook: Webhook, data: dict) -> Webhook:
    """Change the fields given. A `secret` of None keeps the stored one; "" removes it."""
    webhook = Webhook.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=webhook.pk)
    permissions.require_webhook_manager(actor, webhook)
    data = {key: value for key, value in data.items() if value is not None or key == "secret"}
    if data.get("secret", "") is None:
        data.pop("secret")
    if not data:
        return webhook
    before = webhook_snapshot(webhook)
    for key, value in _clean_webhook(data).items():
        setattr(webhook, key, value)
    webhook.save()
    audit_record(
        actor=actor,
        verb="webhook.updated",
        obj=webhook,
        campaign=webhook.campaign,
        before=before,
        after=webhook_snapshot(webhook),
    )
    return webhook


@transaction.atomic
def webhook_delete(*, actor, webhook: Webhook) -> None:
    """Remove the webhook; its pending deliveries are given up when the worker reaches them."""
    webhook = Webhook.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=webhook.pk)
    permissions.require_webhook_manager(actor, webhook)
    audit_record(
        actor=actor,
        verb="webhook.deleted",
        obj=webhook,
        campaign=webhook.campaign,
        before=webhook_snapshot(webhook),
    )
    webhook.delete()


@dataclass(frozen=True)
class TestOutcome:
    ok: bool
    error: str = ""


def webhook_test(*, actor, webhook: Webhook) -> TestOutcome:
    """Send a test message now, outside the outbox, and say whether the receiver accepted it."""
    from .delivery import DeliveryError, send_webhook, webhook_outcome

    permissions.require_webhook_manager(actor, webhook)
    campaign = webhook.campaign
    if campaign is not None:
        link = reverse("notifications:campaign_webhooks", args=[campaign.pk])
    else:
        link = reverse("notifications:settings")
    language = webhook.language or actor.language or settings.LANGUAGE_CODE
    message = _message(
        event=TEST_EVENT,
        title=gettext_lazy("Test message from %(app)s"),
        body=gettext_lazy("If you can read this, the webhook “%(name)s” works."),
        params={"app": settings.CAMPAIGNFLOW_APP_NAME, "name": webhook.name},
        link=link,
        campaign=campaign,
        occurred_at=timezone.now(),
        language=language,
        uid=str(uuid.uuid4()),
    )
    try:
        send_webhook(kind=webhook.kind, url=webhook.url, secret=webhook.secret, message=message)
    except DeliveryError as exc:
        webhook_outcome(webhook.pk, error=str(exc), now=timezone.now())
        return TestOutcome(False, str(exc))
    webhook_outcome(webhook.pk, error=None, now=timezone.now())
    return TestOutcome(True)
