"""Re-encrypting under SECRET_KEY what a fallback key sealed (python -m web rotate-keys).

Rules:
- every encrypted value: provider tokens (accounts), the secrets of messages still waiting
  (a finished message has none), sign-in flows' verifiers, pending links' identities, TOTP
  secrets (pending or on);
- in batches walked by primary key, each one short transaction: a big table is never
  locked for long, and a running server keeps serving;
- a value already under SECRET_KEY is left as it is: running it again changes nothing;
- each rewrite only applies if the value is still the one read: a value a running server
  wrote meanwhile is newer (and under SECRET_KEY already), so it is never overwritten;
- a value no key opens is left in place and counted: the server reads it as absent;
- digests (sids, refresh tokens, links, codes) are one-way: they cannot be re-made
  without the tokens, which are never stored. They end with their own lifetimes.
"""

from dataclasses import dataclass

from sqlalchemy import Column, Table, and_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.persistence.tables import (
    OUTBOX_WAITING,
    AccountRow,
    OAuthFlowRow,
    OutboxMessageRow,
    PendingLinkRow,
    TotpSecretRow,
)
from infrastructure.security.cipher import TokenCipher, Unreadable

BATCH = 500


@dataclass
class Resealed:
    """How many encrypted values of one table were re-encrypted, were already under
    SECRET_KEY, or could be opened by no key."""

    resealed: int = 0
    current: int = 0
    unreadable: int = 0

    def __str__(self) -> str:
        return (f"{self.resealed} re-encrypted, {self.current} already under SECRET_KEY, "
                f"{self.unreadable} unreadable")


@dataclass(frozen=True)
class _Encrypted:
    table: Table
    key: Column
    columns: tuple[Column, ...]
    only: object = None  # a condition on the rows worth the work


def _targets() -> list[_Encrypted]:
    accounts, outbox = AccountRow.__table__, OutboxMessageRow.__table__
    flows, pending = OAuthFlowRow.__table__, PendingLinkRow.__table__
    totp = TotpSecretRow.__table__
    return [
        _Encrypted(accounts, accounts.c.id,
                   (accounts.c.access_token, accounts.c.refresh_token, accounts.c.id_token)),
        _Encrypted(outbox, outbox.c.id, (outbox.c.secret,), outbox.c.status.in_(OUTBOX_WAITING)),
        _Encrypted(flows, flows.c.state_hash, (flows.c.code_verifier,), flows.c.used_at.is_(None)),
        _Encrypted(pending, pending.c.browser_hash, (pending.c.identity,)),
        _Encrypted(totp, totp.c.user_id, (totp.c.secret,)),
    ]


async def reseal_all(engine: AsyncEngine, cipher: TokenCipher, batch: int = BATCH) -> dict[str, Resealed]:
    """Every table's counts, by table name."""
    return {target.table.name: await _reseal_table(engine, cipher, target, batch) for target in _targets()}


async def _reseal_table(engine: AsyncEngine, cipher: TokenCipher, target: _Encrypted, batch: int) -> Resealed:
    counts, after = Resealed(), None
    while True:
        query = select(target.key, *target.columns).order_by(target.key).limit(batch)
        if target.only is not None:
            query = query.where(target.only)
        if after is not None:
            query = query.where(target.key > after)
        async with engine.begin() as connection:
            rows = (await connection.execute(query)).all()
            for row in rows:
                await _reseal_row(connection, cipher, target, row, counts)
        if len(rows) < batch:
            return counts
        after = rows[-1][0]


async def _reseal_row(connection, cipher: TokenCipher, target: _Encrypted, row, counts: Resealed) -> None:
    changes: dict[Column, tuple[str, str]] = {}
    for column, stored in zip(target.columns, row[1:]):
        if stored is None:
            continue
        try:
            fresh = cipher.reseal(stored)
        except Unreadable:
            counts.unreadable += 1
            continue
        if fresh is None:
            counts.current += 1
        else:
            changes[column] = (stored, fresh)
    if not changes:
        return
    unchanged = and_(target.key == row[0], *(column == old for column, (old, _) in changes.items()))
    written = await connection.execute(
        update(target.table).where(unchanged).values({column.name: new for column, (_, new) in changes.items()})
    )
    if written.rowcount:  # else the server rewrote the row meanwhile, under SECRET_KEY
        counts.resealed += len(changes)
