"""Web pages: the notification list behind the bell, personal settings, and a campaign's webhooks.

Views parse input, call one service or selector and render; htmx requests get partials from the
same views. Errors from services become responses through campaignflow.web.errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.web.errors import call_service, web_view

from . import permissions, selectors, services
from .choices import Event
from .forms import PreferencesForm, WebhookForm
from .models import Webhook

PAGE_SIZE = 30


# --- the bell and the list ------------------------------------------------------------------------


def _list_context(request: HttpRequest) -> dict:
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notification_list(user=request.user, unread=True if unread_only else None)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "notifications": page.object_list,
        "unread_only": unread_only,
        "unread_count": selectors.unread_count(user=request.user),
    }


@web_view
def inbox(request: HttpRequest) -> HttpResponse:
    """Everything that concerns the user, newest first; `?show=unread` for the unread ones."""
    template = "notifications/partials/list.html" if request.htmx else "notifications/inbox.html"
    return render(request, template, _list_context(request))


@web_view
def bell(request: HttpRequest) -> HttpResponse:
    """The top bar's bell with its unread count; htmx polls it."""
    return render(
        request, "notifications/partials/bell.html", {"count": selectors.unread_count(user=request.user)}
    )


@require_POST
@web_view
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    if not request.htmx:
        return redirect("notifications:inbox")
    context = {"notification": notification, "count": selectors.unread_count(user=request.user)}
    return render(request, "notifications/partials/item_response.html", context)


@require_POST
@web_view
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = services.notifications_mark_all_read(user=request.user)
    if not request.htmx:
        messages.success(request, _("%(count)d notifications marked read.") % {"count": changed})
        return redirect("notifications:inbox")
    context = _list_context(request) | {"count": 0, "oob": True}
    return render(request, "notifications/partials/list_response.html", context)


@web_view
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:inbox")
    return redirect(target)


# --- personal settings -------------------------------------------------------------------------------


@web_view
def settings_page(request: HttpRequest) -> HttpResponse:
    """E-mail preferences per event and the user's personal webhooks."""
    user = request.user
    preference = selectors.preference_for(user=user)
    initial = {"email_on": [event for event in Event.values if preference.wants_email(event)]}
    preferences_form = PreferencesForm(initial=initial, prefix="email")
    webhook_form = WebhookForm(prefix="webhook")
    status, preferences_error, webhook_error = 200, None, None
    if request.method == "POST" and request.POST.get("form") == "preferences":
        preferences_form = PreferencesForm(request.POST, prefix="email")
        outcome = call_service(
            services.preferences_update,
            form=preferences_form,
            user=user,
            email_off=preferences_form.email_off(),
        )
        if outcome.ok:
            messages.success(request, _("Your e-mail preferences are saved."))
            return redirect("notifications:settings")
        status, preferences_error = outcome.status, outcome.error
    elif request.method == "POST" and request.POST.get("form") == "webhook":
        webhook_form = WebhookForm(request.POST, prefix="webhook")
        outcome = call_service(
            services.webhook_create, form=webhook_form, actor=user, data=webhook_form.webhook_data()
        )
        if outcome.ok:
            messages.success(request, _("Webhook “%(name)s” added.") % {"name": outcome.value.name})
            return redirect("notifications:settings")
        status, webhook_error = outcome.status, outcome.error
    context = {
        "preferences_form": preferences_form,
        "preferences_error": preferences_error,
        "form": webhook_form,
        "error": webhook_error,
        "webhooks": selectors.personal_webhooks(user=user),
    }
    return render(request, "notifications/settings.html", context, status=status)


# --- webhooks --------------------------------------------------------------------------------------------


def _webhooks_page(webhook: Webhook) -> str:
    if webhook.campaign_id:
        return reverse("notifications:campaign_webhooks", args=[webhook.campaign_id])
    return reverse("notifications:settings")


@web_view
def campaign_webhooks(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's Integrations tab: its team chat webhooks, for the owner and project managers."""
    campaign = campaign_selectors.campaign_get(user=request.user, pk=pk)
    permissions.require_campaign_manager(request.user, campaign)
    form = WebhookForm(request.POST or None, prefix="webhook")
    status, error = 200, None
    if request.method == "POST":
        outcome = call_service(
            services.webhook_create,
            form=form,
            actor=request.user,
            campaign=campaign,
            data=form.webhook_data(),
        )
        if outcome.ok:
            messages.success(request, _("Webhook “%(name)s” added.") % {"name": outcome.value.name})
            return redirect("notifications:campaign_webhooks", pk=campaign.pk)
        status, error = outcome.status, outcome.error
    context = {
        "campaign": campaign,
        "webhooks": selectors.campaign_webhooks(campaign=campaign),
        "form": form,
        "error": error,
    }
    return render(request, "notifications/campaign_webhooks.html", context, status=status)


@web_view
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = selectors.webhook_get(user=request.user, pk=pk)
    permissions.require_webhook_manager(request.user, webhook)
    initial = {
        "kind": webhook.kind,
        "name": webhook.name,
        "events": webhook.events,
        "language": webhook.language,
        "active": webhook.active,
    }
    form = WebhookForm(request.POST or None, initial=initial, editing=True, prefix="webhook")
    status, error = 200, None
    if request.method == "POST":
        outcome = call_service(
            services.webhook_update, form=form, actor=request.user, webhook=webhook, data=form.webhook_data()
        )
        if outcome.ok:
            messages.success(request, _("Webhook “%(name)s” saved.") % {"name": outcome.value.name})
            return redirect(_webhooks_page(webhook))
        status, error = outcome.status, outcome.error
    context = {"webhook": webhook, "form": form, "error": error, "back": _webhooks_page(webhook)}
    return render(request, "notifications/webhook_edit.html", context, status=status)


@require_POST
@web_view
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = selectors.webhook_get(user=request.user, pk=pk)
    back = _webhooks_page(webhook)
    services.webhook_delete(actor=request.user, webhook=webhook)
    messages.success(request, _("Webhook “%(name)s” removed.") % {"name": webhook.name})
    return redirect(back)


@require_POST
@web_view
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a test message now; htmx shows the outcome beside the button."""
    webhook = selectors.webhook_get(user=request.user, pk=pk)
    outcome = services.webhook_test(actor=request.user, webhook=webhook)
    if request.htmx:
        return render(
            request, "notifications/partials/test_result.html", {"outcome": outcome, "webhook": webhook}
        )
    if outcome.ok:
        messages.success(request, _("The test message was delivered."))
    else:
        messages.error(request, _("The test message failed: %(error)s") % {"error": outcome.error})
    return redirect(_webhooks_page(webhook))
