"""Web forms of the execution pages: they parse POSTed text into typed values and nothing more;
the services hold every rule (campaigns.forms explains the pattern)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.forms import DateInput, ServiceFormMixin, ServiceModelForm, _textarea
from campaignflow.campaigns.models import Campaign, Risk

from .choices import TaskStatus
from .models import ActionItem, LogEntry, Meeting, Task
from .services.tasks import member_choices


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


def _team(campaign: Campaign):
    from campaignflow.accounts.models import User

    return User.objects.filter(pk__in=member_choices(campaign).values("user_id")).order_by("username")


class TaskForm(ServiceModelForm):
    """Every field of a task, for the campaign's managers."""

    class Meta:
        model = Task
        fields = (
            "name",
            "owner",
            "collaborating_department",
            "planned_start",
            "planned_finish",
            "status",
            "actual_finish",
            "delay_reason",
            "is_milestone",
            "depends_on",
        )
        widgets = {
            "name": forms.TextInput(attrs={"class": "half"}),
            "planned_start": DateInput(),
            "planned_finish": DateInput(),
            "actual_finish": DateInput(),
            "delay_reason": forms.Textarea(attrs={"rows": 2}),
            "depends_on": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, campaign: Campaign, tasks: list[Task] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["owner"].queryset = _team(campaign)
        others = Task.objects.filter(campaign=campaign)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.initial.setdefault("depends_on", getattr(self.instance, "predecessor_ids", None) or [])
        self.fields["depends_on"].queryset = others
        self.fields["depends_on"].required = False
        self.fields["status"].choices = TaskStatus.choices

    def service_data(self) -> dict:
        data = super().service_data()
        data["depends_on"] = list(data.get("depends_on") or [])
        data["delay_reason"] = data.get("delay_reason") or ""
        return data


class ProgressForm(ServiceFormMixin, forms.Form):
    """What a task's owner reports: status, actual finish and, when late, why."""

    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    actual_finish = forms.DateField(label=_("Actual finish"), required=False, widget=DateInput())
    delay_reason = forms.CharField(
        label=_("Delay reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(ServiceFormMixin, forms.Form):
    """One status change from the kanban board."""

    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)


class BaselineForm(ServiceFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.TextInput(attrs={"class": "wide"})
    )


class MeetingForm(ServiceModelForm):
    class Meta:
        model = Meeting
        fields = ("kind", "date", "attendees", "notes", "decisions")
        widgets = {
            "date": DateInput(),
            "attendees": forms.CheckboxSelectMultiple(),
            "notes": _textarea(3),
            "decisions": _textarea(2),
        }

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _team(campaign)
        self.fields["attendees"].required = False


class ActionItemForm(ServiceModelForm):
    class Meta:
        model = ActionItem
        fields = ("description", "owner", "due")
        widgets = {"description": forms.TextInput(attrs={"class": "half"}), "due": DateInput()}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _team(campaign)


class LogEntryForm(ServiceModelForm):
    class Meta:
        model = LogEntry
        fields = ("kind", "description", "handling", "result", "risk")
        widgets = {"description": _textarea(2), "handling": _textarea(2), "result": _textarea(2)}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = Risk.objects.filter(campaign=campaign)
