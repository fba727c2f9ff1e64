"""Creative schedule: a creative's own start and end within its campaign's flight

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("creatives", sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("creatives", sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_creatives_schedule_ordered"), "creatives", "ends_at > starts_at"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_creatives_schedule_ordered"), "creatives", type_="check")
    op.drop_column("creatives", "ends_at")
    op.drop_column("creatives", "starts_at")
