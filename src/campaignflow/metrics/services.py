"""Writes to org-level metric data: channels (daily metrics and definitions join later)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.core.errors import Forbidden, field_error

from . import permissions
from .choices import ChannelKind
from .models import Channel

NAME_MAX = Channel._meta.get_field("name").max_length


@transaction.atomic
def channel_create(*, actor, name: str, kind: str = ChannelKind.OTHER, online: bool = True) -> Channel:
    """Add a channel to the organization's list; names are unique regardless of case."""
    if not permissions.can_manage_channels(actor):
        raise Forbidden(_("Only administrators and data analysts may add channels."))
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("This field is required."))
    if len(name) > NAME_MAX:
        raise field_error("name", _("Ensure this value has at most %(max)d characters.") % {"max": NAME_MAX})
    if kind not in ChannelKind.values:
        raise field_error(
            "kind",
            _("Unknown kind “%(kind)s”; choose from %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(ChannelKind.values)},
        )
    duplicate = field_error("name", _("A channel with this name already exists."))
    if Channel.objects.filter(name__iexact=name).exists():
        raise duplicate
    try:
        # A concurrent create of the same name can pass the check above on PostgreSQL; the unique
        # index decides, and the savepoint keeps the outer transaction usable for the 422.
        with transaction.atomic():
            channel = Channel.objects.create(name=name, kind=kind, online=bool(online))
    except IntegrityError:
        raise duplicate
    audit_record(actor=actor, verb="channel.created", obj=channel, after=snapshot(channel))
    return channel
