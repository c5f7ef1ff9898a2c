"""Web forms for the plan: they turn POSTed text into typed values and nothing more.

Business rules (non-negative amounts, dates in order, one line per budget category, …) live in
the services; a form only parses, so a rule is never written twice. Model forms are used for their
labels, widgets and choices, with Django's model validation switched off (`_post_clean`): the
service runs it and reports it as an ApplicationError, which the view attaches to these fields.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaignflow.accounts.models import Department, User

from . import scenarios
from .choices import CampaignStatus
from .models import BudgetLine, Campaign, Goal, Milestone, Persona, RequirementsBrief, Risk
from .services import BRIEF_FIELDS, ITEM_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros and never in exponent notation."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "wide"})


class ServiceFormMixin:
    """`service_data()`: the parsed values keyed by field name, safe to call before validation.

    Views pass it straight to a service through web.errors.call_service, which does not call the
    service when the form is invalid, so partial data never reaches it.
    """

    def service_data(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) for name in self.fields}


class ServiceModelForm(ServiceFormMixin, forms.ModelForm):
    """A model form that parses only; the service validates and saves."""

    def _post_clean(self) -> None:
        # Deliberately empty: the service validates the model (one place for every rule).
        return None


class PlanForm(ServiceModelForm):
    """Table 1 fields of the campaign plan."""

    class Meta:
        model = Campaign
        # services.PLAN_FIELDS in the order of Table 1's header, then the free-text parts.
        # Laid out as two columns: name, theme and format on the left, the dates on the right.
        fields = (
            "name",
            "planned_on",
            "theme",
            "start_date",
            "format",
            "end_date",
            "background",
            "target_audience",
            "core_message",
        )
        widgets = {
            "name": forms.TextInput(attrs={"class": "half"}),
            "theme": forms.TextInput(attrs={"class": "half"}),
            "format": forms.TextInput(attrs={"class": "half"}),
            "planned_on": DateInput(),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "background": _textarea(4),
            "target_audience": _textarea(3),
            "core_message": _textarea(2),
        }


class BriefForm(ServiceModelForm):
    """The requirements brief (活动需求说明书)."""

    class Meta:
        model = RequirementsBrief
        fields = BRIEF_FIELDS
        widgets = {
            "business_need": _textarea(3),
            "objectives": _textarea(3),
            "target_audience": _textarea(2),
            "core_message": _textarea(2),
            "key_dates": _textarea(2),
            "constraints": _textarea(2),
        }


class PlanItemForm(ServiceModelForm):
    """Base of the inline row forms; `campaign` narrows the choices of related fields."""

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if "owner" in self.fields:
            self.fields["owner"].queryset = (
                User.objects.filter(is_active=True)
                .filter(Q(department_id=campaign.department_id) | Q(memberships__campaign=campaign))
                .distinct()
                .order_by("username")
            )


class GoalForm(PlanItemForm):
    class Meta:
        model = Goal
        fields = ITEM_FIELDS[Goal]
        widgets = {"deadline": DateInput()}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, campaign=campaign, **kwargs)
        parents = Goal.objects.filter(campaign=campaign)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        for name in ("baseline", "target"):
            # 1000000.0000 reads better as 1000000 in the input.
            if isinstance(self.initial.get(name), Decimal):
                self.initial[name] = _plain(self.initial[name])


class BudgetLineForm(PlanItemForm):
    class Meta:
        model = BudgetLine
        fields = ITEM_FIELDS[BudgetLine]
        widgets = {"amount": forms.NumberInput(attrs={"step": "0.01"})}


class RiskForm(PlanItemForm):
    class Meta:
        model = Risk
        fields = ITEM_FIELDS[Risk]
        widgets = {
            "description": _textarea(2),
            "response": _textarea(2),
            "probability": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }


class MilestoneForm(PlanItemForm):
    class Meta:
        model = Milestone
        fields = ITEM_FIELDS[Milestone]
        widgets = {"date": DateInput()}


class PersonaForm(PlanItemForm):
    class Meta:
        model = Persona
        fields = ITEM_FIELDS[Persona]
        widgets = {"description": _textarea(2)}


class CampaignCreateForm(ServiceFormMixin, forms.Form):
    """A new draft: a scenario template (or blank), a name, a department and dates."""

    template = forms.ChoiceField(label=_("Scenario template"), required=False, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Campaign name"), max_length=200)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to use the template's usual duration."),
    )
    budget_total = forms.DecimalField(
        label=_("Total budget"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text=_("Split across the budget categories by the template; leave empty for its default."),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["template"].choices = [("", _("Blank plan"))] + [
            (key, scenarios.localized(data["name"])) for key, data in scenarios.available().items()
        ]


class CampaignFilterForm(forms.Form):
    """Filters of the campaign list; invalid values are ignored rather than refused."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *CampaignStatus.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.all(),
        empty_label=_("All departments"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def filters(self) -> dict:
        """Keyword arguments for selectors.campaign_list from the fields that parsed."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        department = data.get("department")
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "department": department.pk if department else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class CommentForm(ServiceFormMixin, forms.Form):
    """The optional comment of a lifecycle action (required for reject and cancel by the service)."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "wide"}),
    )
