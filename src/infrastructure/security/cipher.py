"""Encryption at rest for secrets we must read back (provider tokens, PKCE verifiers)."""

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infrastructure.security.tokens import derive_key

_VERSION = "v1:"


class TokenCipher:
    """AES-256-GCM, key derived from SECRET_KEY. The version prefix leaves room for
    key rotation; a value tampered with in the database fails to decrypt."""

    def __init__(self, secret_key: str) -> None:
        self._aead = AESGCM(derive_key(secret_key, "sesame/encryption-at-rest"))

    def encrypt(self, plaintext: str | None) -> str | None:
        if plaintext is None:
            return None
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), None)
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, stored: str | None) -> str | None:
        if stored is None:
            return None
        raw = base64.urlsafe_b64decode(stored.removeprefix(_VERSION))
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()
