"""creative universal_ad_registry/value: its id in an industry registry (Ad-ID, Clearcast)

Revision ID: 0038
Revises: 0037
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("creatives", sa.Column("universal_ad_registry", sa.Text(), nullable=True))
    op.add_column("creatives", sa.Column("universal_ad_value", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_creatives_universal_ad_id_whole"),
        "creatives",
        "(universal_ad_registry IS NULL) = (universal_ad_value IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_creatives_universal_ad_id_whole"), "creatives", type_="check")
    op.drop_column("creatives", "universal_ad_value")
    op.drop_column("creatives", "universal_ad_registry")
