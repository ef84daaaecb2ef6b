"""项目支出绩效自评表 files: round trips in both formats, messy layouts, broken files, batch import."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.selfeval.read import ReadResult, evaluations_from_file, read_file, tables_to_evaluations
from evaluation.selfeval.table import SelfEvalTable, evaluation_from_table, table_from_evaluation
from evaluation.selfeval.write import export_self_evaluation, table_to_xlsx
from tests.conftest import SAMPLES

TABLES = sorted((SAMPLES / "hengkou").glob("hengkou-*.yaml"))


def comparable_dump(ev: Evaluation) -> dict[str, object]:
    data = ev.model_dump(mode="json", exclude={"source", "id"})
    data["stated"].pop("notes", None)
    data["project"] = {k: v for k, v in data["project"].items() if k not in ("doc_no", "category")}
    return data


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.stem)
def test_export_then_import_gives_the_same_values(path: Path, fmt: str) -> None:
    ev = load_evaluation(path)
    result = read_file(f"table.{fmt}", export_self_evaluation(ev, fmt))
    assert result.ok, [str(p) for p in result.problems]
    ((_, table),) = result.tables
    assert ev.self_evaluation is not None
    back = evaluation_from_table(table, id=ev.id, year=2024, scope=ev.self_evaluation.scope)
    assert comparable_dump(back) == comparable_dump(ev)


def test_the_automatic_rule_policy_reproduces_the_hand_transcription() -> None:
    for path in TABLES:
        ev = load_evaluation(path)
        assert ev.self_evaluation is not None
        back = evaluation_from_table(table_from_evaluation(ev), id=ev.id, year=2024, scope=ev.self_evaluation.scope)
        assert back.system == ev.system and back.assessments == ev.assessments, path.name


def _messy_workbook() -> bytes:
    """A hand-made table as departments send them: shifted header, wrapped header texts, blank rows,
    numbers as text with units, a row slid one column to the right, merged group cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评"
    rows = [
        [],
        [None, "测试专项经费项目自评表"],
        [None, "项 目 名 称", None, "测试专项经费"],
        [None, "主管部门", None, "测试局", None, None, "实施单位", "测试中心"],
        [
            None,
            "预算执行情况（万元）(10分)",
            None,
            "年初预\n算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ],
        [None, None, "年度资金总额", None, "20", "19.5", "10分", "97.50%", "9.7"],
        [None, None, "其中：当年财政拨款", None, 20, 19.5, "—", "97.50%", "—"],
        [None, "年度总体目标", "预期目标", None, None, None, "实际完成情况"],
        [None, None, "完成培训任务", None, None, None, "已完成"],
        [],
        [
            None,
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度\n指标值",
            "实际\n完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ],
        [None, None, "产出指标 (50分)", "数量指标", "培训人数", "≥100人", "120人", "20分", "20"],
        [None, None, None, None, None, None, None, None, None],
        [None, None, None, "质量指标", "培训合格率", None, "≥95%", "96%", "20", "18"],
        [None, None, None, "成本指标", "培训经费", "≤20万元", "已支出19.5万元", 10, 10],
        [None, None, "效益指标（30分）", "社会效益指标", "技能提升", "有效提升", "良好", "30", "25", "  "],
        [None, None, "满意度指标(10分)", "服务对象满意度指标", "学员满意度", "≥90%", "93%", "10", "9"],
        [None, "总分", None, None, None, None, None, "100", "91.7"],
    ]
    for r in rows:
        ws.append(r)
    ws.merge_cells("C12:C14")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_messy_layout_is_read_with_every_stated_value() -> None:
    result = read_file("messy.xlsx", _messy_workbook())
    assert result.ok, [str(p) for p in result.problems]
    ((_, t),) = result.tables
    assert (t.title, t.name, t.department, t.unit) == ("测试专项经费项目自评表", "测试专项经费", "测试局", "测试中心")
    b = t.budget[0]
    assert (b.annual, b.executed, b.weight, b.rate, b.score) == (Decimal(20), Decimal("19.5"), "10分", "97.50%", "9.7")
    assert (t.expected, t.outcome, t.total) == ("完成培训任务", "已完成", Decimal("91.7"))
    assert [(r.name, r.target, r.actual, r.weight, r.score) for r in t.rows] == [
        ("培训人数", "≥100人", "120人", Decimal(20), Decimal(20)),
        ("培训合格率", "≥95%", "96%", Decimal(20), Decimal(18)),
        ("培训经费", "≤20万元", "已支出19.5万元", Decimal(10), Decimal(10)),
        ("技能提升", "有效提升", "良好", Decimal(30), Decimal(25)),
        ("学员满意度", "≥90%", "93%", Decimal(10), Decimal(9)),
    ]
    assert t.rows[1].level1 == "产出指标 (50分)" and t.rows[1].level2 == "质量指标"
    assert t.group_labels == {"产出指标": 50, "效益指标": 30, "满意度指标": 10, "预算执行": 10}
    assert any("培训合格率" in n and "右移一列" in n for n in t.notes)
    evs, _ = evaluations_from_file("messy.xlsx", _messy_workbook(), year=2024)
    ((ev,),) = [evs]
    from evaluation.scoring.engine import score

    result_ = score(ev)
    assert result_.indicator("YS.1.01").score == Decimal("9.7")  # 19.5 / 20 × 10 = 9.75 → 9.7 (truncated)
    assert result_.complete


def test_an_imported_table_fills_the_project_facts_the_report_needs() -> None:
    from evaluation.report.outline import missing_items
    from evaluation.scoring.engine import score

    evs, _ = evaluations_from_file("messy.xlsx", _messy_workbook(), year=2024)
    ((ev,),) = [evs]
    f = ev.facts
    assert (ev.project.name, ev.project.department, ev.project.implementing_unit) == (
        "测试专项经费",
        "测试局",
        "测试中心",
    )
    assert (f.annual_goal, f.implementation) == ("完成培训任务", "已完成")
    assert [(t.name, t.value, t.level2) for t in f.annual_targets][:2] == [
        ("培训人数", "≥100人", "数量指标"),
        ("培训合格率", "≥95%", "质量指标"),
    ]
    assert len(f.annual_targets) == 5
    assert (f.funds.adjusted_budget, f.funds.spent) == (Decimal(20), Decimal("19.5"))
    asked = {m.what for m in missing_items(ev, score(ev))}
    assert not asked & {"年度绩效目标", "实际支出", "项目实施情况"}, asked


def _set_cell(data: bytes, cell: str, value: object) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb.active[cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "mutate", "message"),
    [
        ("t.xlsx", lambda d: b"not a spreadsheet", "无法作为 Excel 文件打开"),
        ("t.docx", lambda d: b"PK\x03\x04 broken", "无法作为 Word 文件打开"),
        ("t.csv", lambda d: d, "只能导入 .xlsx 或 .docx 文件"),
        ("t.xlsx", lambda d: _set_cell(d, "H12", "十分"), "工作表“自评”第 12 行 H 列：分值：“十分”不是数字"),
        ("t.xlsx", lambda d: _set_cell(d, "E11", "指标"), "找不到绩效指标表头"),
        ("t.xlsx", lambda d: _set_cell(d, "E6", "-3"), "全年预算数不能为负数"),
        ("t.xlsx", lambda d: _set_cell(d, "B3", "名称"), "找不到“项目名称”单元格"),
    ],
)
def test_broken_files_are_refused_with_a_located_chinese_message(name: str, mutate: object, message: str) -> None:
    data = mutate(_messy_workbook())  # type: ignore[operator]
    evs, result = evaluations_from_file(name, data, year=2024)
    assert evs == []
    assert any(message in str(p) for p in result.problems), [str(p) for p in result.problems]
    assert all(p.file == name for p in result.problems)


def _replace_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w") as new:
        for item in z.infolist():
            content = z.read(item)
            new.writestr(item, change(content) if item.filename == part else content)
    return out.getvalue()


def _sample_docx() -> bytes:
    return export_self_evaluation(load_evaluation(TABLES[0]), "docx")


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "t.xlsx",
            lambda: _replace_part(_messy_workbook(), "xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2]),
            "无法作为 Excel 文件打开（ParseError）",
        ),
        (
            "t.xlsx",
            lambda: _replace_part(_messy_workbook(), "[Content_Types].xml", lambda d: b"<?xml version='1.0'?><a/>"),
            "无法作为 Excel 文件打开（OSError）",
        ),
        (
            "t.docx",
            lambda: _replace_part(_sample_docx(), "word/document.xml", lambda d: d[: len(d) // 2]),
            "无法作为 Word 文件打开（XMLSyntaxError）",
        ),
        (
            "t.docx",  # a vertical merge that continues a cell above the first row
            lambda: _replace_part(
                _sample_docx(), "word/document.xml", lambda d: d.replace(b"<w:tcPr>", b"<w:tcPr><w:vMerge/>", 1)
            ),
            "无法作为 Word 文件打开（ValueError）",
        ),
    ],
)
def test_damaged_parts_are_refused_as_unreadable(name: str, make: Callable[[], bytes], message: str) -> None:
    result = read_file(name, make())
    assert [str(p) for p in result.problems] == [f"文件 {name}：{message}，文件可能已损坏或类型不符"]


def test_a_bug_while_reading_is_raised_not_reported_as_a_damaged_file(monkeypatch: pytest.MonkeyPatch) -> None:
    import evaluation.selfeval.read as read

    def typo(data: bytes) -> list[tuple[str, list[list[str]]]]:
        raise AttributeError("'Worksheet' object has no attribute 'iter_rowz'")

    monkeypatch.setattr(read, "grids_from_xlsx", typo)
    with pytest.raises(AttributeError, match="iter_rowz"):
        read_file("t.xlsx", _messy_workbook())


def _budget_score(table: SelfEvalTable, text: str) -> None:
    table.budget[0].score = text


def _no_name(table: SelfEvalTable) -> None:
    table.name = ""


def _incomparable_units(table: SelfEvalTable) -> None:
    table.rows[0].target, table.rows[0].actual = "≥90%", "20万元"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: _budget_score(t, "九分"), "表格内容无法组成评价记录：“九分”不是数字"),
        (_no_name, "表格内容无法组成评价记录：project.name：不能为空"),
    ],
)
def test_content_that_makes_no_record_is_refused_with_the_sheet(
    change: Callable[[SelfEvalTable], None], message: str
) -> None:
    table = table_from_evaluation(load_evaluation(TABLES[0]))
    change(table)
    evs, result = tables_to_evaluations(ReadResult(file="t.xlsx", tables=[("自评", table)]), year=2024)
    assert evs == []
    ((problem,),) = [result.problems]
    assert message in problem.message and problem.field == "工作表“自评”"


