"""The 问题与建议 page's tables: the recorded findings with their marks, and the report's 存在问题 and 相关建议
as edited (frames to start from, readers that put them back in the order of their 序号)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd

from evaluation.files.grids import cell_text
from evaluation.formatting import number
from evaluation.indicators.system import IndicatorSystem
from evaluation.model import ReportProblem, Suggestion
from evaluation.report.problems import FindingRow, renumber
from ui.feedback import FieldError
from ui.tables import TableRow, read_table

PROBLEM_COLUMNS = ["序号", "问题标题", "具体情况", "原因分析", "相关指标", "_orig"]
SUGGESTION_COLUMNS = ["序号", "建议标题", "建议内容", "回应问题"]
Marks = dict[tuple[str, int], tuple[bool, str]]  # (code, finding index) → (写入报告, 原因分析)


def marks_frame(rows: list[FindingRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "指标分组": r.group,
                "指标": r.indicator,
                "问题": r.text,
                "扣分": number(r.points) if r.points is not None else "—",
                "写入报告": r.in_report,
                "原因分析": r.cause,
                "_code": r.code,
                "_i": r.index,
            }
            for r in rows
        ]
    )


def read_marks(edited: pd.DataFrame) -> Marks:
    return {
        (r["_code"], int(r["_i"])): (bool(r["写入报告"]), cell_text(r["原因分析"])) for r in edited.to_dict("records")
    }


def problems_frame(problems: list[ReportProblem], system: IndicatorSystem) -> pd.DataFrame:
    """Numbered from 1; ``_orig`` keeps each problem's number as loaded (the suggestions answer by it);
    相关指标 as 名称（编码）."""
    return pd.DataFrame(
        [
            {
                "序号": i,
                "问题标题": p.title,
                "具体情况": p.text,
                "原因分析": p.cause,
                "相关指标": "、".join(system.label(c) for c in p.indicators),
                "_orig": i,
            }
            for i, p in enumerate(problems, 1)
        ],
        columns=PROBLEM_COLUMNS,
    )


def suggestions_frame(suggestions: list[Suggestion]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"序号": i, "建议标题": s.title, "建议内容": s.text, "回应问题": "、".join(str(n) for n in s.answers)}
            for i, s in enumerate(suggestions, 1)
        ],
        columns=SUGGESTION_COLUMNS,
    )


def read_problems_and_suggestions(
    problems: pd.DataFrame, suggestions: pd.DataFrame, system: IndicatorSystem
) -> tuple[list[ReportProblem], list[Suggestion]]:
    """Both tables read and put in the order of their 序号 (a row without one goes last), each suggestion
    still answering the problems it answered; 相关指标 names the system's indicators by name or code."""
    refs = system.references()
    ordered_p, ordered_s, errors = renumber(
        [_problem(row, refs) for row in read_table(problems, "存在问题")],
        [_suggestion(row) for row in read_table(suggestions, "相关建议")],
    )
    if errors:
        raise FieldError("存在问题与建议", "；".join(errors))
    return ordered_p, ordered_s


def _problem(row: TableRow, refs: dict[str, str]) -> tuple[Decimal, int | None, ReportProblem]:
    title = row.required("问题标题")
    inds = [c.strip() for c in _split(row["相关指标"]) if c.strip()]
    unknown = [c for c in inds if c not in refs]
    if unknown:
        said = "、".join(f"“{c}”" for c in unknown)
        raise row.error(
            f"的{said}不是本评价的指标：请写指标名称或编码（如“{next(iter(refs))}”），多个用顿号分开",
            label="相关指标",
        )
    orig = row.raw.get("_orig")
    return (
        _seq(row["序号"], row, "存在问题") if row["序号"] else Decimal(10_000 + row.number),
        None if orig is None or orig != orig else int(orig),
        ReportProblem(
            title=title,
            text=row["具体情况"],
            cause=row["原因分析"],
            indicators=list(dict.fromkeys(refs[c] for c in inds)),
        ),
    )


def _suggestion(row: TableRow) -> tuple[Decimal, Suggestion, list[Decimal]]:
    title = row.required("建议标题")
    answers = [_seq(a.strip(), row, "回应问题") for a in _split(row["回应问题"]) if a.strip()]
    seq = _seq(row["序号"], row, "相关建议") if row["序号"] else Decimal(10_000 + row.number)
    return seq, Suggestion(title=title, text=row["建议内容"]), answers


def _split(text: str) -> list[str]:
    return text.replace(",", "、").replace("，", "、").split("、")


def _seq(text: str, row: TableRow, label: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise row.error(f"序号“{text}”不是数字", label=label) from None
