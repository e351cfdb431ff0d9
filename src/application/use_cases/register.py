from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, IdGenerator, PasswordHasher
from application.use_cases.session_tokens import ClientInfo, IssuedTokens, SessionIssuer
from domain.credentials import check_new_password, normalize_email, normalize_name, normalize_username
from domain.users import Profile, User


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    firstname: str | None = None
    lastname: str | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    tokens: IssuedTokens


class RegisterLocalUser:
    """Create a local account and sign it in.

    - the email is normalized and must be unique (case-insensitively), as must the username;
    - the password follows the policy (8 to 256 bytes, not a common password);
    - user, profile and session are written in one transaction, or not at all.
    """

    def __init__(
        self,
        new_uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        ids: IdGenerator,
        issuer: SessionIssuer,
    ) -> None:
        self._new_uow = new_uow
        self._hasher = hasher
        self._clock = clock
        self._ids = ids
        self._issuer = issuer

    async def execute(self, registration: Registration, client: ClientInfo) -> SignedIn:
        email = normalize_email(registration.email)
        username = normalize_username(registration.username)
        profile = Profile(
            firstname=normalize_name("firstname", registration.firstname),
            lastname=normalize_name("lastname", registration.lastname),
        )
        check_new_password(registration.password)
        password_hash = await self._hasher.hash(registration.password)
        now = self._clock.now()
        user = User(
            id=self._ids.new_id(),
            email=email,
            created_at=now,
            username=username,
            password_hash=password_hash,
            profile=profile,
        )
        async with self._new_uow() as uow:
            await uow.users.add(user)
            tokens = await self._issuer.open(uow, user.id, now, client)
            await uow.commit()
        return SignedIn(user, tokens)