def test_a_row_in_units_that_cannot_be_compared_is_recorded_as_written_for_review() -> None:
    # comparable() says so with a ValueParseError, which the row policy did not catch: the file was refused
    table = table_from_evaluation(load_evaluation(TABLES[0]))
    _incomparable_units(table)
    evs, result = tables_to_evaluations(ReadResult(file="t.xlsx", tables=[("自评", table)]), year=2024)
    assert result.problems == [] and len(evs) == 1
    justified = [a.inputs.justification for a in evs[0].assessments if "不可比较" in a.inputs.justification]
    assert justified == ["实际完成值“20万元”与年度指标值“≥90%”不可比较，按自评表所填得分记录，待复核核实"]


def test_a_bug_while_building_the_record_is_raised_not_reported_as_bad_content(monkeypatch: pytest.MonkeyPatch) -> None:
    import evaluation.selfeval.read as read

    def bug(*args: object, **kwargs: object) -> Evaluation:
        raise TypeError("a bug")

    monkeypatch.setattr(read, "evaluation_from_table", bug)
    with pytest.raises(TypeError, match="a bug"):
        evaluations_from_file("t.docx", _sample_docx(), year=2024)


def test_an_empty_workbook_is_refused() -> None:
    out = io.BytesIO()
    Workbook().save(out)
    _, result = evaluations_from_file("empty.xlsx", out.getvalue(), year=2024)
    assert [str(p) for p in result.problems] == ["文件 empty.xlsx：文件中没有内容"]


