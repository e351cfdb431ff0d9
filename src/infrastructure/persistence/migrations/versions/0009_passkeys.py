"""passkeys: the credentials, each account's random user handle, and the ceremonies'
challenges

Revision ID: 0009_passkeys
Revises: 0008_second_factor
Create Date: 2026-12-05 19:30:00
"""

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from alembic import op

revision = '0009_passkeys'
down_revision = '0008_second_factor'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'passkeys',
        sa.Column('id', GUID(length=16), nullable=False),
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('credential_id', sa.LargeBinary(length=1023), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('sign_count', sa.BigInteger(), nullable=False),
        sa.Column('transports', JsonB, nullable=False),
        sa.Column('backup_eligible', sa.Boolean(), nullable=False),
        sa.Column('backed_up', sa.Boolean(), nullable=False),
        sa.Column('aaguid', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('last_used_at', DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_passkeys_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkeys')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_passkeys_credential_id')),
    )
    op.create_index('ix_passkeys_user_id', 'passkeys', ['user_id'])
    op.create_table(
        'passkey_user_handles',
        sa.Column('user_id', GUID(length=16), nullable=False),
        sa.Column('handle', sa.LargeBinary(length=64), nullable=False),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_passkey_user_handles_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_passkey_user_handles')),
        sa.UniqueConstraint('handle', name=op.f('uq_passkey_user_handles_handle')),
    )
    op.create_table(
        'webauthn_challenges',
        sa.Column('challenge', sa.LargeBinary(length=64), nullable=False),
        sa.Column('binding', sa.LargeBinary(length=32), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('user_id', GUID(length=16), nullable=True),
        sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
        sa.Column('expires_at', DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_webauthn_challenges_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('challenge', name=op.f('pk_webauthn_challenges')),
        sa.UniqueConstraint('binding', 'purpose', name='uq_webauthn_challenges_binding_purpose'),
    )
    op.create_index('ix_webauthn_challenges_user_id', 'webauthn_challenges', ['user_id'])
    op.create_index('ix_webauthn_challenges_expires_at', 'webauthn_challenges', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_webauthn_challenges_expires_at', table_name='webauthn_challenges')
    op.drop_index('ix_webauthn_challenges_user_id', table_name='webauthn_challenges')
    op.drop_table('webauthn_challenges')
    op.drop_table('passkey_user_handles')
    op.drop_index('ix_passkeys_user_id', table_name='passkeys')
    op.drop_table('passkeys')
