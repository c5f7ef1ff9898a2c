"""Web forms of the A/B test pages. They parse input only; the services hold every rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.forms import ServiceFormMixin

from .choices import DataSource, PrimaryMetric

MAX_VARIANTS = 6  # services.MAX_VARIANTS; a link select for each possible variant line


def link_field_name(index: int) -> str:
    """The select of the n-th variant line's link, named like the service's error for it."""
    return f"variants.{index}.link"


class ExperimentForm(ServiceFormMixin, forms.Form):
    """A new test's design. Variants are one per line, the first being the control."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"class": "wide"}))
    hypothesis = forms.CharField(
        label=_("Hypothesis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "wide"}),
        help_text=_("What you change, what you expect and why, e.g. “A price-led headline raises sign-ups”."),
    )
    variants = forms.CharField(
        label=_("Variants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line; the first is the control. With daily data, name each after its channel; "
            "with tracked links, choose each line's link below."
        ),
    )
    metric = forms.ChoiceField(label=_("Primary metric"), choices=PrimaryMetric.choices)
    data_source = forms.ChoiceField(label=_("Data source"), choices=DataSource.choices)
    mde = forms.FloatField(
        label=_("Minimum detectable effect"),
        initial=0.1,
        help_text=_("Relative change: 0.10 means 10 percent above control."),
    )
    alpha = forms.FloatField(label=_("Significance level (alpha)"), initial=0.05)
    power = forms.FloatField(label=_("Power"), initial=0.8)
    sequential = forms.BooleanField(
        label=_("Safe to peek (sequential)"),
        required=False,
        help_text=_(
            "Results may be read at any time without inflating false positives; needs a little more traffic."
        ),
    )
    baseline_rate = forms.FloatField(
        label=_("Baseline conversion rate"), required=False, help_text=_("e.g. 0.035")
    )
    baseline_mean = forms.FloatField(label=_("Baseline revenue per visitor"), required=False)
    baseline_sd = forms.FloatField(label=_("Standard deviation of revenue per visitor"), required=False)
    daily_visitors = forms.IntegerField(label=_("Expected visitors per day (all variants)"), required=False)

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        # With the tracked-link source each variant line gets a link of the campaign; the page
        # shows these selects only while that source is chosen (class "variant-link").
        if campaign is not None:
            choices = [("", "—")] + [(link.pk, str(link)) for link in campaign.tracked_links.order_by("pk")]
            for index in range(MAX_VARIANTS):
                label = (
                    _("Tracked link of variant %(n)d (control)")
                    if index == 0
                    else _("Tracked link of variant %(n)d")
                )
                self.fields[link_field_name(index)] = forms.ChoiceField(
                    label=label % {"n": index + 1},
                    choices=choices,
                    required=False,
                    widget=forms.Select(attrs={"class": "variant-link"}),
                )

    def service_data(self) -> dict:
        data = super().service_data()
        lines = [line.strip() for line in (data.pop("variants") or "").splitlines() if line.strip()]
        links = [data.pop(link_field_name(index), None) for index in range(MAX_VARIANTS)]
        data["variants"] = [
            {"name": name, "is_control": index == 0, "link": links[index] if index < len(links) else None}
            for index, name in enumerate(lines)
        ]
        return data


class DecideForm(forms.Form):
    winner = forms.TypedChoiceField(label=_("Decision"), coerce=int, required=False, empty_value=None)
    comment = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, experiment, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for variant in experiment.variants.all():
            label = _("Keep the control (%(name)s)") if variant.is_control else _("Ship %(name)s")
            choices.append((variant.pk, label % {"name": variant.name}))
        self.fields["winner"].choices = choices
