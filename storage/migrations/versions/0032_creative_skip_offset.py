"""Skippable creatives: the moment a creative's viewers may skip it

Revision ID: 0032
Revises: 0031
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("creatives", sa.Column("skip_offset_ms", sa.Integer(), nullable=True))
    op.create_check_constraint(
        op.f("ck_creatives_skip_offset_within"),
        "creatives",
        "skip_offset_ms > 0 AND skip_offset_ms < duration_ms",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_creatives_skip_offset_within"), "creatives", type_="check")
    op.drop_column("creatives", "skip_offset_ms")
