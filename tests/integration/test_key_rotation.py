"""Tokens stored under a fallback key (SECRET_KEY_FALLBACKS) are found, on the fakes and on
PostgreSQL: sids, refresh tokens, mailed links and phone codes; what is written meanwhile is
under SECRET_KEY; once the fallback is gone, an old session simply ends."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from application.policy import SessionPolicy
from application.services.email_link_claims import claim_email_link
from application.services.session_tokens import SessionIssuer
from application.use_cases.get_current_user import GetCurrentUser
from application.use_cases.logout import Logout
from application.use_cases.refresh_session import RefreshSession
from domain.clients import ClientInfo
from domain.codes import VERIFY_PHONE, CodeCheck, PhoneCode
from domain.errors import InvalidRefresh
from domain.email_links import VERIFY_EMAIL, EmailLink
from infrastructure.clock import Uuid7Ids
from infrastructure.security.tokens import HmacTokenMinter
from tests.factories import UserFactory
from tests.fakes import FakeClock, RecordingTelemetry

OLD, NEW = "old-key-" + "a" * 32, "new-key-" + "b" * 32
BEFORE, DURING, AFTER = HmacTokenMinter(OLD), HmacTokenMinter(NEW, [OLD]), HmacTokenMinter(NEW)
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


class Keys:
    """The use cases as one key ring sees them, over one store."""

    def __init__(self, store, tokens: HmacTokenMinter, clock: FakeClock) -> None:
        policy = SessionPolicy()
        self.issuer = SessionIssuer(tokens=tokens, ids=Uuid7Ids(), policy=policy)
        self.me = GetCurrentUser(query=store.current_user, tokens=tokens, clock=clock)
        self.refresh = RefreshSession(
            new_uow=store.new_uow, tokens=tokens, clock=clock, issuer=self.issuer, policy=policy,
            rotation=store.rotation, telemetry=RecordingTelemetry(),
        )
        self.logout = Logout(new_uow=store.new_uow, tokens=tokens, clock=clock)
        self.tokens, self.store = tokens, store


@pytest.fixture
def clock():
    return FakeClock(NOW)


async def signed_in(store, clock):
    """A user signed in while the old key was SECRET_KEY."""
    user = UserFactory.build()
    async with store.new_uow() as uow:
        await uow.users.add(user)
        issued = await Keys(store, BEFORE, clock).issuer.open(uow, user.id, NOW, ClientInfo(), "password")
        await uow.commit()
    return user, issued


async def test_an_old_sid_and_refresh_token_work_under_the_fallback(store, clock):
    user, issued = await signed_in(store, clock)
    during = Keys(store, DURING, clock)
    assert (await during.me.execute(issued.sid)).id == user.id
    renewed = await during.refresh.execute(issued.refresh_token)
    # What the refresh wrote is under SECRET_KEY: it outlives the fallback.
    after = Keys(store, AFTER, clock)
    assert (await after.me.execute(renewed.sid)).id == user.id
    assert (await after.refresh.execute(renewed.refresh_token)).sid


async def test_a_replay_within_the_grace_window_is_recognised_under_the_fallback(store, clock):
    _, issued = await signed_in(store, clock)
    during = Keys(store, DURING, clock)
    first = await during.refresh.execute(issued.refresh_token)
    again = await during.refresh.execute(issued.refresh_token)  # a second tab, at once
    assert again.refresh_token == first.refresh_token


async def test_without_the_fallback_an_old_session_simply_ends(store, clock):
    _, issued = await signed_in(store, clock)
    after = Keys(store, AFTER, clock)
    assert await after.me.execute(issued.sid) is None
    with pytest.raises(InvalidRefresh):
        await after.refresh.execute(issued.refresh_token)


async def test_logout_finds_a_session_by_its_old_sid(store, clock):
    _, issued = await signed_in(store, clock)
    await Keys(store, DURING, clock).logout.execute(issued.sid, None)
    assert await Keys(store, BEFORE, clock).me.execute(issued.sid) is None  # revoked


async def test_a_mailed_link_of_the_old_key_is_claimed_once(store):
    user = UserFactory.build()
    async with store.new_uow() as uow:
        await uow.users.add(user)
        link = EmailLink(user.id, VERIFY_EMAIL, user.email, NOW + timedelta(days=1))
        await uow.email_links.add(BEFORE.digest("link"), link, NOW)
        await uow.commit()
    async with store.new_uow() as uow:
        link, owner = await claim_email_link(uow, DURING, "link", [VERIFY_EMAIL], NOW)
        await uow.commit()
    assert owner.id == user.id and link.purpose == VERIFY_EMAIL
    async with store.new_uow() as uow:
        assert await uow.email_links.consume(DURING.digests("link"), [VERIFY_EMAIL], NOW) is None  # used


async def test_a_phone_code_of_the_old_key_matches_and_a_wrong_one_counts_once(store):
    user = UserFactory.build(phone_number="+33612345678")
    code = PhoneCode(uuid.uuid4(), user.id, VERIFY_PHONE, user.phone_number, BEFORE.digest("123456"),
                     NOW, NOW + timedelta(minutes=10))
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.phone_codes.add(code, NOW)
        await uow.commit()

    async def check(typed: str, tries_left: int) -> CodeCheck:
        async with store.new_uow() as uow:
            result = await uow.phone_codes.check(user.id, VERIFY_PHONE, user.phone_number,
                                                 DURING.digests(typed), NOW, tries_left)
            await uow.commit()
        return result

    # Two digests per try, one attempt counted: with a limit of 2, the right code still matches.
    assert await check("000000", 2) is CodeCheck.WRONG
    assert await check("123456", 2) is CodeCheck.MATCHED
