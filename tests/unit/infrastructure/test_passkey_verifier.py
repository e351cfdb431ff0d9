"""The py_webauthn adapter against a software authenticator (tests/support): the options'
shape, a registration and assertions that verify, and each refusal."""

import uuid

import pytest

from domain.errors import InvalidPasskey
from infrastructure.security.passkeys import PyWebAuthnVerifier, RelyingParty, authenticator_models
from tests.support.passkey_authenticator import PasskeyAuthenticator, b64url, unb64url

ORIGIN = "https://app.example"
RP = RelyingParty(id="app.example", name="Sésame", origins=(ORIGIN, "https://other.example"))
GOOGLE_PM = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"


@pytest.fixture
def verifier() -> PyWebAuthnVerifier:
    return PyWebAuthnVerifier(RP)


def creation(verifier, exclude=()) -> dict:
    return verifier.creation_options(
        challenge=verifier.new_challenge(), user_handle=verifier.new_user_handle(), user_name="ada@example.com",
        display_name="ada@example.com", exclude=list(exclude),
    )


def registered(verifier, authenticator=None):
    """(authenticator, its public key as registered)."""
    authenticator = authenticator or PasskeyAuthenticator(ORIGIN, RP.id)
    options = creation(verifier)
    made = verifier.verify_registration(authenticator.create(options), unb64url(options["challenge"]))
    return authenticator, made.public_key


def request(verifier) -> tuple[dict, bytes]:
    challenge = verifier.new_challenge()
    return verifier.request_options(challenge=challenge, allow=[]), challenge


class TestOptions:
    def test_creation_options_ask_a_discoverable_user_verified_es256_or_rs256_credential(self, verifier):
        handle = verifier.new_user_handle()
        options = verifier.creation_options(
            challenge=b"c" * 32, user_handle=handle, user_name="ada@example.com", display_name="Ada",
            exclude=[b"old-credential"],
        )
        assert options["rp"] == {"id": "app.example", "name": "Sésame"}
        assert options["user"] == {"id": b64url(handle), "name": "ada@example.com", "displayName": "Ada"}
        assert len(handle) == 64 and options["challenge"] == b64url(b"c" * 32)
        assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -257]
        assert options["authenticatorSelection"]["residentKey"] == "required"
        assert options["authenticatorSelection"]["userVerification"] == "required"
        assert options["excludeCredentials"] == [{"id": b64url(b"old-credential"), "type": "public-key"}]
        assert options["attestation"] == "none" and options["timeout"] == 300_000

    def test_request_options_are_discoverable_and_user_verified(self, verifier):
        options = verifier.request_options(challenge=b"c" * 32, allow=[])
        assert options["rpId"] == "app.example" and options["userVerification"] == "required"
        assert options["allowCredentials"] == [] and options["challenge"] == b64url(b"c" * 32)

    def test_challenges_and_handles_are_random(self, verifier):
        assert len(verifier.new_challenge()) == 32 and verifier.new_challenge() != verifier.new_challenge()
        assert verifier.new_user_handle() != verifier.new_user_handle()


class TestRegistration:
    def test_a_none_attestation_registers_with_what_the_authenticator_said(self, verifier):
        authenticator = PasskeyAuthenticator(ORIGIN, RP.id, aaguid=uuid.UUID(GOOGLE_PM).bytes)
        options = creation(verifier)
        made = verifier.verify_registration(authenticator.create(options), unb64url(options["challenge"]))
        assert made.credential_id == authenticator.credential_id and made.sign_count == 0
        assert made.aaguid == GOOGLE_PM and made.transports == ("internal", "hybrid")
        assert made.backup_eligible and made.backed_up

    def test_any_of_the_origins_is_accepted(self, verifier):
        options = creation(verifier)
        answer = PasskeyAuthenticator("https://other.example", RP.id).create(options)
        assert verifier.verify_registration(answer, unb64url(options["challenge"]))

    @pytest.mark.parametrize("spoil", [
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"kind": "webauthn.get"},
        {"verified": False},
        {"challenge": b64url(b"another challenge")},
    ], ids=["origin", "rp_id", "type", "user_verification", "challenge"])
    def test_a_spoiled_answer_is_refused(self, verifier, spoil):
        options = creation(verifier)
        answer = PasskeyAuthenticator(ORIGIN, RP.id).create(options, **spoil)
        with pytest.raises(InvalidPasskey):
            verifier.verify_registration(answer, unb64url(options["challenge"]))

    @pytest.mark.parametrize("answer", [{}, {"id": "x"}, "not json", {"id": "AA", "rawId": "AA", "response": {
        "clientDataJSON": "!!", "attestationObject": "AA"}, "type": "public-key"}])
    def test_an_unreadable_answer_is_refused(self, verifier, answer):
        with pytest.raises(InvalidPasskey):
            verifier.verify_registration(answer, b"c" * 32)


class TestAssertion:
    def test_an_assertion_verifies_and_says_its_counter(self, verifier):
        authenticator, public_key = registered(verifier)
        options, challenge = request(verifier)
        answer = authenticator.get(options)
        claim = verifier.read_assertion(answer)
        assert claim.credential_id == authenticator.credential_id and claim.user_handle == authenticator.user_handle
        verified = verifier.verify_assertion(answer, challenge, public_key)
        assert verified.sign_count == 1 and verified.backed_up

    def test_the_counter_is_left_to_the_caller(self, verifier):
        authenticator, public_key = registered(verifier, PasskeyAuthenticator(ORIGIN, RP.id, counts=False))
        for _ in range(2):  # an authenticator that counts nothing says 0 each time
            options, challenge = request(verifier)
            assert verifier.verify_assertion(authenticator.get(options), challenge, public_key).sign_count == 0
        options, challenge = request(verifier)
        assert verifier.verify_assertion(authenticator.get(options, sign_count=0), challenge, public_key).sign_count == 0

    @pytest.mark.parametrize("spoil", [
        {"origin": "https://evil.example"},
        {"rp_id": "evil.example"},
        {"kind": "webauthn.create"},
        {"verified": False},
        {"challenge": b64url(b"another challenge")},
        {"forge": True},
    ], ids=["origin", "rp_id", "type", "user_verification", "challenge", "signature"])
    def test_a_spoiled_assertion_is_refused(self, verifier, spoil):
        authenticator, public_key = registered(verifier)
        options, challenge = request(verifier)
        with pytest.raises(InvalidPasskey):
            verifier.verify_assertion(authenticator.get(options, **spoil), challenge, public_key)

    def test_another_credentials_key_does_not_verify(self, verifier):
        authenticator, _ = registered(verifier)
        _, other_key = registered(verifier)
        options, challenge = request(verifier)
        with pytest.raises(InvalidPasskey):
            verifier.verify_assertion(authenticator.get(options), challenge, other_key)

    @pytest.mark.parametrize("answer", [{}, "[]", {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}}])
    def test_an_unreadable_assertion_is_refused(self, verifier, answer):
        with pytest.raises(InvalidPasskey):
            verifier.read_assertion(answer)


def test_well_known_authenticators_are_named_by_their_aaguid():
    models = authenticator_models()
    assert models[GOOGLE_PM] == "Google Password Manager"
    assert all(aaguid == aaguid.lower() and len(uuid.UUID(aaguid).bytes) == 16 for aaguid in models)
