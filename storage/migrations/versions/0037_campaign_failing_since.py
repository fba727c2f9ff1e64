"""campaign failing_since: when the playback check found players failing to play its ads

Revision ID: 0037
Revises: 0036
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("failing_since", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("campaigns", "failing_since")
