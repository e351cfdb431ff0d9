from abc import abstractmethod
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from application.ports.messages import Outbox
from domain.activity import EventKind, SecurityEvent
from domain.clients import ClientInfo
from domain.codes import CodeCheck, PhoneCode
from domain.flows import PendingLink, ProviderFlow
from domain.identities import LinkedAccount, ProviderTokens
from domain.profile import ProfileChanges
from domain.passkeys import ChallengePurpose, Passkey, WebAuthnChallenge
from domain.second_factor import MfaChallenge, TotpState
from domain.email_links import EmailLink
from domain.sessions import RefreshClaim, Rotation, Session
from domain.users import User


class UserRepository(Protocol):
    @abstractmethod
    async def add(self, user: User) -> None:
        """Insert user and profile. Raises EmailTaken or UsernameTaken."""

    @abstractmethod
    async def by_login(self, identifier: str) -> User | None:
        """Find a user by email or username, case-insensitively."""

    @abstractmethod
    async def by_email(self, email: str) -> User | None: ...

    @abstractmethod
    async def by_id(self, user_id: UUID) -> User | None: ...

    @abstractmethod
    async def by_id_for_update(self, user_id: UUID) -> User | None:
        """The user, read once its row is locked until this transaction ends: a change decided
        on the user's state (e.g. removing a way to sign in) waits for any other such change
        to commit, then sees what that one left (password and providers alike)."""

    @abstractmethod
    async def set_password_hash(self, user_id: UUID, password_hash: str | None) -> None:
        """None removes the password: the account can then only use its providers."""

    @abstractmethod
    async def mark_email_verified(self, user_id: UUID, now: datetime, via: str) -> None: ...

    @abstractmethod
    async def update_profile(self, user_id: UUID, changes: ProfileChanges, now: datetime) -> None:
        """Write only the changed fields (a concurrent edit of others is kept); a new phone
        number is unverified. Raises UsernameTaken."""

    @abstractmethod
    async def by_verified_phone(self, phone_number: str) -> User | None:
        """The one account that has verified this number (E.164), if any."""

    @abstractmethod
    async def mark_phone_verified(self, user_id: UUID, phone_number: str, now: datetime) -> bool:
        """Verify the user's number if it is still `phone_number`; False if it changed.
        Raises PhoneTaken when another account has verified it meanwhile."""

    @abstractmethod
    async def change_email(self, user_id: UUID, email: str, now: datetime) -> None:
        """Set a new email, verified now (a link sent to it was opened). Raises EmailTaken."""

    @abstractmethod
    async def remove_phone(self, user_id: UUID, now: datetime) -> None:
        """Forget the number and its verification (it was not the owner's)."""

    @abstractmethod
    async def delete(self, user_id: UUID) -> None:
        """Erase the user and everything of it that every repository holds, in this unit of
        work: profile, linked accounts and their tokens, sessions with their sids and refresh
        tokens, email links, phone codes, TOTP, recovery codes, second-step and ceremony
        challenges, passkeys and the user handle, pending links, provider flows and security
        events. Its email, username and number are free for another account once committed."""


