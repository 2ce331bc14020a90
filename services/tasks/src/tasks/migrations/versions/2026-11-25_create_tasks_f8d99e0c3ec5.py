"""create tasks

Revision ID: f8d99e0c3ec5
Revises:
Create Date: 2026-11-25 14:38:44.694832
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f8d99e0c3ec5"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Declaration order is the sort order: low < medium < high.
priority = sa.Enum("low", "medium", "high", name="task_priority")


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("completed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("priority", priority, server_default=sa.text("'medium'"), nullable=False),
        sa.Column("due_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("char_length(description) <= 10000", name=op.f("ck_tasks_description_length")),
        sa.CheckConstraint("char_length(title) BETWEEN 1 AND 200", name=op.f("ck_tasks_title_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    # One index per sort, each led by user_id so a page never reads other users' rows.
    op.create_index(op.f("ix_tasks_user_id_created_at_id"), "tasks", ["user_id", "created_at", "id"])
    op.create_index(op.f("ix_tasks_user_id_due_date_id"), "tasks", ["user_id", "due_date", "id"])
    op.create_index(op.f("ix_tasks_user_id_priority_id"), "tasks", ["user_id", "priority", "id"])
    op.create_index(op.f("ix_tasks_user_id_title_id"), "tasks", ["user_id", "title", "id"])
    op.create_index(
        op.f("ix_tasks_user_id_completed_created_at_id"), "tasks", ["user_id", "completed", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_table("tasks")  # drops its indexes with it
    priority.drop(op.get_bind(), checkfirst=True)
