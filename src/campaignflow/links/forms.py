"""Web forms of the links pages. They parse input only; the services hold every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.forms import ServiceFormMixin
from campaignflow.metrics.models import Channel


class LinkForm(ServiceFormMixin, forms.Form):
    """A new tracked link: channel, target and UTM values (checked by links.services)."""

    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.order_by("name"))
    target_url = forms.CharField(
        label=_("Target URL"),
        max_length=2000,
        widget=forms.URLInput(attrs={"class": "wide", "placeholder": "https://"}),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    utm_source = forms.CharField(
        label="utm_source", max_length=100, required=False, help_text=_("e.g. wechat")
    )
    utm_medium = forms.CharField(
        label="utm_medium", max_length=100, required=False, help_text=_("e.g. paid_social")
    )
    utm_campaign = forms.CharField(
        label="utm_campaign", max_length=100, required=False, help_text=_("Empty: the campaign's number")
    )
    utm_content = forms.CharField(label="utm_content", max_length=100, required=False)
    utm_term = forms.CharField(label="utm_term", max_length=100, required=False)
    code = forms.CharField(
        label=_("Short code"), max_length=32, required=False, help_text=_("Empty: a random code")
    )


class LinkSettingsForm(ServiceFormMixin, forms.Form):
    """The organization's UTM naming rules."""

    lowercase = forms.BooleanField(label=_("UTM values must be lowercase"), required=False)
    allowed_sources = forms.CharField(
        label=_("Allowed sources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "wide"}),
        help_text=_("Separated by commas or spaces; empty allows any source."),
    )
    allowed_mediums = forms.CharField(
        label=_("Allowed mediums"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "wide"}),
        help_text=_("Separated by commas or spaces; empty allows any medium."),
    )