class SessionRepository(Protocol):
    @abstractmethod
    async def add(self, session: Session) -> None: ...

    @abstractmethod
    async def clients_seen(self, user_id: UUID, limit: int) -> list[tuple[str | None, str | None]]:
        """(ip, user agent) of the user's `limit` latest sessions, ended ones included."""

    @abstractmethod
    async def add_sid(self, session_id: UUID, digest: bytes, expires_at: datetime) -> None: ...

    @abstractmethod
    async def add_refresh_token(
        self, session_id: UUID, digest: bytes, generation: int, now: datetime
    ) -> None: ...

    @abstractmethod
    async def claim_refresh_token(self, digests: Sequence[bytes], now: datetime) -> RefreshClaim | None:
        """Atomically mark the token rotated if it was not, and say what it was. `digests`:
        the token's digest under each key (TokenMinter.digests), any of which may be stored.

        Concurrent claims of one token must see exactly one `rotated_at is None`.
        None means the token was never issued.
        """

    @abstractmethod
    async def touch(self, session_id: UUID, now: datetime) -> None:
        """Record activity on the session (last seen)."""

    @abstractmethod
    async def session_id_by_sid(self, digests: Sequence[bytes]) -> UUID | None: ...

    @abstractmethod
    async def session_id_by_refresh_token(self, digests: Sequence[bytes]) -> UUID | None: ...

    @abstractmethod
    async def revoke(self, session_id: UUID, now: datetime, reason: str) -> UUID | None:
        """End the session at once (its sid and refresh token die with it); the owner's id
        if it was live until now, else None."""

    @abstractmethod
    async def live_for_user(self, user_id: UUID, now: datetime) -> list[Session]:
        """The user's unrevoked, unexpired sessions, newest first."""

    @abstractmethod
    async def for_user(self, user_id: UUID) -> list[Session]:
        """Every session of the user still stored, ended ones included, newest first."""

    @abstractmethod
    async def revoke_all_for_user(
        self, user_id: UUID, now: datetime, reason: str, keep: UUID | None = None
    ) -> int:
        """Revoke every live session of the user but `keep` (the caller's own, if given)."""

    @abstractmethod
    async def by_id(self, session_id: UUID) -> Session | None:
        """The session, live or ended, with the time of the sign-in it descends from."""

    @abstractmethod
    async def mark_signed_in(self, session_id: UUID, now: datetime) -> None:
        """The session's owner proved itself again (re-authentication): it is fresh from `now`."""


class LinkedAccountRepository(Protocol):
    """Linked accounts: provider identities linked to users; provider tokens are encrypted by
    the adapter."""

    @abstractmethod
    async def by_subject(self, provider: str, subject: str) -> LinkedAccount | None: ...

    @abstractmethod
    async def for_user(self, user_id: UUID) -> list[LinkedAccount]: ...

    @abstractmethod
    async def add(self, account: LinkedAccount) -> None:
        """Raises AccountAlreadyLinked if the identity, or the user's slot for this
        provider, is taken."""

    @abstractmethod
    async def update_tokens(self, account_id: UUID, tokens: ProviderTokens, now: datetime) -> None: ...

    @abstractmethod
    async def remove(self, user_id: UUID, provider: str) -> bool: ...


class FlowRepository(Protocol):
    @abstractmethod
    async def add(self, flow: ProviderFlow) -> None: ...

    @abstractmethod
    async def consume(self, state_digests: Sequence[bytes], now: datetime) -> ProviderFlow | None:
        """Atomically use up a pending, unexpired flow (its state's digest under any key);
        None if there is none, or if its verifier can no longer be decrypted."""


class PendingLinkRepository(Protocol):
    """Provider identities waiting for a password login, by the digest of their browser
    cookie; the adapter encrypts the provider tokens."""

    @abstractmethod
    async def add(self, pending_link: PendingLink) -> None: ...

    @abstractmethod
    async def take(self, browser_digests: Sequence[bytes], now: datetime) -> PendingLink | None:
        """Atomically remove the browser's pending link and answer it if unexpired (and
        still readable): of concurrent takes, at most one gets it."""


class PhoneCodeRepository(Protocol):
    """WhatsApp codes, by digest. A code belongs to one account, number and purpose."""

    @abstractmethod
    async def add(self, code: PhoneCode, now: datetime) -> None:
        """Store a code; the same account's earlier live codes of that purpose are voided
        (the newest code wins). Another account's codes are never touched."""

    @abstractmethod
    async def check(
        self, user_id: UUID, purpose: str, phone_number: str, digests: Sequence[bytes],
        now: datetime, max_attempts: int,
    ) -> CodeCheck:
        """Count one try of the account's live code (it matches when its digest is one of
        `digests`: the typed code's under each key), atomically: concurrent tries each
        count, and no try beyond `max_attempts` is ever counted or matched. A right code
        is used up by its try."""

    @abstractmethod
    async def void(self, user_id: UUID, now: datetime) -> None:
        """Use up every live code of the account, whatever its number or purpose."""

