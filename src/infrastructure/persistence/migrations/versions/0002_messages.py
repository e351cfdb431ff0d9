"""messages: outbox secrets and provider ids; a phone number is unique once verified

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The secret part of a message (link token, code), encrypted, erased once sent or abandoned.
    op.add_column('outbox_messages', sa.Column('secret', sa.Text(), nullable=True))
    op.add_column('outbox_messages', sa.Column('provider_message_id', sa.String(length=128), nullable=True))
    # Several accounts may type the same number; only one may have it verified (409 phone_taken).
    op.drop_constraint('uq_users_phone_number', 'users', type_='unique')
    op.create_index(
        'uq_users_phone_verified', 'users', ['phone_number'], unique=True,
        postgresql_where=sa.text('phone_verified_at IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('uq_users_phone_verified', table_name='users')
    op.create_unique_constraint('uq_users_phone_number', 'users', ['phone_number'])
    op.drop_column('outbox_messages', 'provider_message_id')
    op.drop_column('outbox_messages', 'secret')
