"""Admin views for operators: the outbox and its errors, webhooks (secret hidden), notifications."""

from django.contrib import admin

from .models import Delivery, Notification, Webhook


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "channel",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel", "event")
    search_fields = ("target", "event", "last_error")
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "campaign", "user", "active", "last_sent_at", "last_error_at")
    list_filter = ("kind", "active")
    search_fields = ("name",)
    # The secret is write-only everywhere; change it on the webhook's settings page or the API.
    exclude = ("secret",)
    raw_id_fields = ("campaign", "user", "created_by")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "event", "created_at", "read_at")
    list_filter = ("event",)
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient", "campaign", "actor")
