"""`python -m web rotate-keys`: what a fallback key encrypted is re-encrypted under
SECRET_KEY, in batches, once; what no key opens is counted and left as absent."""

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from application.ports.messages import Message
from domain.flows import PendingLink, ProviderFlow
from domain.identities import LinkedAccount, ProviderIdentity, ProviderTokens
from infrastructure.persistence.key_rotation import reseal_all
from infrastructure.outbox.store import SqlOutbox
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.security.cipher import TokenCipher
from infrastructure.settings import load_settings
from tests.factories import UserFactory
from web import __main__ as entry

OLD, NEW, LOST = "old-key-" + "a" * 32, "new-key-" + "b" * 32, "lost-key-" + "c" * 32
NOW = datetime.now(UTC)
LATER = NOW + timedelta(hours=1)
TOKENS = ProviderTokens("access", "refresh", "id-token", NOW + timedelta(hours=1), "openid")


async def seed(db_config, cipher: TokenCipher, subject: str) -> None:
    """One of each encrypted value, sealed by `cipher`."""
    user = UserFactory.build()
    async with SqlUnitOfWork(db_config.create_session_maker(), cipher, outbox=SqlOutbox) as uow:
        await uow.users.add(user)
        await uow.linked_accounts.add(LinkedAccount(uuid.uuid4(), user.id, "google", subject, NOW, tokens=TOKENS))
        # Not due for an hour: the e2e servers of this test session share the database, and their
        # dispatchers must not send (and so erase) it before the command sees it waiting.
        await uow.outbox.enqueue(Message("verify_email", "email", user.email, "en", {}, {"link": "s3cret"}), LATER)
        await uow.flows.add(ProviderFlow(_digest(subject), _digest("browser" + subject), "google", "nonce",
                                         "verifier", NOW, NOW + timedelta(minutes=10)))
        identity = ProviderIdentity("google", "p-" + subject, tokens=TOKENS)
        await uow.pending_links.add(PendingLink(_digest("pending" + subject), user.id, identity, NOW,
                                                NOW + timedelta(minutes=10)))
        await uow.totp.set_pending(user.id, _digest("totp" + subject)[:20], NOW)
        await uow.commit()


def _digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


async def encrypted_values(engine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text(
            "SELECT unnest(ARRAY[access_token, refresh_token, id_token]) FROM accounts"
            " UNION ALL SELECT secret FROM outbox_messages UNION ALL SELECT code_verifier FROM oauth_flows"
            " UNION ALL SELECT identity FROM pending_links UNION ALL SELECT secret FROM totp_secrets"))
        return [value for (value,) in rows]


async def test_reseals_in_batches_once_and_leaves_the_unreadable(engine, db_config):
    await seed(db_config, TokenCipher(OLD), "old-1")
    await seed(db_config, TokenCipher(OLD), "old-2")
    await seed(db_config, TokenCipher(NEW), "new")
    await seed(db_config, TokenCipher(LOST), "lost")
    rotated = TokenCipher(NEW, [OLD])

    counts = await reseal_all(engine, rotated, batch=1)  # a page per row: the walk is tested
    assert {table: (c.resealed, c.current, c.unreadable) for table, c in counts.items()} == {
        "accounts": (6, 3, 3), "outbox_messages": (2, 1, 1), "oauth_flows": (2, 1, 1), "pending_links": (2, 1, 1),
        "totp_secrets": (2, 1, 1),
    }
    readable = [value for value in await encrypted_values(engine) if value is not None]
    assert sum(TokenCipher(NEW).readable_or_none(value, "test value") is not None for value in readable) == 21

    again = await reseal_all(engine, rotated)
    assert {table: (c.resealed, c.current, c.unreadable) for table, c in again.items()} == {
        "accounts": (0, 9, 3), "outbox_messages": (0, 3, 1), "oauth_flows": (0, 3, 1), "pending_links": (0, 3, 1),
        "totp_secrets": (0, 3, 1),
    }


async def test_the_command_prints_one_line_per_table(engine, db_config, database_url, capsys):
    await seed(db_config, TokenCipher(OLD), "old")
    env = {"DATABASE_URL": database_url, "SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": OLD}
    # In a thread: the command runs its own event loop, as from a shell.
    await asyncio.to_thread(entry.rotate_keys, load_settings(env, env_file="/nonexistent"))
    assert capsys.readouterr().out.splitlines() == [
        "accounts: 3 re-encrypted, 0 already under SECRET_KEY, 0 unreadable",
        "outbox_messages: 1 re-encrypted, 0 already under SECRET_KEY, 0 unreadable",
        "oauth_flows: 1 re-encrypted, 0 already under SECRET_KEY, 0 unreadable",
        "pending_links: 1 re-encrypted, 0 already under SECRET_KEY, 0 unreadable",
        "totp_secrets: 1 re-encrypted, 0 already under SECRET_KEY, 0 unreadable",
    ]
