"""Creative settings: a pause, and a rotation weight within the campaign

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing creatives keep serving as they did: not paused, all of one weight.
    op.add_column(
        "creatives",
        sa.Column("paused", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "creatives", sa.Column("weight", sa.SmallInteger(), server_default="1", nullable=False)
    )
    op.create_check_constraint(
        op.f("ck_creatives_weight_range"), "creatives", "weight BETWEEN 1 AND 100"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_creatives_weight_range"), "creatives", type_="check")
    op.drop_column("creatives", "weight")
    op.drop_column("creatives", "paused")
