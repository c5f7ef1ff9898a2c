"""API routes for org-level channels."""

from ninja import Router

router = Router(tags=["channels"])
