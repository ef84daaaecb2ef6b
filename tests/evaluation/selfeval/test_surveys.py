"""Satisfaction surveys: counting by hand, both methods, bad answers, and feeding a ratio indicator."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal

import pytest
from openpyxl import Workbook

from evaluation.errors import ValidationFailed
from evaluation.indicators.rules import RatioRule
from evaluation.limits import SURVEY_COLUMNS, SURVEY_ROWS
from evaluation.model import Inputs
from evaluation.scoring.engine import score_rule
from evaluation.selfeval.surveys import read_survey, satisfaction

CSV = "编号,服务态度,办事效率,建议\n" + "\n".join(
    [f"{i},非常满意,5," for i in range(1, 11)]  # 10 × level 5
    + [f"{i},满意,4," for i in range(11, 26)]  # 15 × level 4
    + [f"{i},基本满意,3,太慢" for i in range(26, 31)]  # 5 × level 3
    + [f"{i},不满意,,," for i in range(31, 33)]  # 2 × level 2, efficiency blank
)


def test_share_of_satisfied_answers() -> None:
    survey = read_survey("问卷.csv", CSV.encode("utf-8"))
    assert survey.questions == ["编号", "服务态度", "办事效率", "建议"] and len(survey.answers) == 32
    r = satisfaction(survey, ["服务态度"], "share")
    assert (r.valid, r.blank, r.rate) == (32, 0, Decimal("78.13"))  # 25 of 32
    assert r.distribution == {5: 10, 4: 15, 3: 5, 2: 2} and r.warnings == []
    pooled = satisfaction(survey, ["服务态度", "办事效率"], "share")
    assert (pooled.valid, pooled.blank, pooled.rate) == (62, 2, Decimal("80.65"))  # 50 of 62


def test_weighted_five_level_scale() -> None:
    survey = read_survey("问卷.csv", CSV.encode("gbk"))
    r = satisfaction(survey, ["服务态度"], "weighted")
    # (10×100 + 15×80 + 5×60 + 2×40) / 32 = 2580 / 32 = 80.625
    assert r.rate == Decimal("80.63")
    assert "共回收问卷 32 份" in r.narrative() and "加权" in r.narrative()


def test_small_sample_is_warned_and_recorded_in_the_narrative() -> None:
    survey = read_survey("小.csv", "问题\n满意\n满意\n不满意\n".encode())
    r = satisfaction(survey, ["问题"])
    assert r.rate == Decimal("66.67") and r.warnings
    assert "样本量仅 3 份" in r.narrative()


def test_unknown_answers_are_located() -> None:
    survey = read_survey("问卷.csv", "问题\n满意\n还行吧\n6\n".encode())
    with pytest.raises(ValidationFailed) as e:
        satisfaction(survey, ["问题"])
    located = [(p.field, p.message) for p in e.value.problems]
    assert ("第 3 行 A 列（问题）", "答案“还行吧”既不是满意度选项也不是 1–5 分") in located
    assert any(f and f.startswith("第 4 行") for f, _ in located)


def test_xlsx_and_bad_files() -> None:
    wb = Workbook()
    wb.active.append(["满意度"])
    for v in [5, 4, 4, 1]:
        wb.active.append([v])
    out = io.BytesIO()
    wb.save(out)
    r = satisfaction(read_survey("s.xlsx", out.getvalue()), ["满意度"])
    assert r.rate == Decimal("75.00")
    with pytest.raises(ValidationFailed, match="至少需要表头行和一行答卷"):
        read_survey("e.csv", "只有表头\n".encode())
    with pytest.raises(ValidationFailed, match=r"应为 \.csv 或 \.xlsx"):
        read_survey("s.txt", b"x")
    with pytest.raises(ValidationFailed, match="没有问题“不存在”"):
        satisfaction(read_survey("问卷.csv", CSV.encode()), ["不存在"])
    with pytest.raises(ValidationFailed, match=r"无法作为 Excel 文件打开（BadZipFile）"):
        read_survey("s.xlsx", b"PK\x03\x04 broken")


def test_a_bug_while_opening_a_survey_is_raised_not_reported_as_a_bad_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from evaluation.files import grids

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(grids, "load_workbook", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        read_survey("s.xlsx", b"")


def test_the_rate_feeds_a_satisfaction_indicator() -> None:
    r = satisfaction(read_survey("问卷.csv", CSV.encode()), ["服务态度"])
    out = score_rule(
        RatioRule(method="ratio"), Decimal(10), Inputs(actual=r.actual), code="MY.FW.01", target_text="≥90%"
    )
    # 78.13 % against ≥ 90 %: 10 × 78.13 / 90
    assert out.score == Decimal(10) * Decimal("0.7813") / Decimal("0.90")


def _refused(name: str, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as e:
        read_survey(name, data)
    return str(e.value)


def test_a_csv_with_carriage_returns_alone_as_line_ends_is_read() -> None:
    survey = read_survey("问卷.csv", "甲,乙\r满意,3\r非常满意,5\r".encode())
    assert survey.questions == ["甲", "乙"] and survey.answers == [["满意", "3"], ["非常满意", "5"]]


@pytest.mark.parametrize(
    ("length", "expected"), [(40_000, "第 2 行 A 列：单元格文字有 40000 个字符"), (140_000, "第 2 行")]
)
def test_a_cell_too_long_is_refused_with_its_row(length: int, expected: str) -> None:
    assert expected in _refused("问卷.csv", b"a,b\n" + b"x" * length + b",1\n")


def test_too_many_respondents_or_questions_are_refused_with_the_row() -> None:
    many = ("甲,乙\n" + "满意,3\n" * (SURVEY_ROWS + 1)).encode()
    assert f"第 {SURVEY_ROWS + 2} 行：问卷超过 {SURVEY_ROWS} 份答卷" in _refused("问卷.csv", many)
    wide = ",".join(f"q{i}" for i in range(SURVEY_COLUMNS + 1)).encode() + b"\n1\n"
    assert f"第 1 行：超出可读取的范围（最多 {SURVEY_COLUMNS} 列）" in _refused("问卷.csv", wide)
    assert "超过上限 20 MB" in _refused("问卷.csv", b"a\n" + b"1\n" * (10 * 1024 * 1024 + 1))


def _sheet_xml(change: Callable[[bytes], bytes]) -> bytes:
    wb = Workbook()
    wb.active.append(["甲", "乙"])
    wb.active.append(["满意", "3"])
    out = io.BytesIO()
    wb.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            target.writestr(info, change(part) if info.filename == "xl/worksheets/sheet1.xml" else part)
    return changed.getvalue()


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml[: len(xml) // 2],  # cut short: the sheet is parsed only when its rows are read
        lambda xml: xml.replace(b"</sheetData>", b"<row><c r='A9' t='s'><v>99</v></c></row></sheetData>"),
    ],
    ids=["cut", "missing-shared-string"],
)
def test_a_sheet_damaged_inside_is_refused_as_unreadable(change: Callable[[bytes], bytes]) -> None:
    assert "无法作为 Excel 文件打开" in _refused("问卷.xlsx", _sheet_xml(change))


def test_a_sheet_claiming_a_far_off_size_is_read_at_its_real_size() -> None:
    data = _sheet_xml(lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))
    started = time.perf_counter()
    survey = read_survey("问卷.xlsx", data)
    assert survey.answers == [["满意", "3"]] and time.perf_counter() - started < 1
