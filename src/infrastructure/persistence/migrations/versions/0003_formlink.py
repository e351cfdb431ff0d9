"""formlink: pending links (a provider identity waiting for its account's password login)

Revision ID: 0003_formlink
Revises: 0002
Create Date: 2026-11-29 19:45:00
"""

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = '0003_formlink'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pending_links',
        sa.Column('browser_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('identity', sa.Text(), nullable=False),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('expires_at', DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_links_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('browser_hash', name=op.f('pk_pending_links')),
    )
    op.create_index(op.f('ix_pending_links_user_id'), 'pending_links', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pending_links_user_id'), table_name='pending_links')
    op.drop_table('pending_links')
