"""API routes for org-level channels."""

from ninja import Router

from . import services
from .models import Channel
from .schemas import ChannelIn, ChannelOut

router = Router(tags=["channels"])


@router.get("/channels", response=list[ChannelOut])
def list_channels(request):
    """Every channel of the organization, by name; open to anyone signed in."""
    return Channel.objects.order_by("name")


@router.post("/channels", response={201: ChannelOut})
def create_channel(request, payload: ChannelIn):
    """Add a channel (administrators and data analysts)."""
    return services.channel_create(
        actor=request.user, name=payload.name, kind=payload.kind.value, online=payload.online
    )
