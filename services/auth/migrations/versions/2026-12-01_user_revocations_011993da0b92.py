"""Per-user revocation records, and an index on revoked sessions for the denylist keeper.

Revision ID: 011993da0b92
Revises: d8f41f3cfbce
Create Date: 2026-12-01 14:16:36.698033+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "011993da0b92"
down_revision: str | None = "d8f41f3cfbce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_revocations",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("revoked_before", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_revocations")),
    )
    op.create_index(op.f("ix_user_revocations_revoked_before"), "user_revocations", ["revoked_before"], unique=False)
    op.create_index(
        "ix_sessions_revoked_at", "sessions", ["revoked_at"], unique=False, postgresql_where=sa.text("revoked_at IS NOT NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_revoked_at", table_name="sessions", postgresql_where=sa.text("revoked_at IS NOT NULL"))
    op.drop_index(op.f("ix_user_revocations_revoked_before"), table_name="user_revocations")
    op.drop_table("user_revocations")
