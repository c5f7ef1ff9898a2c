"""In-app notifications, the delivery outbox, webhooks and each person's e-mail preferences."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DeliveryStatus, WebhookKind

USER = settings.AUTH_USER_MODEL


class Notification(models.Model):
    """One message to one person, shown in the bell; rendered in the recipient's language."""

    recipient = models.ForeignKey(
        USER, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Webhook(models.Model):
    """A chat robot or HTTP endpoint that hears about events: a team's (campaign) or a person's own.

    The URL of a chat robot is itself a credential (whoever has it can post to the group), so both
    the URL and the secret are shown masked once saved.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    user = models.ForeignKey(
        USER,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    kind = models.CharField(_("platform"), max_length=20, choices=WebhookKind.choices)
    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("webhook URL"), max_length=1000)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    # Event keys this webhook hears about; empty means every event.
    events = models.JSONField(_("events"), default=list, blank=True)
    # Language of the messages; empty means the site's default language.
    language = models.CharField(_("language"), max_length=10, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_sent_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(campaign__isnull=True) & models.Q(user__isnull=False))
                | (models.Q(campaign__isnull=False) & models.Q(user__isnull=True)),
                name="webhook_belongs_to_campaign_or_user",
            )
        ]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def hears(self, event: str) -> bool:
        return not self.events or event in self.events

    @property
    def is_failing(self) -> bool:
        """The last thing that happened was an error."""
        if not self.last_error_at:
            return False
        return self.last_sent_at is None or self.last_error_at > self.last_sent_at


class NotificationPreference(models.Model):
    """A person's e-mail choices: the events they do not want by e-mail (the bell always shows them)."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="notification_preference", primary_key=True
    )
    email_off = models.JSONField(_("no e-mail for"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, event: str) -> bool:
        return event not in (self.email_off or [])


class Delivery(models.Model):
    """An outbox row: one e-mail or one webhook call, written in the business transaction.

    The worker claims it, sends it and records the outcome; a failed attempt is retried with
    backoff until MAX_ATTEMPTS, then the row is dead. `payload` holds the rendered message in one
    language; the platform's wire format and its signature are built at send time, because the
    signatures include the current time.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The e-mail address for e-mail; empty for webhooks (the webhook's URL is read at send time).
    target = models.CharField(_("to"), max_length=254, blank=True)
    event = models.CharField(_("event"), max_length=60)
    payload = models.JSONField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.channel} {self.event} #{self.pk} ({self.status})"


class NotificationOnce(models.Model):
    """A key `notify_once` has used. The unique key makes a reminder go out once even when two sweeps race."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self) -> str:
        return self.key
