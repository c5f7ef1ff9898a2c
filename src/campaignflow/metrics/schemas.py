"""API shapes for org-level channels."""

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from .choices import ChannelKind


class ChannelIn(Schema):
    name: str = Field(max_length=100)
    kind: ChannelKind = ChannelKind.OTHER
    online: bool = True

    @field_validator("name")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError(_("Null characters are not allowed."))
        return value


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    online: bool
