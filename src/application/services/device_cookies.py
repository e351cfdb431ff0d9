"""Device cookies (OWASP): a browser that has signed in to an account is known to it, so
failed passwords typed in other browsers cannot lock its owner out (see LoginGuard).

- a browser that signs in to an account (password login, registration, a provider sign-in)
  is given a device cookie naming that account: `<user id hex>.<nonce>.<mac>`, where the
  nonce is a fresh random token and the mac a digest keyed by the server secret
  (TokenMinter.digest) of the purpose and the rest, in unpadded base64url;
- nothing is stored: only the server can make a mac, so a valid one proves the value is ours;
- a malformed value, a mac that does not match (compared in constant time) or a value that
  names another account counts as no cookie at all: never an error, never a hint;
- a browser that already holds a valid cookie for the account keeps it (no new value),
  unless its mac was made under a key since replaced (SECRET_KEY_FALLBACKS): it still
  counts, and signing in gives it a value under the current key;
  one holding another account's, or a forged one, is given a new one for this account;
- the value is a credential of sorts: it is never logged, and the counter keys made from it
  (LoginGuard) hold only a digest of its nonce.
"""

import base64
import hmac
import re
from dataclasses import dataclass, field
from uuid import UUID

from application.ports.security import TokenMinter

# Part of every digested text: TokenMinter.digest also digests cookie tokens, and a device
# mac must never be the digest of anything else.
_PURPOSE = "sesame/device-cookie:"
# Bounded before any digest is made: an attacker's megabyte of cookie costs one regex.
_VALUE = re.compile(r"(?P<user>[0-9a-f]{32})\.(?P<nonce>[A-Za-z0-9_-]{1,64})\.(?P<mac>[A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class KnownDevice:
    """A browser holding a device cookie that the server issued for `user_id`."""

    user_id: UUID
    nonce: str = field(repr=False)  # what makes the cookie this browser's: never shown


@dataclass(frozen=True, slots=True)
class DeviceCookies:
    tokens: TokenMinter

    def issue(self, user_id: UUID) -> str:
        body = f"{user_id.hex}.{self.tokens.new_token()}"
        return f"{body}.{self._mac(body)}"

    def recognise(self, value: str | None, user_id: UUID) -> KnownDevice | None:
        """The device `value` names, when it is a valid cookie for `user_id`; else None."""
        return self._check(value, user_id)[0]

    def for_sign_in(self, value: str | None, user_id: UUID) -> str | None:
        """The cookie to set when this browser signs in to `user_id`: None when it keeps its own."""
        device, current = self._check(value, user_id)
        return None if device and current else self.issue(user_id)

    def _check(self, value: str | None, user_id: UUID) -> tuple[KnownDevice | None, bool]:
        """The device, and whether its mac is under the current key."""
        parts = _VALUE.fullmatch(value) if value else None
        if parts is None or parts["user"] != user_id.hex:
            return None, False
        macs = [_encode(d) for d in self.tokens.digests(f"{_PURPOSE}{parts['user']}.{parts['nonce']}")]
        # Every candidate is compared (no early exit): the time taken says nothing of which matched.
        matches = [hmac.compare_digest(mac, parts["mac"]) for mac in macs]
        if not any(matches):
            return None, False
        return KnownDevice(user_id, parts["nonce"]), matches[0]

    def _mac(self, body: str) -> str:
        return _encode(self.tokens.digest(_PURPOSE + body))


def _encode(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
