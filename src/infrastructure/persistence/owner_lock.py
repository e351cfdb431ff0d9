"""The lock order shared with the account's deletion: the user's row first, then its rows.

Deleting an account (DeleteAccount) locks the user's row, deletes it, and the cascade then
deletes each row that refers to it, waiting for any row another transaction has locked. A
transaction that locked one of those rows first (a challenge claimed, a refresh token
claimed, a passkey's counter or a TOTP step moved, a session revoked) and then writes a
row referring to the user or the session waits for the deletion in turn: a deadlock, and
one of the two ends as a 500. So every such lock is preceded by `hold_owner`: FOR KEY SHARE
on the owner's row, which lets every other use of the account run (reads, updates of its
fields, other requests holding it alike) but not its deletion. Either the request holds the
account first and the deletion waits for its commit (and then erases what it wrote), or the
deletion committed first and the request finds the rows gone: nothing to claim, or a write
that leaves as AccountGone (unit_of_work.py).
"""

from uuid import UUID

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from infrastructure.persistence.tables import UserRow


async def hold_owner(session: AsyncSession, owner: UUID | Select) -> None:
    """FOR KEY SHARE on the user row `owner` is, or that the one-column `owner` query names
    (none: nothing to hold, and the lock that follows finds nothing either)."""
    condition: ColumnElement[bool] = (
        UserRow.id == owner if isinstance(owner, UUID) else UserRow.id.in_(owner.scalar_subquery())
    )
    await session.execute(select(UserRow.id).where(condition).with_for_update(read=True, key_share=True))
