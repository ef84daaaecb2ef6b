"""Keyword-only query functions over the tables. Every function takes the session of one user
action; the caller commits (see ``session_scope``). Nothing here leaks ORM objects: callers get
domain models or plain dataclasses.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import String, bindparam, event, func, insert, type_coerce, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from evaluation.auth import SYSTEM, PermissionDenied, User, require
from evaluation.errors import ConflictError, NotFound, Problem, ScoringError, ValidationFailed
from evaluation.files.evaluations import evaluation_from_data
from evaluation.formatting import number, two
from evaluation.kept import KeptMap
from evaluation.limits import SCORE_COLUMN_LIMIT
from evaluation.model import Assessment, DepartmentSummary, Evaluation, evaluation_problems
from evaluation.scoring.engine import EvaluationResult, score
from evaluation.scoring.stated import record_result
from evaluation.storage import audit
from evaluation.storage.db import core
from evaluation.storage.summaries import store_summary
from evaluation.storage.tables import (
    AssessmentRow,
    DepartmentSummaryRow,
    EvaluationDocumentRow,
    EvaluationRow,
    FinalReportRow,
    MembershipRow,
    ReviewDecisionRow,
    WorkflowRow,
    next_change_mark,
    utcnow,
)
from evaluation.storage.unchanged import forget_unchanged
from evaluation.storage.users import check_access, check_department, join
from evaluation.storage.workflow import ensure_editable, lock_evaluation_key


@dataclass(frozen=True)
class EvaluationSummary:
    id: int
    key: str
    kind: str
    project_name: str
    department: str
    agency: str
    year: int
    category: str
    template_id: str
    total_score: Decimal | None  # the figure of record: 自评得分 for a 自评 record; None when nothing is scored
    grade: str  # "" until every indicator is scored
    scored: int
    indicator_count: int
    version: int
    review_score: Decimal | None = None  # a 自评 record's 复核得分 (the rules')

    @property
    def complete(self) -> bool:
        return self.indicator_count > 0 and self.scored == self.indicator_count

    @property
    def kind_label(self) -> str:
        return "第三方评价" if self.kind == "third_party" else "绩效自评"


def _database(session: Session) -> str:
    """The database a session works on, as the kept sets below name it (every process keeps its own)."""
    return str(session.get_bind().engine.url)


def _doc(ev: Evaluation) -> dict[str, Any]:
    data = ev.model_dump(mode="json", exclude={"assessments"})
    return data


SCORE_COLUMNS = ("total_score", "grade", "review_score", "scored", "indicator_count")  # what score_columns gives


def score_columns(ev: Evaluation, result: EvaluationResult) -> dict[str, Any]:
    """The stored figures of an evaluation: the figure of record (a 自评 record's own 自评得分, otherwise
    the rules' score) with its progress, the rules' 复核得分 beside a 自评 record's. An evaluation not
    fully scored has no grade (it is 未完成, not 差), and one with nothing scored no total."""
    record = record_result(ev, result)
    columns: dict[str, Any] = {
        "total_score": two(record.total) if record.scored else None,
        "grade": record.grade if record.complete else "",
        "review_score": two(result.total) if ev.kind == "self_evaluation" and result.scored else None,
        "scored": record.scored,
        "indicator_count": record.count,
    }
    for name, label in (("total_score", "得分合计"), ("review_score", "复核得分合计")):
        value = columns[name]
        if isinstance(value, Decimal) and abs(value) >= SCORE_COLUMN_LIMIT:  # SQLite would keep it, PostgreSQL not
            said = f"{label} {number(value)} 超出可保存的范围（须小于 {number(SCORE_COLUMN_LIMIT)}）"
            raise ValidationFailed([Problem(said, None, None, "assessments")], "未保存")
    return columns


def _apply_scores(row: EvaluationRow, ev: Evaluation, result: EvaluationResult) -> None:
    for name, value in score_columns(ev, result).items():
        setattr(row, name, value)


def _row_values(row: EvaluationRow, ev: Evaluation) -> EvaluationResult:
    """Fill the row from the evaluation; its score."""
    row.key = ev.id
    row.kind = ev.kind
    row.project_name = ev.project.name
    row.department = ev.project.department
    row.agency = ev.project.agency
    row.year = ev.project.year
    row.category = ev.project.category
    row.template_id = ev.system.id
    result = score(ev)
    _apply_scores(row, ev, result)
    return result


def _check(ev: Evaluation) -> None:
    problems = evaluation_problems(ev)
    if problems:
        raise ValidationFailed(problems, f"评价“{ev.project.name}”校验未通过，未保存")


def _insert_assessments(session: Session, evaluation_id: int, assessments: list[Assessment]) -> None:
    """One INSERT of many rows (no ORM object per assessment: an import writes tens of thousands)."""
    if not assessments:
        return
    now = utcnow()
    session.execute(
        insert(AssessmentRow),
        [
            {
                "evaluation_id": evaluation_id,
                "code": a.code,
                "position": pos,
                "data": a.model_dump(mode="json"),
                "version": 1,
                "updated_at": now,
            }
            for pos, a in enumerate(assessments)
        ],
    )


def create_evaluation(*, session: Session, evaluation: Evaluation, user: User) -> int:
    """Insert a new evaluation with its assessments; its id (key) must be new. A consultant who
    creates one becomes its member."""
    require(user.role, "edit", evaluation.id)
    _check(evaluation)
    exists = session.exec(select(EvaluationRow.id).where(EvaluationRow.key == evaluation.id)).first()
    if exists is not None:
        raise ValidationFailed([Problem(f"评价编号“{evaluation.id}”已存在", None, None, "id")], "无法新建评价")
    row = EvaluationRow(key=evaluation.id, kind="", project_name="", department="", year=0, template_id="")
    result = _row_values(row, evaluation)
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add(EvaluationDocumentRow(evaluation_id=row.id, document=_doc(evaluation)))
    _insert_assessments(session, row.id, evaluation.assessments)
    store_summary(session=session, evaluation_id=row.id, evaluation=evaluation, result=result)
    join(session=session, user=user, evaluation_key=evaluation.id)
    audit.record(
        session=session,
        actor=user.username,
        action="新建",
        evaluation_key=evaluation.id,
        target="评价",
        new={"项目名称": evaluation.project.name, "评分记录数": len(evaluation.assessments)},
    )
    session.flush()
    return row.id


def replace_evaluation(*, session: Session, evaluation: Evaluation, user: User) -> int:
    """Overwrite a stored evaluation (same key) with the given content, as one change."""
    _check(evaluation)
    row = session.exec(select(EvaluationRow).where(EvaluationRow.key == evaluation.id)).first()
    if row is None:
        return create_evaluation(session=session, evaluation=evaluation, user=user)
    begin_edit(session=session, row=row, user=user)
    old, new = audit.changes(
        get_evaluation(session=session, ref=row.key).model_dump(mode="json"), evaluation.model_dump(mode="json")
    )
    audit.record(
        session=session,
        actor=user.username,
        action="覆盖导入",
        evaluation_key=evaluation.id,
        target="评价",
        old=old,
        new=new,
    )
    result = _row_values(row, evaluation)
    row.version += 1
    row.updated_at = utcnow()
    assert row.id is not None
    put_document(session=session, evaluation_id=row.id, document=_doc(evaluation))
    for stale in session.exec(select(AssessmentRow).where(AssessmentRow.evaluation_id == row.id)).all():
        session.delete(stale)
    session.flush()
    _insert_assessments(session, row.id, evaluation.assessments)
    session.add(row)
    store_summary(session=session, evaluation_id=row.id, evaluation=evaluation, result=result)
    return row.id


_ROW_BY_KEY = select(EvaluationRow).where(EvaluationRow.key == bindparam("key"))


def find_row(session: Session, ref: int | str, *, fresh: bool = False) -> EvaluationRow:
    """The row of evaluation ``ref``: an int is a row id, a string a key (keys made of digits are allowed: clients
    number their projects; a number typed on the command line goes through :func:`typed_ref`). ``fresh``: a key's
    row as stored now, also when the session already holds it (read after taking the evaluation's lock)."""
    if isinstance(ref, int):
        row = session.get(EvaluationRow, ref)
    else:
        query = _ROW_BY_KEY.execution_options(populate_existing=True) if fresh else _ROW_BY_KEY
        row = session.exec(query, params={"key": ref}).first()
    if row is None:
        raise NotFound(f"找不到评价“{ref}”，它可能已被删除")
    return row


def typed_ref(session: Session, text: str) -> int | str:
    """A reference typed on the command line (评价编号或序号): the key when an evaluation has it, else a number (ASCII
    digits) as the row id."""
    digits = text.isascii() and text.isdigit()
    if digits and session.exec(select(EvaluationRow.id).where(EvaluationRow.key == text)).first() is None:
        return int(text)
    return text


def get_evaluation(*, session: Session, ref: int | str) -> Evaluation:
    """Load an evaluation by database id or by its key."""
    return get_evaluation_with_versions(session=session, ref=ref)[0]


def get_evaluation_with_versions(*, session: Session, ref: int | str) -> tuple[Evaluation, int, dict[str, int]]:
    """The evaluation, its document version and each assessment's version, read from the same rows.

    An edit must start from versions read together with the content it edits: a version read in a
    separate query may already belong to someone else's newer save, and saving against it would
    silently drop that save.
    """
    if isinstance(ref, str):  # a key (see find_row): its stamp, then the kept evaluation or the rows
        found = _stamped(session, ref)
        if found is not None:
            return _evaluation_at(session, found[0], ref, found[1])
    return evaluation_with_versions(session=session, row=find_row(session, ref))


def evaluation_with_versions(*, session: Session, row: EvaluationRow) -> tuple[Evaluation, int, dict[str, int]]:
    """:func:`get_evaluation_with_versions` of a row already found: its document with the row's version (read
    in one statement), its assessments with theirs.

    Every page run reads the current evaluation: the validated evaluation is kept per database and row and
    used again while the evaluation's stamp (see :func:`_document_stamp`) has not moved, so a run pays one
    small query instead of reading and validating the whole document. The stamp is read before the content:
    content saved in between is newer than its stamp, never older. A kept evaluation is shared by every
    session of the process and must not be changed in place (no code does: changes are copies)."""
    assert row.id is not None
    return _evaluation_at(session, row.id, row.key, _document_stamp(session, row.id))


def _evaluation_at(
    session: Session, evaluation_id: int, key: str, stamp: tuple[Any, ...]
) -> tuple[Evaluation, int, dict[str, int]]:
    """The kept evaluation when ``stamp`` (read just before) is the one it was kept at, else its rows, read, validated
    and kept at ``stamp``."""
    where = (_database(session), evaluation_id)
    kept = _kept_documents.get(where)
    if kept is not None and kept[0] == stamp:
        return kept[1], kept[2], dict(kept[3])
    found = session.execute(
        sa_select(col(EvaluationRow.version), col(EvaluationDocumentRow.document))
        .join(EvaluationDocumentRow, col(EvaluationDocumentRow.evaluation_id) == col(EvaluationRow.id))
        .where(col(EvaluationRow.id) == evaluation_id)
    ).first()
    if found is None:
        raise NotFound(f"找不到评价“{key}”，它可能已被删除")
    rows = session.exec(
        select(AssessmentRow)
        .where(AssessmentRow.evaluation_id == evaluation_id)
        .order_by(col(AssessmentRow.position), col(AssessmentRow.id))
    ).all()
    data = dict(found[1])
    data["assessments"] = [r.data for r in rows]
    ev = evaluation_from_data(data, f"数据库中的评价 {key}")
    versions = {r.code: r.version for r in rows}
    _kept_documents.put(where, (stamp, ev, int(found[0]), versions))
    return ev, int(found[0]), dict(versions)


# validated evaluations kept per process (the ones being worked on): (database, row id) → (stamp, evaluation,
# document version, assessment versions)
_kept_documents: KeptMap[tuple[str, int], tuple[tuple[Any, ...], Evaluation, int, dict[str, int]]] = KeptMap(128)
# the score a save computed for the evaluation it kept: id(kept evaluation) → (that evaluation, its score)
_saved_scores: KeptMap[int, tuple[Evaluation, EvaluationResult]] = KeptMap(64)


def saved_score(evaluation: Evaluation) -> EvaluationResult | None:
    """The score of ``evaluation`` when it is the object a save of this process kept (the save has just computed
    it: the page drawn after the save need not score it again), else None."""
    found = _saved_scores.get(id(evaluation))
    return found[1] if found is not None and found[0] is evaluation else None


def _document_stamp(session: Session, evaluation_id: int) -> tuple[Any, ...]:
    """What moves whenever an evaluation's content changes: the row's version, revision and update time (every
    document save) and its assessments' count, versions, latest update, positions and ids (every assessment save,
    added, removed or reordered indicator) — one aggregate over the evaluation's own rows."""
    found = _stamped(session, evaluation_id)
    return found[1] if found is not None else ()


def _stamp_of_row(where: Any) -> Any:
    a = AssessmentRow
    return (
        sa_select(
            col(EvaluationRow.id),
            col(EvaluationRow.version),
            col(EvaluationRow.revision),
            col(EvaluationRow.updated_at),
            func.count(col(a.id)),
            func.sum(col(a.version)),
            func.max(col(a.updated_at)),
            func.sum(col(a.position)),
            func.sum(col(a.id)),
        )
        .select_from(EvaluationRow)
        .outerjoin(a, col(a.evaluation_id) == col(EvaluationRow.id))
        .where(where)
        .group_by(
            col(EvaluationRow.id),
            col(EvaluationRow.version),
            col(EvaluationRow.revision),
            col(EvaluationRow.updated_at),
        )
    )


# Statements every page run or save asks, built once with their values as parameters: building a statement costs
# SQLAlchemy more than SQLite takes to answer it (the evaluation's stamp: 0.29 ms built each time, 0.06 ms prebuilt)
_STAMP_BY_ID = _stamp_of_row(col(EvaluationRow.id) == bindparam("ref"))
_STAMP_BY_KEY = _stamp_of_row(col(EvaluationRow.key) == bindparam("ref"))


def _stamped(session: Session, ref: int | str) -> tuple[int, tuple[Any, ...]] | None:
    """(id, stamp) of evaluation ``ref`` (a row id, or a key; see :func:`_document_stamp`), or None."""
    query = _STAMP_BY_ID if isinstance(ref, int) else _STAMP_BY_KEY
    found = core(session).execute(query, {"ref": ref}).first()
    return None if found is None else (int(found[0]), tuple(found[1:]))


def put_document(*, session: Session, evaluation_id: int, document: dict[str, Any]) -> None:
    """Write an evaluation's document (everything but its assessments)."""
    stored = session.get(EvaluationDocumentRow, evaluation_id)
    if stored is None:
        session.add(EvaluationDocumentRow(evaluation_id=evaluation_id, document=document))
    else:
        stored.document = document
        session.add(stored)
    session.flush()


# the summary columns of an evaluation row, named as EvaluationSummary's fields (the documents are in a table of
# their own: reading them would make every page run pay for every stored evaluation)
_SUMMARY_COLUMNS = (
    col(EvaluationRow.id),
    col(EvaluationRow.key),
    col(EvaluationRow.kind),
    col(EvaluationRow.project_name),
    col(EvaluationRow.department),
    col(EvaluationRow.agency),
    col(EvaluationRow.year),
    col(EvaluationRow.category),
    col(EvaluationRow.template_id),
    col(EvaluationRow.total_score),
    col(EvaluationRow.grade),
    col(EvaluationRow.scored),
    col(EvaluationRow.indicator_count),
    col(EvaluationRow.version),
    col(EvaluationRow.review_score),
)


@dataclass(frozen=True)
class _Listed:
    stamp: tuple[Any, ...]  # (count, highest id, sum of revisions, latest update, latest creation)
    revisions: dict[int, tuple[str, int, str]]  # evaluation id → (key, revision, creation) the kept row was read at
    items: list[EvaluationSummary]
    mark: int = 0  # the highest change mark of the rows read (tables.next_change_mark)
    # evaluation id → its place in items, filled when first needed (see _places); shared by a list whose rows were
    # replaced where they stand
    places: dict[int, int] = field(default_factory=dict, compare=False)


def _places(listed: _Listed) -> dict[int, int]:
    """Where each evaluation stands in ``listed.items`` (worked out once per order of the rows, not per save)."""
    if len(listed.places) != len(listed.items):
        listed.places.update({item.id: n for n, item in enumerate(listed.items)})
    return listed.places


# the times as stored (no datetime per row): creation and update
_CREATED = type_coerce(col(EvaluationRow.created_at), String)
_UPDATED = type_coerce(col(EvaluationRow.updated_at), String)
# what a row of the list is read with: the marks a kept row is compared by (its revision and creation), its update
# (with them, the rows of one statement give that statement's table stamp, see _stamp_of) and its change mark
_MARKS = (
    col(EvaluationRow.revision),
    _CREATED.label("created_at"),
    _UPDATED.label("updated_at"),
    col(EvaluationRow.change_mark),
)
Marks = tuple[str, int, str]  # (key, revision, creation)
Listed = tuple[EvaluationSummary, Marks, tuple[Any, Any], int]  # a row read: summary, marks, times, change mark


def _read_listed(session: Session, query: Any, params: dict[str, Any] | None = None) -> dict[int, Listed]:
    """Rows of the list with the marks they were read at, their (creation, update) as the driver gives them and their
    change mark (the same statement: a row saved or created meanwhile is read with its own marks, never with
    another's)."""
    out = {}
    for row in core(session).execute(query, params).all():
        values = row._asdict()
        revision, made, updated = values.pop("revision"), values.pop("created_at"), values.pop("updated_at")
        mark = int(values.pop("change_mark"))
        out[int(values["id"])] = (
            EvaluationSummary(**values),
            (str(values["key"]), int(revision), str(made)),
            (made, updated),
            mark,
        )
    return out


_listed: dict[str, _Listed] = {}  # database URL → the kept list
_listed_lock = threading.Lock()
RELIST = 200  # evaluations changed since the last read above which the whole list is read again


# A kept list that replaced another by one changed row — this process's save (``_patch_list``) or another process's
# save of one row (``list_evaluations``) — remembers where it came from: what a page derived from the old list (the
# pickers' labels, the set of keys) stays right for the new one when the fields it reads are the same in that row,
# and is then not worked out again over every row (see ``replaced_row``).
# new list's id → (the new list, the list it replaced, that row before, that row after)
Replaced = tuple[list[EvaluationSummary], EvaluationSummary, EvaluationSummary]
_replacements: KeptMap[int, tuple[list[EvaluationSummary], Replaced]] = KeptMap(64)


def note_replaced(
    items: list[EvaluationSummary], old: list[EvaluationSummary], before: EvaluationSummary, after: EvaluationSummary
) -> None:
    """Remember that ``items`` is ``old`` with row ``before`` replaced by ``after``, everything else the same (the
    same objects, in the same order when the row's sort fields did not change)."""
    _replacements.put(id(items), (items, (old, before, after)))


def replaced_row(items: list[EvaluationSummary]) -> Replaced | None:
    """(the list ``items`` replaced, the row before, the row after) when ``items`` differs from a kept list by one
    row only (see :func:`note_replaced`); None otherwise."""
    found = _replacements.get(id(items))
    return found[1] if found is not None and found[0] is items else None


def list_order(i: EvaluationSummary) -> tuple[int, str, str]:
    """Where a row stands in the list: newest year first, then kind and key (keys are unique: one place each)."""
    return (-i.year, i.kind, i.key)


# one statement of five scalar subqueries, not one aggregate over the rows: each is answered from an index (the
# count and the sum from narrow ones, the highest id and the latest update and creation from an index's end)
_TABLE_STAMP = sa_select(
    *(
        sa_select(aggregate).select_from(EvaluationRow).scalar_subquery()
        for aggregate in (
            func.count(),
            func.max(EvaluationRow.id),
            func.sum(EvaluationRow.revision),
            func.max(_UPDATED),
            func.max(_CREATED),
        )
    )
)


def table_stamp(*, session: Session) -> tuple[Any, ...]:
    """What moves when any evaluation is saved, added or deleted, in any process: the evaluation table's count,
    highest id, sum of revisions (every save moves its row's, whatever the servers' clocks say), latest update
    and latest creation — one query, answered from indexes."""
    return tuple(core(session).execute(_TABLE_STAMP).one())


def _rows_stamp(revisions: dict[int, int]) -> tuple[int, int | None, int | None]:
    """(count, highest id, sum of revisions) of rows read in one statement (id → revision), as the aggregate over
    the table gives it: a stamp of exactly those rows, whatever was committed before or after that statement (for
    the evaluation list and the department reports)."""
    if not revisions:
        return (0, None, None)
    return (len(revisions), max(revisions), sum(revisions.values()))


def _stamp_of(rows: dict[int, tuple[int, Any, Any]]) -> tuple[Any, ...]:
    """:func:`table_stamp` computed from rows read in one statement (id → revision, creation, update, as the driver
    gives them)."""
    values = rows.values()
    return (
        *_rows_stamp({i: v[0] for i, v in rows.items()}),
        max((v[2] for v in values), default=None),
        max((v[1] for v in values), default=None),
    )


_EVERY = sa_select(*_SUMMARY_COLUMNS, *_MARKS)  # every row of the list, with its marks
# the rows marked since the list was read (an index range), built once: every run after a save anywhere asks it
_SINCE = _EVERY.where(col(EvaluationRow.change_mark) > bindparam("mark")).limit(RELIST + 1)


def list_evaluations(*, session: Session) -> list[EvaluationSummary]:
    """Every stored evaluation's summary (its stored figures), newest year first; reads the summary columns
    only, so its cost does not depend on how large the evaluations are.

    Every page run lists the evaluations (the pickers): the list is kept per database and read again only
    when the evaluation table's stamp changed — its count, highest id, the sum of the rows' revisions (which every
    save moves, whatever the servers' clocks say), the latest update and creation — one aggregate query instead of
    thousands of rows. When it moved, the rows whose change mark is above the highest the list has seen are read
    (an index range: as many rows as were saved); when they account for the whole move of the stamp (its count,
    highest id and sum of revisions) they are all that changed. Otherwise — a row deleted, or under PostgreSQL two
    saves that committed out of the order of their marks — every row's marks are compared, and only the rows whose
    key, revision or creation changed are read (all of them when many did). The list returned is the one kept (the
    same object while nothing changed, so what is derived from it can be kept too): callers must not change it."""
    stamp = table_stamp(session=session)
    where = _database(session)
    with _listed_lock:
        kept = _listed.get(where)
    if kept is not None and kept.stamp == stamp:
        return kept.items
    listed = None if kept is None else _since_mark(session, kept, stamp)
    if listed is None:
        listed = _read_whole(session, kept, _EVERY)
    with _listed_lock:
        _listed[where] = listed
    return listed.items


def _since_mark(session: Session, kept: _Listed, stamp: tuple[Any, ...]) -> _Listed | None:
    """The kept list brought up to ``stamp`` from the rows marked since it was read, when they account for the
    stamp's move; else None."""
    read = _read_listed(session, _SINCE, {"mark": kept.mark})
    if not read or len(read) > RELIST:
        return None
    if not _accounts_for(kept, stamp, {i: row[1] for i, row in read.items()}):
        return None  # something else changed too (a row gone, a save not yet seen): compare every row
    return _merged(kept, stamp, read, gone=set())


def _accounts_for(kept: _Listed, stamp: tuple[Any, ...], changed: dict[int, Marks]) -> bool:
    """Whether the rows ``changed`` (id → their marks as now stored) account for the whole move of the table's stamp
    from the kept list's to ``stamp`` — its count, highest id and sum of revisions — so that no other row was added,
    deleted or saved in between."""
    count, top, total = kept.stamp[0], kept.stamp[1] or 0, kept.stamp[2] or 0
    for i, marks in changed.items():
        before = kept.revisions.get(i)
        count += before is None
        top = max(top, i)
        total += marks[1] - (before[1] if before is not None else 0)
    return (count, top, total) == (stamp[0], stamp[1] or 0, stamp[2] or 0)


def _read_whole(session: Session, kept: _Listed | None, every: Any) -> _Listed:
    """The list read whole (nothing kept), or brought up to date by comparing every row's marks with the kept ones."""
    if kept is None:
        read = _read_listed(session, every)
        stamp = _stamp_of({i: (marks[1], *times) for i, (_, marks, times, _) in read.items()})
        items = sorted((item for item, _, _, _ in read.values()), key=list_order)
        mark = max((m for _, _, _, m in read.values()), default=0)
        return _Listed(stamp, {i: marks for i, (_, marks, _, _) in read.items()}, items, mark)
    # the marks of every row, on the connection (no ORM row processing)
    marks_of_all: Any = sa_select(col(EvaluationRow.id), col(EvaluationRow.key), *_MARKS)
    seen = session.connection().execute(marks_of_all).all()
    now = {int(i): (str(k), int(r), str(c)) for i, k, r, c, _, _ in seen}
    stamp = _stamp_of({int(i): (int(r), c, u) for i, _, r, c, u, _ in seen})  # of the rows this statement saw
    changed = [i for i, m in now.items() if kept.revisions.get(i) != m]
    if len(changed) > RELIST:
        read = _read_listed(session, every)  # the rows the marks did not see are left out below
    else:
        read = _read_listed(session, every.where(col(EvaluationRow.id).in_(changed))) if changed else {}
    # changed rows as just read; one gone meanwhile is left out (and, not being marked, read again at the next change)
    gone = (set(kept.revisions) - set(now)) | {i for i in changed if i not in read}
    merged = _merged(kept, stamp, {i: row for i, row in read.items() if i in now}, gone=gone)
    mark = max((int(m) for *_, m in seen), default=0)
    return _Listed(merged.stamp, merged.revisions, merged.items, max(merged.mark, mark))


def _merged(kept: _Listed, stamp: tuple[Any, ...], read: dict[int, Listed], *, gone: set[int]) -> _Listed:
    """The kept list with the rows of ``read`` replaced or added and those of ``gone`` left out, at ``stamp``. Rows
    replaced where they stand when none was added or gone and none moves (its year, kind or key changed); otherwise
    the list is put together again and sorted. A list that differs from the kept one by one row notes it
    (:func:`replaced_row`)."""
    revisions = dict(kept.revisions)  # a copy at C speed (a comprehension over 2,000 rows cost 0.15 ms a merge)
    for i in gone:
        revisions.pop(i, None)
    revisions.update({i: r[1] for i, r in read.items()})
    mark = max([kept.mark, *(r[3] for r in read.values())])
    where = _places(kept)
    places = {i: where[i] for i in read if i in where}
    if (
        not gone
        and len(places) == len(read)
        and all(list_order(kept.items[n]) == list_order(read[i][0]) for i, n in places.items())
    ):
        items = list(kept.items)
        for i, n in places.items():
            items[n] = read[i][0]
        listed = _Listed(stamp, revisions, items, mark, kept.places)  # the same places
        if len(places) == 1:
            n = next(iter(places.values()))
            note_replaced(items, kept.items, kept.items[n], items[n])
        return listed
    items = [read[i.id][0] if i.id in read else i for i in kept.items if i.id not in gone]
    items += [row[0] for i, row in read.items() if i not in places]
    items.sort(key=list_order)
    return _Listed(stamp, revisions, items, mark)


# --------------------------------------------------------------------------- what a save leaves kept
#
# A save in this process knows what it wrote: once its transaction commits, the evaluation it saved and the list's
# row of it are put into the kept sets, with the stamps read in the transaction after the writes, so the page run
# that follows the save neither reads and validates the whole evaluation again nor compares every row of the list.
# Nothing is kept when the transaction rolls back, and the list only when nobody else wrote in between (see
# :func:`_patch_list`); otherwise the next run reads what changed, as after another process's save.

_log = logging.getLogger(__name__)
_ON_COMMIT = "wb_kept_on_commit"  # Session.info key: what to keep once the transaction commits


@event.listens_for(OrmSession, "after_commit")
def _keep_committed(session: OrmSession) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT released: the transaction may still roll back
        return
    for keep in session.info.pop(_ON_COMMIT, []):
        try:
            keep()
        except Exception:  # what is kept is a cache: the save has committed, the next run reads the database
            _log.exception("保存后更新进程内缓存失败（下一次运行会从数据库读取）")


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_uncommitted(session: OrmSession, _previous: Any) -> None:
    session.info.pop(_ON_COMMIT, None)


def _on_commit(session: Session, keep: Callable[[], None]) -> None:
    session.info.setdefault(_ON_COMMIT, []).append(keep)


def list_before_write(*, session: Session) -> tuple[Any, ...] | None:
    """Called by a save once it holds the evaluation's lock, before it writes: the list's stamp when the process
    keeps the list as of now (the save can then bring it up to date itself, see :func:`keep_saved`), else None."""
    with _listed_lock:
        kept = _listed.get(_database(session))
    if kept is None:
        return None
    stamp = table_stamp(session=session)
    return stamp if stamp == kept.stamp else None


_VERSIONS = (
    sa_select(col(AssessmentRow.code), col(AssessmentRow.version))
    .where(col(AssessmentRow.evaluation_id) == bindparam("evaluation"))
    .order_by(col(AssessmentRow.position), col(AssessmentRow.id))
)
_LISTED_ROW = _EVERY.where(col(EvaluationRow.id) == bindparam("row"))


def keep_saved(
    *,
    session: Session,
    evaluation_id: int,
    listed_before: tuple[Any, ...] | None,
    evaluation: Evaluation | None,
    result: EvaluationResult | None = None,
) -> None:
    """Called by a save after its last write: once the transaction commits, keep its row of the list (when the
    list was kept as of ``listed_before``) and ``evaluation`` — exactly what was stored (validated, assessments
    as stored) — as the evaluation's current content, under the stamps read now, with ``result`` (its score, which
    the save computed) for :func:`saved_score`."""
    session.flush()
    url = _database(session)
    if evaluation is not None:
        stored = core(session).execute(_VERSIONS, {"evaluation": evaluation_id}).all()
        by_code = {a.code: a for a in evaluation.assessments}
        order = [str(code) for code, _ in stored]
        if sorted(order) == sorted(by_code):  # the same indicators (the save wrote them all)
            if order != [a.code for a in evaluation.assessments]:
                evaluation = evaluation.model_copy(update={"assessments": [by_code[c] for c in order]})
            stamp = _document_stamp(session, evaluation_id)
            entry = (stamp, evaluation, int(stamp[0]), {str(c): int(v) for c, v in stored})
            kept = evaluation
            _on_commit(session, lambda: _kept_documents.put((url, evaluation_id), entry))
            if result is not None:
                _on_commit(session, lambda: _saved_scores.put(id(kept), (kept, result)))
    if listed_before is not None:
        row = _read_listed(session, _LISTED_ROW, {"row": evaluation_id})
        if evaluation_id in row:
            item, marks, times, mark = row[evaluation_id]
            after = _stamp_after(session, url, listed_before, evaluation_id, marks, times[1])
            _on_commit(session, lambda: _patch_list(url, listed_before, after, item, marks, mark))


def _stamp_after(
    session: Session, url: str, before: tuple[Any, ...], evaluation_id: int, marks: Marks, updated: Any
) -> tuple[Any, ...]:
    """The table's stamp after a save wrote one evaluation row (``marks`` and ``updated`` as now stored), the list
    having been kept as of ``before``.

    SQLite: the save holds the database's write lock since its first write (the evaluation's lock, taken before
    ``before`` was read), so no other connection can commit meanwhile and the stamp is ``before`` moved by this row
    alone — its revision's change and its update time — worked out instead of read (a query: 0.14 ms at 2,000
    evaluations). PostgreSQL: other servers commit meanwhile, so it is read. Either way the list
    compares its stamp with the table's at its next read: a stamp worked out wrongly would only make that read
    compare every row."""
    with _listed_lock:
        kept = _listed.get(url)
    old = kept.revisions.get(evaluation_id) if kept is not None and kept.stamp == before else None
    if session.get_bind().dialect.name != "sqlite" or old is None or before[3] is None:
        return table_stamp(session=session)
    count, top, total, latest, created = before
    return (count, top, (total or 0) + marks[1] - old[1], max(latest, updated), created)


def _patch_list(
    url: str, before: tuple[Any, ...], after: tuple[Any, ...], item: EvaluationSummary, marks: Marks, mark: int
) -> None:
    """Replace one saved row of the kept list, when the list is still the one the save started from and the stamp
    after the save moved by this row's change alone (:func:`_accounts_for`; no row created since, the row's creation
    as kept): under PostgreSQL another server's save may commit between the two stamps."""
    with _listed_lock:
        kept = _listed.get(url)
        if kept is None or kept.stamp != before or item.id not in kept.revisions:
            return
        if after[4] != before[4] or marks[2] != kept.revisions[item.id][2]:
            return
        if not _accounts_for(kept, after, {item.id: marks}):
            return
        at = _places(kept)[item.id]
        items = list(kept.items)
        items[at] = item
        places = kept.places
        if list_order(kept.items[at]) != list_order(item):  # its year, kind or key changed: its place too
            items.sort(key=list_order)
            places = {}
        _listed[url] = _Listed(after, {**kept.revisions, item.id: marks}, items, max(kept.mark, mark), places)
        note_replaced(items, kept.items, kept.items[at], item)


def list_keys(*, session: Session) -> list[str]:
    """Every stored evaluation's key (whoever may read it: for keys that must not be given out again)."""
    return [str(k) for k in session.execute(sa_select(col(EvaluationRow.key))).scalars()]


def count_evaluations(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(EvaluationRow)).one())


def delete_evaluation(*, session: Session, ref: int | str, user: User) -> None:
    """Delete an evaluation with its assessments, members, workflow state, kept final reports and review
    decisions. The audit trail keeps the whole deleted content, and the key is never given out again
    (see ``audit.known_keys``)."""
    row = find_row(session, ref)
    begin_edit(session=session, row=row, user=user)
    audit.record(
        session=session,
        actor=user.username,
        action="删除",
        evaluation_key=row.key,
        target="评价",
        old=get_evaluation(session=session, ref=row.key).model_dump(mode="json"),
    )
    for a in session.exec(select(AssessmentRow).where(AssessmentRow.evaluation_id == row.id)).all():
        session.delete(a)
    document = session.get(EvaluationDocumentRow, row.id)
    if document is not None:
        session.delete(document)
    for m in session.exec(select(MembershipRow).where(MembershipRow.evaluation_key == row.key)).all():
        session.delete(m)
    for f in session.exec(select(FinalReportRow).where(FinalReportRow.evaluation_key == row.key)).all():
        session.delete(f)
    for d in session.exec(select(ReviewDecisionRow).where(ReviewDecisionRow.subject == row.key)).all():
        session.delete(d)
    workflow = session.get(WorkflowRow, row.key)
    if workflow is not None:
        session.delete(workflow)
    session.delete(row)
    session.flush()


def get_assessment_version(*, session: Session, ref: int | str, code: str) -> int | None:
    row = find_row(session, ref)
    a = core(session).execute(_ASSESSMENT, {"evaluation": row.id, "code": code}).first()
    return int(a.version) if a else None


def lock_evaluation(*, session: Session, row: EvaluationRow) -> None:
    """Serialize saves of one evaluation: a no-op write takes the row lock (PostgreSQL) or the database
    write lock (SQLite) before anything is read, so a stored total is computed from the latest state.
    The row is refreshed from the database."""
    lock_evaluation_key(session=session, evaluation_key=row.key)
    session.refresh(row)


def begin_edit(*, session: Session, row: EvaluationRow, user: User) -> None:
    """The gate of every change to a stored evaluation: the user's role and membership, then the
    evaluation's write lock (the row is refreshed), then its review state."""
    check_access(session=session, user=user, action="edit", evaluation_key=row.key)
    lock_evaluation(session=session, row=row)
    ensure_editable(session=session, evaluation_key=row.key, role=user.role)


def begin_edit_of(*, session: Session, ref: int | str, user: User) -> EvaluationRow:
    """:func:`begin_edit` of the evaluation ``ref`` names, returning its row: for a key the lock is taken first and
    the row read once after it (not read, locked and read again); a missing evaluation is said as by find_row."""
    if not isinstance(ref, str):
        row = find_row(session, ref)
        begin_edit(session=session, row=row, user=user)
        return row
    lock_evaluation_key(session=session, evaluation_key=ref)
    row = find_row(session, ref, fresh=True)
    check_access(session=session, user=user, action="edit", evaluation_key=row.key)
    ensure_editable(session=session, evaluation_key=row.key, role=user.role)
    return row


# the stored assessment's row id, version and inputs (columns, not an ORM object: a save only compares and updates)
_ASSESSMENT = sa_select(col(AssessmentRow.id), col(AssessmentRow.version), col(AssessmentRow.data)).where(
    col(AssessmentRow.evaluation_id) == bindparam("evaluation"), col(AssessmentRow.code) == bindparam("code")
)
# an assessment's save writes the evaluation row's figures and moves its revision, change mark and update time (as
# the ORM's before_update does, tables._revise) in one prebuilt statement: no unit of work for one row
_SCORED = (
    update(EvaluationRow)
    .where(col(EvaluationRow.id) == bindparam("row"))
    .values(
        **{name: bindparam(f"new_{name}") for name in SCORE_COLUMNS},
        revision=col(EvaluationRow.revision) + 1,
        change_mark=next_change_mark(),
        updated_at=bindparam("at", callable_=utcnow),
    )
    .execution_options(synchronize_session=False)  # the row's object is not used for its figures after the save
)
_UPDATE_ASSESSMENT = (
    update(AssessmentRow)
    .where(col(AssessmentRow.id) == bindparam("row"), col(AssessmentRow.version) == bindparam("expected"))
    .values(data=bindparam("new_data"), version=bindparam("new_version"), updated_at=bindparam("at", callable_=utcnow))
    .execution_options(synchronize_session=False)  # the row's object is not used after its update
)


def save_assessment(
    *,
    session: Session,
    ref: int | str,
    assessment: Assessment,
    expected_version: int | None,
    user: User,
) -> int:
    """Save one indicator's assessment; refuse when someone else saved it since it was loaded.

    ``expected_version`` is the version the user started from (None for a new assessment).
    Returns the new version. The evaluation's stored total is updated in the same transaction. An assessment saved
    again exactly as stored (over its current version) writes nothing and keeps its version: the history records
    changes only.
    """
    row = begin_edit_of(session=session, ref=ref, user=user)
    listed_before = list_before_write(session=session)
    ev = evaluation_with_versions(session=session, row=row)[0]
    others = [a for a in ev.assessments if a.code != assessment.code]
    candidate = ev.model_copy(update={"assessments": [*others, assessment]})
    _check(candidate)
    result = score(candidate)
    before = ev.assessment(assessment.code)
    _refuse_unscorable_inputs(before, assessment, result)
    current = core(session).execute(_ASSESSMENT, {"evaluation": row.id, "code": assessment.code}).first()
    data = assessment.model_dump(mode="json")
    old = current.data if current is not None else None
    if current is not None and expected_version == current.version and old == data:
        return int(current.version)  # nothing changed (a form saved again as it was): nothing written, no history entry
    if current is None:
        if expected_version is not None:
            raise ConflictError(f"指标 {assessment.code} 的评分记录已被删除，请刷新后重试")
        session.add(AssessmentRow(evaluation_id=row.id or 0, code=assessment.code, position=len(others), data=data))
        new_version = 1
    else:
        if expected_version is None:
            other = _other(session, row.key, assessment.code)
            raise ConflictError(f"指标 {assessment.code} 已有他人保存的评分记录，请载入最新内容后再改。{other}")
        updated = core(session).execute(
            _UPDATE_ASSESSMENT,
            {"row": current.id, "expected": expected_version, "new_data": data, "new_version": expected_version + 1},
        )
        if getattr(updated, "rowcount", 0) != 1:
            other = _other(session, row.key, assessment.code)
            raise ConflictError(f"指标 {assessment.code} 在您编辑期间已被他人修改，您的修改未保存。{other}")
        new_version = expected_version + 1
    audit.record(
        session=session,
        actor=user.username,
        action="修改",
        evaluation_key=row.key,
        target=assessment.code,
        old=old,
        new=data,
    )
    figures = {f"new_{name}": value for name, value in score_columns(candidate, result).items()}
    core(session).execute(_SCORED, {"row": row.id, **figures})
    store_summary(session=session, evaluation_id=row.id or 0, evaluation=candidate, result=result)
    stored = _sharing(Assessment.model_validate(data), data, before, old)  # as a read of the row gives it
    saved = candidate.model_copy(update={"assessments": [*others, stored]})
    keep_saved(session=session, evaluation_id=row.id or 0, listed_before=listed_before, evaluation=saved, result=result)
    return new_version


def _sharing(stored: Assessment, data: dict[str, Any], before: Assessment | None, was: Any) -> Assessment:
    """``stored`` (whose JSON is ``data``) with each part the row already held as the same JSON text (``was``, the
    row's JSON before the save, which ``before`` was read from: the same spelling of every number, the same order of
    every key) being ``before``'s own object — its evidence, its inputs or their findings: a save changes one part,
    and what the pages derived from the parts it left alone (the evidence table) is kept for the same objects (kept
    models are never changed in place)."""
    if before is None or not isinstance(was, dict):
        return stored

    def same(new: Any, old: Any) -> bool:
        return json.dumps(new, ensure_ascii=False) == json.dumps(old, ensure_ascii=False)

    inputs = stored.inputs
    old_inputs = was.get("inputs")
    if not same(data["inputs"], old_inputs):
        held = old_inputs if isinstance(old_inputs, dict) else {}
        kept = {n: getattr(before.inputs, n) for n in type(inputs).model_fields if same(data["inputs"][n], held.get(n))}
        inputs = inputs.model_copy(update=kept)
    shared = {n: getattr(before, n) for n in type(stored).model_fields if same(data[n], was.get(n))}
    return stored.model_copy(update={"inputs": inputs, **shared})


def _refuse_unscorable_inputs(old: Assessment | None, new: Assessment, result: EvaluationResult) -> None:
    """New inputs must give a score under the indicator's rule (an override aside); a save that leaves the
    inputs as they were (evidence, narrative) is not refused for inputs entered earlier."""
    if new.override is not None or (old is not None and old.inputs == new.inputs):
        return
    row = next((r for r in result.indicators if r.code == new.code), None)
    if row is not None and row.error:
        raise ScoringError(new.code, row.error)


def _other(session: Session, key: str, target: str | None) -> str:
    """The other person's change that made a save stale, for the conflict message."""
    entry = audit.last_change(session=session, evaluation_key=key, target=target)
    return f"对方的修改：{audit.describe(entry)}" if entry is not None else ""


# --------------------------------------------------------------------------- department summaries


def save_department_summary(*, session: Session, summary: DepartmentSummary, user: User) -> int:
    require(user.role, "edit", summary.id)
    check_department(session=session, user=user, department=summary.department)
    row = session.exec(select(DepartmentSummaryRow).where(DepartmentSummaryRow.key == summary.id)).first()
    old, new = audit.changes(row.document if row is not None else None, summary.model_dump(mode="json"))
    audit.record(
        session=session,
        actor=user.username,
        action="导入" if row is None else "覆盖导入",
        evaluation_key=summary.id,
        target="部门自评报告",
        old=old or None,
        new=new,
    )
    if row is None:
        row = DepartmentSummaryRow(key=summary.id, department=summary.department, year=summary.year, document={})
    row.department = summary.department
    row.year = summary.year
    row.document = summary.model_dump(mode="json")
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def list_department_summaries(*, session: Session, user: User = SYSTEM) -> list[DepartmentSummary]:
    """The department summaries ``user`` may read (all of them for the system, administrators, managers).

    Pages ask for them on every run (评价项目, 报告 and 复核 check an evaluation against the report that lists
    it): the validated reports are kept per database while the table's stamp — count, highest id, sum of the rows'
    revisions, which every write moves — stands, so a run reads one aggregate, not every report's document. The
    reports returned are shared: callers must not change them."""
    out = []
    for department, summary in _department_summaries(session):
        try:
            check_department(session=session, user=user, department=department)
        except PermissionDenied:
            continue
        out.append(summary)
    return out


_kept_departments: KeptMap[str, tuple[tuple[Any, ...], list[tuple[str, DepartmentSummary]]]] = KeptMap(16)


def _department_summaries(session: Session) -> list[tuple[str, DepartmentSummary]]:
    """(department, report) of every stored report, by key; kept per database (see list_department_summaries)."""
    d = DepartmentSummaryRow
    stamp = tuple(session.execute(sa_select(func.count(), func.max(d.id), func.sum(d.revision))).one())
    url = _database(session)
    kept = _kept_departments.get(url)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    rows = session.execute(
        sa_select(col(d.id), col(d.revision), col(d.department), col(d.document)).order_by(col(d.key))
    ).all()
    read = _rows_stamp({int(r[0]): int(r[1]) for r in rows})  # a report written meanwhile moves the table's again
    reports = [(str(r[2]), DepartmentSummary.model_validate(r[3])) for r in rows]
    _kept_departments.put(url, (read, reports))
    return reports


def refresh_scores(*, session: Session) -> int:
    """Recompute every stored evaluation's figures (after a change to what they mean); the number updated."""
    n = 0
    for key in session.exec(select(EvaluationRow.key)).all():
        row = find_row(session, key)
        ev = evaluation_with_versions(session=session, row=row)[0]
        result = score(ev)
        _apply_scores(row, ev, result)
        session.add(row)
        assert row.id is not None
        store_summary(session=session, evaluation_id=row.id, evaluation=ev, result=result)
        n += 1
    session.flush()
    return n


def forget_kept() -> None:
    """Drop everything this process keeps of the databases' rows — evaluations, lists, department reports (after a
    restore replaced the rows; a restarted server starts with nothing kept too)."""
    _kept_documents.clear()
    _saved_scores.clear()
    with _listed_lock:
        _listed.clear()
    _kept_departments.clear()
    forget_unchanged()
