"""The whole engagement in chromium with three people: the consultant sends the 资料清单, the evaluated unit
uploads a document against it, the consultant scores with it, the reviewer approves, the draft goes out for
征求意见, the unit objects to both problems, the consultant accepts one and refuses the other, the reviewer
finalises, and the archive kept at 定稿 holds the report with its 征求意见采纳情况表 and an intact manifest."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from evaluation.engagement.archive import read_manifest, verify_archive
from evaluation.files.evaluations import load_evaluation
from tests.browser.support import (
    choose,
    fill_inputs,
    no_error,
    no_exception,
    screenshot_dir,
    sign_in,
    streamlit_server,
    wait_idle,
)
from tests.conftest import SAMPLES

pytestmark = pytest.mark.browser
SAMPLE = "panzhihua-2023-zhaoshang"
ACCOUNTS = {
    "admin": ("管理员", ()),
    "consultant": ("评价人员", (SAMPLE,)),
    "reviewer": ("复核人员", (SAMPLE,)),
    "unit": ("被评价单位", (SAMPLE,)),
}
ACCEPTED = "已按单位提供的招商台账补充目标完成情况的说明"
REFUSED = "年度招商任务在批复文件中已量化，未完成的事实不变"


def decide_review_errors(folder: Path) -> None:
    """Before this journey the reviewer has dealt with the sample's 复核 errors (each accepted with a reason),
    so 定稿 is not blocked by them; everything else happens in the browser."""
    from evaluation.auth import SYSTEM
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.decisions import findings_for_evaluation, save_decision

    engine = open_database(f"sqlite:///{folder / 'web.db'}")
    try:
        with session_scope(engine) as s:
            _, findings = findings_for_evaluation(session=s, ref=SAMPLE)
            for f in findings:
                if f.severity == "错误":
                    save_decision(
                        session=s, subject=SAMPLE, finding=f, decision="接受", reason="与报告原文一致", user=SYSTEM
                    )
    finally:
        engine.dispose()


def go(page: Any, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_idle(page)
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30000)
    wait_idle(page)


def tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_idle(page)


def move(page: Any, button: str, state: str) -> None:
    go(page, "复核与流程")
    page.get_by_role("button", name=button).click()
    wait_idle(page, 120000)
    page.get_by_text(f"流程状态：{state}").wait_for(timeout=120000)
    no_exception(page)


def send_checklist(consultant: Any, url: str) -> None:
    """The consultant generates the 资料清单 from the indicator system and downloads it for the unit."""
    sign_in(consultant, f"{url}/engagement", "consultant")
    consultant.get_by_role("heading", name="资料与征求意见").wait_for(timeout=30000)
    consultant.get_by_role("button", name="按指标体系生成资料清单").click()
    wait_idle(consultant)
    consultant.get_by_text("已按指标体系生成资料清单").wait_for(timeout=30000)
    with consultant.expect_download(timeout=60000) as got:
        consultant.get_by_role("button", name="下载资料清单（Excel）").click()
    assert Path(got.value.path()).read_bytes()[:2] == b"PK"


def upload_document(unit: Any, url: str, document: str, shots: Path) -> None:
    """The unit sees only its page, no score, and uploads a file against the indicator's item."""
    sign_in(unit, url, "unit")
    unit.get_by_role("heading", name="资料与反馈").wait_for(timeout=30000)
    links = unit.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert len(links) <= 1 and "得分" not in unit.locator("body").inner_text()
    choose(unit, "上传到哪一项", document)
    upload = unit.locator('[data-testid="stForm"]').filter(has=unit.get_by_role("button", name="上传", exact=True))
    upload.locator('input[type="file"]').set_input_files(
        files=[{"name": "招商台账.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    upload.get_by_role("button", name="上传", exact=True).click()
    wait_idle(unit)
    unit.get_by_text(f"已上传“招商台账.pdf”到“{document}”").wait_for(timeout=30000)
    unit.screenshot(path=str(shots / "engagement-unit-upload.png"), full_page=True)


def object_to_both(unit: Any) -> None:
    unit.reload()
    wait_idle(unit)
    tab(unit, "征求意见")
    for i in range(2):
        answer = unit.get_by_role("button", name="提交反馈")  # an answered problem's button is 修改反馈
        form = unit.locator('[data-testid="stForm"]').filter(has=answer).first
        form.get_by_text("有异议", exact=True).click()
        form.get_by_label("说明（有异议时必填：理由与依据）").fill(f"第{i + 1}个问题的依据：见单位提供的台账")
        form.get_by_role("button", name="提交反馈").click()
        wait_idle(unit)
        unit.get_by_text(f"已提交对问题{i + 1}的反馈").wait_for(timeout=30000)
        tab(unit, "征求意见")


def answer_objections(consultant: Any, shots: Path) -> None:
    """The consultant accepts the first objection and refuses the second."""
    go(consultant, "资料与征求意见")
    tab(consultant, "征求意见")
    for i, (decision, text) in enumerate([("采纳", ACCEPTED), ("不采纳", REFUSED)]):
        replies = consultant.get_by_role("button", name="保存答复")
        form = consultant.locator('[data-testid="stForm"]').filter(has=replies).nth(i)
        form.get_by_text(decision, exact=True).click()
        form.get_by_label("说明（采纳：写明报告如何修改；不采纳：写明理由）").fill(text)
        form.get_by_role("button", name="保存答复").click()
        wait_idle(consultant)
        no_error(consultant)
        tab(consultant, "征求意见")
    consultant.screenshot(path=str(shots / "engagement-replies.png"), full_page=True)


def download_archive(reviewer: Any, shots: Path) -> bytes:
    go(reviewer, "资料与征求意见")
    tab(reviewer, "底稿与归档")
    reviewer.get_by_text("定稿时已归档").wait_for(timeout=30000)
    reviewer.screenshot(path=str(shots / "engagement-archive.png"), full_page=True)
    with reviewer.expect_download(timeout=120000) as got:
        reviewer.get_by_role("button", name="下载归档（.zip）").click()
    return Path(got.value.path()).read_bytes()


def test_checklist_upload_review_consultation_final_and_archive(browser: Any, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    ev = load_evaluation(SAMPLES / f"{SAMPLE}.yaml")
    indicator = next(ind for _, _, ind in ev.system.indicators() if ind.documents)
    with streamlit_server(tmp_path, accounts=ACCOUNTS) as url:
        decide_review_errors(tmp_path)
        new = {"viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}
        consultant, unit, reviewer = (browser.new_context(**new).new_page() for _ in range(3))
        send_checklist(consultant, url)
        upload_document(unit, url, indicator.documents[0], shots)
        # the consultant finds the unit's file among the indicator's evidence and scores the indicator
        consultant.goto(f"{url}/evidence?eval={SAMPLE}&indicator={indicator.code}")
        wait_idle(consultant)
        consultant.get_by_text("下载 招商台账.pdf").first.wait_for(state="attached", timeout=30000)
        fill_inputs(consultant)
        move(consultant, "提交复核", "已提交复核")
        sign_in(reviewer, f"{url}/review", "reviewer")
        reviewer.get_by_role("heading", name="复核与流程").wait_for(timeout=30000)
        move(reviewer, "复核通过", "已通过")
        move(consultant, "发送被评价单位征求意见", "征求意见中")
        object_to_both(unit)
        answer_objections(consultant, shots)
        move(reviewer, "定稿（生成并保存最终报告）", "已定稿")  # the report and its archive, kept together
        archive = download_archive(reviewer, shots)

    assert verify_archive(archive) == []
    manifest = read_manifest(archive)
    assert manifest["state"] == "已定稿" and manifest["created_by"] == "reviewer"
    z = zipfile.ZipFile(io.BytesIO(archive))
    assert any(n.endswith("招商台账.pdf") for n in z.namelist()), z.namelist()
    report = Document(io.BytesIO(z.read("01-评价报告/评价报告.docx")))
    text = "\n".join(p.text for p in report.paragraphs)
    cells = "\n".join(c.text for t in report.tables for row in t.rows for c in row.cells)
    assert "征求意见采纳情况表" in text
    assert ACCEPTED in cells and REFUSED in cells and "不采纳" in cells
