"""What the evaluated unit (被评价单位) reads and writes: its 资料清单 and uploads, the 基础数据表, and its
answers to the draft's problems (征求意见).

The unit never reads scores before the draft: :func:`unit_view` gives it only the parts meant for it. Its
writes are built here from the stored evaluation and the little it supplies (a file for an item, a table of
figures, an answer), so a unit cannot change anything else; each goes through ``save_document`` with the
unit's own gate (membership with the ``respond`` right, the evaluation's lock, the state) and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlmodel import Session, col, select

from evaluation.auth import Action, PermissionDenied, User
from evaluation.errors import Problem, ValidationFailed
from evaluation.files.attachments import Where, content_hash, remove_attachment, safe_name, store_attachment
from evaluation.model import (
    ChecklistItem,
    Evaluation,
    EvidenceRef,
    Facts,
    Project,
    Rectification,
    ReportProblem,
    UnitData,
    UnitResponse,
)
from evaluation.storage.documents import load_with_versions, save_document
from evaluation.storage.repo import get_evaluation, lock_evaluation
from evaluation.storage.tables import EvaluationRow
from evaluation.storage.users import check_access, visible_keys
from evaluation.storage.workflow import state_of
from evaluation.storage.workflow import states as states_of

CONSULTATION = ("征求意见中", "已定稿")  # the states in which the unit sees the draft's problems
CHECKLIST_FOLDER = "checklist"  # attachments of general 资料清单 items (no indicator) are kept here
CONSULTATION_FOLDER = "consultation"  # files the unit sends with its answers to the draft


@dataclass(frozen=True)
class UnitView:
    """What the unit may see of one evaluation: no scores, no findings, no narrative."""

    key: str
    version: int
    state: str
    project: Project
    checklist: tuple[ChecklistItem, ...]
    unit_data: UnitData | None
    facts: Facts  # funds and targets as the agency holds them (the 基础数据表 starts from them)
    problems: tuple[ReportProblem, ...]  # only once the draft is sent for 征求意见

    @property
    def consulting(self) -> bool:
        return self.state == "征求意见中"


def unit_view(*, session: Session, key: str, user: User) -> UnitView:
    check_access(session=session, user=user, action="respond", evaluation_key=key)
    ev, version, _ = load_with_versions(session=session, key=key)
    state = state_of(session=session, evaluation_key=key).state
    return UnitView(
        key=key,
        version=version,
        state=state,
        project=ev.project,
        checklist=tuple(ev.checklist),
        unit_data=ev.unit_data,
        facts=ev.facts.model_copy(update={"background": "", "implementation": ""}),
        problems=tuple(ev.problems) if state in CONSULTATION else (),
    )


def _unit_gate(session: Session, row: EvaluationRow, user: User) -> None:
    check_access(session=session, user=user, action="respond", evaluation_key=row.key)
    lock_evaluation(session=session, row=row)
    if state_of(session=session, evaluation_key=row.key).state == "已定稿":
        raise PermissionDenied("评价已定稿，不能再提交资料或意见")


def _stored(session: Session, key: str, user: User) -> Evaluation:
    """The stored evaluation the unit's change is built on (save_document compares versions under the lock)."""
    check_access(session=session, user=user, action="respond", evaluation_key=key)
    return load_with_versions(session=session, key=key)[0]


def _store(root: Where, key: str, folder: str, filename: str, data: bytes, note: str) -> EvidenceRef:
    rel = store_attachment(root=root, evaluation_id=key, code=folder, filename=filename, data=data)
    shown = safe_name(filename)  # the name as stored: no direction or invisible characters
    return EvidenceRef(document=shown.rsplit(".", 1)[0] or shown, attachment=rel, sha256=content_hash(data), note=note)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def upload_for_item(
    *,
    session: Session,
    key: str,
    index: int,
    filename: str,
    data: bytes,
    root: Where,
    user: User,
    expected_version: int,
    today: date | None = None,
) -> int:
    """Attach a file to 资料清单 item ``index`` (it becomes 已提供, received today) and to the evidence of the
    item's indicator; the new document version. A refused save leaves no file behind."""
    ev = _stored(session, key, user)
    if not 0 <= index < len(ev.checklist):
        raise ValidationFailed([Problem(f"资料清单没有第 {index + 1} 项", None, None, "checklist")], "未保存")
    item = ev.checklist[index]
    known = {f.attachment for f in item.files} | {r.attachment for a in ev.assessments for r in a.evidence}
    note = f"资料清单：{item.document}（被评价单位提供）"
    ref = _store(root, key, item.code or CHECKLIST_FOLDER, filename, data, note)
    rel = ref.attachment
    files = item.files if any(f.attachment == rel for f in item.files) else [*item.files, ref]
    status = "已提供" if item.status in ("未提供", "补充中") else item.status
    new_item = item.model_copy(update={"files": files, "status": status, "received_on": today or date.today()})
    checklist = [new_item if i == index else it for i, it in enumerate(ev.checklist)]
    # an indicator already assessed gets the file among its evidence at once; one not assessed yet shows it
    # from the 资料清单 (Evaluation.evidence_for) — an empty assessment would count as scored
    assessments = ev.assessments
    base = ev.assessment(item.code) if item.code else None
    if base is not None and all(r.attachment != rel for r in base.evidence):
        assessments = [
            a.model_copy(update={"evidence": [*a.evidence, ref]}) if a.code == item.code else a for a in ev.assessments
        ]
    candidate = ev.model_copy(update={"checklist": checklist, "assessments": assessments})
    saved = False
    try:
        version = save_document(
            session=session,
            evaluation=candidate,
            expected_version=expected_version,
            user=user,
            sync_assessments=assessments is not ev.assessments,
            gate=_unit_gate,
        )
        saved = True
    finally:
        if not saved and rel not in known:  # refused: the file written for it goes again
            remove_attachment(root=root, relative=rel)
    return version


