"""initial schema: evaluation, assessment, department_summary

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# plain JSON (not JSONB): PostgreSQL keeps the text, so key order survives and exports stay identical
JSONType = sa.JSON()


def upgrade() -> None:
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("template_id", sa.String(length=40), nullable=False),
        sa.Column("document", JSONType, nullable=False),
        sa.Column("total_score", sa.Numeric(8, 2), nullable=True),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("indicator_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_evaluation_key", "evaluation", ["key"], unique=True)
    op.create_index("ix_evaluation_department", "evaluation", ["department"])
    op.create_index("ix_evaluation_year", "evaluation", ["year"])
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("evaluation_id", "code"),
    )
    op.create_index("ix_assessment_evaluation_id", "assessment", ["evaluation_id"])
    op.create_table(
        "department_summary",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("document", JSONType, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_department_summary_key", "department_summary", ["key"], unique=True)


def downgrade() -> None:
    op.drop_table("department_summary")
    op.drop_table("assessment")
    op.drop_table("evaluation")
