"""ResetPassword on PostgreSQL: the token claim is what decides between concurrent resets."""

import asyncio

from application.policy import LoginLimits
from application.services.email_links import EmailLinks
from application.services.login_guard import LoginGuard
from application.use_cases.reset_password import ResetPassword
from domain.clients import ClientInfo
from domain.errors import InvalidToken
from domain.email_links import PASSWORD_RESET, EmailLink
from tests.factories import UserFactory
from tests.fakes import FakeBreachedPasswords, FakeClock, FakePasswordHasher, FakeTokens, InMemoryAttemptCounter


async def test_two_resets_with_one_token_one_wins(store):
    tokens, clock = FakeTokens(), FakeClock()
    reset = ResetPassword(
        new_uow=store.new_uow, hasher=FakePasswordHasher(), breached=FakeBreachedPasswords(), tokens=tokens,
        clock=clock,
        email_links=EmailLinks(tokens=tokens), guard=LoginGuard(InMemoryAttemptCounter(), LoginLimits()),
    )
    user = UserFactory.build(email="ada@example.com")
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.email_links.add(tokens.digest("the-link"),
                            EmailLink(user.id, PASSWORD_RESET, user.email, clock.now() + reset.email_links.policy.reset_link_ttl),
                            clock.now())
        await uow.commit()

    results = await asyncio.gather(
        *(reset.execute("the-link", f"new-password-{n}-x", ClientInfo()) for n in range(5)), return_exceptions=True
    )

    winners = [n for n, result in enumerate(results) if result is None]
    assert len(winners) == 1
    assert all(isinstance(result, InvalidToken) for result in results if result is not None)
    async with store.new_uow() as uow:
        stored = await uow.users.by_id(user.id)
    assert stored.password_hash == f"fake$new-password-{winners[0]}-x"
