"""A/B tests for the demo campaigns, made through the services like a data analyst would.

Registered with campaigns.demo.register_before_action. Before launch a campaign gets a decided
test (the pre-launch headline test, B shipped) and a running one with counts so far (safe to
peek); before it closes the running one is stopped and decided, so a live campaign shows one of
each and a closed one two decided tests. The counts are fixed, so a reload shows the same results.
"""

from __future__ import annotations

import logging

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError

from . import services
from .choices import ExperimentStatus

logger = logging.getLogger(__name__)

ANALYST = "chen.analyst"
HEADLINE = "落地页标题：功效型 vs 价格型"
BUTTON = "下单按钮文案：立即购买 vs 限时抢购"


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    analyst = users.get(ANALYST)
    if analyst is None or action not in ("launch", "close"):
        return
    campaign = Campaign.objects.get(pk=campaign.pk)
    try:
        if action == "launch":
            _decided_headline_test(campaign, analyst)
            _running_button_test(campaign, analyst)
        else:
            _decide_running(campaign, analyst)
    except ApplicationError as exc:
        logger.warning("demo experiments for %s refused: %s", campaign, exc)


def _decided_headline_test(campaign: Campaign, actor) -> None:
    if campaign.experiments.filter(name=HEADLINE).exists():
        return
    experiment = services.experiment_create(
        campaign=campaign,
        actor=actor,
        data={
            "name": HEADLINE,
            "hypothesis": "强调“当季鲜叶”的价格型标题比功效型标题更能促成下单。",
            "metric": "conversion_rate",
            "mde": 0.1,
            "baseline_rate": 0.035,
            "daily_visitors": 4000,
            "variants": [{"name": "A 功效型", "is_control": True}, {"name": "B 价格型"}],
        },
    )
    services.experiment_transition(experiment=experiment, actor=actor, action="start")
    services.observations_record(
        experiment=experiment,
        actor=actor,
        rows=[
            {"variant": "A 功效型", "visitors": 30210, "conversions": 1057, "revenue": "222000.00"},
            {"variant": "B 价格型", "visitors": 30095, "conversions": 1209, "revenue": "246800.00"},
        ],
    )
    services.experiment_transition(experiment=experiment, actor=actor, action="stop")
    winner = experiment.variants.get(name="B 价格型")
    services.experiment_transition(
        experiment=experiment,
        actor=actor,
        action="decide",
        winner=winner,
        comment="B 显著胜出，全量上线价格型标题。",
    )


def _running_button_test(campaign: Campaign, actor) -> None:
    if campaign.experiments.filter(name=BUTTON).exists():
        return
    experiment = services.experiment_create(
        campaign=campaign,
        actor=actor,
        data={
            "name": BUTTON,
            "hypothesis": "“限时抢购”制造紧迫感，能提高下单转化率。",
            "metric": "conversion_rate",
            "mde": 0.08,
            "sequential": True,
            "baseline_rate": 0.035,
            "daily_visitors": 5000,
            "variants": [{"name": "立即购买", "is_control": True}, {"name": "限时抢购"}],
        },
    )
    services.experiment_transition(experiment=experiment, actor=actor, action="start")
    services.observations_record(
        experiment=experiment,
        actor=actor,
        rows=[
            {"variant": "立即购买", "visitors": 8120, "conversions": 286, "revenue": "60060.00"},
            {"variant": "限时抢购", "visitors": 8064, "conversions": 301, "revenue": "62910.00"},
        ],
    )


def _decide_running(campaign: Campaign, actor) -> None:
    for experiment in campaign.experiments.filter(status=ExperimentStatus.RUNNING):
        services.experiment_transition(experiment=experiment, actor=actor, action="stop")
        services.experiment_transition(
            experiment=experiment,
            actor=actor,
            action="decide",
            comment="活动结束前未见显著差异，保留原文案。",
        )
