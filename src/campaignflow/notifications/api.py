"""API routes of the notifications app."""

from ninja import Router

router = Router(tags=["notifications"])
