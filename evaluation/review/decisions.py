"""Reviewer decisions on check findings (复核记录) and the review sheet.

A decision is 已修正 (fixed) or 接受 (accepted as it is, with a mandatory reason). Decisions are
keyed by the finding's stable identity (code + location), so they survive re-checking: a finding that
fires again after a re-check keeps its decision; a fixed finding that no longer fires shows as
resolved. Pure domain code: storage lives in ``evaluation.storage.decisions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evaluation.review.base import ERROR, CheckFinding
from evaluation.text import clean_text

Decision = Literal["已修正", "接受"]
DECISIONS: tuple[Decision, ...] = ("已修正", "接受")
Status = Literal["待处理", "已修正", "接受", "已消除"]


class ReviewDecision(BaseModel):
    """One reviewer decision, with a snapshot of the finding it was made on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    finding_key: str = Field(min_length=1)
    code: str = Field(min_length=1, max_length=40)
    severity: Literal["错误", "警告", "提示"]
    decision: Decision
    reason: str = ""
    reviewer: str = Field(default="", max_length=100)
    decided_at: datetime | None = None
    finding: dict[str, Any] = Field(default_factory=dict, description="作出决定时的检查结果（快照）")

    @model_validator(mode="after")
    def _reason_for_accept(self) -> ReviewDecision:
        if self.decision == "接受" and len(self.reason.strip()) < 2:
            raise ValueError("选择“接受”时必须说明理由")
        return self


def decision_for(
    finding: CheckFinding, decision: Decision, reason: str = "", reviewer: str = "", decided_at: datetime | None = None
) -> ReviewDecision:
    """A validated decision on ``finding`` (raises pydantic's ValidationError when 接受 has no reason)."""
    return ReviewDecision(
        finding_key=finding.key,
        code=finding.code,
        severity=finding.severity,
        decision=decision,
        reason=clean_text(reason).strip(),
        reviewer=clean_text(reviewer).strip(),
        decided_at=decided_at,
        finding=finding.to_dict(),
    )


@dataclass(frozen=True)
class ReviewItem:
    """A finding (current, or only remembered by its decision) with its review status."""

    key: str
    finding: CheckFinding | None
    decision: ReviewDecision | None

    @property
    def status(self) -> Status:
        if self.decision is None:
            return "待处理"
        if self.finding is None:
            return "已消除"
        return self.decision.decision

    @property
    def severity(self) -> str:
        if self.finding is not None:
            return self.finding.severity
        return self.decision.severity if self.decision is not None else ""

    @property
    def open(self) -> bool:
        return self.finding is not None and self.decision is None


def review_items(findings: list[CheckFinding], decisions: dict[str, ReviewDecision]) -> list[ReviewItem]:
    """Current findings with their decisions, then decisions whose finding no longer fires."""
    items = [ReviewItem(f.key, f, decisions.get(f.key)) for f in findings]
    current = {f.key for f in findings}
    items += [ReviewItem(k, None, d) for k, d in decisions.items() if k not in current]
    return items


def open_error_count(findings: list[CheckFinding], decisions: dict[str, ReviewDecision]) -> int:
    """Number of 错误 findings nobody has decided on yet (the report page asks before exporting)."""
    return sum(1 for f in findings if f.severity == ERROR and f.key not in decisions)
