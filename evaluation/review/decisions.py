"""Reviewer decisions on check findings (复核记录) and the review sheet.

A decision is 已修正 (fixed) or 接受 (accepted as it is, with a mandatory reason). Decisions are
keyed by the finding's stable identity (code + location), so they survive re-checking: a finding that
fires again after a re-check keeps its decision; a fixed finding that no longer fires shows as
resolved. Pure domain code: storage lives in ``evaluation.storage.decisions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from pydantic import BaseModel, ConfigDict, Field, model_validator

from evaluation.review.checks import CODES, ERROR, SEVERITIES, Finding

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
    finding: Finding, decision: Decision, reason: str = "", reviewer: str = "", decided_at: datetime | None = None
) -> ReviewDecision:
    """A validated decision on ``finding`` (raises pydantic's ValidationError when 接受 has no reason)."""
    return ReviewDecision(
        finding_key=finding.key,
        code=finding.code,
        severity=finding.severity,
        decision=decision,
        reason=reason.strip(),
        reviewer=reviewer.strip(),
        decided_at=decided_at,
        finding=finding.to_dict(),
    )


@dataclass(frozen=True)
class ReviewItem:
    """A finding (current, or only remembered by its decision) with its review status."""

    key: str
    finding: Finding | None
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


def review_items(findings: list[Finding], decisions: dict[str, ReviewDecision]) -> list[ReviewItem]:
    """Current findings with their decisions, then decisions whose finding no longer fires."""
    items = [ReviewItem(f.key, f, decisions.get(f.key)) for f in findings]
    current = {f.key for f in findings}
    items += [ReviewItem(k, None, d) for k, d in decisions.items() if k not in current]
    return items


def open_error_count(findings: list[Finding], decisions: dict[str, ReviewDecision]) -> int:
    """Number of 错误 findings nobody has decided on yet (the report page asks before exporting)."""
    return sum(1 for f in findings if f.severity == ERROR and f.key not in decisions)


# --------------------------------------------------------------------------- review sheet

SHEET_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("严重程度", 9),
    ("代码", 22),
    ("检查项", 24),
    ("表", 14),
    ("行", 24),
    ("栏", 12),
    ("指标编码", 12),
    ("说明", 70),
    ("所列", 12),
    ("核算", 12),
    ("处理", 10),
    ("理由", 40),
    ("复核人", 10),
    ("处理时间", 20),
)


def sheet_rows(items: list[ReviewItem]) -> list[list[str]]:
    rows = []
    ordered = sorted(items, key=lambda i: SEVERITIES.index(i.severity) if i.severity in SEVERITIES else 9)
    for n, item in enumerate(ordered, 1):
        data = item.finding.to_dict() if item.finding is not None else (item.decision.finding if item.decision else {})
        loc = data.get("location", {})
        d = item.decision
        rows.append(
            [
                str(n),
                item.severity,
                str(data.get("code", "")),
                CODES.get(str(data.get("code", "")), ""),
                str(loc.get("table", "")),
                str(loc.get("row", "")),
                str(loc.get("field", "")),
                str(loc.get("indicator", "")),
                str(data.get("message", "")),
                str(data.get("stated") or ""),
                str(data.get("computed") or ""),
                item.status,
                d.reason if d else "",
                d.reviewer if d else "",
                d.decided_at.strftime("%Y-%m-%d %H:%M") if d and d.decided_at else "",
            ]
        )
    return rows


def review_sheet_xlsx(title: str, items: list[ReviewItem]) -> bytes:
    """The review sheet (复核表) as an Excel workbook: one row per finding with its resolution."""
    wb = Workbook()
    ws = wb.active
    ws.title = "复核表"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    counts = {s: sum(1 for i in items if i.severity == s and i.finding is not None) for s in SEVERITIES}
    open_errors = sum(1 for i in items if i.open and i.severity == ERROR)
    ws.append(["  ".join(f"{s} {counts[s]} 项" for s in SEVERITIES) + f"  未处理的错误 {open_errors} 项"])
    ws.append([name for name, _ in SHEET_COLUMNS])
    header = ws.max_row
    for cell in ws[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in sheet_rows(items):
        ws.append(row)
    for i, (_, width) in enumerate(SHEET_COLUMNS, 1):
        ws.column_dimensions[ws.cell(row=header, column=i).column_letter].width = width
    for row_cells in ws.iter_rows(min_row=header + 1):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
