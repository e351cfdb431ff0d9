"""A Session is one login: the family of every sid and refresh token it produced.

Refresh tokens rotate: each is usable once and its successor replaces it. Presenting a
token again soon after its rotation is a concurrent tab (replay); later it is a theft
(reuse), and the whole family dies.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID


@dataclass(slots=True)
class Session:
    id: UUID
    user_id: UUID
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    ip: str | None = None
    user_agent: str | None = None
    # When the sign-in it descends from happened (a refresh keeps it; re-authenticating
    # moves it); None: at its creation.
    signed_in_at: datetime | None = None

    @property
    def signed_in(self) -> datetime:
        return self.signed_in_at or self.created_at

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def sid_expiry(self, now: datetime, ttl: timedelta) -> datetime:
        """A sid never outlives the login it belongs to."""
        return min(now + ttl, self.expires_at)


@dataclass(frozen=True, slots=True)
class RefreshClaim:
    """What the store knew about a presented refresh token when it was claimed."""

    session: Session
    generation: int
    head_generation: int
    rotated_at: datetime | None  # before this claim; None means this claim rotated it


@dataclass(frozen=True, slots=True)
class Rotation:
    """A refresh token rotated in one step: its session, and when the new sid ends."""

    session_id: UUID
    session_expires_at: datetime
    sid_expires_at: datetime


class RefreshVerdict(Enum):
    ROTATE = "rotate"  # first use: issue the successor
    REPLAY = "replay"  # used again within the grace window: hand out the current head
    REUSE = "reuse"  # used again later: treat as stolen, revoke the family
    DEAD = "dead"  # the session is revoked or past its absolute lifetime


def judge_refresh(claim: RefreshClaim, now: datetime, grace: timedelta) -> RefreshVerdict:
    if not claim.session.is_active(now):
        return RefreshVerdict.DEAD
    if claim.rotated_at is None:
        return RefreshVerdict.ROTATE
    if now - claim.rotated_at <= grace:
        return RefreshVerdict.REPLAY
    return RefreshVerdict.REUSE
