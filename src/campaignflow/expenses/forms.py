"""Web forms of the Budget tab: they parse POSTed text into typed values and nothing more; the
services hold every rule (campaigns.forms explains the pattern)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.forms import DateInput, ServiceFormMixin
from campaignflow.campaigns.models import BudgetLine, Campaign


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BudgetLine) -> str:
        label = (
            f"{obj.get_category_display()} · {obj.label}" if obj.label else str(obj.get_category_display())
        )
        return f"{label} · {obj.channel.name}" if obj.channel_id else label


class ExpenseForm(ServiceFormMixin, forms.Form):
    """An expense's fields; the attachment is passed to the service separately."""

    budget_line = BudgetLineChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    reference = forms.CharField(label=_("Invoice or contract reference"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Scanned invoice, receipt or contract: PDF, JPG, PNG or XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.xlsx"}),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = (
            BudgetLine.objects.filter(campaign=campaign).select_related("channel").order_by("id")
        )

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("attachment", None)
        return data


class EditExpenseForm(ExpenseForm):
    """Editing keeps the current attachment unless a new file is chosen."""

    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("remove_attachment", None)
        return data


PREFIX = "explanations."


class SettlementForm(forms.Form):
    """One explanation per category of the settlement; fields are named like the service's errors
    ("explanations.promotion"), so a missing explanation shows under its own input."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            self.fields[f"{PREFIX}{row.category}"] = forms.CharField(
                label=row.label,
                required=False,
                max_length=2000,
                initial=row.explanation,
                widget=forms.Textarea(attrs={"rows": 2, "class": "wide"}),
            )

    def explanations(self) -> dict:
        self.is_valid()
        return {name.removeprefix(PREFIX): (self.cleaned_data.get(name) or "") for name in self.fields}


class DecisionForm(ServiceFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
