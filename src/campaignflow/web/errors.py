"""One way for every web view to turn a service's ApplicationError into a response.

Services raise `ApplicationError` (422 invalid input, 409 wrong state, 403 not allowed, 404 not
visible). Views never catch it themselves: views without a form are wrapped in `@web_view`, which
renders the message partial (htmx) or the error page with the error's status; views with a form
call the service through `call_service`, which attaches each field error to its form field so the
form re-renders with the messages beside the inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from campaignflow.core.errors import ApplicationError, FieldError, NotFound


@dataclass
class ErrorDisplay:
    """What a template shows for one ApplicationError: the summary and the errors no input owns."""

    detail: str
    status: int
    show_detail: bool = True
    others: list[FieldError] = field(default_factory=list)


def error_display(exc: ApplicationError, form: forms.BaseForm | None = None) -> ErrorDisplay:
    """Split the error's field errors into those a form field shows and the rest."""
    inline = {error.field for error in exc.errors if form is not None and error.field in form.fields}
    others = [error for error in exc.errors if error.field not in inline]
    inline_messages = {str(error.message) for error in exc.errors if error.field in inline}
    # Skip a summary that only repeats the one message already shown under its input.
    show_detail = bool(others) or str(exc.message) not in inline_messages
    others = [error for error in others if str(error.message) != str(exc.message)]
    return ErrorDisplay(detail=str(exc.message), status=exc.status, show_detail=show_detail, others=others)


def attach_errors(form: forms.BaseForm, exc: ApplicationError) -> ErrorDisplay:
    """Put each field error under its input and return what is left for the summary."""
    for error in exc.errors:
        if error.field in form.fields and error.field not in form.errors:
            form.add_error(error.field, str(error.message))
    return error_display(exc, form)


@dataclass
class Outcome:
    """The result of a service call made for a form: the value, or the error to display."""

    value: Any = None
    error: ErrorDisplay | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        return self.error.status if self.error else 200


def call_service(service: Callable[..., Any], /, *, form: forms.BaseForm | None = None, **kwargs) -> Outcome:
    """Run one service; an ApplicationError becomes errors on the form instead of a 500.

    An invalid form (input that does not even parse) returns its errors without calling the
    service. NotFound is re-raised as Http404 so a hidden object looks exactly like a missing one.
    """
    if form is not None and not form.is_valid():
        return Outcome(error=ErrorDisplay(detail=_("Please correct the errors below."), status=422))
    try:
        return Outcome(value=service(**kwargs))
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        display = attach_errors(form, exc) if form is not None else error_display(exc)
        return Outcome(error=display)


def render_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """The message partial for htmx requests, the error page otherwise, with the error's status."""
    template = "web/partials/error.html" if request.htmx else "web/error.html"
    return render(request, template, {"error": error_display(exc)}, status=exc.status)


def web_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; NotFound is a 404 page; any other ApplicationError is rendered, never a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404
        except ApplicationError as exc:
            return render_error(request, exc)

    return login_required(wrapper)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """handler400: a request over Django's size limits is a 413 saying which limit; the rest as Django's.

    Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (files excluded) or with more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS fields / DATA_UPLOAD_MAX_NUMBER_FILES files while the view reads it;
    without this the answer is a bare "Bad Request" page, also on the API.
    """
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        message = _("The request is too large: at most %(size)s of data may be sent at once.") % {
            "size": f"{limit / (1024 * 1024):.1f} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
        }
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = _("The request has too many fields or files; send fewer at once.")
    else:
        return defaults.bad_request(request, exception)
    error = ApplicationError(message, code="request_too_large", status=413)
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=413)
    template = "web/partials/error.html" if getattr(request, "htmx", False) else "web/error.html"
    return render(request, template, {"error": error_display(error)}, status=413)
