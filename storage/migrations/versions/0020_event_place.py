"""Beacon events: the viewer's place, for delivery by country

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Events recorded before it have no place: reported as unknown.
    op.add_column("ad_events", sa.Column("place", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("ad_events", "place")
