"""The ``workbench`` command as a user runs it: a real subprocess, real files, a throw-away database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import LIBRARY, SAMPLES, calls_of, snapshot_holds_the_database

ALL = sorted(p for p in SAMPLES.rglob("*.yaml") if "department" not in p.name)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evaluation.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_score_json_on_every_sample(path: Path) -> None:
    out = run("score", str(path), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data)[:5] == ["total", "grade", "indicators", "groups", "penalties"]
    rows = data["indicators"]
    assert rows and all(r["status"] != "未评" for r in rows)
    total = max(sum(Decimal(r["score"]) for r in rows) - Decimal(data["penalty_total"]), Decimal(0))
    if "self_total" in data:  # a 自评 record: its figure is the department's rows, the rules' beside it
        own = sum(Decimal(r["self_score"]) for r in rows)
        assert Decimal(data["total"]) == Decimal(data["self_total"]) == own
        assert Decimal(data["review_total"]) == total
    else:
        assert Decimal(data["total"]) == total
    for r in rows:
        assert Decimal(r["deduction"]) == Decimal(r["weight"]) - Decimal(r["score"])
        assert r["explanation"] and r["method"] and r["rule"]


def test_score_text_shows_rows_groups_penalties_total_and_grade() -> None:
    out = run("score", str(SAMPLES / "panzhihua-2023-zhaoshang.yaml"))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for expected in [
        "TY.JG.01",
        "目标完成",
        "83.33%",
        "实际 5个 / 目标 6个 = 83.33%，6 × 83.33% = 5.00",
        "分组小计",
        "扣分项",
        "最终得分：88",
        "等级：良",
        "文件所载总分：89",
    ]:
        assert expected in text, expected


def test_score_reports_unscorable_inputs_and_exits_1(tmp_path: Path) -> None:
    text = (
        (SAMPLES / "panzhihua-2023-zhaoshang.yaml")
        .read_text(encoding="utf-8")
        .replace("actual: 5个", "actual: 大部分完成")
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    out = run("score", str(bad))
    assert out.returncode == 1
    assert "TY.JG.01" in out.stdout and "“大部分完成”是定性描述" in out.stdout


def test_score_of_a_self_record_names_both_figures() -> None:
    path = SAMPLES / "hengkou" / "hengkou-2024-zsj-10-tijian.yaml"
    data = json.loads(run("score", str(path), "--json").stdout)
    # 干部体检: the table's 总分 says 99, its rows add up to 89; the rules give 94
    assert (data["total"], data["grade"], data["self_total"], data["review_total"]) == ("89", "良", "89", "94")
    assert data["stated"]["total"] == "99"
    text = run("score", str(path)).stdout
    assert "自评得分（部门各行得分之和）：89（表中总分 99）    等级：良" in text
    assert "复核得分（按评分规则）：94    等级：优" in text


def test_score_missing_file_is_a_clear_error() -> None:
    out = run("score", "nowhere.yaml")
    assert out.returncode == 1 and "文件不存在" in out.stderr


def test_templates_lists_and_validates_the_library() -> None:
    out = run("templates", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    ids = {i["id"] for i in data["items"]}
    assert {"panzhihua-2024", "gongxing-2020", "self-eval-table", "pack-xingzheng-yunzhuan"} <= ids
    assert len(ids) == len(list(LIBRARY.rglob("*.yaml")))


def test_templates_on_a_broken_library_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "kind: pack\nid: x\nname: 包\ncategory: 测试\nweight: 30\ngroups: []\n", encoding="utf-8"
    )
    (tmp_path / "b.yaml").write_text("kind: thing\n", encoding="utf-8")
    out = run("templates", "--library", str(tmp_path))
    assert out.returncode == 1
    assert "a.yaml" in out.stderr and "至少需要 1 项" in out.stderr
    assert "b.yaml" in out.stderr and "kind 应为" in out.stderr


def test_init_prints_a_set_up_code_until_an_account_exists(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "WORKBENCH_DATA_DIR": str(tmp_path)}
    first = run("init", "--no-samples", env=env)
    again = run("init", "--no-samples", env=env)
    codes = [
        line.split("：", 1)[1][:11]
        for out in (first, again)
        for line in out.stdout.splitlines()
        if "首次设置码" in line
    ]
    assert len(codes) == 2 and codes[0] != codes[1]  # each start a new one, the old one void
    added = subprocess.run(
        [sys.executable, "-m", "evaluation.cli", "user", "add", "admin", "--role", "管理员", "--password-stdin"],
        input="Guanli-2024\n",
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    assert "首次设置码" not in run("init", "--no-samples", env=env).stdout


def test_init_import_export_round_trip(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "WORKBENCH_DATA_DIR": str(tmp_path)}
    assert run("init", "--no-samples", env=env).returncode == 0
    out = run("import", str(SAMPLES), env=env)
    assert out.returncode == 0, out.stderr
    assert "已导入 14 项" in out.stdout and "hengkou-2024-zsj-department" in out.stdout
    snapshot_holds_the_database(env["DATABASE_URL"], tmp_path)
    listing = run("list", env=env)
    assert "panzhihua-2023-zhaoshang" in listing.stdout and "88" in listing.stdout
    renyuan = next(line for line in listing.stdout.splitlines() if "hengkou-2024-zsj-01-renyuan" in line)
    assert renyuan.split()[-3:] == ["90.6", "96.6", "优"]  # 得分 (the department's), 复核得分, 等级
    exported = tmp_path / "out"
    assert run("export", "--all", "-o", str(exported), env=env).returncode == 0
    for path in ALL:
        back = exported / f"{path.stem}.yaml"
        body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
        assert back.read_text(encoding="utf-8").strip() == body.strip(), path.name
    one = tmp_path / "one.json"
    assert run("export", "panzhihua-2023-zhaoshang", "-o", str(one), env=env).returncode == 0
    assert json.loads(one.read_text(encoding="utf-8"))["id"] == "panzhihua-2023-zhaoshang"
    # importing again without --replace is refused and changes nothing
    again = run("import", str(SAMPLES / "panzhihua-2023-zhaoshang.yaml"), env=env)
    assert again.returncode == 1 and "已在数据库中" in again.stderr
    scored = run("score", "panzhihua-2023-zhaoshang", "--json", env=env)
    assert json.loads(scored.stdout)["total"] == "88"
    # the 序号 the list shows names the same evaluation; an unknown one says so in Chinese
    number = next(line for line in listing.stdout.splitlines() if "panzhihua-2023-zhaoshang" in line).split()[0]
    by_number = run("score", number, "--json", env=env)
    assert by_number.returncode == 0, by_number.stderr
    assert json.loads(by_number.stdout)["total"] == "88"
    missing = run("score", "99999", env=env)
    assert missing.returncode == 1 and "找不到评价“99999”" in missing.stderr


def test_score_json_reproduces_table_3_1_of_the_panzhihua_report() -> None:
    from tests.evaluation.test_samples import TABLE_3_1

    out = run("score", str(SAMPLES / "panzhihua-2023-zhaoshang.yaml"), "--json")
    rows = json.loads(out.stdout)["indicators"]
    assert [(r["name"], Decimal(r["weight"]), Decimal(r["score"])) for r in rows] == [
        (name, Decimal(weight), Decimal(score)) for name, weight, score, _, _ in TABLE_3_1
    ]
    assert json.loads(out.stdout)["total"] == str(sum(Decimal(r["score"]) for r in rows))


def test_usage_errors_are_in_chinese() -> None:
    out = run("score")
    assert out.returncode == 2 and "缺少必需的参数" in out.stderr
    out = run("export", "x", "-o", "y", "--format", "xml")
    assert out.returncode == 2 and "无效的选项" in out.stderr


def test_report_command_writes_a_docx_and_says_when_pdf_is_impossible(tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    done = run("report", str(SAMPLES / "panzhihua-2023-zhaoshang.yaml"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    from docx import Document

    doc = Document(str(out))
    assert any(p.text == "招商引资工作经费项目支出绩效评价报告" for p in doc.paragraphs)
    no_office = run(
        "report",
        str(SAMPLES / "panzhihua-2023-zhaoshang.yaml"),
        "-o",
        str(out),
        "--pdf",
        env={"PATH": str(Path(sys.executable).parent)},
    )
    assert no_office.returncode == 1 and "未安装 LibreOffice" in no_office.stderr
    assert out.exists()  # the .docx is still written
    wrong = run("report", str(SAMPLES / "panzhihua-2023-zhaoshang.yaml"), "-o", str(tmp_path / "x.pdf"))
    assert wrong.returncode == 2 and ".docx" in wrong.stderr


def test_score_of_an_actual_of_ten_to_the_thirty_says_why_it_cannot_be_scored(tmp_path: Path) -> None:
    text = (SAMPLES / "panzhihua-2023-zhaoshang.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "huge.yaml"
    bad.write_text(text.replace("actual: 5个", "actual: 1" + "0" * 30 + "个"), encoding="utf-8")
    out = run("score", str(bad))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "TY.JG.01" in out.stdout and "数值过大" in out.stdout


def test_check_parses_only_the_neighbours_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beside thousands of records, ``check FILE`` reads the department report and the records it lists and
    parses no other file; the findings are those of the sample folder alone."""
    from evaluation.cli import check

    hengkou = SAMPLES / "hengkou"
    folder = tmp_path / "hengkou"
    shutil.copytree(hengkou, folder)
    base = (hengkou / "hengkou-2024-zsj-08-ningbo.yaml").read_text(encoding="utf-8")
    for n in range(30):  # other departments' records in the same folder, and a file that does not parse
        (folder / f"other-{n}.yaml").write_text(
            base.replace("id: hengkou-2024-zsj-08-ningbo", f"id: other-{n}"), encoding="utf-8"
        )
    (folder / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with calls_of(monkeypatch, check, "parse_text", lambda _text, name, **_kw: Path(name).name) as parsed:
        for name in ("department-2024.yaml", "hengkou-2024-zsj-07-hongxing.yaml"):
            parsed.clear()
            title, found = check.findings_for_file(folder / name)
            seen = list(parsed)
            assert not any(p.startswith(("other-", "broken")) for p in seen), seen
            assert (title, found) == check.findings_for_file(hengkou / name)
    assert seen == ["department-2024.yaml"]  # the record's check needed only the report that lists it
