"""campaign paid_by: who pays for the ads when not the advertiser (the "why this ad" page)

Revision ID: 0036
Revises: 0035
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("paid_by", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_campaigns_paid_by_length"),
        "campaigns",
        "paid_by IS NULL OR char_length(paid_by) BETWEEN 1 AND 255",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_campaigns_paid_by_length"), "campaigns", type_="check")
    op.drop_column("campaigns", "paid_by")
