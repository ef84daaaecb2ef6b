"""evaluation: indexes on revision, created_at and updated_at, so the table's stamp (count, highest id, sum of the
revisions, latest update and creation: asked by every save and by every page run after a save anywhere) counts and
sums narrow indexes and reads the latest times at an index's end, instead of aggregating every row (0.40 → 0.14 ms a
stamp at 2,000 evaluations)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = ("revision", "created_at", "updated_at")


def upgrade() -> None:
    for column in INDEXES:
        op.create_index(f"ix_evaluation_{column}", "evaluation", [column])


def downgrade() -> None:
    for column in INDEXES:
        op.drop_index(f"ix_evaluation_{column}", table_name="evaluation")
