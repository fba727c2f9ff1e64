"""initial schema

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ad_events",
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "flushed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("ad_serving_id", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("campaign_id", sa.UUID(), nullable=True),
        sa.Column("creative_id", sa.UUID(), nullable=True),
        sa.Column("error_code", sa.SmallInteger(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "served_at", name="pk_ad_events"),
        postgresql_partition_by="RANGE (served_at)",
    )
    op.create_index(op.f("ix_ad_events_campaign_id"), "ad_events", ["campaign_id"], unique=False)
    # Day partitions are created ahead of time by storage.partitions; the default partition
    # catches whatever arrives for a day that has none yet.
    op.execute("CREATE TABLE ad_events_default PARTITION OF ad_events DEFAULT")
    op.create_table(
        "campaigns",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="draft", nullable=False),
        sa.Column("budget_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column(
            "budget_spent", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False
        ),
        sa.Column("cpm", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("pacing", sa.Text(), server_default="even", nullable=False),
        sa.Column("daily_cap", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("click_through_url", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("pacing IN ('even', 'asap')", name=op.f("ck_campaigns_pacing_known")),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'paused', 'completed')",
            name=op.f("ck_campaigns_status_known"),
        ),
        sa.CheckConstraint(
            "budget_spent >= 0", name=op.f("ck_campaigns_budget_spent_not_negative")
        ),
        sa.CheckConstraint("budget_total > 0", name=op.f("ck_campaigns_budget_total_positive")),
        sa.CheckConstraint(
            "char_length(name) BETWEEN 1 AND 255", name=op.f("ck_campaigns_name_length")
        ),
        sa.CheckConstraint("cpm >= 0", name=op.f("ck_campaigns_cpm_not_negative")),
        sa.CheckConstraint(
            "daily_cap IS NULL OR daily_cap > 0", name=op.f("ck_campaigns_daily_cap_positive")
        ),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_campaigns_end_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_name"), "campaigns", ["name"], unique=False)
    op.create_index(op.f("ix_campaigns_status"), "campaigns", ["status"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "campaign_daily_stats",
        sa.Column("campaign_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("starts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("first_quartiles", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("midpoints", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("third_quartiles", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("completes", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("errors", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("spend", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_daily_stats_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "day", name=op.f("pk_campaign_daily_stats")),
    )
    op.create_table(
        "campaign_hourly_stats",
        sa.Column("campaign_id", sa.UUID(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("impressions", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("starts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("first_quartiles", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("midpoints", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("third_quartiles", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("completes", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("errors", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("spend", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_hourly_stats_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "hour", name=op.f("pk_campaign_hourly_stats")),
    )
    op.create_table(
        "creatives",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("campaign_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="processing", nullable=False),
        sa.Column("file_key", sa.Text(), nullable=False),
        sa.Column("mime", sa.Text(), server_default="video/mp4", nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("video_codec", sa.Text(), nullable=True),
        sa.Column("audio_codec", sa.Text(), nullable=True),
        sa.Column("bitrate_kbps", sa.Integer(), nullable=True),
        sa.Column(
            "renditions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("progress", sa.Double(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('processing', 'active', 'failed')", name=op.f("ck_creatives_status_known")
        ),
        sa.CheckConstraint("duration_ms > 0", name=op.f("ck_creatives_duration_positive")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_creatives_size_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_creatives_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creatives")),
        sa.UniqueConstraint("file_key", name=op.f("uq_creatives_file_key")),
    )
    op.create_index(op.f("ix_creatives_campaign_id"), "creatives", ["campaign_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_creatives_campaign_id"), table_name="creatives")
    op.drop_table("creatives")
    op.drop_table("campaign_hourly_stats")
    op.drop_table("campaign_daily_stats")
    op.drop_table("users")
    op.drop_index(op.f("ix_campaigns_status"), table_name="campaigns")
    op.drop_index(op.f("ix_campaigns_name"), table_name="campaigns")
    op.drop_table("campaigns")
    op.drop_index(op.f("ix_ad_events_campaign_id"), table_name="ad_events")
    op.drop_table("ad_events")
