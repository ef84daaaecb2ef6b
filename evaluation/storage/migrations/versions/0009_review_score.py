"""a 自评 record's own 自评得分 as its figure, the rules' 复核得分 beside it; no grade until fully scored

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("evaluation", sa.Column("review_score", sa.Numeric(8, 2), nullable=True))
    # the stored figures change meaning: recompute them from each evaluation's own content
    from evaluation.storage.repo import refresh_scores

    session = Session(bind=op.get_bind())
    refresh_scores(session=session)
    session.flush()


def downgrade() -> None:
    op.drop_column("evaluation", "review_score")
