"""campaign dayparts

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaigns",
        sa.Column(
            "daypart_hours",
            postgresql.ARRAY(sa.SmallInteger()),
            server_default=sa.text("'{}'::smallint[]"),
            nullable=False,
        ),
    )
    op.add_column(
        "campaigns",
        sa.Column("timezone", sa.Text(), server_default="UTC", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("campaigns", "timezone")
    op.drop_column("campaigns", "daypart_hours")
