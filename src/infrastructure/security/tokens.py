"""Cookie tokens: 256 random bits, stored only as an HMAC keyed by the server secret."""

import base64
import hashlib
import hmac
import secrets

from application.ports.security import TokenMinter


def derive_key(secret_key: str, purpose: str) -> bytes:
    """One independent key per purpose, all from SECRET_KEY."""
    return hmac.new(secret_key.encode(), purpose.encode(), hashlib.sha256).digest()


class HmacTokenMinter(TokenMinter):
    def __init__(self, secret_key: str) -> None:
        self._digest_key = derive_key(secret_key, "sesame/token-digest")
        self._successor_key = derive_key(secret_key, "sesame/refresh-successor")

    def new_token(self) -> str:
        return secrets.token_urlsafe(32)

    def digest(self, token: str) -> bytes:
        return hmac.digest(self._digest_key, token.encode(), "sha256")  # one C call, no HMAC object

    def successor(self, token: str) -> str:
        # Needs both the raw token (never stored) and the secret: the database alone
        # cannot produce a successor.
        mac = hmac.digest(self._successor_key, token.encode(), "sha256")
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
