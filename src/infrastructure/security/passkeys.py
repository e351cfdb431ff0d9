"""The PasskeyVerifier port with py_webauthn (Duo Labs): options in the WebAuthn Level 3 JSON
forms, and registrations and assertions checked against one relying party.

Rules (API.md, Passkeys): discoverable credentials, user verification required, ES256 (-7)
and RS256 (-257), attestation "none" asked (an attestation sent anyway must verify); the
signature counter is the caller's (domain.passkeys.sign_count_accepted), so the library is
given 0 and only checks the rest. Everything the library refuses, and any answer it cannot
read, is InvalidPasskey. A check is a signature verification (well under a millisecond): it
runs on the event loop."""

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import parse_authentication_credential_json, parse_registration_credential_json
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from application.ports.passkeys import AssertionClaim, Json, NewCredential, PasskeyVerifier, VerifiedAssertion
from domain.errors import InvalidPasskey
from domain.passkeys import USER_HANDLE_BYTES

ALGORITHMS = [COSEAlgorithmIdentifier.ECDSA_SHA_256, COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256]
CHALLENGE_BYTES = 32
# What a malformed answer raises inside the library besides its own exceptions (bad base64,
# CBOR, missing keys, wrong types).
UNREADABLE = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError, IndexError)


@dataclass(frozen=True, slots=True)
class RelyingParty:
    id: str  # WEBAUTHN_RP_ID: a registrable domain suffix of the origins' hosts
    name: str  # WEBAUTHN_RP_NAME
    origins: tuple[str, ...]  # WEBAUTHN_ORIGINS: where the ceremonies' pages are served


@dataclass(frozen=True, slots=True)
class PyWebAuthnVerifier(PasskeyVerifier):
    rp: RelyingParty
    timeout_ms: int = 300_000  # what browsers are told (a hint): the challenge's life

    def new_challenge(self) -> bytes:
        return secrets.token_bytes(CHALLENGE_BYTES)

    def new_user_handle(self) -> bytes:
        return secrets.token_bytes(USER_HANDLE_BYTES)

    def creation_options(
        self, *, challenge: bytes, user_handle: bytes, user_name: str, display_name: str, exclude: Sequence[bytes]
    ) -> Json:
        options = generate_registration_options(
            rp_id=self.rp.id, rp_name=self.rp.name, user_id=user_handle, user_name=user_name,
            user_display_name=display_name, challenge=challenge, timeout=self.timeout_ms,
            attestation=AttestationConveyancePreference.NONE,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED
            ),
            exclude_credentials=[PublicKeyCredentialDescriptor(id=credential_id) for credential_id in exclude],
            supported_pub_key_algs=ALGORITHMS,
        )
        return _json(options_to_json(options))

    def request_options(self, *, challenge: bytes, allow: Sequence[bytes]) -> Json:
        options = generate_authentication_options(
            rp_id=self.rp.id, challenge=challenge, timeout=self.timeout_ms,
            allow_credentials=[PublicKeyCredentialDescriptor(id=credential_id) for credential_id in allow],
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return _json(options_to_json(options))

    def verify_registration(self, credential: Json, challenge: bytes) -> NewCredential:
        try:
            parsed = parse_registration_credential_json(credential)
            verified = verify_registration_response(
                credential=parsed, expected_challenge=challenge, expected_rp_id=self.rp.id,
                expected_origin=list(self.rp.origins), require_user_verification=True,
                supported_pub_key_algs=ALGORITHMS,
            )
        except UNREADABLE:
            raise InvalidPasskey() from None
        return NewCredential(
            credential_id=verified.credential_id, public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=tuple(str(t.value) for t in parsed.response.transports or ()),
            backup_eligible=verified.credential_device_type is CredentialDeviceType.MULTI_DEVICE,
            backed_up=verified.credential_backed_up, aaguid=verified.aaguid,
        )

    def read_assertion(self, credential: Json) -> AssertionClaim:
        try:
            parsed = parse_authentication_credential_json(credential)
        except UNREADABLE:
            raise InvalidPasskey() from None
        return AssertionClaim(parsed.raw_id, parsed.response.user_handle)

    def verify_assertion(self, credential: Json, challenge: bytes, public_key: bytes) -> VerifiedAssertion:
        try:
            verified = verify_authentication_response(
                credential=parse_authentication_credential_json(credential), expected_challenge=challenge,
                expected_rp_id=self.rp.id, expected_origin=list(self.rp.origins), credential_public_key=public_key,
                credential_current_sign_count=0, require_user_verification=True,
            )
        except UNREADABLE:
            raise InvalidPasskey() from None
        return VerifiedAssertion(verified.new_sign_count, verified.credential_backed_up)


def _json(text: str) -> dict[str, Any]:
    return json.loads(text)


@cache
def authenticator_models() -> dict[str, str]:
    """Authenticator models by AAGUID (data/authenticator_models.json, its source in the file)."""
    text = resources.files(__package__).joinpath("data/authenticator_models.json").read_text("utf-8")
    return {aaguid.lower(): name for aaguid, name in json.loads(text)["models"].items()}
