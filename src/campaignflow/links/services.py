"""Writes to tracked links: the UTM naming rules, links, and conversions posted back.

Every write checks permissions.py, runs in one transaction and records an audit event, except
conversions: those are facts posted by machines, like clicks, and are not audited one by one.
A changed link is dropped from the redirect's lookup cache after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import string
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import (
    ApplicationError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    field_error,
)
from campaignflow.metrics.models import Channel

from . import permissions, tracking, utm
from .models import CODE_MAX, Click, Conversion, LinkSettings, TrackedLink, new_secret

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 7
TEXT_FIELDS = ("name", "target_url", *utm.UTM_FIELDS)
NAME_MAX = TrackedLink._meta.get_field("name").max_length
SIGNATURE_HEADER = "X-CampaignFlow-Signature"
TIMESTAMP_HEADER = "X-CampaignFlow-Timestamp"
SIGNATURE_TOLERANCE = 300  # seconds either side of our clock
EXTERNAL_ID_MAX = Conversion._meta.get_field("external_id").max_length
VALUE_MAX = Decimal("999999999999.99")


# --- naming rules -----------------------------------------------------------------------------------


@transaction.atomic
def link_settings_update(*, actor, data: Mapping) -> LinkSettings:
    """Change the UTM naming rules: lowercase or not, and the allowed sources and mediums."""
    if not permissions.can_manage_settings(actor):
        raise Forbidden(_("Only administrators and data analysts may change the UTM naming rules."))
    current = LinkSettings.objects.select_for_update().get(pk=LinkSettings.current().pk)
    before = _settings_snapshot(current)
    if "lowercase" in data:
        current.lowercase = bool(data["lowercase"])
    errors: list[FieldError] = []
    for name in ("allowed_sources", "allowed_mediums"):
        if name not in data:
            continue
        values = utm.normalize_list(data[name])
        bad = [v for v in values if len(v) > utm.VALUE_MAX or not utm.VALUE_PATTERN.fullmatch(v)]
        if current.lowercase:
            bad += [v for v in values if v != v.lower() and v not in bad]
        if bad:
            errors.append(
                FieldError(
                    name,
                    _("“%(value)s” cannot be a UTM value (lowercase letters, digits, “.”, “_”, “-”, “+”).")
                    % {"value": bad[0]},
                )
            )
        setattr(current, name, values)
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    current.save()
    audit_record(
        actor=actor,
        verb="linksettings.updated",
        obj=current,
        before=before,
        after=_settings_snapshot(current),
    )
    return current


@transaction.atomic
def link_settings_rotate_secret(*, actor) -> LinkSettings:
    """A new postback secret; postbacks signed with the old one are refused from now on."""
    if not permissions.can_manage_settings(actor):
        raise Forbidden(_("Only administrators and data analysts may change the postback secret."))
    current = LinkSettings.objects.select_for_update().get(pk=LinkSettings.current().pk)
    current.postback_secret = new_secret()
    current.save(update_fields=["postback_secret", "updated_at"])
    audit_record(actor=actor, verb="linksettings.secret_rotated", obj=current)
    return current


def _settings_snapshot(current: LinkSettings) -> dict:
    return snapshot(current, fields=["lowercase", "allowed_sources", "allowed_mediums"])


# --- links ------------------------------------------------------------------------------------------


def _check_manage(actor, campaign: Campaign) -> None:
    if not permissions.can_view_links(actor, campaign):
        raise NotFound(_("Campaign not found."))
    if not permissions.can_manage_links(actor, campaign):
        raise Forbidden(
            _("Only the campaign's owner, its project managers and data analysts may manage its links.")
        )
    if campaign.status in permissions.FROZEN_STATUSES:
        raise Conflict(
            _("This campaign is %(status)s: its links no longer change.")
            % {"status": campaign.get_status_display()},
            code="wrong_state",
        )


def _channel(value) -> Channel | None:
    if isinstance(value, Channel):
        return value
    try:
        return Channel.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def _clean(values: Mapping) -> dict:
    cleaned = {}
    for name in TEXT_FIELDS:
        if name in values:
            cleaned[name] = (values.get(name) or "").strip()
    return cleaned


def _validate(link: TrackedLink, *, check_code: bool) -> None:
    """Every problem of the link at once, each naming its field."""
    errors: list[FieldError] = []
    if link.channel_id is None:
        errors.append(FieldError("channel", _("Choose the channel this link is used in.")))
    errors += utm.check_target(link.target_url)
    errors += utm.check_utm(link.utm, settings=LinkSettings.current())
    if len(link.name) > NAME_MAX:
        errors.append(
            FieldError("name", _("Ensure this value has at most %(max)d characters.") % {"max": NAME_MAX})
        )
    if check_code:
        if not tracking.CODE_PATTERN.fullmatch(link.code) or len(link.code) < 3:
            errors.append(
                FieldError("code", _("Use 3–%(max)d letters, digits, “-” or “_”.") % {"max": CODE_MAX})
            )
        elif TrackedLink.objects.filter(code=link.code).exclude(pk=link.pk).exists():
            errors.append(FieldError("code", _("This short code is taken.")))
    if errors:
        raise ValidationFailed(
            errors[0].message if len(errors) == 1 else _("Please correct the errors below."), errors
        )


def _forget(code: str) -> None:
    # Now, and again after commit: a redirect in between may have cached the old row again.
    tracking.forget(code)
    transaction.on_commit(lambda: tracking.forget(code))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def link_create(*, campaign: Campaign, actor, data: Mapping) -> TrackedLink:
    """A tracked link of the campaign: validated against the naming rules, with a new short code.

    `utm_campaign` defaults to the campaign's number in lowercase (mc-2026-0007).
    """
    _check_manage(actor, campaign)
    values = _clean(data)
    if not values.get("utm_campaign") and campaign.number:
        values["utm_campaign"] = campaign.number.lower()
    channel = _channel(data.get("channel"))
    if data.get("channel") not in (None, "") and channel is None:
        raise field_error("channel", _("Unknown channel."))
    custom = (data.get("code") or "").strip()
    link = TrackedLink(
        campaign=campaign, channel=channel, created_by=actor, code=custom or new_code(), **values
    )
    _validate(link, check_code=bool(custom))
    for _attempt in range(5):
        try:
            # The unique index decides between two creators of the same code; the savepoint keeps
            # this transaction usable for the retry or the 422.
            with transaction.atomic():
                link.save()
            break
        except IntegrityError:
            if custom:
                raise field_error("code", _("This short code is taken."))
            link.code = new_code()
    else:  # pragma: no cover - 62^7 codes
        raise Conflict(_("No free short code was found; please try again."))
    audit_record(actor=actor, verb="link.created", obj=link, campaign=campaign, after=snapshot(link))
    _forget(link.code)  # a cached "unknown code" answer
    return link


@transaction.atomic
def link_update(*, link: TrackedLink, actor, data: Mapping) -> TrackedLink:
    """Change the target, UTM values, channel, name or active flag; the short code stays."""
    link = TrackedLink.objects.select_for_update().select_related("campaign").get(pk=link.pk)
    _check_manage(actor, link.campaign)
    before = snapshot(link)
    for name, value in _clean(data).items():
        setattr(link, name, value)
    if "channel" in data:
        channel = _channel(data.get("channel"))
        if channel is None:
            raise field_error("channel", _("Unknown channel."))
        link.channel = channel
    if "active" in data and data["active"] is not None:
        link.active = bool(data["active"])
    _validate(link, check_code=False)
    link.save()
    audit_record(
        actor=actor,
        verb="link.updated",
        obj=link,
        campaign=link.campaign,
        before=before,
        after=snapshot(link),
    )
    _forget(link.code)
    return link


@transaction.atomic
def link_delete(*, link: TrackedLink, actor) -> None:
    """Remove a link that was never used; a used one is deactivated instead, keeping its history."""
    link = TrackedLink.objects.select_for_update().select_related("campaign").get(pk=link.pk)
    _check_manage(actor, link.campaign)
    if Click.objects.filter(link=link).exists() or Conversion.objects.filter(link=link).exists():
        raise Conflict(
            _("This link has clicks or conversions; deactivate it instead so its history stays."),
            code="in_use",
        )
    audit_record(actor=actor, verb="link.deleted", obj=link, campaign=link.campaign, before=snapshot(link))
    _forget(link.code)
    link.delete()


# --- conversions --------------------------------------------------------------------------------------


class BadSignature(ApplicationError):
    """The postback's signature is missing, wrong or too old (401)."""

    def __init__(self, message, code="bad_signature"):
        super().__init__(message=message, code=code, status=401)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(
    *, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> None:
    """Raise BadSignature unless the body is signed with the organization's secret within 5 minutes."""
    if not timestamp or not signature:
        raise BadSignature(
            _("Sign the request: headers %(signature)s and %(timestamp)s are required.")
            % {"signature": SIGNATURE_HEADER, "timestamp": TIMESTAMP_HEADER},
            code="signature_missing",
        )
    try:
        sent = int(timestamp.strip())
    except ValueError:
        raise BadSignature(_("%(header)s must be Unix time in seconds.") % {"header": TIMESTAMP_HEADER})
    now = time.time() if now is None else now
    if abs(now - sent) > SIGNATURE_TOLERANCE:
        raise BadSignature(
            _("The signature has expired: the timestamp must be within 5 minutes of the server's time."),
            code="signature_expired",
        )
    expected = sign(LinkSettings.current().postback_secret, timestamp.strip(), body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise BadSignature(_("The signature does not match the request body."))


def _parse_body(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise field_error("body", _("The body must be a JSON object."))
    if not isinstance(data, dict):
        raise field_error("body", _("The body must be a JSON object."))
    return data


def _value(raw) -> Decimal:
    if raw in (None, ""):
        return Decimal("0.00")
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise field_error("value", _('Enter the conversion value as a number, e.g. "199.00".'))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise field_error("value", _('Enter the conversion value as a number, e.g. "199.00".'))
    if not value.is_finite() or value < 0 or value > VALUE_MAX:
        raise field_error("value", _("The value must be between 0 and %(max)s.") % {"max": VALUE_MAX})
    if value != value.quantize(Decimal("0.01")):
        raise field_error("value", _("The value may have at most 2 decimal places."))
    return value.quantize(Decimal("0.01"))


def _click_by_token(token: str) -> Click | None:
    click = Click.objects.select_related("link").filter(token=token).first()
    if click is None:
        # It may still wait in the buffer: write the buffer and look again.
        from .buffer import get_buffer

        get_buffer().flush()
        click = Click.objects.select_related("link").filter(token=token).first()
    return click


def conversion_postback(*, body: bytes, timestamp: str | None, signature: str | None) -> Conversion:
    """A signed postback {code or click_id, external_id, value[, at]}: verified, then recorded."""
    verify_signature(body=body, timestamp=timestamp, signature=signature)
    data = _parse_body(body)
    errors: list[FieldError] = []
    external_id = data.get("external_id")
    if (
        not isinstance(external_id, str | int)
        or isinstance(external_id, bool)
        or not str(external_id).strip()
    ):
        errors.append(
            FieldError("external_id", _("Give the order or lead id of this conversion (external_id)."))
        )
    elif len(str(external_id).strip()) > EXTERNAL_ID_MAX:
        errors.append(
            FieldError(
                "external_id",
                _("Ensure this value has at most %(max)d characters.") % {"max": EXTERNAL_ID_MAX},
            )
        )
    code, token = data.get("code"), data.get("click_id")
    if not code and not token:
        errors.append(FieldError("code", _("Name the link (code) or the click (click_id).")))
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    value = _value(data.get("value"))
    click = None
    if token:
        click = _click_by_token(str(token)[:64]) if isinstance(token, str) else None
        if click is None:
            raise field_error("click_id", _("Unknown click."))
        link = click.link
        if code and code != link.code:
            raise field_error("code", _("The click belongs to another link."))
    else:
        link = (
            TrackedLink.objects.filter(code=str(code)[:CODE_MAX]).first() if isinstance(code, str) else None
        )
        if link is None:
            raise field_error("code", _("Unknown link."))
    return conversion_record(link=link, click=click, external_id=str(external_id).strip(), value=value)


def conversion_record(
    *,
    link: TrackedLink,
    external_id: str,
    value: Decimal,
    click: Click | None = None,
    at: dt.datetime | None = None,
) -> Conversion:
    """Store a conversion of the link; the same external id twice for one link is a replay (409)."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            return Conversion.objects.create(
                link=link,
                click=click,
                external_id=external_id,
                value=value,
                at=at,
                day=tracking.local_day(at),
            )
    except IntegrityError:
        raise Conflict(
            _("Conversion “%(id)s” of this link was recorded already.") % {"id": external_id}, code="replayed"
        )
