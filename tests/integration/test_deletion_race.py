"""A request of an account that runs while the account is deleted, on PostgreSQL (the fakes
enforce no foreign key and take no lock). One that read the account before the deletion
committed and writes after it meets the account's rows gone: the unit of work answers
AccountGone, and the request refuses as if the account had not been there (a login as a
wrong password, a signed-in request as a dead session), with nothing of it kept. One that
holds a row of the account (a claimed challenge or refresh token) holds the account's row
first, so the deletion waits for it (and then erases what it wrote), or it waits for the
deletion (and finds nothing to claim): never a deadlock. Each order is made certain: the
request waits at a point until the deletion has committed, or the deletion is seen waiting
for the request's lock before the request goes on."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from application.policy import FreshnessPolicy, LoginLimits, SecondFactorPolicy, SessionPolicy
from application.services.device_cookies import DeviceCookies
from application.services.email_links import EmailLinks
from application.services.lock_notice import LockNotice
from application.services.login_guard import LoginGuard
from application.services.new_device import NewDeviceAlert
from application.services.second_step import SecondStep
from application.services.session_tokens import SessionIssuer
from application.use_cases.get_current_user import GetCurrentUser
from application.use_cases.login_with_password import LoginWithPassword
from application.use_cases.reauthenticate import Reauthenticate
from application.use_cases.refresh_session import RefreshSession
from application.use_cases.update_profile import UpdateProfile
from application.use_cases.verify_second_step import VerifySecondStep
from domain.clients import ClientInfo
from domain.errors import AccountGone, InvalidCredentials, InvalidRefresh
from domain.profile import ProfileEdit
from domain.totp import time_step, totp
from infrastructure.persistence.tables import DefaultBase, OutboxMessageRow, SessionRow, UserRow
from tests.factories import UserFactory
from tests.fakes import (
    FakeClock, FakeIds, FakePasskeyVerifier, FakePasswordHasher, FakePhoneNumbers, FakeTokens, InMemoryAttemptCounter, RecordingTelemetry,
    ReportedEvent,
)

pytestmark = pytest.mark.parametrize("store", ["postgres"], indirect=True)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
CLIENT = ClientInfo(ip="198.51.100.4", user_agent="agent")
PASSWORD = "secret-password"  # UserFactory's hash is the fake hasher's of it
SECRET = bytes(range(20))


class Pause:
    """Where a request stops: `reached` once it is there, and it goes on at `go`."""

    def __init__(self) -> None:
        self.reached, self.go = asyncio.Event(), asyncio.Event()

    async def __call__(self) -> None:
        self.reached.set()
        await self.go.wait()


class PausingHasher(FakePasswordHasher):
    """Checks the password only once told to: the account is read, nothing written yet."""

    def __init__(self, pause: Pause) -> None:
        super().__init__()
        self.pause = pause

    async def verify(self, password, password_hash):
        await self.pause()
        return await super().verify(password, password_hash)


class PausingIssuer:
    """A SessionIssuer whose new sid for a refresh waits: the session is read, not yet written to."""

    def __init__(self, issuer: SessionIssuer, pause: Pause) -> None:
        self.issuer, self.pause = issuer, pause

    def __getattr__(self, name):
        return getattr(self.issuer, name)

    async def grant_sid(self, *args):
        await self.pause()
        return await self.issuer.grant_sid(*args)


class PausingGuard:
    """A LoginGuard whose count of a second step's answer waits: the challenge is claimed."""

    def __init__(self, guard: LoginGuard, pause: Pause) -> None:
        self.guard, self.pause = guard, pause

    def __getattr__(self, name):
        return getattr(self.guard, name)

    async def admit_key(self, *args):
        await self.pause()
        return await self.guard.admit_key(*args)


class PausingCurrentUser:
    """The signed-in user, read, then handed over only once told to."""

    def __init__(self, current_user: GetCurrentUser, pause: Pause) -> None:
        self.current_user, self.pause = current_user, pause

    async def require(self, sid):
        user = await self.current_user.require(sid)
        await self.pause()
        return user


