"""Each platform's message format and signature: a rendered message in, an HTTP request out.

Pure functions of (message, url, secret, clock), so tests can check the exact bytes. The message
is the platform-neutral dict stored in Delivery.payload:

    {"id", "event", "title", "body", "url", "campaign": {"id", "number", "name"} | None,
     "occurred_at", "language"}

References (the platforms' own documentation):
- DingTalk custom robot: POST {"msgtype": "markdown", "markdown": {"title", "text"}}; with
  signing on, `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(key=secret,
  msg=timestamp + "\\n" + secret))) are appended to the URL's query. Success is errcode 0.
- Feishu custom bot: POST {"msg_type": "post", "content": {"post": {<lang>: {"title",
  "content": [[elements]]}}}}; with signing on, body fields `timestamp` (s) and `sign` =
  base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg="")). Success is code 0.
- WeCom group robot: POST {"msgtype": "markdown", "markdown": {"content"}} (at most 4096 bytes).
  Success is errcode 0.
- Slack incoming webhook: POST {"text": fallback, "blocks": [...]}; answers "ok".
- Generic: POST the message as JSON with X-CampaignFlow-Event, X-CampaignFlow-Timestamp (s) and
  X-CampaignFlow-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit, urlunsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import WebhookKind

USER_AGENT = "CampaignFlow-Webhook/1"
JSON_TYPE = "application/json; charset=utf-8"
MAX_BODY_CHARS = 2000  # chat messages stay short; the link leads to the whole story
WECOM_MAX_BYTES = 4096

GENERIC_FIELDS = ("event", "title", "body", "url", "campaign", "occurred_at", "id")


@dataclass(frozen=True)
class WebhookRequest:
    """What goes on the wire: a POST of `body` to `url` with `headers`."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class ReceiverError(Exception):
    """The receiver answered, but did not accept the message."""


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _headers(**extra: str) -> dict[str, str]:
    return {"Content-Type": JSON_TYPE, "User-Agent": USER_AGENT, **extra}


def _short(text: str, limit: int = MAX_BODY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _campaign_line(message: dict) -> str:
    campaign = message.get("campaign")
    if not campaign:
        return ""
    return " ".join(part for part in (campaign.get("number"), campaign.get("name")) if part)


def _link_label() -> str:
    return _("Open in %(app)s") % {"app": settings.CAMPAIGNFLOW_APP_NAME}


def with_query(url: str, extra: str) -> str:
    """The URL with `extra` (already encoded) appended to its query string."""
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


# --- signatures ---------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)), URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: str) -> str:
    """Feishu: base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=b"")) — the key is the string."""
    string_to_sign = f"{timestamp_s}\n{secret}"
    digest = hmac.new(string_to_sign.encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def generic_signature(secret: str, timestamp_s: str, body: bytes) -> str:
    """Generic: "sha256=" + hex(HMAC-SHA256(key=secret, msg=timestamp + "." + body))."""
    digest = hmac.new(secret.encode(), timestamp_s.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# --- message formats ------------------------------------------------------------------------------


def dingtalk(message: dict, url: str, secret: str, now: float) -> WebhookRequest:
    lines = [f"#### {message['title']}"]
    if _campaign_line(message):
        lines.append(f"> {_campaign_line(message)}")
    if message.get("body"):
        lines.append(_short(message["body"]))
    if message.get("url"):
        lines.append(f"[{_link_label()}]({message['url']})")
    body = {"msgtype": "markdown", "markdown": {"title": message["title"], "text": "\n\n".join(lines)}}
    if secret:
        timestamp = str(int(now * 1000))
        url = with_query(url, f"timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}")
    return WebhookRequest(url, _json(body), _headers())


def feishu(message: dict, url: str, secret: str, now: float) -> WebhookRequest:
    paragraphs = []
    if _campaign_line(message):
        paragraphs.append([{"tag": "text", "text": _campaign_line(message)}])
    if message.get("body"):
        paragraphs.append([{"tag": "text", "text": _short(message["body"])}])
    if message.get("url"):
        paragraphs.append([{"tag": "a", "text": _link_label(), "href": message["url"]}])
    language = "en_us" if (message.get("language") or "").startswith("en") else "zh_cn"
    body: dict = {}
    if secret:
        timestamp = str(int(now))
        body |= {"timestamp": timestamp, "sign": feishu_sign(secret, timestamp)}
    body |= {
        "msg_type": "post",
        "content": {"post": {language: {"title": message["title"], "content": paragraphs}}},
    }
    return WebhookRequest(url, _json(body), _headers())


def wecom(message: dict, url: str, secret: str, now: float) -> WebhookRequest:
    def content(text: str) -> str:
        lines = [f"**{message['title']}**"]
        if _campaign_line(message):
            lines.append(f"> {_campaign_line(message)}")
        if text:
            lines.append(text)
        if message.get("url"):
            lines.append(f"[{_link_label()}]({message['url']})")
        return "\n".join(lines)

    text = _short(message.get("body", ""))
    # WeCom refuses markdown content above 4096 bytes (UTF-8); shorten the body until it fits.
    while text and len(content(text).encode()) > WECOM_MAX_BYTES:
        text = _short(text, len(text) * 3 // 4) if len(text) > 4 else ""
    body = {"msgtype": "markdown", "markdown": {"content": content(text)}}
    return WebhookRequest(url, _json(body), _headers())


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: dict, url: str, secret: str, now: float) -> WebhookRequest:
    title = _slack_escape(message["title"])
    heading = f"*<{message['url']}|{title}>*" if message.get("url") else f"*{title}*"
    text = heading
    if message.get("body"):
        text += "\n" + _slack_escape(_short(message["body"]))
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    context = [part for part in (_campaign_line(message), str(settings.CAMPAIGNFLOW_APP_NAME)) if part]
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(" · ".join(context))}]}
    )
    fallback = message["title"] + (f": {_short(message['body'], 200)}" if message.get("body") else "")
    return WebhookRequest(url, _json({"text": fallback, "blocks": blocks}), _headers())


