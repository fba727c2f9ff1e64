"""ad event device key, for reach

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ad_events", sa.Column("device", sa.Text(), nullable=True))
    op.create_index(
        "ix_ad_events_reach",
        "ad_events",
        ["campaign_id", "served_at", "device"],
        postgresql_where=sa.text("event_type = 'impression' AND device IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_ad_events_reach", table_name="ad_events")
    op.drop_column("ad_events", "device")
