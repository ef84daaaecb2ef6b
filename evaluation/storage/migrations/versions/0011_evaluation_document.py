"""an evaluation's document in a table of its own, beside the evaluation's row of summary columns

Listing evaluations and checking whether any was saved read only the small rows; on SQLite a row holding its
document spreads over many pages, so reading even a few columns of thousands of evaluations read them all.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# plain JSON (not JSONB): PostgreSQL keeps the text, so key order survives and exports stay identical
JSONType = sa.JSON()


def upgrade() -> None:
    op.create_table(
        "evaluation_document",
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("document", JSONType, nullable=False),
    )
    op.execute("INSERT INTO evaluation_document (evaluation_id, document) SELECT id, document FROM evaluation")
    op.drop_column("evaluation", "document")  # SQLite 3.35+ drops a column in place


def downgrade() -> None:
    # added as nullable and filled (SQLite cannot add a NOT NULL column without a default)
    op.add_column("evaluation", sa.Column("document", JSONType, nullable=True))
    op.execute(
        "UPDATE evaluation SET document = "
        "(SELECT document FROM evaluation_document WHERE evaluation_document.evaluation_id = evaluation.id)"
    )
    op.drop_table("evaluation_document")