def generic(message: dict, url: str, secret: str, now: float) -> WebhookRequest:
    body = _json({key: message.get(key) for key in GENERIC_FIELDS})
    timestamp = str(int(now))
    headers = _headers(
        **{
            "X-CampaignFlow-Event": message["event"],
            "X-CampaignFlow-Timestamp": timestamp,
            "X-CampaignFlow-Delivery": str(message["id"]),
        }
    )
    if secret:
        headers["X-CampaignFlow-Signature"] = generic_signature(secret, timestamp, body)
    return WebhookRequest(url, body, headers)


FORMATS = {
    WebhookKind.DINGTALK: dingtalk,
    WebhookKind.FEISHU: feishu,
    WebhookKind.WECOM: wecom,
    WebhookKind.SLACK: slack,
    WebhookKind.GENERIC: generic,
}


def build_request(*, kind: str, url: str, secret: str, message: dict, now: float) -> WebhookRequest:
    """The HTTP request that posts `message` to a webhook of this kind, signed at time `now`."""
    with translation.override(message.get("language") or settings.LANGUAGE_CODE):
        return FORMATS[WebhookKind(kind)](message, url, secret, now)


# --- answers ------------------------------------------------------------------------------------------


def check_answer(kind: str, status: int, body: bytes) -> None:
    """Raise ReceiverError when a 2xx answer still says no (the chat platforms answer 200 to errors)."""
    if kind not in (WebhookKind.DINGTALK, WebhookKind.FEISHU, WebhookKind.WECOM):
        return
    try:
        data = json.loads(body.decode() or "{}")
    except (UnicodeDecodeError, ValueError):
        raise ReceiverError(f"HTTP {status}: unreadable answer {body[:200]!r}")
    if not isinstance(data, dict):
        return
    if kind == WebhookKind.FEISHU:
        code = data.get("code", data.get("StatusCode", 0))
        text = data.get("msg", data.get("StatusMessage", ""))
    else:
        code, text = data.get("errcode", 0), data.get("errmsg", "")
    if code not in (0, "0", None):
        raise ReceiverError(f"HTTP {status}: code {code}: {text}"[:500])
