"""Typed errors raised by services and turned into responses in one place per interface.

The API handler (config/api.py) renders them as JSON `{"detail", "code", "errors"}`; web views
render `detail` and `errors` next to the form. Never a 500 for bad user input.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    """One problem with one input field (or one row and column of an import)."""

    field: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict:
        data: dict = {"field": self.field, "message": str(self.message)}
        if self.row is not None:
            data["row"] = self.row
        return data


@dataclass
class ApplicationError(Exception):
    """Base of every error a service raises on purpose; `status` is the HTTP status it maps to."""

    message: str
    code: str = "invalid"
    errors: list[FieldError] = field(default_factory=list)
    status: int = 422

    def __post_init__(self) -> None:
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)

    def as_dict(self) -> dict:
        return {
            "detail": str(self.message),
            "code": self.code,
            "errors": [error.as_dict() for error in self.errors],
        }


class ValidationFailed(ApplicationError):
    """Input is invalid (422); `errors` names each field."""

    def __init__(self, message, errors=None, code="invalid"):
        super().__init__(message=message, code=code, errors=list(errors or []), status=422)


class Forbidden(ApplicationError):
    """The actor may see the object but may not do this to it (403)."""

    def __init__(self, message, code="forbidden"):
        super().__init__(message=message, code=code, status=403)


class NotFound(ApplicationError):
    """The object does not exist or the actor may not see it; both look the same (404)."""

    def __init__(self, message, code="not_found"):
        super().__init__(message=message, code=code, status=404)


class Conflict(ApplicationError):
    """The operation is not allowed in the object's current state (409)."""

    def __init__(self, message, code="conflict", errors=None):
        super().__init__(message=message, code=code, errors=list(errors or []), status=409)


def field_error(field_name: str, message) -> ValidationFailed:
    """Shortcut for the common case of one bad field."""
    return ValidationFailed(message, [FieldError(field_name, message)])