def test_several_tables_in_one_workbook() -> None:
    tables = [table_from_evaluation(load_evaluation(p)) for p in TABLES[:3]]
    result = read_file("batch.xlsx", table_to_xlsx(tables))
    assert result.ok and [t.name for _, t in result.tables] == [t.name for t in tables]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "evaluation.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_batch_import_takes_the_good_files_and_reports_the_bad_one(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i, path in enumerate(TABLES):
        fmt = "xlsx" if i % 2 else "docx"
        (folder / f"{path.stem}.{fmt}").write_bytes(export_self_evaluation(load_evaluation(path), fmt))
    (folder / "坏文件.xlsx").write_bytes(b"garbage")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "WORKBENCH_DATA_DIR": str(tmp_path)}
    assert run_cli("init", "--no-samples", env=env).returncode == 0
    out = run_cli("selfeval", "import", str(folder), "--year", "2024", "--json", env=env)
    assert out.returncode == 1  # one file was refused
    report = {Path(e["file"]).name: e for e in json.loads(out.stdout)}
    assert "无法作为 Excel 文件打开" in report["坏文件.xlsx"]["problems"][0]
    imported = [i for e in report.values() for i in e["imported"]]
    assert len(imported) == 12 and all(i["year"] == 2024 for i in imported)
    tijian = next(i for i in imported if i["project"] == "2024年干部体检财政补贴资金")
    assert tijian["stated_total"] == "99" and tijian["rows"] == 6
    listing = run_cli("list", env=env)
    assert listing.stdout.count("  绩效自评  ") == 12
    # export one back and read it again
    out_file = tmp_path / "体检.xlsx"
    assert run_cli("selfeval", "export", tijian["id"], "-o", str(out_file), env=env).returncode == 0
    again = read_file(out_file.name, out_file.read_bytes())
    assert again.ok and again.tables[0][1].total == Decimal(99)
    wrong = run_cli(
        "selfeval", "export", str(SAMPLES / "panzhihua-2023-zhaoshang.yaml"), "-o", str(tmp_path / "x.xlsx"), env=env
    )
    assert wrong.returncode == 1 and "不是绩效自评记录" in wrong.stderr
