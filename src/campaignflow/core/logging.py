"""Request ids in log records, and a JSON formatter for log collectors.

`RequestIdMiddleware` (core/middleware.py) binds the request's id, method and path to a context
variable for as long as the request runs; `RequestContextFilter`, attached to the console handler
in settings.LOGGING, copies them onto every record logged meanwhile, whatever the logger. With
`CAMPAIGNFLOW_LOG_FORMAT=json` the console handler uses `JsonFormatter`: one JSON object a line,
with `time`, `level`, `logger`, `message` and, when known, `request_id`, `method`, `path`, `status`
and `duration_ms` (the last two on the one `campaignflow.request` record written per request).
The default `plain` format is unchanged for `make run`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

FIELDS = ("request_id", "method", "path", "status", "duration_ms")

_request: contextvars.ContextVar[dict | None] = contextvars.ContextVar("campaignflow_request", default=None)


def bind_request(request_id: str, method: str, path: str) -> contextvars.Token:
    """Make the request known to log records of this thread or task until `unbind_request`."""
    return _request.set({"request_id": request_id, "method": method, "path": path})


def unbind_request(token: contextvars.Token) -> None:
    _request.reset(token)


def current_request_id() -> str | None:
    bound = _request.get()
    return bound["request_id"] if bound else None


class RequestContextFilter(logging.Filter):
    """Adds request_id, method and path of the request being served (if any) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        bound = _request.get()
        for field in ("request_id", "method", "path"):
            if not hasattr(record, field):
                setattr(record, field, bound[field] if bound else None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; fields without a value are left out."""

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                document[field] = value
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            document["stack"] = self.formatStack(record.stack_info)
        return json.dumps(document, ensure_ascii=False, default=str)
