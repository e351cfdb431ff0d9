"""delivery window and retention: each outbox message's deadline, and the indexes the purge
needs for rotated refresh tokens, used links, expired codes and old security events

deliver_until is NULL on rows enqueued before: their deadline is computed from their
template and created_at (infrastructure/outbox/retry_policy.py), so nothing is backfilled.
The indexes are skipped when they exist: on a large security_events table an operator may
build them beforehand with CREATE INDEX CONCURRENTLY (docs/operations.md "Retention").

Revision ID: 0007_delivery_window
Revises: 0006_phone_changed_at
Create Date: 2026-12-05 16:00:00
"""

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = '0007_delivery_window'
down_revision = '0006_phone_changed_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox_messages', sa.Column('deliver_until', DateTimeUTC(timezone=True), nullable=True))
    op.create_index('ix_refresh_tokens_rotated_at', 'refresh_tokens', ['rotated_at'],
                    postgresql_where=sa.text('rotated_at IS NOT NULL'), if_not_exists=True)
    op.create_index('ix_verification_tokens_used_at', 'verification_tokens', ['used_at'],
                    postgresql_where=sa.text('used_at IS NOT NULL'), if_not_exists=True)
    op.create_index('ix_verification_codes_expires_at', 'verification_codes', ['expires_at'], if_not_exists=True)
    op.create_index('ix_security_events_created_at', 'security_events', ['created_at'], if_not_exists=True)


def downgrade() -> None:
    op.drop_index('ix_security_events_created_at', table_name='security_events')
    op.drop_index('ix_verification_codes_expires_at', table_name='verification_codes')
    op.drop_index('ix_verification_tokens_used_at', table_name='verification_tokens')
    op.drop_index('ix_refresh_tokens_rotated_at', table_name='refresh_tokens')
    op.drop_column('outbox_messages', 'deliver_until')
