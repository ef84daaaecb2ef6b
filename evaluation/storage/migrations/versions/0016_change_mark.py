"""evaluation.change_mark: every write of an evaluation row gives it a mark above every mark stored, so a server
that keeps the list asks for the rows changed since its highest mark (an index range), not for every row's marks

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("evaluation", sa.Column("change_mark", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_index("ix_evaluation_change_mark", "evaluation", ["change_mark"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_change_mark", table_name="evaluation")
    op.drop_column("evaluation", "change_mark")  # SQLite 3.35+ drops a column in place
