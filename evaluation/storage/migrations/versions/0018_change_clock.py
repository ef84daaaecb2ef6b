"""change_clock: a counter of the writes to the tables the per-click checks read (accounts, sign-ins, memberships,
workflow states), moved by triggers in the writing transaction, so a server keeps its sign-in check and the right
to edit while only evaluations were saved (see storage.unchanged)

SQLite only gets the triggers: it runs one writer at a time, so moving one row in every such write costs nothing
more. Under PostgreSQL every writer of those tables would queue on that row until it commits; there the table is
made (the schema is the same) but nothing moves it, and every read keeps to the database-wide snapshot stamp.

A later migration that rebuilds one of these tables on SQLite (``batch_alter_table``) drops its triggers: it must
call :func:`make_triggers` again (test_migrations checks that every access table has its triggers at head).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCESS_TABLES = ("app_user", "login_session", "membership", "workflow")  # as tables.ACCESS_TABLES at this revision
OPERATIONS = ("insert", "update", "delete")


def trigger_name(table: str, operation: str) -> str:
    return f"clock_{table}_{operation}"


def make_triggers(table: str) -> None:
    for operation in OPERATIONS:
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, operation)} AFTER {operation.upper()} ON {table} "
            "BEGIN UPDATE change_clock SET n = n + 1, changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') "
            "WHERE name = 'access'; END"
        )


def upgrade() -> None:
    op.create_table(
        "change_clock",
        sa.Column("name", sa.String(length=20), primary_key=True),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.String(length=30), nullable=False),
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "INSERT INTO change_clock (name, generation, n, changed_at)"
        " VALUES ('access', lower(hex(randomblob(16))), 0, strftime('%Y-%m-%d %H:%M:%f', 'now'))"
    )
    for table in ACCESS_TABLES:
        make_triggers(table)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ACCESS_TABLES:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {trigger_name(table, operation)}")
    op.drop_table("change_clock")
