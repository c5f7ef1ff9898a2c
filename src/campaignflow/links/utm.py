"""The UTM builder: the organization's naming rules and the tagged URL (seed 004: a UTM per channel).

`build_url` keeps the target's own query parameters and fragment and sets the utm_* ones, in the
usual order; a utm_* parameter already in the target is replaced, never duplicated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from campaignflow.core.errors import FieldError

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
REQUIRED = ("utm_source", "utm_medium")
VALUE_MAX = 100
URL_MAX = 2000
# Letters (any script, so 春茶 works in utm_campaign), digits, and . _ - + ; no spaces.
VALUE_PATTERN = re.compile(r"[\w.\-+]+")
_url_validator = URLValidator(schemes=["http", "https"])


def build_url(target: str, utm: Mapping[str, str]) -> str:
    """The target URL with the non-empty utm_* values set."""
    parts = urlsplit(target)
    ours = {name: (utm.get(name) or "").strip() for name in UTM_FIELDS}
    ours = {name: value for name, value in ours.items() if value}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    query = urlencode([*kept, *ours.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def check_target(url: str) -> list[FieldError]:
    url = (url or "").strip()
    if not url:
        return [FieldError("target_url", _("This field is required."))]
    if len(url) > URL_MAX:
        return [
            FieldError(
                "target_url", _("Ensure this value has at most %(max)d characters.") % {"max": URL_MAX}
            )
        ]
    try:
        _url_validator(url)
    except ValidationError:
        return [FieldError("target_url", _("Enter a full http:// or https:// address."))]
    return []


def check_utm(values: Mapping[str, str], *, settings) -> list[FieldError]:
    """Every violation of the naming rules, each naming its field."""
    errors: list[FieldError] = []
    allowed = {"utm_source": settings.allowed_sources or [], "utm_medium": settings.allowed_mediums or []}
    for name in UTM_FIELDS:
        value = values.get(name) or ""
        if not value:
            if name in REQUIRED:
                errors.append(FieldError(name, _("This field is required.")))
            continue
        if len(value) > VALUE_MAX:
            errors.append(
                FieldError(name, _("Ensure this value has at most %(max)d characters.") % {"max": VALUE_MAX})
            )
        elif not VALUE_PATTERN.fullmatch(value):
            errors.append(
                FieldError(name, _("Use letters, digits, “.”, “_”, “-” or “+”; no spaces or other signs."))
            )
        elif settings.lowercase and value != value.lower():
            errors.append(
                FieldError(
                    name,
                    _("UTM values are lowercase in this organization: write “%(value)s”.")
                    % {"value": value.lower()},
                )
            )
        elif allowed.get(name) and value not in allowed[name]:
            errors.append(
                FieldError(
                    name,
                    _("“%(value)s” is not an allowed value; choose from %(choices)s.")
                    % {"value": value, "choices": ", ".join(allowed[name])},
                )
            )
    return errors


def normalize_list(raw) -> list[str]:
    """A list of allowed values from a list or a comma/space/newline-separated string."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else re.split(r"[\s,，]+", str(raw))
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)
