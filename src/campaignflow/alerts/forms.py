"""Web forms of the alerts app; the services check everything again, these only parse."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from campaignflow.metrics.models import Channel
from campaignflow.metrics.selectors import metric_definitions

from .choices import PERCENT_CONDITIONS, Condition, Severity, Window
from .conditions import plain
from .models import AlertRule

HUNDRED = Decimal(100)


class AlertRuleForm(forms.Form):
    """A rule as a person writes it: percentages in percent (30), stored as fractions (0.3)."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Optional"))
    metric = forms.ChoiceField(label=_("Metric"))
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.order_by("name"),
        required=False,
        empty_label=_("All channels (campaign totals)"),
    )
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    threshold = forms.DecimalField(
        label=_("Threshold"),
        max_digits=18,
        decimal_places=4,
        help_text=_(
            "X in percent for the “X %” conditions (30 for 30 %); N in the metric's unit for “above N”."
        ),
    )
    window = forms.ChoiceField(label=_("Judged over"), choices=Window.choices, initial=Window.DAY)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.WARNING)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, instance: AlertRule | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            threshold = instance.threshold
            if instance.condition in PERCENT_CONDITIONS:
                threshold = plain(threshold * HUNDRED)
            else:
                threshold = plain(threshold)
            kwargs["initial"] = {
                "name": instance.name,
                "metric": instance.metric,
                "channel": instance.channel_id,
                "condition": instance.condition,
                "threshold": threshold,
                "window": instance.window,
                "severity": instance.severity,
                "active": instance.active,
            }
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(d.key, f"{d.name} ({d.key})") for d in metric_definitions()]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        threshold = data.get("threshold")
        if threshold is not None and data.get("condition") in PERCENT_CONDITIONS:
            data["threshold"] = threshold / HUNDRED
        return data


class AcknowledgeForm(forms.Form):
    # Not required here: the service says what a response plan must contain, for API and web alike.
    response_plan = forms.CharField(
        label=_("Response plan"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What will be done, by whom and by when."),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("Resolution note"), required=False, max_length=2000)
