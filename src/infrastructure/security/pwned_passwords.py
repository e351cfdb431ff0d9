"""New passwords against Pwned Passwords' range API, by k-anonymity: only the first 5 hex
digits of the password's SHA-1 leave the service (`GET {url}{prefix}`), and the answer lists
every breached hash suffix under that prefix (`SUFFIX:COUNT` lines), padded with suffixes of
count 0 (`Add-Padding: true`) so that its size says nothing of the prefix either.

The check fails open: a slow (over `timeout` seconds in all), unreachable, refusing or garbled
answer is one warning in the log, and the password is judged on the other rules alone. An
outside service never turns a registration into a 5xx."""

import asyncio
import hashlib
import logging

import httpx

from application.ports.security import BreachedPasswords

log = logging.getLogger("sesame.passwords")

PREFIX_LENGTH = 5
SUFFIX_LENGTH = 35  # of the 40 hex digits of a SHA-1
TIMEOUT = 2.0  # seconds for the whole exchange: connection, request and the answer's body
_HEX = frozenset("0123456789ABCDEF")


class PwnedPasswords(BreachedPasswords):
    def __init__(self, http: httpx.AsyncClient, url: str, timeout: float = TIMEOUT) -> None:
        self._http = http  # shared with the other outside services; its owner closes it
        self._url = url
        self.timeout = timeout

    async def is_breached(self, password: str) -> bool:
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        prefix, suffix = digest[:PREFIX_LENGTH], digest[PREFIX_LENGTH:]
        try:
            async with asyncio.timeout(self.timeout):  # httpx's timeouts are per read, not in all
                answer = await self._http.get(
                    self._url + prefix, headers={"Add-Padding": "true"}, timeout=self.timeout
                )
        except (httpx.HTTPError, TimeoutError) as exc:
            return _unanswered(type(exc).__name__)
        if answer.status_code != 200:
            return _unanswered(f"HTTP {answer.status_code}")
        try:
            breached = _breached_suffixes(answer.text)
        except ValueError:
            return _unanswered("a malformed answer")
        return suffix in breached


def _breached_suffixes(body: str) -> frozenset[str]:
    """The suffixes of `body` seen in a breach (count > 0; padding lines count 0); ValueError
    for a line that is not `SUFFIX:COUNT`."""
    breached = set()
    for line in body.splitlines():
        if not line.strip():
            continue
        suffix, separator, count = line.strip().partition(":")
        suffix = suffix.upper()
        if not separator or len(suffix) != SUFFIX_LENGTH or not _HEX.issuperset(suffix):
            raise ValueError("not a SUFFIX:COUNT line")
        if int(count) > 0:
            breached.add(suffix)
    return frozenset(breached)


def _unanswered(why: str) -> bool:
    # Neither the password nor its prefix: the line says only that the check was skipped.
    log.warning("Pwned Passwords did not answer (%s): the password was judged without it", why)
    return False
