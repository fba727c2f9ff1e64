"""Skip counters: skipped ads counted in the hourly, daily and per-creative roll-ups

Revision ID: 0033
Revises: 0032
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLLUPS = {
    "campaign_hourly_stats": ("date_trunc('hour', e.received_at, 'UTC')", "hour"),
    "campaign_daily_stats": ("(e.received_at AT TIME ZONE 'UTC')::date", "day"),
    "creative_daily_stats": ("(e.received_at AT TIME ZONE 'UTC')::date", "day"),
}
"""Each roll-up: how an event's arrival names its bucket, and the bucket's column."""


def upgrade() -> None:
    for table in _ROLLUPS:
        op.add_column(
            table, sa.Column("skips", sa.BigInteger(), server_default="0", nullable=False)
        )
    # The skips of the raw events still kept (EVENT_RETENTION_DAYS), bucketed by arrival as the
    # roll-ups are; older buckets stay at 0.
    for table, (bucket, column) in _ROLLUPS.items():
        per_creative = table == "creative_daily_stats"
        keys = "e.campaign_id, e.creative_id" if per_creative else "e.campaign_id"
        match = " AND s.creative_id = k.creative_id" if per_creative else ""
        op.execute(
            f"""UPDATE {table} AS s SET skips = k.skips
            FROM (SELECT {keys}, {bucket} AS bucket, count(*) AS skips
                  FROM ad_events e WHERE e.event_type = 'skip' GROUP BY {keys}, {bucket}) AS k
            WHERE s.campaign_id = k.campaign_id AND s.{column} = k.bucket{match}"""  # noqa: S608
        )


def downgrade() -> None:
    for table in _ROLLUPS:
        op.drop_column(table, "skips")
