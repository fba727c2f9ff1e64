"""Inventory archive: hourly ad-request counts and daily request samples, copied from Redis

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("requests", "filled", "house_only", "ads", "house_ads", "invalid", "robots")


def upgrade() -> None:
    op.create_table(
        "inventory_hourly",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.BigInteger(), server_default="0", nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint("hour", name=op.f("pk_inventory_hourly")),
    )
    op.create_table(
        "audience_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "profile", name=op.f("pk_audience_daily")),
    )


def downgrade() -> None:
    op.drop_table("audience_daily")
    op.drop_table("inventory_hourly")
