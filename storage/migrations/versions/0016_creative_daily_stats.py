"""Per-creative daily counters, filled from the raw events still kept

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTERS = {
    "impressions": "impression",
    "starts": "start",
    "first_quartiles": "firstQuartile",
    "midpoints": "midpoint",
    "third_quartiles": "thirdQuartile",
    "completes": "complete",
    "clicks": "click",
    "errors": "error",
}


def upgrade() -> None:
    op.create_table(
        "creative_daily_stats",
        sa.Column("campaign_id", sa.UUID(), nullable=False),
        sa.Column("creative_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
            for name in _COUNTERS
        ),
        sa.Column("spend", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_creative_daily_stats_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "creative_id", "day", name=op.f("pk_creative_daily_stats")
        ),
    )
    # The days whose raw events are still kept (EVENT_RETENTION_DAYS); older days stay in the
    # campaign rollups only. Bucketed by arrival day, as the campaign rollups are.
    counts = ", ".join(
        f"count(*) FILTER (WHERE e.event_type = '{event}')" for event in _COUNTERS.values()
    )
    op.execute(
        f"""INSERT INTO creative_daily_stats
            (campaign_id, creative_id, day, {", ".join(_COUNTERS)}, spend)
        SELECT e.campaign_id, e.creative_id, (e.received_at AT TIME ZONE 'UTC')::date,
               {counts}, sum(e.cost)
        FROM ad_events e JOIN campaigns c ON c.id = e.campaign_id
        WHERE e.creative_id IS NOT NULL
        GROUP BY 1, 2, 3"""  # noqa: S608 (constants only)
    )


def downgrade() -> None:
    op.drop_table("creative_daily_stats")
