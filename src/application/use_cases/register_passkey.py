from collections.abc import Mapping
from dataclasses import dataclass

from application.ports.passkeys import Json, PasskeyVerifier
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, IdGenerator, TokenMinter
from application.services.email_links import EmailLinks
from application.services.passkeys import session_binding
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import InvalidInput, InvalidPasskey, PasskeyExists
from domain.ownership import require_proven_address
from domain.passkeys import ChallengePurpose, Passkey, normalize_passkey_name, passkey_name


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterPasskey:
    """Add the passkey an authenticator made for the options (POST /auth/passkeys/register).

    - a session is needed (401), of an account whose email is proven (403 email_not_verified,
      as at the options: the address may have changed since); a name, when given, is 1 to 64 characters (400), else the
      authenticator's model when its AAGUID is known, else "Passkey";
    - the answer must be for this session's registration challenge, still open: the challenge
      is used up by this answer whatever its verdict (a refusal keeps it used);
    - it must verify (challenge, origin, RP id, type, user verification, attestation):
      400 invalid_passkey otherwise, and nothing is stored;
    - a credential registered already (to any account): 409 passkey_exists;
    - `passkey_added` is recorded and the owner told (a "not you?" link), with the passkey,
      in one transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    tokens: TokenMinter
    verifier: PasskeyVerifier
    email_links: EmailLinks
    known_models: Mapping[str, str]

    async def execute(self, sid: str | None, credential: Json, name: str | None, client: ClientInfo) -> Passkey:
        user = await self.current_user.require(sid)
        require_proven_address(user)
        given = None if name is None else normalize_passkey_name(name)
        if name is not None and given is None:
            raise InvalidInput("name", "is 1 to 64 characters")
        now = self.clock.now()
        async with self.new_uow() as uow:
            binding = await session_binding(uow, self.tokens, sid or "")
            challenge = await uow.webauthn_challenges.take([binding], ChallengePurpose.REGISTER, now)
            await uow.commit()  # used up, whatever the verdict
        if challenge is None or challenge.user_id != user.id:
            raise InvalidPasskey()
        made = self.verifier.verify_registration(credential, challenge.challenge)
        passkey = Passkey(
            id=self.ids.new_id(), user_id=user.id, credential_id=made.credential_id, public_key=made.public_key,
            sign_count=made.sign_count, transports=made.transports, backup_eligible=made.backup_eligible,
            backed_up=made.backed_up, aaguid=made.aaguid, name=given or passkey_name(made.aaguid, self.known_models),
            created_at=now,
        )
        async with self.new_uow() as uow:
            if not await uow.passkeys.add(passkey):
                raise PasskeyExists()
            await uow.events.record(user.id, "passkey_added", {"name": passkey.name}, now, client)
            await self.email_links.send_second_factor_changed(uow, user, "passkey_added", client, now)
            await uow.commit()
        return passkey
