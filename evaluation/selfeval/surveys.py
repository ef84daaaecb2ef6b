"""Satisfaction surveys (公众评判法): questionnaire results → a satisfaction rate with its method.

A survey file (.csv or .xlsx) has one row per respondent and one column per question; answers are
options (非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意 and the like) or scores 1–5. Two methods:

- ``share``: the share of respondents whose answer counts as satisfied (by default 非常满意 and
  满意, or a score of 4 or 5);
- ``weighted``: a weighted composite of the five-level scale (by default 100/80/60/40/20 points for
  levels 5 to 1), averaged over the valid answers.

Blank answers are left out and counted; an answer that is neither a known option nor a 1–5 score
is an error naming the row and column. The result carries the text that goes into the indicator's
评分过程.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from evaluation.errors import Problem, ValidationFailed
from evaluation.files.grids import XLSX_UNREADABLE, Limits, TooLarge, column_letter, xlsx_grids
from evaluation.formatting import two
from evaluation.limits import CELL_CHARS, SURVEY_CELLS, SURVEY_COLUMNS, SURVEY_ROWS, TABLE_FILE_BYTES, megabytes

LEVELS: dict[str, int] = {
    "非常满意": 5,
    "很满意": 5,
    "满意": 4,
    "比较满意": 4,
    "较满意": 4,
    "基本满意": 3,
    "一般": 3,
    "不太满意": 2,
    "不满意": 2,
    "较不满意": 2,
    "非常不满意": 1,
    "很不满意": 1,
}
DEFAULT_WEIGHTS: dict[int, Decimal] = {5: Decimal(100), 4: Decimal(80), 3: Decimal(60), 2: Decimal(40), 1: Decimal(20)}
SMALL_SAMPLE = 30

Method = Literal["share", "weighted"]


@dataclass(frozen=True)
class Survey:
    name: str
    questions: list[str]
    answers: list[list[str]]  # rows of respondents


@dataclass(frozen=True)
class SurveyResult:
    method: Method
    questions: list[str]
    respondents: int
    valid: int
    blank: int
    rate: Decimal  # percent, two decimals
    distribution: dict[int, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def actual(self) -> str:
        """The value to record as the satisfaction indicator's actual (实际值)."""
        return f"{self.rate}%"

    def narrative(self) -> str:
        dist = "、".join(f"{level}分 {n} 份" for level, n in sorted(self.distribution.items(), reverse=True))
        how = (
            "以“非常满意”“满意”（或 4、5 分）为满意，满意人次占有效答卷的比例"
            if self.method == "share"
            else "按五级量表加权（5 至 1 分分别计 100、80、60、40、20 分）求平均"
        )
        text = (
            f"评价组对服务对象开展满意度问卷调查，共回收问卷 {self.respondents} 份，"
            f"就“{'”“'.join(self.questions)}”统计有效回答 {self.valid} 个（空白 {self.blank} 个）。"
            f"满意度{how}，结果为 {self.rate}%。回答分布：{dist}。"
        )
        if self.warnings:
            text += "".join(self.warnings)
        return text


SURVEY_LIMITS = Limits(rows=SURVEY_ROWS + 1, columns=SURVEY_COLUMNS, cells=SURVEY_CELLS)


def _refused(problem: Problem) -> ValidationFailed:
    return ValidationFailed([problem], "无法读取问卷")


def _csv_rows(name: str, data: bytes) -> list[list[str]]:
    """The rows of a CSV survey (UTF-8 or GBK; line ends CR LF, LF or CR alone), within the limits."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(Problem("CSV 文件不是 UTF-8 或 GBK 编码", name))
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # old Mac line ends, and any CR left alone
    reader = csv.reader(io.StringIO(text))
    rows: list[list[str]] = []
    try:
        for row in reader:
            place = f"第 {reader.line_num} 行"
            if len(rows) > SURVEY_ROWS:
                raise _refused(Problem(f"问卷超过 {SURVEY_ROWS} 份答卷", name, None, place))
            if len(row) > SURVEY_COLUMNS:
                raise _refused(Problem(f"超出可读取的范围（最多 {SURVEY_COLUMNS} 列）", name, None, place))
            for c, cell in enumerate(row):
                if len(cell) > CELL_CHARS:
                    said = f"单元格文字有 {len(cell)} 个字符，超过上限 {CELL_CHARS} 个"
                    raise _refused(Problem(said, name, None, f"{place} {column_letter(c)} 列"))
            rows.append([c.strip() for c in row])
    except csv.Error as e:
        said = "有单元格文字过长" if "field limit" in str(e) else "不是有效的 CSV 格式（引号未闭合或含有空字符）"
        raise _refused(Problem(said, name, None, f"第 {reader.line_num} 行")) from e
    return rows


def _xlsx_rows(name: str, data: bytes) -> list[list[str]]:
    """The first worksheet's rows (a damaged sheet is refused when it is read, not only when it is opened)."""
    try:
        grids = xlsx_grids(data, SURVEY_LIMITS, first_only=True)
    except TooLarge as e:
        raise _refused(Problem(e.message, name, None, e.where or None)) from e
    except XLSX_UNREADABLE as e:
        raise _refused(Problem(f"无法作为 Excel 文件打开（{type(e).__name__}），文件可能已损坏或类型不符", name)) from e
    if not grids:
        raise _refused(Problem("文件中没有工作表", name))
    return grids[0].rows


