"""Helpers shared by the web view tests."""

from __future__ import annotations

HTMX = {"HX-Request": "true"}


def submit(campaign, actor):
    """Put the campaign in review through the service, as the planner would from the editor."""
    from campaignflow.campaigns import services

    return services.campaign_transition(campaign=campaign, actor=actor, action="submit")
