"""Household frequency caps: whom a campaign's cap counts, each device or each household

Revision ID: 0031
Revises: 0030
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaigns",
        sa.Column("frequency_cap_scope", sa.Text(), nullable=False, server_default="device"),
    )
    op.create_check_constraint(
        op.f("ck_campaigns_frequency_cap_scope_known"),
        "campaigns",
        "frequency_cap_scope IN ('device', 'household')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_campaigns_frequency_cap_scope_known"), "campaigns", type_="check")
    op.drop_column("campaigns", "frequency_cap_scope")
