"""The dashboard's summary of each stored evaluation, written with every save.

A summary (``evaluation.dashboard.portfolio.result_summary``) is kept in the ``evaluation_result`` table with a
stamp of what it was computed from: the evaluation row's version and update time. Every write of an
evaluation — its document, one of its assessments, a replacement — updates that row in the same transaction
(``repo``, ``documents``), so a save changes the stamp, and the save stores the new summary beside it. A
summary whose stamp no longer matches (written by older code, restored from a backup, computed by another
version of the summary) is recomputed by ``evaluation.storage.results`` when read.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from evaluation.dashboard.summary import SUMMARY_VERSION, result_summary
from evaluation.model import Evaluation
from evaluation.scoring.engine import EvaluationResult
from evaluation.storage.tables import EvaluationResultRow, EvaluationRow

CHUNK = 500  # ids per IN (…) list


def stamp(version: object, updated_at: object) -> str:
    """What a summary was computed from, as the evaluation row says it now."""
    return f"v{SUMMARY_VERSION}|{version}|{updated_at}"


def current_stamps(*, session: Session, ids: Collection[int] | None = None) -> dict[int, tuple[str, str]]:
    """evaluation id → (key, stamp), in id order, for every stored evaluation (or those of ``ids``), read
    from the evaluation rows' own columns (never their documents), in one query per chunk of ids."""
    query = sa_select(
        col(EvaluationRow.id), col(EvaluationRow.key), col(EvaluationRow.version), col(EvaluationRow.updated_at)
    ).order_by(col(EvaluationRow.id))
    if ids is None:
        rows = list(session.execute(query).all())
    else:
        wanted = sorted(ids)
        rows = []
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows += session.execute(query.where(col(EvaluationRow.id).in_(chunk))).all()
    return {int(r[0]): (str(r[1]), stamp(r[2], r[3])) for r in rows}


def store_summary(*, session: Session, evaluation_id: int, evaluation: Evaluation, result: EvaluationResult) -> None:
    """Keep the summary of an evaluation just written (``result`` is its score), stamped with the row as
    written in this transaction."""
    session.flush()
    found = current_stamps(session=session, ids=[evaluation_id]).get(evaluation_id)
    if found is None:  # pragma: no cover - called right after writing the row
        return
    put_summary(session=session, evaluation_id=evaluation_id, stamp=found[1], data=result_summary(evaluation, result))


_PUT = (
    update(EvaluationResultRow)
    .where(col(EvaluationResultRow.evaluation_id) == bindparam("row"))
    .values(stamp=bindparam("new_stamp"), data=bindparam("new_data"))
    .execution_options(synchronize_session=False)  # no summary row is loaded as an object in any session
)


def put_summary(*, session: Session, evaluation_id: int, stamp: str, data: dict[str, Any]) -> None:
    """Store the summary: one UPDATE, an INSERT when there was none (no read of the old summary, whose JSON a save
    has no use for)."""
    done = session.execute(_PUT, {"row": evaluation_id, "new_stamp": stamp, "new_data": data})
    if getattr(done, "rowcount", 0) == 0:
        session.execute(insert(EvaluationResultRow).values(evaluation_id=evaluation_id, stamp=stamp, data=data))