class EmailLinkRepository(Protocol):
    """Email links (domain.email_links), by their token's digest."""

    @abstractmethod
    async def add(self, digest: bytes, email_link: EmailLink, now: datetime) -> None: ...

    @abstractmethod
    async def consume(
        self, digests: Sequence[bytes], purposes: Collection[str], now: datetime
    ) -> EmailLink | None:
        """Atomically use up an unused, unexpired token of one of `purposes`; None if there
        is none. Of concurrent consumes of one token, exactly one gets it."""

    @abstractmethod
    async def peek(self, digests: Sequence[bytes], purposes: Collection[str], now: datetime) -> EmailLink | None:
        """The token if `consume` would get it now, without using it up (a cheap look before
        costly work; only `consume` decides)."""

    @abstractmethod
    async def void(self, user_id: UUID, purpose: str, now: datetime) -> int:
        """Use up the user's pending tokens of this purpose (a newer link replaces them);
        how many there were."""

    @abstractmethod
    async def pending(self, user_id: UUID, purpose: str, now: datetime) -> EmailLink | None:
        """The user's newest unused, unexpired link of this purpose, if any."""


class TotpRepository(Protocol):
    """Each account's TOTP secret (one at most), pending until confirmed; the adapter
    encrypts the secret at rest."""

    @abstractmethod
    async def get(self, user_id: UUID) -> TotpState | None:
        """The account's secret, pending or on; None when it has none (or when no key
        can read it any more)."""

    @abstractmethod
    async def set_pending(self, user_id: UUID, secret: bytes, now: datetime) -> bool:
        """Store a pending secret, replacing a pending one; False (nothing written) when the
        account's TOTP is on."""

    @abstractmethod
    async def enable(self, user_id: UUID, step: int, now: datetime) -> bool:
        """Turn the pending secret on, `step` (the confirming code's) accepted; False when
        there is no pending secret (none, or on already: of two confirmations, one wins)."""

    @abstractmethod
    async def accept_step(self, user_id: UUID, step: int) -> bool:
        """Record `step` as the last accepted, if it is later than the stored one, atomically:
        of concurrent acceptances of one step (a replayed code), exactly one is True."""

    @abstractmethod
    async def remove(self, user_id: UUID) -> bool:
        """Forget the account's secret, pending or on; whether there was one."""


class RecoveryCodeRepository(Protocol):
    """Each account's recovery codes, as digests."""

    @abstractmethod
    async def replace(self, user_id: UUID, digests: Sequence[bytes], now: datetime) -> None:
        """The account's codes are now these (the old ones, used or not, stop working)."""

    @abstractmethod
    async def use(self, user_id: UUID, digests: Sequence[bytes], now: datetime) -> bool:
        """Use up the account's unused code stored as one of `digests` (the typed code's
        under each key), atomically: of concurrent uses of one code, exactly one is True."""

    @abstractmethod
    async def left(self, user_id: UUID) -> int:
        """How many of the account's codes are unused."""

    @abstractmethod
    async def remove_all(self, user_id: UUID) -> None: ...


class MfaChallengeRepository(Protocol):
    """Second-step challenges, by the digest of their cookie's value."""

    @abstractmethod
    async def add(self, challenge: MfaChallenge) -> None: ...

    @abstractmethod
    async def claim(self, digests: Sequence[bytes], now: datetime) -> MfaChallenge | None:
        """The challenge stored as one of `digests`, unless used up, locked until this unit
        of work ends: concurrent answers to one challenge take turns, each judging what the
        one before left (expired and burned ones are answered too, for the verdict to say so)."""

    @abstractmethod
    async def record_wrong(self, digest: bytes) -> None:
        """Count one wrong answer to the claimed challenge."""

    @abstractmethod
    async def finish(self, digest: bytes, now: datetime) -> None:
        """Use the claimed challenge up: it answers no more."""


