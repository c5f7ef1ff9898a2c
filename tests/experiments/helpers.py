from __future__ import annotations

from campaignflow.experiments import services
from tests.experiments.conftest import DESIGN


def running_experiment(campaign, actor, **design):
    experiment = services.experiment_create(campaign=campaign, actor=actor, data=DESIGN | design)
    return services.experiment_transition(experiment=experiment, actor=actor, action="start")


def observe(experiment, actor, a, b):
    rows = [
        {
            "variant": "A",
            "visitors": a[0],
            "conversions": a[1],
            **({"revenue": a[2], "revenue_sum_squares": a[3]} if len(a) > 2 else {}),
        },
        {
            "variant": "B",
            "visitors": b[0],
            "conversions": b[1],
            **({"revenue": b[2], "revenue_sum_squares": b[3]} if len(b) > 2 else {}),
        },
    ]
    return services.observations_record(experiment=experiment, actor=actor, rows=rows)
