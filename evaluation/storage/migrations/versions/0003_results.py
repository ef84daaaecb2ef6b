"""cached score summaries for the managers' dashboard

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSONType = sa.JSON()


def upgrade() -> None:
    op.create_table(
        "evaluation_result",
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("stamp", sa.String(length=200), nullable=False),
        sa.Column("data", JSONType, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evaluation_result")
