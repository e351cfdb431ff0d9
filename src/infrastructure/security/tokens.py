"""Cookie tokens: 256 random bits, stored only as an HMAC keyed by the server secret."""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from application.ports.security import TokenMinter
from infrastructure.security.keys import key_ring


def derive_key(secret_key: str, purpose: str) -> bytes:
    """One independent key per purpose, all from SECRET_KEY."""
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


class HmacTokenMinter(TokenMinter):
    """Digests under SECRET_KEY; lookups also try each fallback's digest (keys.py).
    Successors are always derived under SECRET_KEY: they are new tokens."""

    def __init__(self, secret_key: str, fallback_keys: Iterable[str] = ()) -> None:
        ring = key_ring(secret_key, fallback_keys)
        self._digest_keys = tuple(derive_key(key, "sesame/token-digest") for key in ring)
        self._digest_key = self._digest_keys[0]
        self._successor_key = derive_key(secret_key, "sesame/refresh-successor")

    def new_token(self) -> str:
        return secrets.token_urlsafe(32)

    def digest(self, token: str) -> bytes:
        return hmac.digest(self._digest_key, token.encode(), "sha256")  # one C call, no HMAC object

    def digests(self, token: str) -> tuple[bytes, ...]:
        raw = token.encode()
        return tuple(hmac.digest(key, raw, "sha256") for key in self._digest_keys)

    def successor(self, token: str) -> str:
        # Needs both the raw token (never stored) and the secret: the database alone
        # cannot produce a successor.
        mac = hmac.digest(self._successor_key, token.encode(), "sha256")
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
