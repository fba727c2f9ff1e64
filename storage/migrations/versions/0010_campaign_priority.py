"""campaign priority

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaigns",
        sa.Column("priority", sa.Text(), server_default="standard", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_campaigns_priority_known"),
        "campaigns",
        "priority IN ('sponsorship', 'standard', 'house')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_campaigns_priority_known"), "campaigns", type_="check")
    op.drop_column("campaigns", "priority")
