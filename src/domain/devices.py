"""What "the same device" means for the new-device alert: the browser family and OS of the
user agent (not its version, which changes with every update), on the same network (an
IPv4 /24 or IPv6 /48, so a new lease from the same provider is not a new place)."""

import ipaddress

# Checked in order: most browsers also name the ones they descend from (Edge says Chrome and Safari).
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows"),
            ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def browser_of(user_agent: str | None) -> str:
    """`Firefox on Linux`; an unknown client is named by its first product token."""
    agent = user_agent or ""
    family = next((name for mark, name in _BROWSERS if mark in agent), None)
    if family is None:
        family = agent.split("/", 1)[0].strip()[:40] or "unknown browser"
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    return f"{family} on {system}" if system else family


def network_of(ip: str | None) -> str | None:
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def is_new_device(seen: list[tuple[str | None, str | None]], ip: str | None, user_agent: str | None) -> bool:
    """`seen`: (ip, user agent) of the account's earlier sessions. No earlier session is the
    account's first sign-in: nothing to compare with, and nothing to alert about."""
    if not seen:
        return False
    this = (browser_of(user_agent), network_of(ip))
    return all((browser_of(agent), network_of(address)) != this for address, agent in seen)
