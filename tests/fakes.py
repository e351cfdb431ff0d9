"""In-memory adapters for every port, so use cases run without a database.

Writes register an undo step; leaving a unit of work without commit undoes them, which
keeps "a failed use case changes nothing" testable even when use cases interleave.
"""

import asyncio
import copy
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Self
from uuid import UUID

from application.ports.limits import AttemptCounter, Window
from application.ports.messages import Message, Outbox
from application.ports.identity import IdentityProvider
from application.ports.passkeys import AssertionClaim, Json, NewCredential, PasskeyVerifier, VerifiedAssertion
from application.ports.persistence import (
    PasskeyRepository,
    WebAuthnChallengeRepository,
    LinkedAccountRepository,
    CurrentUserQuery,
    RefreshRotation,
    FlowRepository,
    PendingLinkRepository,
    PhoneCodeRepository,
    EmailLinkRepository,
    MfaChallengeRepository,
    RecoveryCodeRepository,
    SecurityEvents,
    SessionRepository,
    TotpRepository,
    UnitOfWork,
    UserRepository,
)
from application.ports.phones import PhoneNumbers
from application.ports.telemetry import Telemetry
from application.ports.security import (
    BreachedPasswords,
    Clock,
    CodeGenerator,
    IdGenerator,
    PasswordCheck,
    PasswordHasher,
    SecondFactorSecrets,
    TokenMinter,
)
from domain.codes import CodeCheck, PhoneCode
from domain.errors import (
    AccountAlreadyLinked,
    InvalidPasskey,
    EmailTaken,
    InvalidInput,
    PasswordWorkBusy,
    PhoneTaken,
    ProviderError,
    UsernameTaken,
)
from domain.profile import ProfileChanges
from domain.flows import PendingLink, ProviderFlow
from domain.identities import LinkedAccount, ProviderIdentity, ProviderTokens
from domain.email_links import EmailLink
from domain.activity import EventKind, SecurityEvent
from domain.clients import ClientInfo
from domain.recovery_codes import format_recovery_code
from domain.passkeys import ChallengePurpose, Passkey, WebAuthnChallenge
from domain.second_factor import MfaChallenge, TotpState
from domain.sessions import RefreshClaim, Rotation, Session
from domain.users import User


class FakeClock(Clock):
    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeCodes(CodeGenerator):
    """Hands out the codes a test queued, else 000001, 000002..."""

    def __init__(self) -> None:
        self.queued: list[str] = []
        self._count = 0

    def new_code(self) -> str:
        if self.queued:
            return self.queued.pop(0)
        self._count += 1
        return str(self._count).zfill(6)


class FakePhoneNumbers(PhoneNumbers):
    """Digits only: "+" and 8 to 15 digits is E.164; a leading 0 takes the region's +33
    (FR) or +1; anything else is invalid."""

    PREFIXES = {"FR": "+33", "US": "+1"}

    def parse(self, raw: str, region: str) -> str:
        digits = raw.replace(" ", "")
        if digits.startswith("0"):
            digits = self.PREFIXES[region] + digits[1:]
        if not (digits.startswith("+") and digits[1:].isdigit() and 8 <= len(digits) - 1 <= 15):
            raise InvalidInput("phoneNumber", "is not a valid phone number")
        return digits


class FakeSecondFactorSecrets(SecondFactorSecrets):
    """Distinct, predictable secrets and codes: a test reads them from what the use case answers."""

    def __init__(self) -> None:
        self._count = 0

    def new_totp_secret(self) -> bytes:
        self._count += 1
        return self._count.to_bytes(20, "big")

    def new_recovery_code(self) -> str:
        self._count += 1
        return format_recovery_code(self._count * 7919)


class FakeIds(IdGenerator):
    def new_id(self) -> UUID:
        return uuid.uuid4()


class FakePasswordHasher(PasswordHasher):
    """"hash" is a readable prefix; "old$" hashes ask for a rehash. Counts the work done,
    and yields as real hashing does (in a thread), so concurrent use cases interleave."""

    def __init__(self, queue_limit: int | None = None) -> None:
        self.verifications = 0
        self.hashes = 0
        self.queue_limit = queue_limit  # None: never busy
        self.queued = 0

    @asynccontextmanager
    async def reserve(self) -> AsyncIterator[None]:
        if self.queue_limit is not None and self.queued >= self.queue_limit:
            raise PasswordWorkBusy()
        self.queued += 1
        try:
            yield
        finally:
            self.queued -= 1

    async def hash(self, password: str) -> str:
        self.hashes += 1
        await asyncio.sleep(0)
        return f"fake${password}"

    async def verify(self, password: str, password_hash: str | None) -> PasswordCheck:
        self.verifications += 1
        await asyncio.sleep(0)
        if password_hash is None:
            return PasswordCheck(valid=False)
        scheme, _, stored = password_hash.partition("$")
        valid = stored == password
        return PasswordCheck(valid=valid, needs_rehash=valid and scheme == "old")


class FakeBreachedPasswords(BreachedPasswords):
    """The passwords a test declared breached; counts the questions asked."""

    def __init__(self, *breached: str) -> None:
        self.breached = set(breached)
        self.asked = 0

    async def is_breached(self, password: str) -> bool:
        self.asked += 1
        await asyncio.sleep(0)
        return password in self.breached


