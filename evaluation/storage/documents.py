"""Saving an edited evaluation document (project facts, indicator snapshot, problems, report settings)
with optimistic locking on the evaluation row's ``version``.

A page loads the evaluation with :func:`load_document`, keeps the version it started from, and saves
with :func:`save_document`: ``UPDATE evaluation … WHERE id = :id AND version = :v``. When another user
saved first, nothing is written and :class:`ConflictError` says so. Assessments are saved one indicator
at a time by ``repo.save_assessment``; :func:`save_document` with ``sync_assessments=True`` (used when
the indicator system changes) also writes the given assessments in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlmodel import Session, col, select

from evaluation.auth import User
from evaluation.errors import ConflictError, ValidationFailed
from evaluation.model import Assessment, Evaluation, evaluation_problems
from evaluation.scoring.engine import score
from evaluation.storage import audit
from evaluation.storage.repo import (
    begin_edit,
    evaluation_with_versions,
    find_row,
    get_evaluation_with_versions,
    keep_saved,
    list_before_write,
    put_document,
    score_columns,
)
from evaluation.storage.summaries import store_summary
from evaluation.storage.tables import AssessmentRow, EvaluationRow, next_change_mark, utcnow


def load_document(*, session: Session, key: str) -> tuple[Evaluation, int]:
    """The evaluation and the version of its document row (read together), for :func:`save_document`."""
    ev, version, _ = load_with_versions(session=session, key=key)
    return ev, version


def load_with_versions(*, session: Session, key: str) -> tuple[Evaluation, int, dict[str, int]]:
    """The evaluation, its document version and each assessment's version, read from the same rows (the kept
    ones, when nothing changed since they were read: see ``repo.evaluation_with_versions``)."""
    return get_evaluation_with_versions(session=session, ref=key)


def assessment_versions(*, session: Session, key: str) -> dict[str, int]:
    """Version of each stored assessment, for ``repo.save_assessment(expected_version=…)``."""
    return load_with_versions(session=session, key=key)[2]


Gate = Callable[[Session, EvaluationRow, User], None]


def _edit_gate(session: Session, row: EvaluationRow, user: User) -> None:
    begin_edit(session=session, row=row, user=user)


def save_document(
    *,
    session: Session,
    evaluation: Evaluation,
    expected_version: int,
    user: User,
    sync_assessments: bool = False,
    gate: Gate = _edit_gate,
) -> int:
    """Save everything but the assessments (or also them, with ``sync_assessments``); return the new version.

    ``gate`` checks who may write and takes the evaluation's lock (by default ``repo.begin_edit``: an editor
    who belongs to the evaluation, in a state that allows editing; the evaluated unit's saves pass their own).
    Validation runs on the evaluation as it will be stored (the given document with the stored
    assessments, or with the given ones when syncing): nothing invalid is written.
    """
    row = find_row(session, evaluation.id)
    gate(session, row, user)
    if row.version != expected_version:
        raise ConflictError(_conflict(session, evaluation))
    listed_before = list_before_write(session=session)
    stored = evaluation_with_versions(session=session, row=row)[0]
    stored_document = stored.model_dump(mode="json", exclude={"assessments"})
    candidate = evaluation if sync_assessments else evaluation.model_copy(update={"assessments": stored.assessments})
    problems = evaluation_problems(candidate)
    if problems:
        raise ValidationFailed(problems, "校验未通过，未保存")
    result = score(candidate)
    outcome = session.execute(
        update(EvaluationRow)
        .where(col(EvaluationRow.id) == row.id, col(EvaluationRow.version) == expected_version)
        .values(
            kind=candidate.kind,
            project_name=candidate.project.name,
            department=candidate.project.department,
            agency=candidate.project.agency,
            year=candidate.project.year,
            category=candidate.project.category,
            template_id=candidate.system.id,
            **score_columns(candidate, result),
            version=expected_version + 1,
            revision=col(EvaluationRow.revision) + 1,
            change_mark=next_change_mark(),
            updated_at=utcnow(),
        )
    )
    if getattr(outcome, "rowcount", 0) != 1:
        raise ConflictError(_conflict(session, evaluation))
    document = candidate.model_dump(mode="json", exclude={"assessments"})
    assert row.id is not None
    put_document(session=session, evaluation_id=row.id, document=document)
    old, new = audit.changes(stored_document, document)
    if old or new:
        audit.record(
            session=session,
            actor=user.username,
            action="修改",
            evaluation_key=row.key,
            target=_sections(new),
            old=old,
            new=new,
        )
    if sync_assessments:
        _sync(session, row.id, candidate.assessments, user, row.key)
    store_summary(session=session, evaluation_id=row.id, evaluation=candidate, result=result)
    keep_saved(session=session, evaluation_id=row.id, listed_before=listed_before, evaluation=None)
    session.expire_all()
    return expected_version + 1


def _sync(session: Session, evaluation_id: int, assessments: list[Assessment], user: User, key: str) -> None:
    stored = {
        r.code: r for r in session.exec(select(AssessmentRow).where(AssessmentRow.evaluation_id == evaluation_id))
    }
    wanted = {a.code: a for a in assessments}
    for code, r in stored.items():
        if code not in wanted:
            audit.record(
                session=session, actor=user.username, action="删除", evaluation_key=key, target=code, old=r.data
            )
            session.delete(r)
    for pos, a in enumerate(assessments):
        data = a.model_dump(mode="json")
        current = stored.get(a.code)
        if current is None:
            session.add(AssessmentRow(evaluation_id=evaluation_id, code=a.code, position=pos, data=data))
            audit.record(
                session=session, actor=user.username, action="新建", evaluation_key=key, target=a.code, new=data
            )
        elif current.data != data:
            audit.record(
                session=session,
                actor=user.username,
                action="修改",
                evaluation_key=key,
                target=a.code,
                old=current.data,
                new=data,
            )
            current.data = data
            current.version += 1
            current.updated_at = utcnow()
            session.add(current)
    session.flush()


SECTIONS = {
    "project": "项目信息",
    "facts": "项目信息",
    "system": "指标体系",
    "problems": "问题与建议",
    "suggestions": "问题与建议",
    "report": "报告设置",
    "self_evaluation": "自评表",
}


def _sections(paths: dict[str, object]) -> str:
    """The audit target of a document save: the page sections it touched (项目信息、指标体系…)."""
    names = []
    for path in paths:
        name = SECTIONS.get(path.split(".", 1)[0].split("[", 1)[0], "评价")
        if name not in names:
            names.append(name)
    return "、".join(names)[:60]


def _conflict(session: Session, ev: Evaluation) -> str:
    entry = audit.last_change(session=session, evaluation_key=ev.id)
    other = f"对方的修改：{audit.describe(entry)}" if entry is not None else ""
    return f"评价“{ev.project.name}”在您编辑期间已被他人修改并保存，您的修改未保存。{other}"
