"""What the passkey use cases share: the session a ceremony is bound to, and the check of an
assertion that every passkey ceremony (the sign-in, the second step, re-authentication) runs."""

from datetime import datetime
from uuid import UUID

from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWork
from application.ports.security import TokenMinter
from domain.clients import ClientInfo
from domain.errors import InvalidPasskey, NotAuthenticated
from domain.passkeys import Passkey, sign_count_accepted
from domain.second_factor import PASSKEY
from domain.users import User

# Where a passkey answers a second step or a re-authentication, its refusal is a wrong
# answer of that route (invalid_code), in these words.
PASSKEY_REFUSED = "This passkey answer was refused."


async def session_binding(uow: UnitOfWork, tokens: TokenMinter, sid: str) -> bytes:
    """A registration's challenge is bound to the session that asked for it (its id: the sid
    cookie is renewed every few minutes, the session is not)."""
    session_id: UUID | None = await uow.sessions.session_id_by_sid(tokens.digests(sid))
    if session_id is None:
        raise NotAuthenticated()
    return session_id.bytes


def account_label(user: User) -> tuple[str, str]:
    """What an authenticator shows for the account: a name (email, else username, else phone
    number) and a display name (the same: the profile's names are optional)."""
    name = user.email or user.username or user.phone_number or str(user.id)
    return name, name


async def use_passkey(
    uow: UnitOfWork, verifier: PasskeyVerifier, credential: Json, challenge: bytes, client: ClientInfo,
    now: datetime, *, owner: UUID | None = None,
) -> Passkey:
    """The passkey that signed `credential` for `challenge`, its use recorded; InvalidPasskey
    (which says no more) otherwise.

    - the credential must be an assertion that can be read, of a registered passkey (of
      `owner` when the ceremony is for one account), and the user handle it carries (when it
      does) its account's;
    - the assertion must verify (signature, challenge, origin, RP id, type, user verification);
    - the signature counter must go forward unless the authenticator counts nothing
      (domain.passkeys.sign_count_accepted): a counter that went back is a cloned
      authenticator, refused and written in the account's activity in `uow` (`mfa_failed`,
      method passkey, reason sign_count), which the caller commits with its refusal;
    - of two uses with one counter value, one wins;
    - right: the passkey's counter, backup state and last use are kept.
    """
    claim = verifier.read_assertion(credential)
    passkey = await uow.passkeys.by_credential_id(claim.credential_id)
    if passkey is None or (owner is not None and passkey.user_id != owner):
        raise InvalidPasskey()
    if claim.user_handle is not None and claim.user_handle != await uow.passkeys.user_handle(passkey.user_id):
        raise InvalidPasskey()
    verified = verifier.verify_assertion(credential, challenge, passkey.public_key)
    if not sign_count_accepted(passkey.sign_count, verified.sign_count):
        detail = {"method": PASSKEY, "reason": "sign_count"}
        await uow.events.record(passkey.user_id, "mfa_failed", detail, now, client)
        raise InvalidPasskey()
    if not await uow.passkeys.record_use(passkey.id, passkey.sign_count, verified.sign_count, verified.backed_up, now):
        raise InvalidPasskey()
    return passkey
