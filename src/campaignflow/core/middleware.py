"""Request ids: every request gets one, every response and log record carries it.

A request id arriving in `X-Request-ID` (from the reverse proxy or the caller) is kept when it is
1–64 characters of letters, digits and `-_.:`; anything else is replaced by a fresh random id, so
a hostile header can neither forge log lines nor bloat them. The id is set on the response's
`X-Request-ID`, on `request.request_id`, and in a context variable read by the logging filter
(core/logging.py). One `campaignflow.request` record per request gives method, path, status and
duration in milliseconds.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from .logging import bind_request, unbind_request

HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_logger = logging.getLogger("campaignflow.request")


def request_id_from(value: str | None) -> str:
    """The caller's id when it is safe to keep, else a new one."""
    if value and VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = bind_request(request_id, request.method, request.path)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={"status": response.status_code, "duration_ms": duration_ms},
            )
            return response
        finally:
            unbind_request(token)


# Scripts are the project's own static files (no inline script, no eval); styles include a few
# inline `style` attributes and the style element htmx and plotly add, hence 'unsafe-inline' for
# styles only. Same-origin everything else; no plugins; the site is never framed.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy on HTML responses (files and JSON need none) that lack one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
