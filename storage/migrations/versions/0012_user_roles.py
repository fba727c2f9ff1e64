"""user roles, deactivation, session versions, last login

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Users from before roles were admins (the bootstrapped one); new rows name their role.
    op.add_column("users", sa.Column("role", sa.Text(), server_default="admin", nullable=False))
    op.alter_column("users", "role", server_default=None)
    op.create_check_constraint(
        op.f("ck_users_role_known"), "users", "role IN ('admin', 'editor', 'viewer')"
    )
    op.add_column(
        "users", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column(
        "users", sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("users", sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "last_login_at")
    op.drop_column("users", "session_version")
    op.drop_column("users", "active")
    op.drop_constraint(op.f("ck_users_role_known"), "users", type_="check")
    op.drop_column("users", "role")
