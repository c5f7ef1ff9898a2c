"""API routes for A/B tests. Routes parse input, resolve ids, call one service or selector and render.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

from django.utils.translation import gettext as _
from ninja import Router, Status

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.core.errors import NotFound

from . import selectors, services
from .schemas import (
    ExperimentActionIn,
    ExperimentIn,
    ExperimentOut,
    ExperimentPatch,
    ObservationsIn,
    ResultsOut,
)

router = Router(tags=["experiments"])


def _campaign(request, campaign_id: int):
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def _experiment(request, experiment_id: int):
    return selectors.experiment_get(user=request.user, pk=experiment_id)


@router.get("/campaigns/{int:campaign_id}/experiments", response=list[ExperimentOut])
def list_experiments(request, campaign_id: int):
    """The campaign's A/B tests, newest first."""
    return selectors.experiment_list(campaign=_campaign(request, campaign_id))


@router.post("/campaigns/{int:campaign_id}/experiments", response={201: ExperimentOut})
def create_experiment(request, campaign_id: int, payload: ExperimentIn):
    """Design an A/B test: a control and 1–5 variants, the primary metric, MDE, alpha and power."""
    campaign = _campaign(request, campaign_id)
    data = payload.dict()
    return Status(201, services.experiment_create(campaign=campaign, actor=request.user, data=data))


@router.get("/experiments/{int:experiment_id}", response=ExperimentOut)
def get_experiment(request, experiment_id: int):
    return _experiment(request, experiment_id)


@router.patch("/experiments/{int:experiment_id}", response=ExperimentOut)
def update_experiment(request, experiment_id: int, payload: ExperimentPatch):
    """Change a test; its design (metric, variants, MDE, …) only while it is a draft."""
    experiment = _experiment(request, experiment_id)
    return services.experiment_update(
        experiment=experiment, actor=request.user, data=payload.dict(exclude_unset=True)
    )


@router.delete("/experiments/{int:experiment_id}", response={204: None})
def delete_experiment(request, experiment_id: int):
    """Delete a draft test."""
    services.experiment_delete(experiment=_experiment(request, experiment_id), actor=request.user)
    return Status(204, None)


@router.put("/experiments/{int:experiment_id}/observations", response=ExperimentOut)
def put_observations(request, experiment_id: int, payload: ObservationsIn):
    """Replace every variant's counts: {observations: [{variant, visitors, conversions, revenue,
    revenue_sum_squares}]}; `variant` is its id or name."""
    experiment = _experiment(request, experiment_id)
    rows = [row.dict() for row in payload.observations]
    return services.observations_record(experiment=experiment, actor=request.user, rows=rows)


@router.get("/experiments/{int:experiment_id}/results", response=ResultsOut)
def get_results(request, experiment_id: int):
    """Uplift with interval, p-value (Holm-adjusted), chance to beat control, expected loss, SRM check,
    the sample size and days needed, and the verdict. Values are null until there is enough data."""
    experiment = _experiment(request, experiment_id)
    return selectors.experiment_results(experiment=experiment).as_dict()


def _transition_route(action: str) -> None:
    @router.post(
        f"/experiments/{{int:experiment_id}}/{action}",
        response=ExperimentOut,
        operation_id=f"experiment_{action}",
        summary=f"A/B test action: {action}",
    )
    def transition(request, experiment_id: int, payload: ExperimentActionIn = None):
        """`start`, `stop` or `decide` ({winner: variant id, or null to keep the control; comment}).
        409 from the wrong state, 403 when the user may not."""
        experiment = _experiment(request, experiment_id)
        payload = payload or ExperimentActionIn()
        return services.experiment_transition(
            experiment=experiment,
            actor=request.user,
            action=action,
            winner=payload.winner,
            comment=payload.comment,
        )


for _action in services.TRANSITIONS:
    _transition_route(_action)
