"""review decisions (复核记录)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# plain JSON (not JSONB), as in 0001: PostgreSQL keeps the text and its key order
JSONType = sa.JSON()


def upgrade() -> None:
    op.create_table(
        "review_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("finding_hash", sa.String(length=64), nullable=False),
        sa.Column("finding_key", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("finding", JSONType, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("subject", "finding_hash"),
    )
    op.create_index("ix_review_decision_subject", "review_decision", ["subject"])


def downgrade() -> None:
    op.drop_table("review_decision")
