import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from domain.clients import ClientInfo
from domain.sessions import Rotation, Session
from infrastructure.persistence.current_user import SqlCurrentUserQuery
from infrastructure.persistence.refresh_rotation import SqlRefreshRotation
from infrastructure.persistence.tables import SecurityEventRow
from infrastructure.outbox.store import SqlOutbox
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from tests.factories import UserFactory
from tests.integration.conftest import CIPHER, Store

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def digest(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


async def new_session(store, user=None, **changes) -> Session:
    user = user or UserFactory.build()
    session = Session(**{**dict(id=uuid.uuid4(), user_id=user.id, created_at=NOW,
                                expires_at=NOW + timedelta(days=30), last_seen_at=NOW,
                                ip="198.51.100.4", user_agent="agent"), **changes})
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.sessions.add(session)
        await uow.sessions.add_refresh_token(session.id, digest(f"r0-{session.id}"), 0, NOW)
        await uow.sessions.add_sid(session.id, digest(f"s0-{session.id}"), NOW + timedelta(minutes=15))
        await uow.commit()
    return session


async def test_first_claim_rotates_and_later_claims_see_when(store):
    session = await new_session(store)
    token = digest(f"r0-{session.id}")
    async with store.new_uow() as uow:
        first = await uow.sessions.claim_refresh_token([token], NOW)
        await uow.sessions.add_refresh_token(session.id, digest("r1"), 1, NOW)
        await uow.commit()
    async with store.new_uow() as uow:
        second = await uow.sessions.claim_refresh_token([token], NOW + timedelta(seconds=3))
    assert (first.rotated_at, first.generation, first.head_generation) == (None, 0, 0)
    assert (second.rotated_at, second.head_generation) == (NOW, 1)
    assert second.session == session


async def test_unknown_token_claims_nothing(store):
    async with store.new_uow() as uow:
        assert await uow.sessions.claim_refresh_token([digest("nope")], NOW) is None


async def test_an_uncommitted_claim_is_undone(store):
    session = await new_session(store)
    token = digest(f"r0-{session.id}")
    async with store.new_uow() as uow:
        await uow.sessions.claim_refresh_token([token], NOW)
    async with store.new_uow() as uow:
        assert (await uow.sessions.claim_refresh_token([token], NOW)).rotated_at is None


async def test_twenty_concurrent_claims_have_exactly_one_winner(store):
    session = await new_session(store)
    token = digest(f"r0-{session.id}")

    async def claim():
        async with store.new_uow() as uow:
            result = await uow.sessions.claim_refresh_token([token], NOW)
            await asyncio.sleep(0.01)  # hold the row lock while others queue
            await uow.commit()
            return result.rotated_at

    results = await asyncio.gather(*(claim() for _ in range(20)))
    assert results.count(None) == 1


async def test_one_step_rotation_claims_adds_the_successor_and_the_sid(store):
    user = UserFactory.build()
    session = await new_session(store, user)
    later = NOW + timedelta(minutes=20)
    rotated = await store.rotation.rotate(
        [digest(f"r0-{session.id}")], digest("r1"), digest("s1"), later, timedelta(minutes=15)
    )
    assert rotated == Rotation(session.id, session.expires_at, later + timedelta(minutes=15))
    assert await store.current_user.user_by_sid([digest("s1")], later) == user
    async with store.new_uow() as uow:
        old = await uow.sessions.claim_refresh_token([digest(f"r0-{session.id}")], later)
        successor = await uow.sessions.claim_refresh_token([digest("r1")], later)
    assert (old.rotated_at, old.generation, old.head_generation) == (later, 0, 1)
    assert (successor.rotated_at, successor.generation) == (None, 1)
    assert successor.session.last_seen_at == later


async def test_one_step_rotation_ends_the_sid_with_its_session(store):
    session = await new_session(store, expires_at=NOW + timedelta(minutes=5))
    rotated = await store.rotation.rotate(
        [digest(f"r0-{session.id}")], digest("r1"), digest("s1"), NOW, timedelta(minutes=15)
    )
    assert rotated.sid_expires_at == NOW + timedelta(minutes=5)


async def test_one_step_rotation_changes_nothing_unless_fresh_and_live(store):
    revoked, expired, used = [await new_session(store) for _ in range(3)]
    async with store.new_uow() as uow:
        await uow.sessions.revoke(revoked.id, NOW, "logout")
        await uow.commit()
    later = NOW + timedelta(days=30)
    assert await store.rotation.rotate([digest(f"r0-{expired.id}")], digest("x1"), digest("y1"), later,
                                       timedelta(minutes=15)) is None
    assert await store.rotation.rotate([digest(f"r0-{revoked.id}")], digest("x2"), digest("y2"), NOW,
                                       timedelta(minutes=15)) is None
    assert await store.rotation.rotate([digest(f"r0-{used.id}")], digest("x3"), digest("y3"), NOW,
                                       timedelta(minutes=15))
    assert await store.rotation.rotate([digest(f"r0-{used.id}")], digest("x4"), digest("y4"), NOW,
                                       timedelta(minutes=15)) is None
    assert await store.rotation.rotate([digest("never")], digest("x5"), digest("y5"), NOW,
                                       timedelta(minutes=15)) is None
    async with store.new_uow() as uow:
        for session in (revoked, expired):
            claim = await uow.sessions.claim_refresh_token([digest(f"r0-{session.id}")], NOW)
            assert (claim.rotated_at, claim.head_generation) == (None, 0)
    for name in ("y1", "y2", "y4", "y5"):
        assert await store.current_user.user_by_sid([digest(name)], NOW) is None


async def test_twenty_concurrent_rotations_have_exactly_one_winner(store):
    session = await new_session(store)
    results = await asyncio.gather(*(
        store.rotation.rotate([digest(f"r0-{session.id}")], digest("r1"), digest(f"s-{i}"), NOW,
                              timedelta(minutes=15))
        for i in range(20)
    ))
    assert sum(r is not None for r in results) == 1


async def test_lookups_and_revoke(store):
    session = await new_session(store)
    other = await new_session(store)
    async with store.new_uow() as uow:
        assert await uow.sessions.session_id_by_sid([digest(f"s0-{session.id}")]) == session.id
        assert await uow.sessions.session_id_by_refresh_token([digest(f"r0-{session.id}")]) == session.id
        assert await uow.sessions.session_id_by_sid([digest("nope")]) is None
        await uow.sessions.revoke(session.id, NOW, "logout")
        await uow.sessions.touch(other.id, NOW + timedelta(hours=1))
        await uow.commit()
    async with store.new_uow() as uow:
        revoked = await uow.sessions.claim_refresh_token([digest(f"r0-{session.id}")], NOW)
        touched = await uow.sessions.claim_refresh_token([digest(f"r0-{other.id}")], NOW)
    assert revoked.session.revoked_at == NOW
    assert touched.session.revoked_at is None
    assert touched.session.last_seen_at == NOW + timedelta(hours=1)


async def test_current_user_by_sid(store):
    user = UserFactory.build()
    session = await new_session(store, user)
    sid = digest(f"s0-{session.id}")
    assert await store.current_user.user_by_sid([sid], NOW) == user
    assert await store.current_user.user_by_sid([sid], NOW + timedelta(minutes=15)) is None
    assert await store.current_user.user_by_sid([digest("planted")], NOW) is None
    async with store.new_uow() as uow:
        await uow.sessions.revoke(session.id, NOW, "logout")
        await uow.commit()
    assert await store.current_user.user_by_sid([sid], NOW) is None


async def test_the_current_user_says_whether_totp_is_on_in_the_same_query(store):
    user = UserFactory.build()
    session = await new_session(store, user)
    sid = digest(f"s0-{session.id}")
    async with store.new_uow() as uow:
        await uow.totp.set_pending(user.id, b"s" * 20, NOW)
        await uow.commit()
    assert (await store.current_user.user_by_sid([sid], NOW)).mfa_enabled is False  # pending is not on
    async with store.new_uow() as uow:
        await uow.totp.enable(user.id, 1, NOW)
        await uow.commit()
    assert (await store.current_user.user_by_sid([sid], NOW)).mfa_enabled is True
    async with store.new_uow() as uow:
        assert (await uow.users.by_id(user.id)).mfa_enabled is True


async def test_current_user_outlived_session_is_none(store):
    session = await new_session(store, expires_at=NOW + timedelta(minutes=5))
    assert await store.current_user.user_by_sid([digest(f"s0-{session.id}")], NOW + timedelta(minutes=6)) is None


async def test_revoke_all_for_user_may_keep_one_session(store):
    kept = await new_session(store)
    user = await _user(store, kept.user_id)
    others = []
    for _ in range(2):
        session = Session(id=uuid.uuid4(), user_id=user.id, created_at=NOW, expires_at=NOW + timedelta(days=30),
                          last_seen_at=NOW, ip="198.51.100.4", user_agent="agent")
        async with store.new_uow() as uow:
            await uow.sessions.add(session)
            await uow.sessions.add_refresh_token(session.id, digest(f"r0-{session.id}"), 0, NOW)
            await uow.commit()
        others.append(session)
    stranger = await new_session(store)
    async with store.new_uow() as uow:
        assert await uow.sessions.revoke_all_for_user(user.id, NOW, "password_changed", keep=kept.id) == 2
        await uow.commit()
    async with store.new_uow() as uow:
        states = {s.id: (await uow.sessions.claim_refresh_token([digest(f"r0-{s.id}")], NOW)).session.revoked_at
                  for s in [kept, stranger, *others]}
    assert states == {kept.id: None, stranger.id: None, others[0].id: NOW, others[1].id: NOW}


async def _user(store, user_id):
    async with store.new_uow() as uow:
        return await uow.users.by_id(user_id)


async def test_revoke_answers_the_owner_only_while_the_session_was_live(store):
    session = await new_session(store)
    async with store.new_uow() as uow:
        assert await uow.sessions.revoke(session.id, NOW, "user") == session.user_id
        assert await uow.sessions.revoke(session.id, NOW, "user") is None
        assert await uow.sessions.revoke(uuid.uuid4(), NOW, "user") is None


async def test_live_for_user_is_newest_first_without_ended_or_expired_ones(store):
    older = await new_session(store)
    user = await _user(store, older.user_id)
    later = dict(user_id=user.id, created_at=NOW + timedelta(minutes=1))
    newer, revoked, expired = (Session(id=uuid.uuid4(), expires_at=NOW + timedelta(days=30),
                                       last_seen_at=NOW, **later) for _ in range(3))
    expired.expires_at = NOW
    async with store.new_uow() as uow:
        for session in (newer, revoked, expired):
            await uow.sessions.add(session)
        await uow.sessions.revoke(revoked.id, NOW, "user")
        await uow.commit()
    await new_session(store)  # another user's
    async with store.new_uow() as uow:
        live = await uow.sessions.live_for_user(user.id, NOW)
    assert [s.id for s in live] == [newer.id, older.id]


async def test_events_are_the_users_newest_first_with_their_origin(store):
    session = await new_session(store)
    stranger = await new_session(store)
    async with store.new_uow() as uow:
        await uow.events.record(session.user_id, "signed_in", {"method": "password"}, NOW, ClientInfo("203.0.113.9", "ua"))
        for kind in ("session_revoked", "signed_out"):  # one instant: recording order decides
            await uow.events.record(session.user_id, kind, {}, NOW + timedelta(seconds=1), ClientInfo())
        await uow.events.record(stranger.user_id, "signed_in", {}, NOW + timedelta(seconds=2), ClientInfo())
        await uow.commit()
    async with store.new_uow() as uow:
        events = await uow.events.for_user(session.user_id, 10)
        (newest,) = await uow.events.for_user(session.user_id, 1)
    assert [e.kind for e in events] == ["signed_out", "session_revoked", "signed_in"]
    assert (events[2].ip, events[2].user_agent, events[2].detail) == ("203.0.113.9", "ua", {"method": "password"})
    assert newest == events[0]


async def test_a_kind_outside_the_contract_is_refused_before_it_is_written(store):
    session = await new_session(store)
    with pytest.raises(ValueError):
        async with store.new_uow() as uow:
            await uow.events.record(session.user_id, "email_verified_by_provider", {}, NOW, ClientInfo())
    async with store.new_uow() as uow:
        assert await uow.events.for_user(session.user_id, 10) == []


async def test_rows_of_an_older_version_read_as_contract_kinds_and_others_are_skipped(engine, db_config, driver_pool):
    maker = db_config.create_session_maker()
    store = Store(lambda: SqlUnitOfWork(maker, CIPHER, outbox=SqlOutbox), SqlCurrentUserQuery(driver_pool),
                  SqlRefreshRotation(driver_pool))
    session = await new_session(store)
    async with engine.begin() as connection:
        for n, kind in enumerate(("email_verified_by_provider", "never_a_kind", "signed_in")):
            await connection.execute(insert(SecurityEventRow).values(
                id=uuid.uuid4(), user_id=session.user_id, kind=kind, detail={"provider": "google"},
                created_at=NOW + timedelta(seconds=n),
            ))
    async with store.new_uow() as uow:
        events = await uow.events.for_user(session.user_id, 2)
    assert [e.kind for e in events] == ["signed_in", "email_verified"]


async def test_clients_seen_are_the_latest_sessions_ended_ones_included(store):
    first = await new_session(store, ip="203.0.113.1", user_agent="first")
    user = UserFactory.build(id=first.user_id)
    async with store.new_uow() as uow:
        for n, at in ((2, NOW + timedelta(minutes=1)), (3, NOW + timedelta(minutes=2))):
            await uow.sessions.add(Session(uuid.uuid4(), user.id, at, at + timedelta(days=1), at,
                                           ip=f"203.0.113.{n}", user_agent=f"agent-{n}"))
        await uow.sessions.revoke(first.id, NOW, "test")
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.sessions.clients_seen(user.id, 2) == [("203.0.113.3", "agent-3"), ("203.0.113.2", "agent-2")]
        assert len(await uow.sessions.clients_seen(user.id, 10)) == 3
        assert await uow.sessions.clients_seen(uuid.uuid4(), 10) == []
