"""Forms of the reports pages: they parse input; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import ITEM_FIELDS, SUMMARY_MAX, TEXT_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GenerateForm(forms.Form):
    date = forms.DateField(label=_("Day"), required=False, widget=DATE)


class ReviewCreateForm(forms.Form):
    period_from = forms.DateField(label=_("Period from"), widget=DATE)
    period_to = forms.DateField(label=_("Period to"), widget=DATE)
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class ItemForm(forms.Form):
    stage_target = forms.DecimalField(
        label=_("Stage target"), required=False, max_digits=18, decimal_places=4
    )
    cause = forms.CharField(
        label=_("Cause"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    adjustment = forms.CharField(
        label=_("Adjustment"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_effect = forms.CharField(
        label=_("Expected effect"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_data(self) -> dict:
        data = getattr(self, "cleaned_data", {}) or {}
        return {name: data.get(name) for name in ITEM_FIELDS}
