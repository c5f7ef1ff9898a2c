"""Web forms of the metrics pages. They parse input only; the services hold every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.forms import DateInput, ServiceFormMixin

from .imports.headers import presets
from .models import Channel

COUNT_FIELDS = (
    ("impressions", _("Impressions")),
    ("clicks", _("Clicks")),
    ("conversions", _("Conversions")),
    ("new_users", _("New users")),
    ("leads", _("Leads")),
    ("mqls", _("MQLs")),
    ("opportunities", _("Opportunities")),
    ("visits", _("Visits")),
    ("negative_comments", _("Negative comments")),
)
AMOUNT_FIELDS = (("revenue", _("Revenue")), ("cost", _("Cost")))
# The grid's columns, in the order of Table 3 and then the lead funnel.
GRID_FIELDS = (
    "impressions",
    "clicks",
    "conversions",
    "new_users",
    "revenue",
    "cost",
    "leads",
    "mqls",
    "opportunities",
    "visits",
    "negative_comments",
)


class DailyMetricForm(ServiceFormMixin, forms.Form):
    """One channel's day in the grid. Empty cells are 0; the service checks the rest."""

    def __init__(self, *args, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(COUNT_FIELDS) | dict(AMOUNT_FIELDS)
        for name in GRID_FIELDS:
            if name in dict(AMOUNT_FIELDS):
                field = forms.DecimalField(
                    label=labels[name], required=False, decimal_places=2, max_digits=16
                )
            else:
                field = forms.IntegerField(label=labels[name], required=False)
            field.widget.attrs.update({"class": "grid-input", "inputmode": "decimal"})
            self.fields[name] = field
        self.fields["note"] = forms.CharField(label=_("Note"), required=False, max_length=500)
        self.fields["note"].widget.attrs.update({"class": "grid-input grid-note"})
        if form_id:  # the inputs sit in table cells outside the <form>; this ties them to it
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    preset = forms.ChoiceField(label=_("Export format"), required=False)
    channel = forms.ModelChoiceField(
        label=_("Channel of rows without one"), queryset=Channel.objects.order_by("name"), required=False
    )
    dry_run = forms.BooleanField(label=_("Check only (dry run)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", _("Automatic (Chinese or English headers)"))] + [
            (preset.key, preset.name) for preset in presets().values()
        ]
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv,.xlsx,.xlsm"


class KpiFilterForm(forms.Form):
    """The dashboard's window and channel."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), required=False)

    def __init__(self, *args, channels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = (
            channels if channels is not None else Channel.objects.order_by("name")
        )
        self.fields["channel"].empty_label = _("All channels")

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"date_from": None, "date_to": None, "channel_id": None}
        data = self.cleaned_data
        channel = data.get("channel")
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "channel_id": channel.pk if channel else None,
        }
