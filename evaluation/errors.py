"""Domain exceptions. Every message is Chinese and names the place it concerns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evaluation.limits import PROBLEMS_LISTED


class WorkbenchError(Exception):
    """Base class of all errors the workbench reports to a user."""


@dataclass(frozen=True)
class Problem:
    """One located validation problem: where (file, indicator, field) and what."""

    message: str
    file: str | None = None
    code: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"文件 {self.file}")
        if self.code:
            where.append(f"指标 {self.code}")
        if self.field:
            where.append(f"字段 {self.field}")
        prefix = "，".join(where)
        return f"{prefix}：{self.message}" if prefix else self.message


def listed(problems: Sequence[object], limit: int = PROBLEMS_LISTED) -> list[str]:
    """The first ``limit`` problems as lines, and a last line counting the others ("另有 N 处问题未列出")."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"另有 {len(problems) - limit} 处问题未列出")
    return lines


class ValidationFailed(WorkbenchError):
    """Raised after collecting *all* problems of an input, never just the first (the message lists the
    first :data:`~evaluation.limits.PROBLEMS_LISTED` of them and counts the others)."""

    def __init__(self, problems: list[Problem], title: str = "校验未通过") -> None:
        self.problems = list(problems)
        self.title = title
        lines = [f"{title}（共 {len(self.problems)} 处问题）："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems[:PROBLEMS_LISTED], 1)]
        lines += [f"  {line}" for line in listed(self.problems)[PROBLEMS_LISTED:]]
        super().__init__("\n".join(lines))


class ValueParseError(WorkbenchError):
    """A target or actual value text cannot be used by a quantitative rule."""


class ScoringError(WorkbenchError):
    """The recorded inputs of an indicator cannot be scored by its rule."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.detail = message
        super().__init__(f"指标 {code}：{message}")


class NotFound(WorkbenchError):
    """A requested evaluation, template or file does not exist."""


class ConflictError(WorkbenchError):
    """Someone else saved the same record first (optimistic locking)."""
