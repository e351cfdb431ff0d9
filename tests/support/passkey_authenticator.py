"""A passkey authenticator, as a test holds one: an ES256 key made here with `cryptography`,
answering creation options with a 'none' attestation and request options with assertions, in
the WebAuthn Level 3 JSON forms a browser gives (clientDataJSON, authenticatorData and the
attestation object built byte by byte, CBOR by cbor2), not with the library the service checks
them with, so that the two are checked against each other.

Each answer can be spoiled one way (another origin, RP id, type, challenge, no user
verification, a wrong signature, a counter of the test's choice) to see it refused."""

import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40  # authenticatorData flags
NO_AAGUID = bytes(16)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PasskeyAuthenticator:
    def __init__(self, origin: str, rp_id: str, aaguid: bytes = NO_AAGUID, counts: bool = True) -> None:
        self.origin, self.rp_id, self.aaguid = origin, rp_id, aaguid
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.user_handle: bytes | None = None
        self.sign_count = 0
        self.counts = counts  # False: a synced passkey that always says 0

    def create(
        self, options: dict, *, origin: str | None = None, rp_id: str | None = None, kind: str = "webauthn.create",
        challenge: str | None = None, verified: bool = True,
    ) -> dict:
        """navigator.credentials.create() for `options`, as RegistrationResponseJSON."""
        self.user_handle = unb64url(options["user"]["id"])
        client_data = self._client_data(kind, challenge or options["challenge"], origin)
        attested = self.aaguid + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cbor2.dumps(self._cose_key())
        auth_data = self._auth_data(rp_id, verified, AT) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                         "transports": ["internal", "hybrid"]},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        }

    def get(
        self, options: dict, *, origin: str | None = None, rp_id: str | None = None, kind: str = "webauthn.get",
        challenge: str | None = None, verified: bool = True, sign_count: int | None = None, forge: bool = False,
        user_handle: bytes | None = None,
    ) -> dict:
        """navigator.credentials.get() for `options`, as AuthenticationResponseJSON; the counter
        goes up by one unless `sign_count` says what to send (or the authenticator counts nothing)."""
        if sign_count is None:
            self.sign_count += 1 if self.counts else 0
            sign_count = self.sign_count
        client_data = self._client_data(kind, challenge or options["challenge"], origin)
        auth_data = self._auth_data(rp_id, verified, 0, sign_count)
        signed = auth_data + hashlib.sha256(client_data).digest()
        if forge:
            signed = signed[:-1] + bytes([signed[-1] ^ 1])
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        handle = user_handle or self.user_handle
        return {
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                         "signature": b64url(signature), "userHandle": b64url(handle) if handle else None},
            "clientExtensionResults": {}, "authenticatorAttachment": "platform",
        }

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def _auth_data(self, rp_id: str | None, verified: bool, extra: int, sign_count: int = 0) -> bytes:
        flags = UP | BE | BS | extra | (UV if verified else 0)
        rp_id_hash = hashlib.sha256((rp_id or self.rp_id).encode()).digest()
        return rp_id_hash + bytes([flags]) + sign_count.to_bytes(4, "big")

    def _cose_key(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        return {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
