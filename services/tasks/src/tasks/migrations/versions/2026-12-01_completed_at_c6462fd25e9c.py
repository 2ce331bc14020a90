"""completed_at: when a task was marked done

Revision ID: c6462fd25e9c
Revises: f8d99e0c3ec5
Create Date: 2026-12-01 14:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6462fd25e9c"
down_revision: str | None = "f8d99e0c3ec5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    # Tasks already done were last changed no earlier than they were done: their updated_at is the best
    # estimate there is (exact when the toggle was their last change).
    op.execute("UPDATE tasks SET completed_at = updated_at WHERE completed")
    op.create_check_constraint(
        op.f("ck_tasks_completed_at_set_when_completed"), "tasks", "completed = (completed_at IS NOT NULL)"
    )
    op.create_index(op.f("ix_tasks_user_id_completed_at"), "tasks", ["user_id", "completed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tasks_user_id_completed_at"), table_name="tasks")
    op.drop_constraint(op.f("ck_tasks_completed_at_set_when_completed"), "tasks", type_="check")
    op.drop_column("tasks", "completed_at")
