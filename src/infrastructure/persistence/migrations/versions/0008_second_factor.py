"""second factor: TOTP secrets (encrypted), recovery codes (digests), second-step
challenges, the time of the sign-in each session descends from, and the provider flows that
re-authenticate a session rather than sign in

sessions.signed_in_at stays NULL on sessions opened before: their created_at is read instead,
so nothing is backfilled.

Revision ID: 0008_second_factor
Revises: 0007_delivery_window
Create Date: 2026-12-05 18:00:00
"""

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision = '0008_second_factor'
down_revision = '0007_delivery_window'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sessions', sa.Column('signed_in_at', DateTimeUTC(timezone=True), nullable=True))
    op.add_column('oauth_flows', sa.Column('reauth', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'totp_secrets',
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('secret', sa.Text(), nullable=False),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('confirmed_at', DateTimeUTC(timezone=True), nullable=True),
        sa.Column('last_step', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_totp_secrets_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_totp_secrets')),
    )
    op.create_table(
        'recovery_codes',
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('code_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('used_at', DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'code_hash', name=op.f('pk_recovery_codes')),
    )
    op.create_table(
        'mfa_challenges',
        sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('method', sa.String(length=32), nullable=False),
        sa.Column('lock_key', sa.String(length=255), nullable=False),
        sa.Column('pending_link_hash', sa.LargeBinary(length=32), nullable=True),
        sa.Column('wrong_answers', sa.Integer(), nullable=False),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('expires_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('used_at', DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mfa_challenges_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_mfa_challenges')),
    )
    op.create_index('ix_mfa_challenges_user_id', 'mfa_challenges', ['user_id'])
    op.create_index('ix_mfa_challenges_expires_at', 'mfa_challenges', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_mfa_challenges_expires_at', table_name='mfa_challenges')
    op.drop_index('ix_mfa_challenges_user_id', table_name='mfa_challenges')
    op.drop_table('mfa_challenges')
    op.drop_table('recovery_codes')
    op.drop_table('totp_secrets')
    op.drop_column('oauth_flows', 'reauth')
    op.drop_column('sessions', 'signed_in_at')
