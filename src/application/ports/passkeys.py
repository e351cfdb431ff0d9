"""What the use cases need of WebAuthn: options to send, and answers checked against them.
The infrastructure implements it with py_webauthn; options and answers are the WebAuthn
Level 3 JSON forms (dicts), passed to and from the browser unchanged."""

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A registration that verified: what the authenticator made and said of itself."""

    credential_id: bytes
    public_key: bytes  # COSE_Key
    sign_count: int
    transports: tuple[str, ...]
    backup_eligible: bool
    backed_up: bool
    aaguid: str


@dataclass(frozen=True, slots=True)
class AssertionClaim:
    """What an assertion says it is, read before it is verified (to find its passkey)."""

    credential_id: bytes
    user_handle: bytes | None


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    sign_count: int
    backed_up: bool


class PasskeyVerifier(Protocol):
    """Built for one relying party (its id, name and the origins its pages are served from).
    Every answer that does not verify (or cannot be read) raises domain.errors.InvalidPasskey."""

    @abstractmethod
    def new_challenge(self) -> bytes: ...

    @abstractmethod
    def new_user_handle(self) -> bytes:
        """64 random bytes: how authenticators know an account."""

    @abstractmethod
    def creation_options(
        self, *, challenge: bytes, user_handle: bytes, user_name: str, display_name: str,
        exclude: Sequence[bytes],
    ) -> Json:
        """PublicKeyCredentialCreationOptionsJSON: a discoverable credential, user verification
        required, ES256 or RS256, none of `exclude` (the account's credentials)."""

    @abstractmethod
    def request_options(self, *, challenge: bytes, allow: Sequence[bytes]) -> Json:
        """PublicKeyCredentialRequestOptionsJSON, user verification required; `allow` empty
        for a discoverable sign-in."""

    @abstractmethod
    def verify_registration(self, credential: Json, challenge: bytes) -> NewCredential: ...

    @abstractmethod
    def read_assertion(self, credential: Json) -> AssertionClaim: ...

    @abstractmethod
    def verify_assertion(
        self, credential: Json, challenge: bytes, public_key: bytes
    ) -> VerifiedAssertion:
        """The signature, challenge, origin, RP id, type and user verification; the counter
        is left to the caller (domain.passkeys.sign_count_accepted), which words its refusal."""

