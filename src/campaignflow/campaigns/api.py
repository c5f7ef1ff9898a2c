"""API routes for campaigns, their plan items, approvals and audit."""

from ninja import Router

router = Router(tags=["campaigns"])
