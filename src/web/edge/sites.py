"""Browsers send cookies by *site*: the scheme and the registrable domain. An API that is
not on the frontend's site has its cookies treated as third-party: a fetch from the
frontend is never signed in, and a provider sign-in loses its flow cookie."""

import ipaddress
from urllib.parse import urlsplit


def site(url: str) -> tuple[str, str]:
    """(scheme, registrable domain) of a URL, as browsers compare them (schemeful same-site).

    Without the Public Suffix List the registrable domain is the last two labels, so
    `a.example.co.uk` and `b.example.co.uk` are the same site (right) but so are
    `x.co.uk` and `y.co.uk` (wrong): the check may miss a cross-site pair, never invent one."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
        return parts.scheme.lower(), host  # an address is its own site: 127.0.0.1 is not localhost
    except ValueError:
        pass
    return parts.scheme.lower(), ".".join(host.split(".")[-2:])


def same_site(url_a: str, url_b: str) -> bool:
    return site(url_a) == site(url_b)


def site_warnings(api_url: str, frontend_origin: str, samesite: str, secure_cookies: bool) -> list[str]:
    """What to tell the operator at start: each a line that says what breaks and what to do."""
    warnings = []
    if not same_site(api_url, frontend_origin):
        warnings.append(
            f"The API ({api_url}) and FRONTEND_ORIGIN ({frontend_origin}) are not the same site: "
            "browsers will not send the API's cookies with the frontend's requests (never signed in, "
            "Google sign-in ends in invalid_state). Use one host name for both (localhost, not "
            "127.0.0.1), or set PUBLIC_URL to the address browsers use for the API."
        )
    if samesite == "none" and not (secure_cookies and api_url.startswith("https://")):
        warnings.append(
            "COOKIE_SAMESITE=none without HTTPS: browsers refuse SameSite=None cookies that are not "
            "Secure. Serve the API on https:// with APP_ENV=production (Secure cookies), or use lax."
        )
    return warnings
