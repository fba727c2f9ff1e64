"""campaign frequency cap

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("frequency_cap_ads", sa.SmallInteger(), nullable=True))
    op.add_column("campaigns", sa.Column("frequency_cap_hours", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_campaigns_frequency_cap_whole"),
        "campaigns",
        "(frequency_cap_ads IS NULL) = (frequency_cap_hours IS NULL)"
        " AND (frequency_cap_ads IS NULL OR frequency_cap_ads > 0)"
        " AND (frequency_cap_hours IS NULL OR frequency_cap_hours > 0)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_campaigns_frequency_cap_whole"), "campaigns", type_="check")
    op.drop_column("campaigns", "frequency_cap_hours")
    op.drop_column("campaigns", "frequency_cap_ads")
