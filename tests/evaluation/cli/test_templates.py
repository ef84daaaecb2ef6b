"""``workbench templates import | export`` run as a user runs them: a real subprocess and real files."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation.indicators.library import load_library
from tests.conftest import LIBRARY
from tests.evaluation.cli.test_cli import run
from tests.evaluation.indicators.test_client_table import layout_a, layout_b, workbook


def test_import_writes_a_valid_template_and_reports_every_row(tmp_path: Path) -> None:
    table = tmp_path / "人居环境.xlsx"
    table.write_bytes(layout_a())
    folder = tmp_path / "lib"
    folder.mkdir()
    out = run("templates", "import", str(table), "-o", str(folder / "renju.yaml"), "--id", "renju-2019")
    assert out.returncode == 0, out.stderr
    assert "工作表“指标体系”第 9 行" in out.stdout and "每延期 1 月扣 2 分" in out.stdout
    lib = load_library(folder)  # the written file is a template the library accepts
    system = lib.systems["renju-2019"]
    assert system.total == 100 and len(list(system.indicators())) == 10 and system.penalties is not None


def test_import_json_lists_rows_with_name_weight_and_method(tmp_path: Path) -> None:
    table = tmp_path / "专项.docx"
    table.write_bytes(layout_b())
    out = run("templates", "import", str(table), "-o", str(tmp_path / "x.yaml"), "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["name"], r["weight"], r["method"]) for r in rows[:2]] == [
        ("资金投向合理性", "6", "是否评分法"),
        ("资金分配规范性", "4", "缺（错）项扣分法"),
    ]
    assert rows[-1]["penalty"] is True


def test_a_file_with_errors_writes_nothing_and_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "坏表.xlsx"
    bad.write_bytes(workbook([["三级指标", "分值", "评分标准"], ["完成率", "十分", "完成率×分值"]]))
    target = tmp_path / "bad.yaml"
    out = run("templates", "import", str(bad), "-o", str(target))
    assert out.returncode == 1 and not target.exists()
    assert "“完成率”分值“十分”不是数字" in out.stderr and "第 2 行 B 列" in out.stderr
    assert run("templates", "import", str(bad), "-o", str(tmp_path / "x.txt")).returncode == 2


def test_export_then_import_through_the_command_gives_the_same_template(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "WORKBENCH_DATA_DIR": str(tmp_path)}
    sheet = tmp_path / "共性.xlsx"
    out = run("templates", "export", "gongxing-2020", "-o", str(sheet), env=env)
    assert out.returncode == 0, out.stderr
    folder = tmp_path / "lib"
    folder.mkdir()
    back = run("templates", "import", str(sheet), "-o", str(folder / "g.yaml"), "--id", "gongxing-2020", env=env)
    assert back.returncode == 0, back.stderr
    assert load_library(folder).systems["gongxing-2020"] == load_library(LIBRARY).systems["gongxing-2020"]
    unknown = run("templates", "export", "no-such", "-o", str(tmp_path / "n.xlsx"), env=env)
    assert unknown.returncode == 1 and "没有编号为“no-such”的指标体系" in unknown.stderr
