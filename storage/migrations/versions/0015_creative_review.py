"""Creative review: approval state, note, reviewer and maker of each creative

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Creatives from before review existed were being served: they stay approved.
    op.add_column(
        "creatives",
        sa.Column("review_status", sa.Text(), server_default="approved", nullable=False),
    )
    op.add_column("creatives", sa.Column("review_note", sa.Text(), nullable=True))
    op.add_column("creatives", sa.Column("reviewed_by", sa.Text(), nullable=True))
    op.add_column("creatives", sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("creatives", sa.Column("created_by", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_creatives_review_status_known"),
        "creatives",
        "review_status IN ('approved', 'pending', 'rejected')",
    )
    op.create_index(
        "ix_creatives_review_pending",
        "creatives",
        ["created_at"],
        postgresql_where=sa.text("review_status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_creatives_review_pending", table_name="creatives")
    op.drop_constraint(op.f("ck_creatives_review_status_known"), "creatives", type_="check")
    for column in ("created_by", "reviewed_at", "reviewed_by", "review_note", "review_status"):
        op.drop_column("creatives", column)
