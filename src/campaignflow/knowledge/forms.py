"""Web forms of the knowledge base. They parse input only; the services hold every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import Filters


class SearchForm(forms.Form):
    """The search box and filters; a field that does not parse is ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False)
    scenario = forms.CharField(label=_("Scenario"), required=False, max_length=40)
    channel = forms.CharField(label=_("Channel"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=9999)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)
    department = forms.IntegerField(label=_("Department"), required=False, min_value=1, max_value=2**63 - 1)

    def values(self) -> tuple[str, Filters]:
        self.is_valid()
        data = self.cleaned_data
        filters = Filters(
            scenario=data.get("scenario") or "",
            channel=data.get("channel") or "",
            year=data.get("year"),
            tag=data.get("tag") or "",
            department=data.get("department"),
        )
        return data.get("q") or "", filters


class LabelsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=2000, help_text=_("Separate with commas.")
    )
    keywords = forms.CharField(
        label=_("Keywords"), required=False, max_length=2000, help_text=_("Separate with commas.")
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), required=False, max_length=200)