class PasskeyRepository(Protocol):
    """An account's passkeys, and the user handle its authenticators know it by."""

    @abstractmethod
    async def user_handle(self, user_id: UUID) -> bytes | None: ...

    @abstractmethod
    async def keep_user_handle(self, user_id: UUID, handle: bytes) -> bytes:
        """Store `handle` unless the account has one already; the account's handle either way
        (of two first registrations at once, one handle wins)."""

    @abstractmethod
    async def user_by_handle(self, handle: bytes) -> UUID | None: ...

    @abstractmethod
    async def add(self, passkey: Passkey) -> bool:
        """False when this credential id is registered already (to any account)."""

    @abstractmethod
    async def for_user(self, user_id: UUID) -> list[Passkey]:
        """Oldest first."""

    @abstractmethod
    async def count(self, user_id: UUID) -> int: ...

    @abstractmethod
    async def by_credential_id(self, credential_id: bytes) -> Passkey | None: ...

    @abstractmethod
    async def record_use(
        self, passkey_id: UUID, seen_count: int, sign_count: int, backed_up: bool, now: datetime
    ) -> bool:
        """Store the new counter, backup state and use, only if the stored counter is still
        `seen_count` (False: another sign-in with this passkey won the race)."""

    @abstractmethod
    async def rename(self, user_id: UUID, passkey_id: UUID, name: str) -> Passkey | None:
        """None when the account has no such passkey."""

    @abstractmethod
    async def remove(self, user_id: UUID, passkey_id: UUID) -> bool: ...


class WebAuthnChallengeRepository(Protocol):
    """Ceremony challenges, found by what binds them to their asker and their purpose."""

    @abstractmethod
    async def add(self, challenge: WebAuthnChallenge) -> None:
        """Replaces an earlier challenge of the same binding and purpose."""

    @abstractmethod
    async def take(
        self, bindings: Sequence[bytes], purpose: ChallengePurpose, now: datetime
    ) -> WebAuthnChallenge | None:
        """The open challenge of one of `bindings` for `purpose`, used up as it is taken:
        a second take finds nothing. None when none, used or expired. (Expired ones left
        untaken go with the periodic purge.)"""


class SecurityEvents(Protocol):
    @abstractmethod
    async def record(
        self, user_id: UUID | None, kind: EventKind, detail: dict, now: datetime, client: ClientInfo
    ) -> None:
        """Why something happened to an account, and from where (the ip and user agent of
        `client`, the one that caused it): kept for the user and for support. A kind outside
        the contract is a bug: ValueError, and the transaction fails."""

    @abstractmethod
    async def for_user(self, user_id: UUID, limit: int | None) -> list[SecurityEvent]:
        """The user's latest `limit` events (None: all of them), newest first."""


class UnitOfWork(Protocol):
    """One transaction. Each `async with` starts a new one; leaving it without
    `commit()` rolls everything back, so a failed use case changes nothing."""

    users: UserRepository
    sessions: SessionRepository
    linked_accounts: LinkedAccountRepository
    flows: FlowRepository
    pending_links: PendingLinkRepository
    phone_codes: PhoneCodeRepository
    email_links: EmailLinkRepository
    totp: TotpRepository
    recovery_codes: RecoveryCodeRepository
    mfa_challenges: MfaChallengeRepository
    passkeys: PasskeyRepository
    webauthn_challenges: WebAuthnChallengeRepository
    events: SecurityEvents
    outbox: Outbox  # messages commit with the change that causes them

    @abstractmethod
    async def __aenter__(self) -> Self: ...

    @abstractmethod
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    @abstractmethod
    async def commit(self) -> None: ...


class CurrentUserQuery(Protocol):
    """The hot read path of /auth/me: one round trip, no transaction."""

    @abstractmethod
    async def user_by_sid(self, digests: Sequence[bytes], now: datetime) -> User | None:
        """The user of a live sid (unexpired, session active), with profile and providers;
        `digests`: the sid's digest under each key, all tried in the one round trip."""


class RefreshRotation(Protocol):
    """The hot write path of /auth/refresh: the usual case (a fresh token of a live session)
    in one atomic statement, outside any unit of work."""

    @abstractmethod
    async def rotate(
        self, digests: Sequence[bytes], successor_digest: bytes, sid_digest: bytes, now: datetime,
        sid_ttl: timedelta,
    ) -> Rotation | None:
        """If the token (stored as any of `digests`) was never rotated and its session is active at `now`, all at once:
        mark it rotated, add its successor (the next generation), add the sid (ending at
        `now + sid_ttl`, or with the session if that is sooner) and mark the session seen.

        Otherwise change nothing and answer None: the token is unknown, already rotated,
        or its session has ended, and a unit of work's claim tells which. Of concurrent
        rotations of one token, exactly one gets a Rotation.
        """


UnitOfWorkFactory = Callable[[], UnitOfWork]
