"""The review workflow of one evaluation: 草稿 → 已提交复核 → 退回修改 / 已通过 → 已定稿.

Submitted, approved and final evaluations are locked for consultants (``ensure_editable`` is called
by every save); a returned one carries the reviewer's comments; finalising stores the hash of the
final report. Every transition is checked against the user's role and written to the audit trail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from evaluation.auth import PermissionDenied, User
from evaluation.config import get_settings
from evaluation.errors import WorkbenchError
from evaluation.limits import FILE_NAME_MAX
from evaluation.storage import audit
from evaluation.storage.db import core
from evaluation.storage.tables import (
    AuditRow,
    EvaluationDocumentRow,
    EvaluationRow,
    FinalReportRow,
    WorkflowRow,
    utcnow,
)
from evaluation.storage.users import check_access

STATES = ("草稿", "已提交复核", "退回修改", "已通过", "征求意见中", "已定稿")
# 征求意见中 stays editable: an objection the agency accepts changes the draft before it is finalised
LOCKED = {"已提交复核", "已通过", "已定稿"}
# (from, to) → roles allowed
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    ("草稿", "已提交复核"): {"评价人员", "管理员"},
    ("退回修改", "已提交复核"): {"评价人员", "管理员"},
    ("已提交复核", "退回修改"): {"复核人员", "管理员"},
    ("已提交复核", "已通过"): {"复核人员", "管理员"},
    ("已通过", "征求意见中"): {"评价人员", "复核人员", "管理员"},
    ("已通过", "已定稿"): {"复核人员", "管理员"},
    ("已通过", "退回修改"): {"复核人员", "管理员"},
    ("征求意见中", "已定稿"): {"复核人员", "管理员"},
    ("征求意见中", "退回修改"): {"复核人员", "管理员"},
}


class WorkflowError(WorkbenchError):
    """A transition that the current state does not allow."""


@dataclass(frozen=True)
class WorkflowState:
    state: str
    comments: list[dict[str, Any]]
    report_sha256: str | None

    @property
    def locked(self) -> bool:
        return self.state in LOCKED


def state_of(*, session: Session, evaluation_key: str) -> WorkflowState:
    row = session.get(WorkflowRow, evaluation_key)
    if row is None:
        return WorkflowState("草稿", [], None)
    return WorkflowState(row.state, list(row.comments), row.report_sha256)


def ensure_editable(*, session: Session, evaluation_key: str, role: str | None) -> None:
    """Refuse an edit of a submitted or approved evaluation (administrators excepted) and of a final one
    (everyone: the kept report and its hash must keep matching the content)."""
    state = core(session).execute(_STATE, {"state_of": evaluation_key}).scalar() or "草稿"  # the state alone
    if state == "已定稿" or (state in LOCKED and role != "管理员"):
        raise PermissionDenied(f"评价“{evaluation_key}”处于“{state}”状态，已锁定，不能修改")


# built once (every save and every page that may edit asks it): the state only, not the comments' JSON
_STATE = sa_select(col(WorkflowRow.state)).where(col(WorkflowRow.evaluation_key) == bindparam("state_of"))


def lock_evaluation_key(*, session: Session, evaluation_key: str) -> None:
    """Serialize with every other save of the evaluation (the same lock ``repo.lock_evaluation`` takes):
    a no-op write on the evaluation row before the state is read."""
    core(session).execute(_LOCK, {"locked": evaluation_key})


# built once (every save takes it; building it cost more than running it)
_LOCK = (
    update(EvaluationRow)
    .where(col(EvaluationRow.key) == bindparam("locked"))
    .values(version=col(EvaluationRow.version))
    .execution_options(synchronize_session=False)  # nothing changes: no object in the session to bring up to date
)


def _fit_name(name: str) -> str:
    """A kept report's file name cut (in its stem) to its column: a 200-character project name plus
    “绩效评价报告（定稿）.docx” would not fit."""
    if len(name) <= FILE_NAME_MAX:
        return name
    stem, dot, suffix = name.rpartition(".")
    return stem[: FILE_NAME_MAX - len(suffix) - 2] + "…" + dot + suffix


def transition(
    *,
    session: Session,
    evaluation_key: str,
    to: str,
    user: User,
    comment: str = "",
    final_report: bytes | Callable[[], bytes] | None = None,
    file_name: str = "",
) -> WorkflowState:
    """Move the evaluation to state ``to``. ``final_report`` (for 已定稿) may be a function: it is called
    after the lock is taken, so the kept report is built from the content as it is finalised."""
    lock_evaluation_key(session=session, evaluation_key=evaluation_key)
    row = session.get(WorkflowRow, evaluation_key, populate_existing=True)
    if row is None:
        row = WorkflowRow(evaluation_key=evaluation_key)
    frm = row.state
    allowed = TRANSITIONS.get((frm, to))
    if allowed is None:
        raise WorkflowError(f"评价处于“{frm}”状态，不能变为“{to}”")
    if user.role not in allowed:
        raise PermissionDenied(f"角色“{user.role}”不能把评价从“{frm}”变为“{to}”")
    by_consultant = to == "已提交复核" or (to == "征求意见中" and user.role == "评价人员")
    check_access(
        session=session, user=user, action="edit" if by_consultant else "review", evaluation_key=evaluation_key
    )
    if to == "已定稿" and frm == "征求意见中":
        waiting = unanswered_objections(session=session, evaluation_key=evaluation_key)
        if waiting:
            raise WorkflowError(f"被评价单位的异议还有 {len(waiting)} 条未答复（{'、'.join(waiting)}），答复后才能定稿")
    if to in ("已通过", "已定稿") and not get_settings().allow_self_approval:
        submitter = submitted_by(session=session, evaluation_key=evaluation_key)
        if submitter == user.username:
            raise PermissionDenied(
                f"评价由您（{user.username}）提交复核，须由另一位复核人员{'通过' if to == '已通过' else '定稿'}"
                "（一人机构可设置 WORKBENCH_ALLOW_SELF_APPROVAL=1）"
            )
    if to == "退回修改" and not comment.strip():
        raise WorkflowError("退回修改须写明复核意见")
    if to == "已定稿":
        if callable(final_report):
            final_report = final_report()
        if not final_report:
            raise WorkflowError("定稿须附最终报告")
        row.report_sha256 = hashlib.sha256(final_report).hexdigest()
        session.add(
            FinalReportRow(
                evaluation_key=evaluation_key,
                sha256=row.report_sha256,
                file_name=_fit_name(file_name or f"{evaluation_key}-评价报告.docx"),
                content=final_report,
                created_by=user.username,
            )
        )
    if comment.strip():
        row.comments = [
            *row.comments,
            {"by": user.username, "at": utcnow().isoformat(), "to": to, "text": comment.strip()},
        ]
    row.state = to
    row.updated_by = user.username
    row.updated_at = utcnow()
    session.add(row)
    audit.record(
        session=session,
        actor=user.username,
        action="状态变更",
        evaluation_key=evaluation_key,
        target="流程",
        old=frm,
        new=to,
    )
    session.flush()
    return WorkflowState(row.state, list(row.comments), row.report_sha256)


def unanswered_objections(*, session: Session, evaluation_key: str) -> list[str]:
    """The titles of the problems the unit objected to that the agency has not answered yet."""
    document = (
        session.exec(
            select(EvaluationDocumentRow.document)
            .join(EvaluationRow, col(EvaluationRow.id) == col(EvaluationDocumentRow.evaluation_id))
            .where(EvaluationRow.key == evaluation_key)
        ).first()
        or {}
    )
    return [
        str(p.get("title", ""))
        for p in document.get("problems", [])
        if (p.get("response") or {}).get("stance") == "有异议" and not p.get("reply")
    ]


def submitted_by(*, session: Session, evaluation_key: str) -> str | None:
    """Who last submitted the evaluation for review (None when it never was)."""
    rows = session.exec(
        select(AuditRow)
        .where(AuditRow.evaluation_key == evaluation_key, AuditRow.action == "状态变更", AuditRow.target == "流程")
        .order_by(col(AuditRow.id).desc())
    ).all()
    return next((r.actor for r in rows if r.new is not None and json.loads(r.new) == "已提交复核"), None)


def final_report(*, session: Session, evaluation_key: str) -> tuple[str, bytes, str] | None:
    """(file name, content, sha256) of the latest finalised report, or None."""
    row = session.exec(
        select(FinalReportRow)
        .where(FinalReportRow.evaluation_key == evaluation_key)
        .order_by(col(FinalReportRow.id).desc())
    ).first()
    return None if row is None else (row.file_name, row.content, row.sha256)


def final_report_file(*, session: Session, evaluation_key: str) -> tuple[str, str] | None:
    """(file name, sha256) of the latest finalised report, or None — without reading its content (pages show
    the download on every run; the file is read when it is fetched, with :func:`final_report`)."""
    found = session.execute(
        sa_select(col(FinalReportRow.file_name), col(FinalReportRow.sha256))
        .where(col(FinalReportRow.evaluation_key) == evaluation_key)
        .order_by(col(FinalReportRow.id).desc())
        .limit(1)
    ).first()
    return None if found is None else (str(found[0]), str(found[1]))


def states(*, session: Session, keys: Collection[str] | None = None) -> dict[str, str]:
    """Every evaluation's state that is not 草稿 (of those ``keys`` only, when given), by key (for lists)."""
    query = select(WorkflowRow)
    if keys is not None:
        query = query.where(col(WorkflowRow.evaluation_key).in_(sorted(keys)))
    return {r.evaluation_key: r.state for r in session.exec(query).all()}