def submit_unit_data(*, session: Session, key: str, data: UnitData, user: User, expected_version: int) -> int:
    """The unit's 基础数据表 (funds, expenditure table, targets), waiting for the consultant."""
    ev = _stored(session, key, user)
    stamped = data.model_copy(update={"by": user.username, "at": _now(), "status": "待确认", "answer": ""})
    return save_document(
        session=session,
        evaluation=ev.model_copy(update={"unit_data": stamped}),
        expected_version=expected_version,
        user=user,
        gate=_unit_gate,
    )


def respond_to_problem(
    *,
    session: Session,
    key: str,
    index: int,
    response: UnitResponse,
    user: User,
    expected_version: int,
    files: tuple[tuple[str, bytes], ...] = (),
    root: Where | None = None,
) -> int:
    """The unit's 同意 / 有异议 on problem ``index`` of the draft, while it is out for 征求意见, with the files
    that support it (kept under the evaluation's 征求意见 folder in ``root``)."""
    ev = _stored(session, key, user)
    if state_of(session=session, evaluation_key=key).state != "征求意见中":
        raise PermissionDenied("报告初稿不在征求意见阶段，不能提交反馈")
    if not 0 <= index < len(ev.problems):
        raise ValidationFailed([Problem(f"没有第 {index + 1} 个问题", None, None, "problems")], "未保存")
    if response.stance == "有异议" and len(response.statement.strip()) < 2:
        raise ValidationFailed([Problem("提出异议须写明意见与理由", None, None, "statement")], "未保存")
    problem = ev.problems[index]
    if files and root is None:
        raise ValueError("files need the attachments root")
    refs = (
        [_store(root, key, CONSULTATION_FOLDER, name, data, f"征求意见：{problem.title}") for name, data in files]
        if root
        else []
    )
    stamped = response.model_copy(update={"by": user.username, "at": _now(), "files": [*response.files, *refs]})
    # a changed answer needs a new reply from the agency
    answered = problem.model_copy(update={"response": stamped, "reply": None})
    problems = [answered if i == index else p for i, p in enumerate(ev.problems)]
    saved = False
    try:
        version = save_document(
            session=session,
            evaluation=ev.model_copy(update={"problems": problems}),
            expected_version=expected_version,
            user=user,
            gate=_unit_gate,
        )
        saved = True
    finally:
        if not saved and root is not None:
            for ref in refs:
                remove_attachment(root=root, relative=ref.attachment)
    return version


@dataclass(frozen=True)
class UnitEvaluation:
    key: str
    project_name: str
    year: int
    state: str


def unit_evaluations(*, session: Session, user: User) -> list[UnitEvaluation]:
    """The evaluations the unit belongs to (all of them for an administrator), newest year first."""
    keys = visible_keys(session=session, user=user)
    if keys is not None and not keys:
        return []
    query = select(EvaluationRow.key, EvaluationRow.project_name, EvaluationRow.year)
    if keys is not None:  # a unit belongs to a few evaluations of thousands: read only those rows
        query = query.where(col(EvaluationRow.key).in_(sorted(keys)))
    rows = session.exec(query).all()
    states = states_of(session=session, keys=None if keys is None else [str(k) for k, _, _ in rows])
    out = [UnitEvaluation(str(k), str(name), int(year), states.get(str(k), "草稿")) for k, name, year in rows]
    return sorted(out, key=lambda e: (-e.year, e.key))


RectifiedList = Literal["problems", "prior_problems"]


def _rectify_gate(session: Session, row: EvaluationRow, user: User) -> None:
    """整改 is recorded after 定稿 too (that is when it happens): by the agency's editors and by the unit,
    members of the evaluation; the kept final report is a separate file and does not change."""
    action: Action = "respond" if user.role == "被评价单位" else "edit"
    check_access(session=session, user=user, action=action, evaluation_key=row.key)
    lock_evaluation(session=session, row=row)


def record_rectifications(
    *,
    session: Session,
    key: str,
    field: RectifiedList,
    rectifications: list[Rectification],
    user: User,
    expected_version: int,
) -> int:
    """Set the 整改 of each problem of ``field`` (this year's problems, or last year's carried over), in order;
    nothing else of the evaluation changes. Audited like every save."""
    ev = get_evaluation(session=session, ref=key)
    problems = getattr(ev, field)
    if len(rectifications) != len(problems):
        said = f"整改情况 {len(rectifications)} 条，与问题 {len(problems)} 个不符（问题已被修改，请刷新后重填）"
        raise ValidationFailed([Problem(said, None, None, field)], "未保存")
    updated = [p.model_copy(update={"rectification": r}) for p, r in zip(problems, rectifications, strict=True)]
    return save_document(
        session=session,
        evaluation=ev.model_copy(update={field: updated}),
        expected_version=expected_version,
        user=user,
        gate=_rectify_gate,
    )
