"""One HTTP request at a time, outside the measurements: seeding, sanity checks, health."""

import http.client
import urllib.parse

Headers = list[tuple[str, str]]


def call(base_url: str, method: str, path: str, body: str | None = None, headers: dict | None = None,
         timeout: float = 60.0) -> tuple[int, Headers, bytes]:
    """(status, every header as sent: a repeated Set-Cookie stays repeated, body)."""
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
    try:
        connection.request(method, path, body=body.encode() if body is not None else None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def set_cookies(headers: Headers) -> list[tuple[str, str]]:
    """(name, value) of each Set-Cookie, in order."""
    found = []
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.split(";", 1)[0].partition("=")
            found.append((key.strip(), rest.strip()))
    return found


def cookie_header(headers: Headers, wanted: list[str]) -> str:
    """A Cookie header of the cookies set by name (all of them if `wanted` is empty)."""
    return "; ".join(f"{name}={value}" for name, value in set_cookies(headers) if not wanted or name in wanted)


def cookie_value(headers: Headers, name: str) -> str | None:
    """The last value set for one cookie, as a browser keeps it."""
    values = [value for key, value in set_cookies(headers) if key == name]
    return values[-1] if values else None
