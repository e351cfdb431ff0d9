"""Which client addresses count as one client for the per-address limits.

An IPv4 address is, at most, one subscriber's. An IPv6 subscriber gets at least a /64
(RFC 6177), and may use any of its 2^64 addresses in turn: counted one by one, a limit
would never be reached. So an IPv6 client is counted by its /64; an IPv4-mapped IPv6
address (what a dual-stack socket reports for an IPv4 peer) is the IPv4 address it carries.
"""

import ipaddress

IPV6_CLIENT_PREFIX = 64
UNKNOWN = "unknown"


def counted_address(ip: str | None) -> str:
    """What a per-address limit counts for `ip`: "192.0.2.7", "2001:db8:1:2::/64", or
    "unknown" for a missing or invalid address (such requests share one count: junk in a
    forwarded header must not be a way around the limit)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    network = ipaddress.IPv6Network((int(address), IPV6_CLIENT_PREFIX), strict=False)  # zone id dropped
    return str(network)
