"""sessions: the user agent of each security event (served by /auth/events)

Revision ID: 0004_sessions
Revises: 0003_formlink
Create Date: 2026-11-29 20:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004_sessions'
down_revision = '0003_formlink'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('security_events', sa.Column('user_agent', sa.String(length=512), nullable=True))


def downgrade() -> None:
    op.drop_column('security_events', 'user_agent')
