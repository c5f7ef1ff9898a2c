"""Events people hear about, the channels that carry them and the life of an outbox row."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """What happened. `notify()` accepts any key; these are the ones people can filter on."""

    TASK_ASSIGNED = "task.assigned", _("Task assigned")
    TASK_DUE_SOON = "task.due_soon", _("Task due within 24 hours")
    TASK_OVERDUE = "task.overdue", _("Task overdue")
    APPROVAL_REQUESTED = "approval.requested", _("Approval requested")
    APPROVAL_DECIDED = "approval.decided", _("Approval decided")
    CHANGE_REQUEST_REQUESTED = "change_request.requested", _("Change request submitted")
    CHANGE_REQUEST_DECIDED = "change_request.decided", _("Change request decided")
    ALERT_OPENED = "alert.opened", _("Alert opened")
    ALERT_ESCALATED = "alert.escalated", _("Alert escalated (no response within 24 hours)")
    ALERT_ACKNOWLEDGED = "alert.acknowledged", _("Alert answered with a response plan")
    REPORT_DAILY = "report.daily", _("Daily data report")
    BUDGET_OVERSPENT = "budget.overspent", _("Budget overspent")


# Sent by the "send test message" button; never stored as a notification.
TEST_EVENT = "webhook.test"


class Channel(models.TextChoices):
    """How a delivery leaves the system (the in-app notification needs no delivery)."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class WebhookKind(models.TextChoices):
    """The receiving platform; each has its own message format and signature."""

    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu bot")
    WECOM = "wecom", _("WeCom group robot")
    SLACK = "slack", _("Slack incoming webhook")
    GENERIC = "generic", _("Generic webhook (HMAC-signed JSON)")


# Kinds whose receiver checks a shared secret; the others ignore it.
SIGNED_KINDS = (WebhookKind.DINGTALK, WebhookKind.FEISHU, WebhookKind.GENERIC)


class DeliveryStatus(models.TextChoices):
    """Where an outbox row is. Rows are written with the business change and never deleted by the worker."""

    PENDING = "pending", _("Pending")  # committed with the business write; due at next_attempt_at
    SENDING = "sending", _("Sending")  # claimed by a worker until lease_expires_at; due again after it
    SENT = "sent", _("Sent")  # the receiver accepted it; final
    FAILED = "failed", _("Failed, will retry")  # the last attempt failed; retried at next_attempt_at
    DEAD = "dead", _("Given up")  # out of attempts, or its webhook was removed or switched off; final
