"""``workbench checklist | workpapers | archive`` run as a user runs them: a subprocess, real files, a
throw-away database; the outputs reopened."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from evaluation.auth import SYSTEM
from evaluation.report import build_docx
from evaluation.report.pdf import can_convert
from evaluation.scoring.engine import score
from evaluation.storage import repo, users
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.workflow import transition
from tests.conftest import SAMPLES, skip_or_fail
from tests.evaluation.cli.test_cli import run

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
KEY = "panzhihua-2023-zhaoshang"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "WORKBENCH_DATA_DIR": str(tmp_path)}
    assert run("init", env=env).returncode == 0
    return env


def test_checklist_from_a_file_as_xlsx_and_docx(tmp_path: Path) -> None:
    xlsx = tmp_path / "资料清单.xlsx"
    out = run("checklist", str(PANZHIHUA), "-o", str(xlsx), "--deadline", "2024-08-20")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"已生成资料清单（51 项）：{xlsx}"
    ws = load_workbook(xlsx)["资料清单"]
    assert ws["B6"].value == "2024年8月20日前" and ws["A9"].value == "通用资料"
    docx = tmp_path / "资料清单.docx"
    assert run("checklist", str(PANZHIHUA), "-o", str(docx)).returncode == 0
    doc = Document(str(docx))
    assert doc.paragraphs[0].text == "招商引资工作经费绩效评价资料清单" and len(doc.tables[0].rows) == 1 + 51 + 7


def test_usage_errors_are_said_in_chinese(tmp_path: Path) -> None:
    bad = run("checklist", str(PANZHIHUA), "-o", str(tmp_path / "x.pdf"))
    assert bad.returncode == 2 and "扩展名应为 .xlsx 或 .docx" in bad.stderr
    date = run("checklist", str(PANZHIHUA), "-o", str(tmp_path / "x.xlsx"), "--deadline", "8月20日")
    assert date.returncode == 2 and "应写成 年-月-日" in date.stderr
    missing = run("workpapers", str(tmp_path / "没有.yaml"), "-o", str(tmp_path / "x.xlsx"))
    assert missing.returncode == 1 and "文件不存在" in missing.stderr
    no_output = run("archive", KEY)
    assert no_output.returncode == 2 and "-o" in no_output.stderr


def test_workpapers_from_a_file_have_no_records_and_from_the_database_have_the_history(
    tmp_path: Path, env: dict[str, str]
) -> None:
    from_file = tmp_path / "底稿.xlsx"
    out = run("workpapers", str(PANZHIHUA), "-o", str(from_file))
    assert out.returncode == 0, out.stderr
    assert "已生成工作底稿（15 项指标）" in out.stdout
    wb = load_workbook(from_file)
    assert wb.sheetnames == ["封面", "通用指标", "专用指标", "个性指标", "扣分项"]
    with session_scope(open_database(env["DATABASE_URL"])) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=admin)
    from_db = tmp_path / "底稿.docx"
    assert run("workpapers", KEY, "-o", str(from_db), env=env).returncode == 0
    doc = Document(str(from_db))
    assert any(p.text == "五、评价整体的复核处理与修改历史" for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any("草稿 → 已提交复核" in c for c in cells)


def test_archive_refused_before_final_then_draft_then_final_and_verified(tmp_path: Path, env: dict[str, str]) -> None:
    target = tmp_path / "归档.zip"
    refused = run("archive", KEY, "-o", str(target), "--no-pdf", env=env)
    assert refused.returncode == 1 and not target.exists()
    assert "处于“草稿”状态，尚未定稿，不能归档；加 --draft 可生成草稿归档" in refused.stderr
    draft = run("archive", KEY, "-o", str(target), "--no-pdf", "--draft", env=env)
    assert draft.returncode == 0, draft.stderr
    assert "已生成归档（草稿，9 个文件）" in draft.stdout
    engine = open_database(env["DATABASE_URL"])
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        ev = repo.get_evaluation(session=s, ref=KEY)
        final = build_docx(ev, score(ev))
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=admin)
        transition(session=s, evaluation_key=KEY, to="已通过", user=SYSTEM)
        transition(session=s, evaluation_key=KEY, to="已定稿", user=SYSTEM, final_report=final)
    engine.dispose()
    done = run("archive", KEY, "-o", str(target), "--no-pdf", env=env)
    assert done.returncode == 0, done.stderr
    assert "已生成归档（已定稿，9 个文件）" in done.stdout
    assert zipfile.ZipFile(target).read("01-评价报告/评价报告.docx") == final
    checked = run("archive", str(target), "--verify")
    assert checked.returncode == 0
    assert checked.stdout.strip() == f"归档完好：评价“{KEY}”（已定稿），9 个文件与清单记录的 SHA-256 和大小一致"
    # one byte of the report changed: the check names the file and fails
    src = zipfile.ZipFile(io.BytesIO(target.read_bytes()))
    forged = tmp_path / "改过.zip"
    with zipfile.ZipFile(forged, "w") as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info.filename, data[:-1] + b"x" if info.filename.endswith(".csv") else data)
    bad = run("archive", str(forged), "--verify")
    assert bad.returncode == 1
    assert "不符：文件“06-修改历史/修改历史.csv”与清单记录的 SHA-256 或大小不符" in bad.stdout
    assert run("archive", str(tmp_path / "没有.zip"), "--verify").returncode == 1


def test_archive_with_the_pdf_when_libreoffice_is_there(tmp_path: Path, env: dict[str, str]) -> None:
    if not can_convert():
        skip_or_fail("本机没有 LibreOffice（soffice 与 python3-uno），无法生成报告的 PDF")
    target = tmp_path / "草稿归档.zip"
    out = run("archive", KEY, "-o", str(target), "--draft", env=env)
    assert out.returncode == 0, out.stderr
    assert "已生成归档（草稿，10 个文件）" in out.stdout
    pdf = zipfile.ZipFile(target).read("01-评价报告/评价报告.pdf")
    assert pdf.startswith(b"%PDF") and run("archive", str(target), "--verify").returncode == 0
