"""Creative loudness: the upload's integrated loudness and true peak

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("creatives", sa.Column("loudness_lufs", sa.Double(), nullable=True))
    op.add_column("creatives", sa.Column("true_peak_dbtp", sa.Double(), nullable=True))


def downgrade() -> None:
    op.drop_column("creatives", "true_peak_dbtp")
    op.drop_column("creatives", "loudness_lufs")
