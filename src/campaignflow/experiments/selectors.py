"""Reads of A/B tests: the ones a user may see, one test, and its results."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import NotFound

from . import analysis, permissions
from .models import Experiment

MAX_ID = 2**63 - 1


def experiment_list(*, campaign: Campaign) -> QuerySet[Experiment]:
    return campaign.experiments.prefetch_related("variants").select_related("winner")


def experiment_get(*, user, pk) -> Experiment:
    """One test the user may see, or NotFound (missing and forbidden look the same)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Experiment not found."))
    experiment = None
    if 0 < pk <= MAX_ID:
        experiment = Experiment.objects.select_related("campaign", "winner").filter(pk=pk).first()
    if experiment is None or not permissions.can_view(user, experiment.campaign):
        raise NotFound(_("Experiment not found."))
    return experiment


def experiment_results(*, experiment: Experiment) -> analysis.Results:
    return analysis.experiment_results(experiment)