class FakeTokens(TokenMinter):
    def __init__(self) -> None:
        self._count = 0

    def new_token(self) -> str:
        self._count += 1
        return f"token-{self._count}"

    def digest(self, token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def digests(self, token: str) -> tuple[bytes, ...]:
        return (self.digest(token),)

    def successor(self, token: str) -> str:
        return f"{token}+"


def stored_digest(table, digests) -> bytes | None:
    """The first of a token's digests (one per key) that `table` holds, as `= ANY` finds."""
    assert not isinstance(digests, bytes), "lookups take a sequence of digests"
    return next((digest for digest in digests if digest in table), None)


@dataclass
class SidRecord:
    session_id: UUID
    expires_at: datetime


@dataclass
class RefreshRecord:
    session_id: UUID
    generation: int
    rotated_at: datetime | None = None


@dataclass(frozen=True)
class EmailLinkRecord:
    email_link: EmailLink
    used_at: datetime | None = None


@dataclass
class InMemoryDatabase:
    users: dict[UUID, User] = field(default_factory=dict)
    sessions: dict[UUID, Session] = field(default_factory=dict)
    sids: dict[bytes, SidRecord] = field(default_factory=dict)
    refresh_tokens: dict[bytes, RefreshRecord] = field(default_factory=dict)
    linked_accounts: dict[UUID, LinkedAccount] = field(default_factory=dict)
    flows: dict[bytes, ProviderFlow] = field(default_factory=dict)
    used_flows: set[bytes] = field(default_factory=set)
    pending_links: dict[bytes, PendingLink] = field(default_factory=dict)
    email_links: dict[bytes, EmailLinkRecord] = field(default_factory=dict)
    events: list[tuple[UUID | None, str, dict]] = field(default_factory=list)
    event_log: list[tuple[UUID | None, SecurityEvent]] = field(default_factory=list)  # with time and origin
    outbox: list[Message] = field(default_factory=list)  # committed messages only
    phone_codes: dict[UUID, "CodeRecord"] = field(default_factory=dict)
    totp: dict[UUID, TotpState] = field(default_factory=dict)
    recovery_codes: dict[tuple[UUID, bytes], "RecoveryCodeRecord"] = field(default_factory=dict)
    mfa_challenges: dict[bytes, "ChallengeRecord"] = field(default_factory=dict)
    passkeys: dict[UUID, Passkey] = field(default_factory=dict)
    user_handles: dict[UUID, bytes] = field(default_factory=dict)
    webauthn_challenges: dict[tuple[bytes, ChallengePurpose], WebAuthnChallenge] = field(default_factory=dict)
    row_locks: dict[UUID | bytes, asyncio.Lock] = field(default_factory=dict)  # users' rows, FOR UPDATE

    def user(self, user_id: UUID) -> User:
        """The user as a query would return it: with its providers and its second factor."""
        user = copy.deepcopy(self.users[user_id])
        user.providers = tuple(sorted(a.provider for a in self.linked_accounts.values() if a.user_id == user_id))
        user.mfa_enabled = user_id in self.totp and self.totp[user_id].enabled
        return user


class _Table:
    """Writes to one dict, each with its undo step."""

    def __init__(self, rows: dict, undo: list[Callable[[], None]]) -> None:
        self._rows = rows
        self._undo = undo

    def put(self, key, value) -> None:
        had, old = key in self._rows, self._rows.get(key)
        self._rows[key] = value
        self._undo.append(lambda: self._rows.__setitem__(key, old) if had else self._rows.pop(key))

    def delete(self, key) -> None:
        old = self._rows.pop(key)
        self._undo.append(lambda: self._rows.__setitem__(key, old))


class InMemoryUserRepository(UserRepository):
    def __init__(self, db: InMemoryDatabase, undo: list, held: list[asyncio.Lock] | None = None) -> None:
        self._db = db
        self._undo = undo
        self._users = _Table(db.users, undo)
        self._held = held if held is not None else []  # row locks, released when the unit of work ends

    async def add(self, user: User) -> None:
        for other in self._db.users.values():
            if user.email and other.email == user.email:
                raise EmailTaken()
            if user.username and (other.username or "").lower() == user.username.lower():
                raise UsernameTaken()
            if user.phone_verified and other.phone_verified and other.phone_number == user.phone_number:
                raise PhoneTaken()
        self._users.put(user.id, copy.deepcopy(user))

    async def by_login(self, identifier: str) -> User | None:
        key = identifier.lower()
        for user in self._db.users.values():
            if (user.email if "@" in key else (user.username or "").lower()) == key:
                return self._db.user(user.id)
        return None

    async def by_email(self, email: str) -> User | None:
        return await self.by_login(email) if "@" in email else None

    async def by_id(self, user_id: UUID) -> User | None:
        return self._db.user(user_id) if user_id in self._db.users else None

    async def by_id_for_update(self, user_id: UUID) -> User | None:
        """As SELECT ... FOR UPDATE: waits for another unit of work holding the row."""
        lock = self._db.row_locks.setdefault(user_id, asyncio.Lock())
        if lock not in self._held:
            await lock.acquire()
            self._held.append(lock)
        return await self.by_id(user_id)

    async def set_password_hash(self, user_id: UUID, password_hash: str | None) -> None:
        self._change(user_id, password_hash=password_hash)

    async def mark_email_verified(self, user_id: UUID, now: datetime, via: str) -> None:
        self._change(user_id, email_verified_at=now)

    async def update_profile(self, user_id: UUID, changes: ProfileChanges, now: datetime) -> None:
        if isinstance(changes.username, str) and any(
            other.id != user_id and (other.username or "").lower() == changes.username.lower()
            for other in self._db.users.values()
        ):
            raise UsernameTaken()
        self._users.put(user_id, changes.applied_to(copy.deepcopy(self._db.users[user_id]), now))

    async def remove_phone(self, user_id: UUID, now: datetime) -> None:
        self._change(user_id, phone_number=None, phone_verified_at=None, phone_changed_at=now)

    async def by_verified_phone(self, phone_number: str) -> User | None:
        return next((self._db.user(u.id) for u in self._db.users.values()
                     if u.phone_number == phone_number and u.phone_verified), None)

    async def mark_phone_verified(self, user_id: UUID, phone_number: str, now: datetime) -> bool:
        if self._db.users[user_id].phone_number != phone_number:
            return False
        holder = await self.by_verified_phone(phone_number)
        if holder is not None and holder.id != user_id:
            raise PhoneTaken()  # uq_users_phone_verified
        self._change(user_id, phone_verified_at=now)
        return True

    async def change_email(self, user_id: UUID, email: str, now: datetime) -> None:
        if any(other.email == email for other in self._db.users.values() if other.id != user_id):
            raise EmailTaken()  # the unique constraint
        self._change(user_id, email=email, email_verified_at=now)

    async def delete(self, user_id: UUID) -> None:
        """As the schema's ON DELETE CASCADE: every row that refers to the user goes with it."""
        db = self._db
        sessions = {s.id for s in db.sessions.values() if s.user_id == user_id}
        doomed = {
            "users": [user_id],
            "sessions": list(sessions),
            "sids": [k for k, r in db.sids.items() if r.session_id in sessions],
            "refresh_tokens": [k for k, r in db.refresh_tokens.items() if r.session_id in sessions],
            "linked_accounts": [k for k, a in db.linked_accounts.items() if a.user_id == user_id],
            "flows": [k for k, f in db.flows.items() if f.link_user_id == user_id],
            "pending_links": [k for k, p in db.pending_links.items() if p.user_id == user_id],
            "email_links": [k for k, r in db.email_links.items() if r.email_link.user_id == user_id],
            "phone_codes": [k for k, r in db.phone_codes.items() if r.code.user_id == user_id],
            "totp": [k for k in db.totp if k == user_id],
            "recovery_codes": [k for k in db.recovery_codes if k[0] == user_id],
            "mfa_challenges": [k for k, r in db.mfa_challenges.items() if r.challenge.user_id == user_id],
            "passkeys": [k for k, p in db.passkeys.items() if p.user_id == user_id],
            "user_handles": [k for k in db.user_handles if k == user_id],
            "webauthn_challenges": [k for k, c in db.webauthn_challenges.items() if c.user_id == user_id],
        }
        for name, keys in doomed.items():
            table = _Table(getattr(db, name), self._undo)
            for key in keys:
                table.delete(key)
        for name in ("events", "event_log"):
            rows = getattr(db, name)
            kept = [row for row in rows if row[0] != user_id]
            old = list(rows)
            rows[:] = kept
            self._undo.append(lambda rows=rows, old=old: rows.__setitem__(slice(None), old))

    def _change(self, user_id: UUID, **changes) -> None:
        user = copy.deepcopy(self._db.users[user_id])
        for name, value in changes.items():
            setattr(user, name, value)
        self._users.put(user_id, user)


class InMemorySessionRepository(SessionRepository):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._sessions = _Table(db.sessions, undo)
        self._sids = _Table(db.sids, undo)
        self._refresh = _Table(db.refresh_tokens, undo)

    async def add(self, session: Session) -> None:
        self._sessions.put(session.id, copy.deepcopy(session))

    async def add_sid(self, session_id: UUID, digest: bytes, expires_at: datetime) -> None:
        self._sids.put(digest, SidRecord(session_id, expires_at))

    async def add_refresh_token(self, session_id: UUID, digest: bytes, generation: int, now) -> None:
        if any(r.session_id == session_id and r.generation == generation
               for r in self._db.refresh_tokens.values()):
            raise AssertionError("generation issued twice")  # the unique constraint
        self._refresh.put(digest, RefreshRecord(session_id, generation))

    async def claim_refresh_token(self, digests, now: datetime) -> RefreshClaim | None:
        digest = stored_digest(self._db.refresh_tokens, digests)
        record = self._db.refresh_tokens.get(digest)
        if record is None:
            return None
        previous = record.rotated_at
        if previous is None:
            self._refresh.put(digest, RefreshRecord(record.session_id, record.generation, now))
        head = max(r.generation for r in self._db.refresh_tokens.values()
                   if r.session_id == record.session_id)
        session = copy.deepcopy(self._db.sessions[record.session_id])
        return RefreshClaim(session, record.generation, head, previous)

    async def touch(self, session_id: UUID, now: datetime) -> None:
        self._update(session_id, last_seen_at=now)

    async def clients_seen(self, user_id: UUID, limit: int) -> list[tuple[str | None, str | None]]:
        mine = sorted((s for s in self._db.sessions.values() if s.user_id == user_id),
                      key=lambda s: s.created_at, reverse=True)
        return [(s.ip, s.user_agent) for s in mine[:limit]]

    async def session_id_by_sid(self, digests) -> UUID | None:
        record = self._db.sids.get(stored_digest(self._db.sids, digests))
        return record.session_id if record else None

    async def session_id_by_refresh_token(self, digests) -> UUID | None:
        record = self._db.refresh_tokens.get(stored_digest(self._db.refresh_tokens, digests))
        return record.session_id if record else None

    async def revoke(self, session_id: UUID, now: datetime, reason: str) -> UUID | None:
        session = self._db.sessions.get(session_id)
        if session is None or session.revoked_at is not None:
            return None
        self._update(session_id, revoked_at=now)
        return session.user_id

    async def live_for_user(self, user_id: UUID, now: datetime) -> list[Session]:
        live = [copy.deepcopy(s) for s in self._db.sessions.values()
                if s.user_id == user_id and s.is_active(now)]
        return sorted(live, key=lambda s: (s.created_at, s.id), reverse=True)

    async def for_user(self, user_id: UUID) -> list[Session]:
        mine = [copy.deepcopy(s) for s in self._db.sessions.values() if s.user_id == user_id]
        return sorted(mine, key=lambda s: (s.created_at, s.id), reverse=True)

    async def revoke_all_for_user(
        self, user_id: UUID, now: datetime, reason: str, keep: UUID | None = None
    ) -> int:
        live = [s.id for s in self._db.sessions.values()
                if s.user_id == user_id and s.revoked_at is None and s.id != keep]
        for session_id in live:
            self._update(session_id, revoked_at=now)
        return len(live)

    async def by_id(self, session_id: UUID) -> Session | None:
        session = self._db.sessions.get(session_id)
        return copy.deepcopy(session) if session is not None else None

    async def mark_signed_in(self, session_id: UUID, now: datetime) -> None:
        self._update(session_id, signed_in_at=now)

    def _update(self, session_id: UUID, **changes) -> None:
        session = copy.deepcopy(self._db.sessions[session_id])
        for name, value in changes.items():
            setattr(session, name, value)
        self._sessions.put(session_id, session)


class InMemoryLinkedAccountRepository(LinkedAccountRepository):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._accounts = _Table(db.linked_accounts, undo)

    async def by_subject(self, provider: str, subject: str) -> LinkedAccount | None:
        found = next((copy.deepcopy(a) for a in self._db.linked_accounts.values()
                      if (a.provider, a.subject) == (provider, subject)), None)
        await asyncio.sleep(0)  # as real I/O would: lets concurrent callbacks interleave here
        return found

    async def for_user(self, user_id: UUID) -> list[LinkedAccount]:
        found = sorted((copy.deepcopy(a) for a in self._db.linked_accounts.values() if a.user_id == user_id),
                       key=lambda a: a.provider)
        await asyncio.sleep(0)  # as real I/O would: lets concurrent unlinks interleave here
        return found

    async def add(self, account: LinkedAccount) -> None:
        for other in self._db.linked_accounts.values():
            if (other.provider, other.subject) == (account.provider, account.subject) or (
                other.user_id, other.provider) == (account.user_id, account.provider):
                raise AccountAlreadyLinked()
        self._accounts.put(account.id, copy.deepcopy(account))

    async def update_tokens(self, account_id: UUID, tokens: ProviderTokens, now: datetime) -> None:
        account = copy.deepcopy(self._db.linked_accounts[account_id])
        account.tokens = tokens
        self._accounts.put(account_id, account)

    async def remove(self, user_id: UUID, provider: str) -> bool:
        for account in list(self._db.linked_accounts.values()):
            if (account.user_id, account.provider) == (user_id, provider):
                self._accounts.delete(account.id)
                return True
        return False


class InMemoryFlowRepository(FlowRepository):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._flows = _Table(db.flows, undo)
        self._undo = undo

    async def add(self, flow: ProviderFlow) -> None:
        self._flows.put(flow.state_digest, flow)

    async def consume(self, state_digests, now: datetime) -> ProviderFlow | None:
        state_digest = stored_digest(self._db.flows, state_digests)
        flow = self._db.flows.get(state_digest)
        if flow is None or state_digest in self._db.used_flows or flow.expires_at <= now:
            return None
        self._db.used_flows.add(state_digest)
        self._undo.append(lambda: self._db.used_flows.discard(state_digest))
        return flow


class InMemoryPendingLinkRepository(PendingLinkRepository):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._pending = _Table(db.pending_links, undo)

    async def add(self, pending_link: PendingLink) -> None:
        self._pending.put(pending_link.browser_digest, pending_link)

    async def take(self, browser_digests, now: datetime) -> PendingLink | None:
        browser_digest = stored_digest(self._db.pending_links, browser_digests)
        pending_link = self._db.pending_links.get(browser_digest)
        if pending_link is None:
            return None
        self._pending.delete(browser_digest)
        return pending_link if pending_link.expires_at > now else None


@dataclass
class CodeRecord:
    code: PhoneCode
    attempts: int = 0
    used_at: datetime | None = None


class InMemoryPhoneCodeRepository(PhoneCodeRepository):
    """As the conditional UPDATE: each check reads and writes with no await in between."""

    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._codes = _Table(db.phone_codes, undo)

    async def add(self, code: PhoneCode, now: datetime) -> None:
        for record in list(self._db.phone_codes.values()):
            mine = (record.code.user_id, record.code.purpose) == (code.user_id, code.purpose)
            if mine and record.used_at is None:
                self._codes.put(record.code.id, replace(record, used_at=now))
        self._codes.put(code.id, CodeRecord(code))

    async def void(self, user_id: UUID, now: datetime) -> None:
        for record in list(self._db.phone_codes.values()):
            if record.code.user_id == user_id and record.used_at is None:
                self._codes.put(record.code.id, replace(record, used_at=now))

    async def check(self, user_id, purpose, phone_number, digests, now, max_attempts) -> CodeCheck:
        live = [r for r in self._db.phone_codes.values()
                if (r.code.user_id, r.code.purpose, r.code.phone_number) == (user_id, purpose, phone_number)
                and r.code.expires_at > now and r.used_at is None]
        for record in live:
            if record.attempts < max_attempts:
                matched = record.code.digest in digests
                counted = replace(record, attempts=record.attempts + 1, used_at=now if matched else None)
                self._codes.put(record.code.id, counted)
                if matched:
                    return CodeCheck.MATCHED
                return CodeCheck.BURNED if counted.attempts >= max_attempts else CodeCheck.WRONG
        return CodeCheck.BURNED if live else CodeCheck.NO_CODE


class InMemoryEmailLinkRepository(EmailLinkRepository):
    """As SqlEmailLinkRepository: consume reads and writes with no await in between, so it
    is as atomic as the conditional UPDATE."""

    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._tokens = _Table(db.email_links, undo)

    async def add(self, digest: bytes, email_link: EmailLink, now: datetime) -> None:
        assert digest not in self._db.email_links, "token issued twice"  # the primary key
        self._tokens.put(digest, EmailLinkRecord(replace(email_link, issued_at=now)))

    async def consume(self, digests, purposes: Collection[str], now: datetime) -> EmailLink | None:
        digest = stored_digest(self._db.email_links, digests)
        email_link = await self.peek(digests, purposes, now)
        if email_link is not None:
            self._tokens.put(digest, EmailLinkRecord(email_link, now))
        return email_link

    async def peek(self, digests, purposes: Collection[str], now: datetime) -> EmailLink | None:
        record = self._db.email_links.get(stored_digest(self._db.email_links, digests))
        if record is None or record.used_at is not None or record.email_link.purpose not in purposes:
            return None
        return record.email_link if record.email_link.expires_at > now else None

    async def void(self, user_id: UUID, purpose: str, now: datetime) -> int:
        voided = 0
        for digest, record in list(self._db.email_links.items()):
            if (record.email_link.user_id, record.email_link.purpose, record.used_at) == (user_id, purpose, None):
                self._tokens.put(digest, EmailLinkRecord(record.email_link, now))
                voided += 1
        return voided

    async def pending(self, user_id: UUID, purpose: str, now: datetime) -> EmailLink | None:
        live = [r.email_link for r in self._db.email_links.values()
                if (r.email_link.user_id, r.email_link.purpose, r.used_at) == (user_id, purpose, None)
                and r.email_link.expires_at > now]
        return max(live, key=lambda link: link.issued_at, default=None)


class InMemoryTotpRepository(TotpRepository):
    """As SqlTotpRepository: each conditional write reads and writes with no await between."""

    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._totp = _Table(db.totp, undo)

    async def get(self, user_id: UUID) -> TotpState | None:
        return self._db.totp.get(user_id)

    async def set_pending(self, user_id: UUID, secret: bytes, now: datetime) -> bool:
        current = self._db.totp.get(user_id)
        if current is not None and current.enabled:
            return False
        self._totp.put(user_id, TotpState(secret))
        return True

    async def enable(self, user_id: UUID, step: int, now: datetime) -> bool:
        current = self._db.totp.get(user_id)
        if current is None or current.enabled:
            return False
        self._totp.put(user_id, replace(current, confirmed_at=now, last_step=step))
        return True

    async def accept_step(self, user_id: UUID, step: int) -> bool:
        current = self._db.totp.get(user_id)
        if current is None or not current.enabled or (current.last_step is not None and current.last_step >= step):
            return False
        self._totp.put(user_id, replace(current, last_step=step))
        return True

    async def remove(self, user_id: UUID) -> bool:
        if user_id not in self._db.totp:
            return False
        self._totp.delete(user_id)
        return True


@dataclass(frozen=True)
class RecoveryCodeRecord:
    created_at: datetime
    used_at: datetime | None = None


class InMemoryRecoveryCodeRepository(RecoveryCodeRepository):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._codes = _Table(db.recovery_codes, undo)

    async def replace(self, user_id: UUID, digests, now: datetime) -> None:
        await self.remove_all(user_id)
        for digest in digests:
            assert (user_id, digest) not in self._db.recovery_codes, "code issued twice"  # the primary key
            self._codes.put((user_id, digest), RecoveryCodeRecord(now))

    async def use(self, user_id: UUID, digests, now: datetime) -> bool:
        assert not isinstance(digests, bytes), "lookups take a sequence of digests"
        for digest in digests:
            record = self._db.recovery_codes.get((user_id, digest))
            if record is not None and record.used_at is None:
                self._codes.put((user_id, digest), replace(record, used_at=now))
                return True
        return False

    async def left(self, user_id: UUID) -> int:
        return sum(1 for (owner, _), record in self._db.recovery_codes.items()
                   if owner == user_id and record.used_at is None)

    async def remove_all(self, user_id: UUID) -> None:
        for key in [key for key in self._db.recovery_codes if key[0] == user_id]:
            self._codes.delete(key)


@dataclass(frozen=True)
class ChallengeRecord:
    challenge: MfaChallenge
    used_at: datetime | None = None


class InMemoryMfaChallengeRepository(MfaChallengeRepository):
    """The claim's row lock: a challenge claimed by a unit of work waits for it to end."""

    def __init__(self, db: InMemoryDatabase, undo: list, held: list[asyncio.Lock]) -> None:
        self._db = db
        self._challenges = _Table(db.mfa_challenges, undo)
        self._held = held

    async def add(self, challenge: MfaChallenge) -> None:
        assert challenge.digest not in self._db.mfa_challenges, "challenge issued twice"  # the primary key
        self._challenges.put(challenge.digest, ChallengeRecord(challenge))

    async def claim(self, digests, now: datetime) -> MfaChallenge | None:
        digest = stored_digest(self._db.mfa_challenges, digests)
        if digest is None:
            return None
        lock = self._db.row_locks.setdefault(digest, asyncio.Lock())
        if lock not in self._held:
            await lock.acquire()
            self._held.append(lock)
        record = self._db.mfa_challenges[digest]
        return record.challenge if record.used_at is None else None

    async def record_wrong(self, digest: bytes) -> None:
        record = self._db.mfa_challenges[digest]
        wrong = record.challenge.wrong_answers + 1
        self._challenges.put(digest, replace(record, challenge=replace(record.challenge, wrong_answers=wrong)))

    async def finish(self, digest: bytes, now: datetime) -> None:
        self._challenges.put(digest, replace(self._db.mfa_challenges[digest], used_at=now))


class InMemoryPasskeyRepository(PasskeyRepository):
    """As SqlPasskeyRepository: each conditional write reads and writes with no await between."""

    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._passkeys = _Table(db.passkeys, undo)
        self._handles = _Table(db.user_handles, undo)

    async def user_handle(self, user_id: UUID) -> bytes | None:
        return self._db.user_handles.get(user_id)

    async def keep_user_handle(self, user_id: UUID, handle: bytes) -> bytes:
        if user_id not in self._db.user_handles:
            assert handle not in self._db.user_handles.values(), "handle issued twice"  # unique
            self._handles.put(user_id, handle)
        return self._db.user_handles[user_id]

    async def user_by_handle(self, handle: bytes) -> UUID | None:
        return next((owner for owner, mine in self._db.user_handles.items() if mine == handle), None)

    async def add(self, passkey: Passkey) -> bool:
        if any(p.credential_id == passkey.credential_id for p in self._db.passkeys.values()):
            return False
        self._passkeys.put(passkey.id, passkey)
        return True

    async def for_user(self, user_id: UUID) -> list[Passkey]:
        mine = [p for p in self._db.passkeys.values() if p.user_id == user_id]
        return sorted(mine, key=lambda p: (p.created_at, p.id))

    async def count(self, user_id: UUID) -> int:
        return len(await self.for_user(user_id))

    async def by_credential_id(self, credential_id: bytes) -> Passkey | None:
        return next((p for p in self._db.passkeys.values() if p.credential_id == credential_id), None)

    async def record_use(self, passkey_id: UUID, seen_count: int, sign_count: int, backed_up: bool, now: datetime) -> bool:
        current = self._db.passkeys.get(passkey_id)
        if current is None or current.sign_count != seen_count:
            return False
        self._passkeys.put(passkey_id, replace(current, sign_count=sign_count, backed_up=backed_up, last_used_at=now))
        return True

    async def rename(self, user_id: UUID, passkey_id: UUID, name: str) -> Passkey | None:
        current = self._db.passkeys.get(passkey_id)
        if current is None or current.user_id != user_id:
            return None
        self._passkeys.put(passkey_id, replace(current, name=name))
        return self._db.passkeys[passkey_id]

    async def remove(self, user_id: UUID, passkey_id: UUID) -> bool:
        current = self._db.passkeys.get(passkey_id)
        if current is None or current.user_id != user_id:
            return False
        self._passkeys.delete(passkey_id)
        return True


class InMemoryWebAuthnChallengeRepository(WebAuthnChallengeRepository):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._challenges = _Table(db.webauthn_challenges, undo)

    async def add(self, challenge: WebAuthnChallenge) -> None:
        self._challenges.put((challenge.binding, challenge.purpose), challenge)

    async def take(self, bindings, purpose: ChallengePurpose, now: datetime) -> WebAuthnChallenge | None:
        assert not isinstance(bindings, bytes), "lookups take a sequence of bindings"
        for binding in bindings:
            challenge = self._db.webauthn_challenges.get((binding, purpose))
            if challenge is not None:
                self._challenges.delete((binding, purpose))
                return challenge if challenge.is_open(now) else None
        return None


class FakePasskeyVerifier(PasskeyVerifier):
    """Answers are dicts a test builds (tests/unit/passkey_answers.py): the fake checks the
    challenge they carry and their `valid` flag, as py_webauthn checks the real thing."""

    def __init__(self, rp_id: str = "localhost", rp_name: str = "Sésame") -> None:
        self._count = 0
        self.rp_id, self.rp_name = rp_id, rp_name

    def new_challenge(self) -> bytes:
        self._count += 1
        return b"challenge-%d" % self._count

    def new_user_handle(self) -> bytes:
        self._count += 1
        return self._count.to_bytes(64, "big")

    def creation_options(self, *, challenge, user_handle, user_name, display_name, exclude) -> Json:
        return {"rp": {"id": self.rp_id, "name": self.rp_name}, "challenge": challenge.hex(),
                "user": {"id": user_handle.hex(), "name": user_name, "displayName": display_name},
                "excludeCredentials": [{"id": c.hex(), "type": "public-key"} for c in exclude]}

    def request_options(self, *, challenge, allow) -> Json:
        return {"rpId": self.rp_id, "challenge": challenge.hex(), "userVerification": "required",
                "allowCredentials": [{"id": c.hex(), "type": "public-key"} for c in allow]}

    def verify_registration(self, credential: Json, challenge: bytes) -> NewCredential:
        if credential.get("challenge") != challenge.hex() or not credential.get("valid", True):
            raise InvalidPasskey()
        return NewCredential(
            credential_id=bytes.fromhex(credential["id"]), public_key=b"pk:" + bytes.fromhex(credential["id"]),
            sign_count=credential.get("signCount", 0), transports=("internal",), backup_eligible=True,
            backed_up=credential.get("backedUp", True), aaguid=credential.get("aaguid", "00000000-0000-0000-0000-000000000000"),
        )

    def read_assertion(self, credential: Json) -> AssertionClaim:
        try:
            handle = credential.get("userHandle")
            return AssertionClaim(bytes.fromhex(credential["id"]), None if handle is None else bytes.fromhex(handle))
        except (KeyError, ValueError, TypeError):
            raise InvalidPasskey() from None

    def verify_assertion(self, credential: Json, challenge: bytes, public_key: bytes) -> VerifiedAssertion:
        if (credential.get("challenge") != challenge.hex() or public_key != b"pk:" + bytes.fromhex(credential["id"])
                or not credential.get("valid", True)):
            raise InvalidPasskey()
        return VerifiedAssertion(credential.get("signCount", 0), credential.get("backedUp", True))


class InMemorySecurityEvents(SecurityEvents):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._undo = undo

    async def record(
        self, user_id: UUID | None, kind: EventKind, detail: dict, now: datetime, client: ClientInfo
    ) -> None:
        event = SecurityEvent(kind, now, client.ip, client.user_agent, detail)  # refuses a non-contract kind, as SQL does
        self._db.events.append((user_id, kind, detail))
        self._db.event_log.append((user_id, event))
        self._undo.append(self._db.events.pop)
        self._undo.append(self._db.event_log.pop)

    async def for_user(self, user_id: UUID, limit: int | None) -> list[SecurityEvent]:
        mine = [event for owner, event in reversed(self._db.event_log) if owner == user_id]
        return sorted(mine, key=lambda event: event.created_at, reverse=True)[:limit]


class InMemoryOutbox(Outbox):
    """Messages appear in db.outbox only if their unit of work commits."""

    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._undo = undo

    async def enqueue(self, message: Message, now: datetime) -> None:
        self._db.outbox.append(message)
        self._undo.append(lambda: self._db.outbox.remove(message))

    async def discard_to(self, recipients: Collection[str]) -> int:
        old = list(self._db.outbox)
        self._db.outbox[:] = [m for m in old if m.recipient not in recipients]
        self._undo.append(lambda: self._db.outbox.__setitem__(slice(None), old))
        return len(old) - len(self._db.outbox)


class FakeIdentityProvider(IdentityProvider):
    """Answers with the identity a test set. By convention the test sends the state as
    the code, so the fake can check that the nonce and verifier come back unchanged."""

    def __init__(self, name: str = "google") -> None:
        self.name = name
        self.display_name = name.capitalize()
        self.next_identity: ProviderIdentity | None = None
        self.started: dict[str, tuple[str, str]] = {}  # state -> (nonce, verifier)
        self.fail_next = False

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        self.started[state] = (nonce, code_verifier)
        return f"https://idp.example/authorize?state={state}"

    async def identify(self, *, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        if self.fail_next or (nonce, code_verifier) != self.started.get(code):
            self.fail_next = False
            raise ProviderError()
        return self.next_identity


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db
        self.commits = 0

    async def __aenter__(self) -> Self:
        self._undo: list[Callable[[], None]] = []
        self._held: list[asyncio.Lock] = []
        self.users = InMemoryUserRepository(self._db, self._undo, self._held)
        self.sessions = InMemorySessionRepository(self._db, self._undo)
        self.linked_accounts = InMemoryLinkedAccountRepository(self._db, self._undo)
        self.flows = InMemoryFlowRepository(self._db, self._undo)
        self.pending_links = InMemoryPendingLinkRepository(self._db, self._undo)
        self.phone_codes = InMemoryPhoneCodeRepository(self._db, self._undo)
        self.email_links = InMemoryEmailLinkRepository(self._db, self._undo)
        self.totp = InMemoryTotpRepository(self._db, self._undo)
        self.recovery_codes = InMemoryRecoveryCodeRepository(self._db, self._undo)
        self.mfa_challenges = InMemoryMfaChallengeRepository(self._db, self._undo, self._held)
        self.passkeys = InMemoryPasskeyRepository(self._db, self._undo)
        self.webauthn_challenges = InMemoryWebAuthnChallengeRepository(self._db, self._undo)
        self.events = InMemorySecurityEvents(self._db, self._undo)
        self.outbox = InMemoryOutbox(self._db, self._undo)
        return self

    async def __aexit__(self, *exc_info) -> None:
        for undo in reversed(self._undo):
            undo()
        for lock in self._held:  # the transaction ends: its row locks go
            lock.release()

    async def commit(self) -> None:
        self._undo.clear()
        self.commits += 1


class InMemoryCurrentUserQuery(CurrentUserQuery):
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    async def user_by_sid(self, digests, now: datetime) -> User | None:
        sid = self._db.sids.get(stored_digest(self._db.sids, digests))
        if sid is None or sid.expires_at <= now:
            return None
        session = self._db.sessions[sid.session_id]
        if not session.is_active(now):
            return None
        return self._db.user(session.user_id)


class InMemoryRefreshRotation(RefreshRotation):
    """As SqlRefreshRotation: no await between the check and the writes, so one step."""

    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    async def rotate(
        self, digests, successor_digest: bytes, sid_digest: bytes, now: datetime, sid_ttl: timedelta
    ) -> Rotation | None:
        digest = stored_digest(self._db.refresh_tokens, digests)
        record = self._db.refresh_tokens.get(digest)
        if record is None or record.rotated_at is not None:
            return None
        session = self._db.sessions[record.session_id]
        if not session.is_active(now):
            return None
        self._db.refresh_tokens[digest] = RefreshRecord(record.session_id, record.generation, now)
        assert successor_digest not in self._db.refresh_tokens, "successor issued twice"
        self._db.refresh_tokens[successor_digest] = RefreshRecord(record.session_id, record.generation + 1)
        sid_expires_at = min(now + sid_ttl, session.expires_at)
        self._db.sids[sid_digest] = SidRecord(session.id, sid_expires_at)
        self._db.sessions[session.id] = replace(copy.deepcopy(session), last_seen_at=now)
        return Rotation(session.id, session.expires_at, sid_expires_at)


class InMemoryAttemptCounter(AttemptCounter):
    """As SqlAttemptCounter: each hit reads and writes with no await in between, so it is
    as atomic as the upsert. Keys must be short digests, as the key column requires."""

    MAX_KEY = 255

    def __init__(self) -> None:
        self.windows: dict[str, tuple[int, datetime]] = {}

    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        hits, start = self._row(key, window, now)
        self.windows[key] = (hits + 1, start)
        return Window(hits + 1, start + window)

    async def hit_toward_lock(self, key: str, limit: int, lockout: timedelta, now: datetime) -> Window:
        hits, last = self._row(key, lockout, now)
        if hits < limit:  # a lock keeps the time of the attempt that set it
            last = max(last, now)
        self.windows[key] = (hits + 1, last)
        return Window(hits + 1, last + lockout)

    async def clear(self, key: str) -> None:
        self.windows.pop(key, None)

    async def clear_prefix(self, prefix: str) -> None:
        for key in [key for key in self.windows if key.startswith(prefix)]:
            del self.windows[key]

    def _row(self, key: str, window: timedelta, now: datetime) -> tuple[int, datetime]:
        assert len(key) <= self.MAX_KEY, f"key overflows the column: {key}"
        hits, start = self.windows.get(key, (0, now))
        return (0, now) if start <= now - window else (hits, start)


@dataclass(frozen=True, slots=True)
class ReportedEvent:
    event: str
    ip: str | None
    user_id: UUID | None = None
    reason: str | None = None


class RecordingTelemetry(Telemetry):
    """What the use cases reported, in order: outcomes by kind, and security events."""

    def __init__(self) -> None:
        self.logins: list[tuple[str, str]] = []
        self.registrations: list[str] = []
        self.refreshes: list[str] = []
        self.events: list[ReportedEvent] = []
        self.refusals: list[tuple[str, str | None]] = []

    def login(self, method: str, outcome: str) -> None:
        self.logins.append((method, outcome))

    def registration(self, outcome: str) -> None:
        self.registrations.append(outcome)

    def refresh(self, outcome: str) -> None:
        self.refreshes.append(outcome)

    def security(self, event: str, ip: str | None, user_id: UUID | None = None, reason: str | None = None) -> None:
        self.events.append(ReportedEvent(event, ip, user_id, reason))

    def refused(self, refusal: str, ip: str | None) -> None:
        self.refusals.append((refusal, ip))
