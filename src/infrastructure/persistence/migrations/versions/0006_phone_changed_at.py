"""phone_changed_at: when the account's number was last set, so that a "not you?" click can
remove a number set after the event its notice was mailed for

Rows from before stay NULL: such a number is undone only if it was verified since.

Revision ID: 0006_phone_changed_at
Revises: 0005_purge_indexes
Create Date: 2026-12-05 15:30:00
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = '0006_phone_changed_at'
down_revision = '0005_purge_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column(
        'phone_changed_at', DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'phone_changed_at')
