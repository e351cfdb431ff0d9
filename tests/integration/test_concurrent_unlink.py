"""Two unlinks at once of the two providers of a password-less account, on the fakes and on
PostgreSQL (each in its own transaction and connection): one always keeps the last way to
sign in (409 last_login_method), never both succeed."""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from application.policy import FreshnessPolicy, SessionPolicy
from application.services.freshness import Freshness
from application.services.session_tokens import SessionIssuer
from application.use_cases.unlink_account import UnlinkAccount
from domain.clients import ClientInfo
from domain.errors import LastLoginMethod
from domain.identities import LinkedAccount
from domain.users import User
from tests.factories import UserFactory
from tests.fakes import FakeClock, FakeIds, FakeTokens

ROUNDS = 40
CLIENT = ClientInfo(ip="203.0.113.7", user_agent="pytest")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class SignedIn:
    """The session as read before the unlink's transaction: a snapshot that may be stale."""

    user: User

    async def require(self, sid: str | None) -> User:
        return self.user


TOKENS = FakeTokens()


async def password_less(store, *providers: str) -> tuple[User, str]:
    """The account, and the sid of a session it just signed in (fresh enough to unlink)."""
    user = UserFactory.build(password_hash=None)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        for provider in providers:
            await uow.linked_accounts.add(LinkedAccount(uuid.uuid4(), user.id, provider, uuid.uuid4().hex, NOW))
        issued = await SessionIssuer(tokens=TOKENS, ids=FakeIds(), policy=SessionPolicy()).open(
            uow, user.id, FakeClock().now(), CLIENT, providers[0])
        await uow.commit()
    return user, issued.sid


async def outcome(unlink: UnlinkAccount, sid: str, provider: str) -> str:
    try:
        await unlink.execute(sid, provider, CLIENT)
    except LastLoginMethod:
        return "last_login_method"
    return "unlinked"


async def test_two_unlinks_at_once_never_remove_the_last_way_to_sign_in(store):
    for _ in range(ROUNDS):
        user, sid = await password_less(store, "github", "google")
        unlink = UnlinkAccount(
            current_user=SignedIn(user), new_uow=store.new_uow, clock=FakeClock(),
            freshness=Freshness(tokens=TOKENS, policy=FreshnessPolicy()),
        )
        answers = await asyncio.gather(outcome(unlink, sid, "github"), outcome(unlink, sid, "google"))
        assert sorted(answers) == ["last_login_method", "unlinked"]
        async with store.new_uow() as uow:
            assert len(await uow.linked_accounts.for_user(user.id)) == 1
