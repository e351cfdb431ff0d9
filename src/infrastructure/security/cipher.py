"""Encryption at rest for secrets we must read back (provider tokens, message secrets,
PKCE verifiers, pending links' identities).

Rules:
- AES-256-GCM under a key derived from SECRET_KEY; encrypting always uses it;
- decrypting tries SECRET_KEY, then each SECRET_KEY_FALLBACKS key (keys.py): GCM
  authenticates, so a wrong key fails cleanly, never yields garbage;
- a value no key opens (tampered, or sealed under a key no longer configured) raises
  Unreadable; `readable_or_none` turns that into None with a warning naming only what the
  value was, for data whose loss must not be fatal;
- `reseal` re-encrypts under SECRET_KEY what a fallback sealed (python -m web rotate-keys).
"""

import base64
import binascii
import logging
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infrastructure.security.keys import key_ring
from infrastructure.security.tokens import derive_key

_VERSION = "v1:"
_NONCE = 12

log = logging.getLogger("sesame")


class Unreadable(Exception):
    """No key of the ring opens this value."""


class TokenCipher:
    def __init__(self, secret_key: str, fallback_keys: Iterable[str] = ()) -> None:
        self._aeads = tuple(
            AESGCM(derive_key(key, "sesame/encryption-at-rest")) for key in key_ring(secret_key, fallback_keys)
        )

    def encrypt(self, plaintext: str | None) -> str | None:
        if plaintext is None:
            return None
        nonce = os.urandom(_NONCE)
        sealed = self._aeads[0].encrypt(nonce, plaintext.encode(), None)
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, stored: str | None) -> str | None:
        """The plaintext, under whichever key sealed it; raises Unreadable."""
        if stored is None:
            return None
        return self._open(stored)[0]

    def readable_or_none(self, stored: str | None, what: str) -> str | None:
        """decrypt, but None (and one warning naming `what`, never the value) when unreadable."""
        try:
            return self.decrypt(stored)
        except Unreadable:
            log.warning("A stored %s could not be decrypted with SECRET_KEY or its fallbacks; "
                        "it is treated as absent.", what)
            return None

    def reseal(self, stored: str) -> str | None:
        """`stored` encrypted under SECRET_KEY, or None when it already is; raises Unreadable."""
        plaintext, key_index = self._open(stored)
        return self.encrypt(plaintext) if key_index else None

    def _open(self, stored: str) -> tuple[str, int]:
        try:
            raw = base64.urlsafe_b64decode(stored.removeprefix(_VERSION))
        except (binascii.Error, ValueError):
            raise Unreadable() from None
        for index, aead in enumerate(self._aeads):
            try:
                return aead.decrypt(raw[:_NONCE], raw[_NONCE:], None).decode(), index
            except (InvalidTag, ValueError):  # ValueError: too short to be ours
                continue
        raise Unreadable()