def read_survey(name: str, data: bytes) -> Survey:
    """Questions from the header row, one answer row per respondent (.csv in UTF-8/GBK, or .xlsx)."""
    suffix = Path(name).suffix.lower()
    if len(data) > TABLE_FILE_BYTES:
        said = f"文件大小 {megabytes(len(data))} MB，超过上限 {megabytes(TABLE_FILE_BYTES)} MB"
        raise _refused(Problem(said, name))
    if suffix == ".csv":
        rows = _csv_rows(name, data)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(name, data)
    else:
        raise _refused(Problem("问卷文件应为 .csv 或 .xlsx", name))
    rows = [r for r in rows if any(c for c in r)]
    if len(rows) < 2:
        raise _refused(Problem("问卷文件至少需要表头行和一行答卷", name))
    header = rows[0]
    width = len(header)
    return Survey(name, header, [(r + [""] * width)[:width] for r in rows[1:]])


def _level(answer: str) -> int | None:
    a = answer.strip().replace(" ", "")
    if a in LEVELS:
        return LEVELS[a]
    if a in {"1", "2", "3", "4", "5"}:
        return int(a)
    return None


def satisfaction(
    survey: Survey,
    questions: Sequence[str],
    method: Method = "share",
    *,
    satisfied: Sequence[int] = (4, 5),
    weights: dict[int, Decimal] | None = None,
) -> SurveyResult:
    """The satisfaction rate over the chosen questions (all their answers pooled)."""
    if not questions:
        raise ValidationFailed([Problem("请至少选择一个满意度问题", survey.name)], "无法计算满意度")
    missing = [q for q in questions if q not in survey.questions]
    if missing:
        raise ValidationFailed([Problem(f"问卷中没有问题“{q}”", survey.name) for q in missing], "无法计算满意度")
    columns = [survey.questions.index(q) for q in questions]
    problems: list[Problem] = []
    levels: list[int] = []
    blank = 0
    for r, row in enumerate(survey.answers, 2):
        for c in columns:
            answer = row[c]
            if not answer.strip():
                blank += 1
                continue
            level = _level(answer)
            if level is None:
                shown = answer if len(answer) <= 20 else f"{answer[:20]}…"
                problems.append(
                    Problem(
                        f"答案“{shown}”既不是满意度选项也不是 1–5 分",
                        survey.name,
                        None,
                        f"第 {r} 行 {column_letter(c)} 列（{survey.questions[c][:40]}）",
                    )
                )
                continue
            levels.append(level)
    if problems:
        raise ValidationFailed(problems, "问卷中有无法识别的答案")
    if not levels:
        raise ValidationFailed([Problem("所选问题没有任何有效回答", survey.name)], "无法计算满意度")
    if method == "share":
        rate = Decimal(sum(1 for x in levels if x in satisfied)) / Decimal(len(levels)) * 100
    else:
        w = weights or DEFAULT_WEIGHTS
        rate = sum((w[x] for x in levels), Decimal(0)) / Decimal(len(levels))
    warnings = []
    if len(survey.answers) < SMALL_SAMPLE:
        warnings.append(f"（样本量仅 {len(survey.answers)} 份，少于 {SMALL_SAMPLE} 份，结论的代表性有限。）")
    return SurveyResult(
        method=method,
        questions=list(questions),
        respondents=len(survey.answers),
        valid=len(levels),
        blank=blank,
        rate=two(rate),
        distribution=dict(Counter(levels)),
        warnings=warnings,
    )
