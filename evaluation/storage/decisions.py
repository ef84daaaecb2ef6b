"""Reviewer decisions (复核记录) in the database: one row per finding identity and subject.

The subject is an evaluation's key or a department summary's key (no foreign key: decisions on an
imported document outlive a re-import). The finding is identified by its stable key (code +
location); the table holds its SHA-256 for the unique index, the key itself, and a snapshot of the
finding as it was when decided.
"""

import hashlib
from collections.abc import Callable

from sqlmodel import Session, col, select

from evaluation.auth import PermissionDenied, User
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.base import CheckFinding
from evaluation.review.checks import check
from evaluation.review.decisions import Decision, ReviewDecision, decision_for, open_error_count
from evaluation.review.department import department_for
from evaluation.scoring.engine import EvaluationResult, score
from evaluation.storage import audit
from evaluation.storage.repo import get_evaluation, list_department_summaries
from evaluation.storage.tables import ReviewDecisionRow, utcnow
from evaluation.storage.users import check_access
from evaluation.storage.workflow import state_of


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _model(row: ReviewDecisionRow) -> ReviewDecision:
    return ReviewDecision(
        finding_key=row.finding_key,
        code=row.code,
        severity=row.severity,
        decision=row.decision,
        reason=row.reason,
        reviewer=row.reviewer,
        decided_at=row.decided_at,
        finding=dict(row.finding),
    )


def save_decision(
    *, session: Session, subject: str, finding: CheckFinding, decision: Decision, user: User, reason: str = ""
) -> ReviewDecision:
    """Record (or replace) the decision on one finding (a reviewer of the evaluation, or an administrator).
    接受 without a reason raises ValidationError."""
    ensure_reviewable(session=session, user=user, evaluation_key=subject)
    validated = decision_for(finding, decision, reason, user.display_name or user.username, utcnow())
    digest = _hash(finding.key)
    row = session.exec(
        select(ReviewDecisionRow).where(ReviewDecisionRow.subject == subject, ReviewDecisionRow.finding_hash == digest)
    ).first()
    if row is None:
        row = ReviewDecisionRow(
            subject=subject,
            finding_hash=digest,
            finding_key=finding.key,
            code=finding.code,
            severity=finding.severity,
            decision=decision,
            finding={},
        )
    if row.id is not None and (row.decision, row.reason) == (validated.decision, validated.reason):
        return _model(row)  # the same decision saved again (a second click): nothing to record
    old = {"处理": row.decision, "理由": row.reason} if row.id is not None else None  # before it is replaced
    row.decision = validated.decision
    row.reason = validated.reason
    row.reviewer = validated.reviewer
    row.severity = validated.severity
    row.finding = validated.finding
    row.decided_at = validated.decided_at or utcnow()
    audit.record(
        session=session,
        actor=user.username,
        action="复核处理",
        evaluation_key=subject,
        target=finding.location.indicator or finding.code,
        old=old,
        new={"问题": finding.message, "处理": validated.decision, "理由": validated.reason},
    )
    session.add(row)
    session.flush()
    return _model(row)


def clear_decision(*, session: Session, subject: str, finding_key: str, user: User) -> bool:
    """Withdraw a decision; returns whether there was one."""
    ensure_reviewable(session=session, user=user, evaluation_key=subject)
    row = session.exec(
        select(ReviewDecisionRow).where(
            ReviewDecisionRow.subject == subject, ReviewDecisionRow.finding_hash == _hash(finding_key)
        )
    ).first()
    if row is None:
        return False
    audit.record(
        session=session,
        actor=user.username,
        action="撤销复核处理",
        evaluation_key=subject,
        target=(row.finding.get("location") or {}).get("indicator") or row.code,
        old={"处理": row.decision, "理由": row.reason},
    )
    session.delete(row)
    session.flush()
    return True


def ensure_reviewable(*, session: Session, user: User, evaluation_key: str) -> None:
    """Refuse a review decision by someone who is not a reviewer of the evaluation, or on a final one."""
    check_access(session=session, user=user, action="review", evaluation_key=evaluation_key)
    if state_of(session=session, evaluation_key=evaluation_key).state == "已定稿":
        raise PermissionDenied(f"评价“{evaluation_key}”已定稿，复核处理不能再改")


def list_decisions(*, session: Session, subject: str) -> dict[str, ReviewDecision]:
    """The decisions on one subject, by finding key."""
    rows = session.exec(
        select(ReviewDecisionRow).where(ReviewDecisionRow.subject == subject).order_by(col(ReviewDecisionRow.id))
    ).all()
    return {r.finding_key: _model(r) for r in rows}


Checker = Callable[[Evaluation, EvaluationResult, DepartmentSummary | None], list[CheckFinding]]


def findings_for(
    *, session: Session, evaluation: Evaluation, result: EvaluationResult, checker: Checker = check
) -> list[CheckFinding]:
    """The checks' findings for an evaluation already loaded and scored, with its line in a department
    report if one lists it (``checker`` is ``review.checks.check``, or a caller's kept version of it)."""
    department = department_for(list_department_summaries(session=session), evaluation.id)
    return checker(evaluation, result, department)


def findings_for_evaluation(*, session: Session, ref: int | str) -> tuple[str, list[CheckFinding]]:
    """(evaluation key, findings) for a stored evaluation, loaded and scored here."""
    ev = get_evaluation(session=session, ref=ref)
    return ev.id, findings_for(session=session, evaluation=ev, result=score(ev))


def count_open_errors(
    *, session: Session, evaluation: Evaluation, result: EvaluationResult, checker: Checker = check
) -> int:
    """Open 错误 of an evaluation: errors the checks find that no reviewer has decided on."""
    findings = findings_for(session=session, evaluation=evaluation, result=result, checker=checker)
    return open_error_count(findings, list_decisions(session=session, subject=evaluation.id))
