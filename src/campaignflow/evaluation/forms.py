"""Forms of the Evaluation tab: they parse input; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TEXT_MAX

TEXTAREA = {"rows": 3}


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(TEXTAREA)
    )
    what_worked = forms.CharField(
        label=_("What worked"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(TEXTAREA)
    )
    what_did_not = forms.CharField(
        label=_("What did not work"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(TEXTAREA)
    )
    keep = forms.CharField(
        label=_("Keep"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(TEXTAREA)
    )
    change = forms.CharField(
        label=_("Change"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(TEXTAREA)
    )
    try_next = forms.CharField(
        label=_("Try next time"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(TEXTAREA)
    )
    meeting = forms.TypedChoiceField(
        label=_("Retrospective meeting"), required=False, coerce=int, empty_value=None
    )
    meeting_notes = forms.CharField(
        label=_("Retrospective notes"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(TEXTAREA)
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", "—")] + [(m.pk, str(m)) for m in meetings]


class DimensionForm(forms.Form):
    analysis = forms.CharField(
        label=_("Analysis"), required=False, max_length=TEXT_MAX, widget=forms.Textarea({"rows": 2})
    )
    actual = forms.DecimalField(label=_("Actual"), required=False, max_digits=20, decimal_places=6)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
