"""The review workflow of one evaluation: 草稿 → 已提交复核 → 退回修改 / 已通过 → 已定稿.

Submitted, approved and final evaluations are locked for consultants (``ensure_editable`` is called
by every save); a returned one carries the reviewer's comments; finalising stores the hash of the
final report. Every transition is checked against the user's role and written to the audit trail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel

from evaluation.auth import PermissionDenied
from evaluation.errors import WorkbenchError
from evaluation.storage import audit
from evaluation.storage.tables import utcnow

STATES = ("草稿", "已提交复核", "退回修改", "已通过", "已定稿")
LOCKED = {"已提交复核", "已通过", "已定稿"}
# (from, to) → roles allowed
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    ("草稿", "已提交复核"): {"评价人员", "管理员"},
    ("退回修改", "已提交复核"): {"评价人员", "管理员"},
    ("已提交复核", "退回修改"): {"复核人员", "管理员"},
    ("已提交复核", "已通过"): {"复核人员", "管理员"},
    ("已通过", "已定稿"): {"复核人员", "管理员"},
    ("已通过", "退回修改"): {"复核人员", "管理员"},
}


class WorkflowError(WorkbenchError):
    """A transition that the current state does not allow."""


class WorkflowRow(SQLModel, table=True):
    __tablename__ = "workflow"

    evaluation_key: str = Field(primary_key=True, max_length=40)
    state: str = Field(default="草稿", max_length=10)
    comments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON(), nullable=False))
    report_sha256: str | None = Field(default=None, max_length=64)
    updated_by: str = Field(default="", max_length=60)
    updated_at: datetime = Field(default_factory=utcnow)


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
    """Refuse an edit of a submitted, approved or final evaluation (administrators excepted)."""
    current = state_of(session=session, evaluation_key=evaluation_key)
    if current.locked and role != "管理员":
        raise PermissionDenied(f"评价“{evaluation_key}”处于“{current.state}”状态，已锁定，不能修改")


def transition(
    *,
    session: Session,
    evaluation_key: str,
    to: str,
    username: str,
    role: str,
    comment: str = "",
    final_report: bytes | None = None,
) -> WorkflowState:
    row = session.get(WorkflowRow, evaluation_key)
    if row is None:
        row = WorkflowRow(evaluation_key=evaluation_key)
    frm = row.state
    allowed = TRANSITIONS.get((frm, to))
    if allowed is None:
        raise WorkflowError(f"评价处于“{frm}”状态，不能变为“{to}”")
    if role not in allowed:
        raise PermissionDenied(f"角色“{role}”不能把评价从“{frm}”变为“{to}”")
    if to == "退回修改" and not comment.strip():
        raise WorkflowError("退回修改须写明复核意见")
    if to == "已定稿":
        if not final_report:
            raise WorkflowError("定稿须附最终报告")
        row.report_sha256 = hashlib.sha256(final_report).hexdigest()
    if comment.strip():
        row.comments = [*row.comments, {"by": username, "at": utcnow().isoformat(), "to": to, "text": comment.strip()}]
    row.state = to
    row.updated_by = username
    row.updated_at = utcnow()
    session.add(row)
    audit.record(
        session=session,
        actor=username,
        action="状态变更",
        evaluation_key=evaluation_key,
        target="流程",
        old=frm,
        new=to,
    )
    session.flush()
    return WorkflowState(row.state, list(row.comments), row.report_sha256)