class Setting:
    def __init__(self, store) -> None:
        self.store, self.clock, self.tokens = store, FakeClock(NOW), FakeTokens()
        self.pause, self.telemetry = Pause(), RecordingTelemetry()
        self.issuer = SessionIssuer(tokens=self.tokens, ids=FakeIds(), policy=SessionPolicy())
        self.current_user = GetCurrentUser(query=store.current_user, tokens=self.tokens, clock=self.clock)
        self.guard = LoginGuard(InMemoryAttemptCounter(), LoginLimits(failures=100))
        email_links = EmailLinks(tokens=self.tokens)
        self.lock_notice = LockNotice(new_uow=store.new_uow, email_links=email_links, clock=self.clock)
        self.second_step = SecondStep(tokens=self.tokens, policy=SecondFactorPolicy())
        self.verify = VerifySecondStep(
            new_uow=store.new_uow, clock=self.clock, tokens=self.tokens, ids=FakeIds(), issuer=self.issuer,
            guard=PausingGuard(self.guard, self.pause), lock_notice=self.lock_notice,
            new_device=NewDeviceAlert(email_links), devices=DeviceCookies(self.tokens), email_links=email_links,
            verifier=FakePasskeyVerifier(), policy=SecondFactorPolicy(), telemetry=self.telemetry,
        )
        self.login = LoginWithPassword(
            new_uow=store.new_uow, hasher=PausingHasher(self.pause), clock=self.clock, issuer=self.issuer,
            guard=self.guard, tokens=self.tokens, ids=FakeIds(), lock_notice=self.lock_notice,
            new_device=NewDeviceAlert(email_links), devices=DeviceCookies(self.tokens), telemetry=self.telemetry,
            second_step=self.second_step,
        )

    async def account(self, signed_in: bool = True):
        user = UserFactory.build()
        async with self.store.new_uow() as uow:
            await uow.users.add(user)
            issued = await self.issuer.open(uow, user.id, NOW, CLIENT, "password") if signed_in else None
            await uow.commit()
        return user, issued

    def refresh(self, issuer) -> RefreshSession:
        return RefreshSession(
            new_uow=self.store.new_uow, tokens=self.tokens, clock=self.clock, issuer=issuer, policy=SessionPolicy(),
            rotation=self.store.rotation, telemetry=self.telemetry,
        )

    def reauthenticate(self) -> Reauthenticate:
        return Reauthenticate(
            current_user=self.current_user, new_uow=self.store.new_uow, hasher=PausingHasher(self.pause),
            tokens=self.tokens, clock=self.clock, guard=self.guard, lock_notice=self.lock_notice,
            policy=FreshnessPolicy(),
        )

    def update_profile(self) -> UpdateProfile:
        return UpdateProfile(
            current_user=PausingCurrentUser(self.current_user, self.pause), new_uow=self.store.new_uow,
            phones=FakePhoneNumbers(), clock=self.clock,
        )

    async def challenged(self, user) -> str:
        """A second step opened for the user, whose TOTP is on."""
        async with self.store.new_uow() as uow:
            await uow.totp.set_pending(user.id, SECRET, NOW)
            await uow.totp.enable(user.id, time_step(NOW) - 2, NOW)
            opened = await self.second_step.challenge(uow, user.id, "password", "key", NOW)
            await uow.commit()
        return opened.token

    async def delete(self, user) -> None:
        async with self.store.new_uow() as uow:
            await uow.users.delete(user.id)
            await uow.commit()

    async def race(self, request, user):
        """`request` runs until its pause; the account is deleted and committed; it goes on."""
        running = asyncio.create_task(request)
        await self.pause.reached.wait()
        await self.delete(user)
        self.pause.go.set()
        return await running

    async def first(self, request, user, engine):
        """`request` runs until its pause, holding what it claimed; the deletion starts and
        waits for it; the request goes on, then the deletion."""
        running = asyncio.create_task(request)
        await self.pause.reached.wait()
        deleting = asyncio.create_task(self.delete(user))
        try:
            await waiting_for_a_lock(engine, "DELETE FROM users")
        finally:  # the request ends whatever was seen, and its transaction with it
            self.pause.go.set()
        answer = await running
        await deleting
        return answer


async def waiting_for_a_lock(engine, statement: str = "") -> None:
    """Until a connection of this database waits for a lock another transaction holds, in a
    statement that begins with `statement`."""
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                   " AND wait_event_type = 'Lock' AND starts_with(query, :statement)")
    async with asyncio.timeout(10), engine.connect() as connection:
        while not await connection.scalar(waiting, {"statement": statement}):
            await connection.rollback()  # each look on a fresh snapshot of the activity
            await asyncio.sleep(0.005)


