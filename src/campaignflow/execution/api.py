"""API routes of the execution app."""

from ninja import Router

router = Router(tags=["execution"])
