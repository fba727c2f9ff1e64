"""Campaign changes: when each was handed to the webhook (notifications outbox)

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "campaign_changes", sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True)
    )
    # The history so far is not news: only changes made from now on are notified.
    op.execute("UPDATE campaign_changes SET notified_at = now()")
    op.create_index(
        "ix_campaign_changes_unnotified",
        "campaign_changes",
        ["id"],
        postgresql_where=sa.text("notified_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_campaign_changes_unnotified", table_name="campaign_changes")
    op.drop_column("campaign_changes", "notified_at")
