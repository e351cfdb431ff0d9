from dataclasses import dataclass

from application.policy import AddressLimit
from application.ports.limits import AttemptCounter
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import BreachedPasswords, Clock, IdGenerator, PasswordHasher
from application.ports.telemetry import Telemetry
from application.services.address_limit import AddressLimiter
from application.services.device_cookies import DeviceCookies
from application.services.email_links import EmailLinks
from application.services.new_password import check_new_password
from application.services.outcomes import registration_outcome
from application.services.session_tokens import SessionIssuer, SignedIn
from domain.clients import ClientInfo
from domain.credentials import normalize_email, normalize_name, normalize_username
from domain.errors import DomainError, EmailTaken, UsernameTaken
from domain.users import Profile, User


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    firstname: str | None = None
    lastname: str | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterLocalUser:
    """Create a local account and sign it in.

    - the email is normalized and must be unique (case-insensitively), as must the username;
    - the password follows the policy (8 to 256 bytes, not a common password) and appears
      in no known data breach (BreachedPasswords, asked after the other rules, before the
      address limit: a refused password counts nothing);
    - user, profile and session are written in one transaction, or not at all;
    - a flooding address is rate limited (after validation: a bad input changes nothing);
    - a request that will be refused costs no hashing: email and username are checked
      first (the unique constraints still decide between concurrent registrations);
    - no database connection is held while the password is hashed;
    - when the bounded queue of password work is full, it answers busy at once (after
      validation, before the address limit and any lookup);
    - a verification link is sent to the email, in the same transaction as the user;
    - the browser is given a device cookie for the new account (DeviceCookies): whatever it
      held before cannot be the new account's;
    - every attempt reports its outcome (Telemetry.registration).
    """

    new_uow: UnitOfWorkFactory
    hasher: PasswordHasher
    breached: BreachedPasswords
    clock: Clock
    ids: IdGenerator
    issuer: SessionIssuer
    attempts: AttemptCounter
    email_links: EmailLinks
    devices: DeviceCookies
    telemetry: Telemetry
    limit: AddressLimit = AddressLimit()

    async def execute(self, registration: Registration, client: ClientInfo) -> SignedIn:
        try:
            signed_in = await self._attempt(registration, client)
        except DomainError as refusal:
            self.telemetry.registration(registration_outcome(refusal))
            raise
        self.telemetry.registration("created")
        return signed_in

    async def _attempt(self, registration: Registration, client: ClientInfo) -> SignedIn:
        email = normalize_email(registration.email)
        username = normalize_username(registration.username)
        profile = Profile(
            firstname=normalize_name("firstname", registration.firstname),
            lastname=normalize_name("lastname", registration.lastname),
        )
        await check_new_password(registration.password, self.breached)
        async with self.hasher.reserve():
            return await self._register(registration, email, username, profile, client)

    async def _register(
        self, registration: Registration, email: str, username: str | None, profile: Profile,
        client: ClientInfo,
    ) -> SignedIn:
        limiter = AddressLimiter(self.attempts, "register-ip", self.limit)
        await limiter.admit(client.ip, self.clock.now())
        await self._refuse_taken(email, username)
        password_hash = await self.hasher.hash(registration.password)
        now = self.clock.now()
        user = User(
            id=self.ids.new_id(),
            email=email,
            created_at=now,
            username=username,
            password_hash=password_hash,
            profile=profile,
        )
        async with self.new_uow() as uow:
            await uow.users.add(user)
            tokens = await self.issuer.open(uow, user.id, now, client, "register")
            await self.email_links.send_verification(uow, user, client, now)
            await uow.commit()
        return SignedIn(user, tokens, device_cookie=self.devices.issue(user.id))

    async def _refuse_taken(self, email: str, username: str | None) -> None:
        async with self.new_uow() as uow:
            if await uow.users.by_email(email) is not None:
                raise EmailTaken()
            if username is not None and await uow.users.by_login(username) is not None:
                raise UsernameTaken()
