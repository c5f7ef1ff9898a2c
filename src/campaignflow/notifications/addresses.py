"""Where a webhook may send: public internet addresses only, unless the administrator allows more.

A webhook URL is typed by a user; without this check it could make the server post to its own
loopback services (Redis, the database), to the cloud provider's metadata address or to any host
of the internal network (server-side request forgery, OWASP ASVS 12.6.1). The check runs when a
webhook is saved and again before every delivery, because a name can resolve differently later.
`CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE=1` lifts it for an on-premises chat gateway.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def blocked_address(url: str) -> str | None:
    """The first non-public address the URL's host resolves to, or None when it may be used.

    A host that does not resolve is not blocked here: the delivery fails on its own and says so.
    """
    if settings.CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE:
        return None
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return str(address)
    return None
