"""third-party VAST tag creatives

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("creatives", sa.Column("vast_tag_url", sa.Text(), nullable=True))
    op.alter_column("creatives", "file_key", existing_type=sa.Text(), nullable=True)
    op.drop_constraint(op.f("ck_creatives_size_positive"), "creatives", type_="check")
    op.create_check_constraint(
        op.f("ck_creatives_size_positive"),
        "creatives",
        "vast_tag_url IS NOT NULL OR size_bytes > 0",
    )
    op.create_check_constraint(
        op.f("ck_creatives_file_or_tag"),
        "creatives",
        "(file_key IS NULL) <> (vast_tag_url IS NULL)",
    )


def downgrade() -> None:
    op.execute("DELETE FROM creatives WHERE vast_tag_url IS NOT NULL")
    op.drop_constraint(op.f("ck_creatives_file_or_tag"), "creatives", type_="check")
    op.drop_constraint(op.f("ck_creatives_size_positive"), "creatives", type_="check")
    op.create_check_constraint(op.f("ck_creatives_size_positive"), "creatives", "size_bytes > 0")
    op.alter_column("creatives", "file_key", existing_type=sa.Text(), nullable=False)
    op.drop_column("creatives", "vast_tag_url")
