"""campaign third-party trackers and verification scripts

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("impression_trackers", "click_trackers")


def upgrade() -> None:
    op.add_column(
        "campaigns",
        sa.Column(
            "verifications",
            postgresql.JSONB(),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    for name in _COLUMNS:
        op.add_column(
            "campaigns",
            sa.Column(
                name,
                postgresql.ARRAY(sa.Text()),
                server_default=sa.text("'{}'::text[]"),
                nullable=False,
            ),
        )


def downgrade() -> None:
    for name in reversed(_COLUMNS):
        op.drop_column("campaigns", name)
    op.drop_column("campaigns", "verifications")
