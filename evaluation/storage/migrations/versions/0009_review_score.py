"""a 自评 record's own 自评得分 as its figure, the rules' 复核得分 beside it; no grade until fully scored

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("evaluation", sa.Column("review_score", sa.Numeric(8, 2), nullable=True))
    # the stored figures change meaning: recompute them from each evaluation's own content, read as the
    # tables are at this revision (the document still in the evaluation row)
    from evaluation.files.evaluations import evaluation_from_data
    from evaluation.scoring.engine import score
    from evaluation.storage.repo import score_columns

    evaluation = sa.table(
        "evaluation",
        sa.column("id", sa.Integer()),
        sa.column("key", sa.String()),
        sa.column("document", sa.JSON()),
        sa.column("total_score", sa.Numeric(8, 2)),
        sa.column("review_score", sa.Numeric(8, 2)),
        sa.column("grade", sa.String()),
        sa.column("scored", sa.Integer()),
        sa.column("indicator_count", sa.Integer()),
    )
    assessment = sa.table(
        "assessment",
        sa.column("evaluation_id", sa.Integer()),
        sa.column("position", sa.Integer()),
        sa.column("data", sa.JSON()),
    )
    bind = op.get_bind()
    for eval_id, key, document in bind.execute(
        sa.select(evaluation.c.id, evaluation.c.key, evaluation.c.document)
    ).all():
        rows = bind.execute(
            sa.select(assessment.c.data).where(assessment.c.evaluation_id == eval_id).order_by(assessment.c.position)
        ).scalars()
        ev = evaluation_from_data({**document, "assessments": list(rows)}, f"数据库中的评价 {key}")
        bind.execute(evaluation.update().where(evaluation.c.id == eval_id).values(**score_columns(ev, score(ev))))


def downgrade() -> None:
    op.drop_column("evaluation", "review_score")
