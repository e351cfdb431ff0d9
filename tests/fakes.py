"""In-memory adapters for every port, so use cases run without a database.

Writes register an undo step; leaving a unit of work without commit undoes them, which
keeps "a failed use case changes nothing" testable even when use cases interleave.
"""

import copy
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Self
from uuid import UUID

from application.ports.limits import AttemptCounter, Window
from application.ports.persistence import (
    CurrentUserQuery,
    SessionRepository,
    UnitOfWork,
    UserRepository,
)
from application.ports.security import Clock, IdGenerator, PasswordCheck, PasswordHasher, TokenMinter
from domain.errors import EmailTaken, PhoneTaken, UsernameTaken
from domain.sessions import RefreshClaim, Session
from domain.users import User


class FakeClock(Clock):
    def __init__(self, start: datetime = datetime(2026, 1, 1, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeIds(IdGenerator):
    def new_id(self) -> UUID:
        return uuid.uuid4()


class FakePasswordHasher(PasswordHasher):
    """"hash" is a readable prefix; "old$" hashes ask for a rehash. Counts the work done."""

    def __init__(self) -> None:
        self.verifications = 0

    async def hash(self, password: str) -> str:
        return f"fake${password}"

    async def verify(self, password: str, password_hash: str | None) -> PasswordCheck:
        self.verifications += 1
        if password_hash is None:
            return PasswordCheck(valid=False)
        scheme, _, stored = password_hash.partition("$")
        valid = stored == password
        return PasswordCheck(valid=valid, needs_rehash=valid and scheme == "old")


class FakeTokens(TokenMinter):
    def __init__(self) -> None:
        self._count = 0

    def new_token(self) -> str:
        self._count += 1
        return f"token-{self._count}"

    def digest(self, token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def successor(self, token: str) -> str:
        return f"{token}+"


@dataclass
class SidRecord:
    session_id: UUID
    expires_at: datetime


@dataclass
class RefreshRecord:
    session_id: UUID
    generation: int
    rotated_at: datetime | None = None


@dataclass
class InMemoryDatabase:
    users: dict[UUID, User] = field(default_factory=dict)
    sessions: dict[UUID, Session] = field(default_factory=dict)
    sids: dict[bytes, SidRecord] = field(default_factory=dict)
    refresh_tokens: dict[bytes, RefreshRecord] = field(default_factory=dict)


class _Table:
    """Writes to one dict, each with its undo step."""

    def __init__(self, rows: dict, undo: list[Callable[[], None]]) -> None:
        self._rows = rows
        self._undo = undo

    def put(self, key, value) -> None:
        had, old = key in self._rows, self._rows.get(key)
        self._rows[key] = value
        self._undo.append(lambda: self._rows.__setitem__(key, old) if had else self._rows.pop(key))


class InMemoryUserRepository(UserRepository):
    def __init__(self, db: InMemoryDatabase, undo: list) -> None:
        self._db = db
        self._users = _Table(db.users, undo)

    async def add(self, user: User) -> None:
        for other in self._db.users.values():
            if user.email and other.email == user.email:
                raise EmailTaken()
            if user.username and (other.username or "").lower() == user.username.lower():
                raise UsernameTaken()
            if user.phone_number and other.phone_number == user.phone_number:
                raise PhoneTaken()
        self._users.put(user.id, copy.deepcopy(user))

    async def by_login(self, identifier: str) -> User | None:
        key = identifier.lower()
        for user in self._db.users.values():
            if (user.email if "@" in key else (user.username or "").lower()) == key:
                return copy.deepcopy(user)
        return None

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        user = copy.deepcopy(self._db.users[user_id])
        user.password_hash = password_hash
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

    async def claim_refresh_token(self, digest: bytes, now: datetime) -> RefreshClaim | None:
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

    async def session_id_by_sid(self, digest: bytes) -> UUID | None:
        record = self._db.sids.get(digest)
        return record.session_id if record else None

    async def session_id_by_refresh_token(self, digest: bytes) -> UUID | None:
        record = self._db.refresh_tokens.get(digest)
        return record.session_id if record else None

    async def revoke(self, session_id: UUID, now: datetime, reason: str) -> None:
        if self._db.sessions[session_id].revoked_at is None:
            self._update(session_id, revoked_at=now)

    def _update(self, session_id: UUID, **changes) -> None:
        session = copy.deepcopy(self._db.sessions[session_id])
        for name, value in changes.items():
            setattr(session, name, value)
        self._sessions.put(session_id, session)


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db
        self.commits = 0

    async def __aenter__(self) -> Self:
        self._undo: list[Callable[[], None]] = []
        self.users = InMemoryUserRepository(self._db, self._undo)
        self.sessions = InMemorySessionRepository(self._db, self._undo)
        return self

    async def __aexit__(self, *exc_info) -> None:
        for undo in reversed(self._undo):
            undo()

    async def commit(self) -> None:
        self._undo.clear()
        self.commits += 1


class InMemoryCurrentUserQuery(CurrentUserQuery):
    def __init__(self, db: InMemoryDatabase) -> None:
        self._db = db

    async def user_by_sid(self, digest: bytes, now: datetime) -> User | None:
        sid = self._db.sids.get(digest)
        if sid is None or sid.expires_at <= now:
            return None
        session = self._db.sessions[sid.session_id]
        if not session.is_active(now):
            return None
        return copy.deepcopy(self._db.users[session.user_id])


class InMemoryAttemptCounter(AttemptCounter):
    def __init__(self) -> None:
        self.windows: dict[str, tuple[int, datetime]] = {}

    async def hit(self, key: str, window: timedelta, now: datetime) -> Window:
        hits, start = self.windows.get(key, (0, now))
        if start <= now - window:
            hits, start = 0, now
        self.windows[key] = (hits + 1, start)
        return Window(hits + 1, start + window)

    async def peek(self, key: str, window: timedelta, now: datetime) -> Window | None:
        hits, start = self.windows.get(key, (0, now - window))
        return Window(hits, start + window) if start > now - window else None

    async def clear(self, key: str) -> None:
        self.windows.pop(key, None)
