"""Who is calling: the client address and browser, as sessions and limits record them.

uvicorn replaces the peer address with the X-Forwarded-For value when the peer is a trusted
proxy (FORWARDED_ALLOW_IPS) and copies it unchecked: whatever text the header held. Only a
real IP address, in one canonical spelling, goes further; anything else is "unknown".
"""

import ipaddress
import unicodedata

from litestar import Request

from domain.clients import ClientInfo

MAX_USER_AGENT = 512  # the sessions.user_agent column
_LONGEST_ADDRESS = 45  # an IPv6 address with an embedded IPv4 (sessions.ip is 45 wide)
_LONGEST_SCOPE = 64  # a zone id ("%eth0"): dropped, but bounded before parsing


def client_info(request: Request) -> ClientInfo:
    return ClientInfo(
        ip=client_address(request.client.host if request.client else None),
        user_agent=clean_user_agent(request.headers.get("user-agent")),
        accept_language=request.headers.get("accept-language"),
    )


def client_address(raw: str | None) -> str | None:
    """The canonical (compressed, lower-case) form of an IP address, or None.

    One client, one spelling: per-address limits count it once, however it was written.
    An IPv4-mapped IPv6 address (::ffff:192.0.2.1, what a dual-stack socket reports for an
    IPv4 peer) is that IPv4 address; a zone id (fe80::1%eth0) names an interface of the
    proxy, not the client, so it is dropped.
    """
    if not raw or len(raw) > _LONGEST_ADDRESS + 1 + _LONGEST_SCOPE:
        return None
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        address = ipaddress.IPv6Address(int(address))  # without its zone id
    return str(address)


def clean_user_agent(raw: str | None) -> str | None:
    """The User-Agent as people would read it: control and invisible characters removed,
    at most MAX_USER_AGENT characters, None when nothing is left."""
    if not raw:
        return None
    text = "".join(c for c in raw[: MAX_USER_AGENT * 4] if unicodedata.category(c)[0] != "C")
    return text.strip()[:MAX_USER_AGENT].strip() or None
