"""purge indexes: the batched purge finds expired sids, dead sessions, expired links and old messages by index

Without them each purge batch scans its table: at a million users, hundreds of MB per batch.
rate_limits gets none on purpose: its window_start changes on most login attempts, and an
index on it would cost every such update its HOT path (the purge scans that table instead).

Revision ID: 0005_purge_indexes
Revises: 0004_sessions
Create Date: 2026-11-29 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005_purge_indexes'
down_revision = '0004_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_session_sids_expires_at', 'session_sids', ['expires_at'])
    op.create_index('ix_sessions_expires_at', 'sessions', ['expires_at'])
    op.create_index('ix_sessions_revoked_at', 'sessions', ['revoked_at'],
                    postgresql_where=sa.text('revoked_at IS NOT NULL'))
    op.create_index('ix_verification_tokens_expires_at', 'verification_tokens', ['expires_at'])
    op.create_index('ix_outbox_messages_created_at', 'outbox_messages', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_outbox_messages_created_at', table_name='outbox_messages')
    op.drop_index('ix_verification_tokens_expires_at', table_name='verification_tokens')
    op.drop_index('ix_sessions_revoked_at', table_name='sessions')
    op.drop_index('ix_sessions_expires_at', table_name='sessions')
    op.drop_index('ix_session_sids_expires_at', table_name='session_sids')
