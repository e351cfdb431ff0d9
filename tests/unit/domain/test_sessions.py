import uuid
from datetime import UTC, datetime, timedelta

from domain.sessions import RefreshClaim, RefreshVerdict, Session, judge_refresh

NOW = datetime(2026, 1, 1, tzinfo=UTC)
GRACE = timedelta(seconds=10)


def session(**changes) -> Session:
    values = dict(id=uuid.uuid4(), user_id=uuid.uuid4(), created_at=NOW,
                  expires_at=NOW + timedelta(days=30), last_seen_at=NOW)
    return Session(**{**values, **changes})


def claim(rotated_at=None, **session_changes) -> RefreshClaim:
    return RefreshClaim(session(**session_changes), 0, 1, rotated_at)


def test_first_use_rotates():
    assert judge_refresh(claim(), NOW, GRACE) is RefreshVerdict.ROTATE


def test_use_within_grace_is_a_replay():
    assert judge_refresh(claim(NOW - GRACE), NOW, GRACE) is RefreshVerdict.REPLAY


def test_use_after_grace_is_reuse():
    late = NOW - GRACE - timedelta(milliseconds=1)
    assert judge_refresh(claim(late), NOW, GRACE) is RefreshVerdict.REUSE


def test_revoked_or_expired_sessions_are_dead_even_for_a_first_use():
    assert judge_refresh(claim(revoked_at=NOW), NOW, GRACE) is RefreshVerdict.DEAD
    assert judge_refresh(claim(expires_at=NOW), NOW, GRACE) is RefreshVerdict.DEAD


def test_a_sid_never_outlives_its_session():
    ending = session(expires_at=NOW + timedelta(minutes=5))
    assert ending.sid_expiry(NOW, timedelta(minutes=15)) == NOW + timedelta(minutes=5)
    assert session().sid_expiry(NOW, timedelta(minutes=15)) == NOW + timedelta(minutes=15)


def test_a_session_signed_in_at_its_creation_unless_told_otherwise():
    assert session().signed_in == NOW
    later = NOW + timedelta(hours=1)
    assert session(signed_in_at=later).signed_in == later
