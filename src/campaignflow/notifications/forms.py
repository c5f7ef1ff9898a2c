"""Web forms for e-mail preferences and webhooks: they parse, the services check and save."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.forms import ServiceFormMixin

from .choices import Event, WebhookKind


class PreferencesForm(ServiceFormMixin, forms.Form):
    """The events the user wants by e-mail (the service stores the complement: the ones switched off)."""

    email_on = forms.MultipleChoiceField(
        label=_("E-mail me about"),
        choices=Event.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "wide"}),
        help_text=_("Everything also appears under the bell, whatever you choose here."),
    )

    def email_off(self) -> list[str]:
        chosen = set(self.service_data().get("email_on") or [])
        return [event for event in Event.values if event not in chosen]


class WebhookForm(ServiceFormMixin, forms.Form):
    """A team chat robot or an HTTP endpoint. On edit an empty secret keeps the stored one."""

    kind = forms.ChoiceField(label=_("Platform"), choices=WebhookKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "half"}),
        help_text=_("For example: Marketing group chat."),
    )
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=1000,
        widget=forms.URLInput(attrs={"class": "wide", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The address the platform gave when the robot was added; it is shown masked once saved."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password", "class": "half"}
        ),
        help_text=_(
            "DingTalk and Feishu: the secret shown when signature verification is switched on. "
            "Generic: any shared secret; each request then carries X-CampaignFlow-Signature. "
            "WeCom and Slack do not use one."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Event.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "wide"}),
        help_text=_("Leave all unticked to hear about every event."),
    )
    language = forms.ChoiceField(label=_("Language of the messages"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["language"].choices = [("", _("Site default")), *settings.LANGUAGES]
        if editing:
            # The stored URL holds the robot's token: never put it back into the page.
            self.fields["url"].required = False
            self.fields["url"].help_text = _("Leave empty to keep the current address.")
            self.fields["secret"].help_text = _("Leave empty to keep the stored secret.")
            self.fields["clear_secret"] = forms.BooleanField(
                label=_("Remove the stored secret"), required=False
            )

    def webhook_data(self) -> dict:
        """The service's `data`: on edit, no secret means keep it and `clear_secret` means remove it."""
        data = self.service_data()
        result = {key: data.get(key) for key in ("kind", "name", "url", "events", "language", "active")}
        if self.editing and not result["url"]:
            del result["url"]
        result["events"] = list(result["events"] or [])
        result["language"] = result["language"] or ""
        result["active"] = bool(result["active"])
        secret = data.get("secret") or ""
        if not self.editing:
            result["secret"] = secret
        elif data.get("clear_secret"):
            result["secret"] = ""
        elif secret:
            result["secret"] = secret
        return result
