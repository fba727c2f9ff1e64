"""player errors: a partial index of the error beacons, for the campaign's player-error report

Revision ID: 0034
Revises: 0033
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_ad_events_errors",
        "ad_events",
        ["campaign_id", "served_at"],
        postgresql_where=sa.text("event_type = 'error'"),
    )


def downgrade() -> None:
    op.drop_index("ix_ad_events_errors", table_name="ad_events")