async def rows_of(engine, user) -> dict[str, int]:
    """The rows of every table that refers to the user, with every session and message."""
    counts = {}
    async with engine.connect() as connection:
        for table in DefaultBase.metadata.sorted_tables:
            for column in (fk.parent for fk in table.foreign_keys if fk.column.table is UserRow.__table__):
                counts[f"{table.name}.{column.name}"] = await connection.scalar(
                    select(func.count()).select_from(table).where(column == user.id))
        counts["users"] = await connection.scalar(select(func.count()).where(UserRow.id == user.id))
        counts["sessions"] = await connection.scalar(select(func.count()).select_from(SessionRow))
        counts["outbox_messages"] = await connection.scalar(select(func.count()).select_from(OutboxMessageRow))
    return {name: count for name, count in counts.items() if count}


async def test_a_password_login_ending_after_the_deletion_is_invalid_credentials_keeping_nothing(store, engine):
    setting = Setting(store)
    user, _ = await setting.account(signed_in=False)
    with pytest.raises(InvalidCredentials):
        await setting.race(setting.login.execute(user.email, PASSWORD, CLIENT), user)
    assert await rows_of(engine, user) == {}
    assert setting.telemetry.events == [ReportedEvent("login_failed", CLIENT.ip, None, "invalid_credentials")]
    assert setting.telemetry.logins == [("password", "invalid_credentials")]


async def test_the_same_login_without_the_deletion_signs_in(store, engine):
    setting = Setting(store)
    user, _ = await setting.account(signed_in=False)
    running = asyncio.create_task(setting.login.execute(user.email, PASSWORD, CLIENT))
    await setting.pause.reached.wait()
    setting.pause.go.set()
    assert (await running).user.id == user.id
    assert (await rows_of(engine, user))["sessions"] == 1


async def test_a_refresh_replayed_while_the_deletion_is_uncommitted_waits_and_is_invalid_refresh(store, engine):
    setting = Setting(store)
    user, issued = await setting.account()
    refresh = setting.refresh(setting.issuer)
    await refresh.execute(issued.refresh_token)  # rotated: a replay is in its grace
    async with store.new_uow() as deletion:
        await deletion.users.delete(user.id)
        replaying = asyncio.create_task(refresh.execute(issued.refresh_token, CLIENT))
        await waiting_for_a_lock(engine)
        await deletion.commit()
    with pytest.raises(InvalidRefresh):
        await replaying
    assert await rows_of(engine, user) == {}
    assert setting.telemetry.refreshes == ["rotated", "invalid"]


async def test_a_refresh_that_claimed_first_is_granted_and_the_deletion_then_erases_it(store, engine):
    setting = Setting(store)
    user, issued = await setting.account()
    await setting.refresh(setting.issuer).execute(issued.refresh_token)
    refresh = setting.refresh(PausingIssuer(setting.issuer, setting.pause))
    granted = await setting.first(refresh.execute(issued.refresh_token, CLIENT), user, engine)
    assert granted.sid
    assert await rows_of(engine, user) == {}


async def test_a_second_step_answered_first_signs_in_and_the_deletion_then_erases_it(store, engine):
    setting = Setting(store)
    user, _ = await setting.account(signed_in=False)
    token = await setting.challenged(user)
    signed_in = await setting.first(setting.verify.execute(token, CLIENT, code=totp(SECRET, NOW)), user, engine)
    assert signed_in.user.id == user.id
    assert await rows_of(engine, user) == {}


async def test_a_reauthentication_ending_after_the_deletion_is_account_gone_keeping_nothing(store, engine):
    setting = Setting(store)
    user, issued = await setting.account()
    with pytest.raises(AccountGone):
        await setting.race(setting.reauthenticate().execute(issued.sid, CLIENT, password=PASSWORD), user)
    assert await rows_of(engine, user) == {}


async def test_a_profile_change_ending_after_the_deletion_is_account_gone_not_a_success(store, engine):
    setting = Setting(store)
    user, issued = await setting.account()
    with pytest.raises(AccountGone):
        await setting.race(setting.update_profile().execute(issued.sid, ProfileEdit(firstname="Grace")), user)
    assert await rows_of(engine, user) == {}
