"""Cached score summaries, so the dashboard reads thousands of evaluations without rescoring them.

Each evaluation's summary (totals, first-level groups, indicators — see
``evaluation.dashboard.portfolio.result_summary``) is stored with a stamp of what it was computed from: the
evaluation row's version and update time and its assessments' count and latest update. Whoever
saved the evaluation, a stale or missing summary is recomputed on the next read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from evaluation.dashboard.portfolio import SUMMARY_VERSION, result_summary
from evaluation.scoring.engine import score
from evaluation.storage.repo import get_evaluation
from evaluation.storage.tables import AssessmentRow, EvaluationResultRow, EvaluationRow


def _stamps(session: Session) -> dict[int, tuple[str, str]]:
    """evaluation id → (key, stamp) for every stored evaluation, in one query."""
    latest = (
        sa_select(
            col(AssessmentRow.evaluation_id),
            func.count().label("n"),
            func.max(col(AssessmentRow.updated_at)).label("last"),
        )
        .group_by(col(AssessmentRow.evaluation_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            col(EvaluationRow.id),
            col(EvaluationRow.key),
            col(EvaluationRow.version),
            col(EvaluationRow.updated_at),
            latest.c.n,
            latest.c.last,
        ).join(latest, latest.c.evaluation_id == col(EvaluationRow.id), isouter=True)
    ).all()
    return {int(r[0]): (str(r[1]), f"v{SUMMARY_VERSION}|{r[2]}|{r[3]}|{r[4] or 0}|{r[5]}") for r in rows}


def load_summaries(*, session: Session) -> list[dict[str, Any]]:
    """The summary of every stored evaluation, recomputing (and caching) the stale ones."""
    stamps = _stamps(session)
    cached = {
        int(r[0]): (str(r[1]), r[2])
        for r in session.execute(
            sa_select(
                col(EvaluationResultRow.evaluation_id), col(EvaluationResultRow.stamp), col(EvaluationResultRow.data)
            )
        ).all()
    }
    out: list[dict[str, Any]] = []
    for eval_id, (key, stamp) in stamps.items():
        hit = cached.get(eval_id)
        if hit is not None and hit[0] == stamp:
            out.append(hit[1])
            continue
        ev = get_evaluation(session=session, ref=key)
        data = result_summary(ev, score(ev))
        row = session.get(EvaluationResultRow, eval_id)
        if row is None:
            session.add(EvaluationResultRow(evaluation_id=eval_id, stamp=stamp, data=data))
        else:
            row.stamp = stamp
            row.data = data
            session.add(row)
        out.append(data)
    session.flush()
    return out
