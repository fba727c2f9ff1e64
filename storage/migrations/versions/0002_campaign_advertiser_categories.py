"""campaign advertiser and IAB categories

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("advertiser", sa.Text(), nullable=True))
    op.add_column(
        "campaigns",
        sa.Column(
            "categories",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
    )
    op.create_check_constraint(
        op.f("ck_campaigns_advertiser_length"),
        "campaigns",
        "advertiser IS NULL OR char_length(advertiser) BETWEEN 1 AND 255",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_campaigns_advertiser_length"), "campaigns", type_="check")
    op.drop_column("campaigns", "categories")
    op.drop_column("campaigns", "advertiser")
