"""The forms of 证据与评分 save in their submit button's callback, in Debian's chromium via Playwright: the page
drawn after the save shows the new score, a finding saved once stays once after later saves, an uploaded file is
stored once and the upload box is empty after the save, a refused save says why below its form and keeps what was
typed. (That a save is one run of the page is checked by the page tests, which count runs.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    cell,
    go,
    no_error,
    no_exception,
    require_chromium,
    screenshot_dir,
    signed_in_page,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with streamlit_server(tmp_path_factory.mktemp("evidence-saves")) as url:
        yield url


@pytest.fixture()
def page(server: str) -> Iterator[Any]:
    with signed_in_page(server, height=1100) as page:
        go(page, "证据与评分")
        yield page


def form_of(page: Any, button: str) -> Any:
    return page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name=button))


def test_a_saved_finding_and_file_are_kept_once(page: Any, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    findings = page.locator('[data-testid="stDataFrame"]').filter(has_text="问题描述").first
    header = page.locator('[data-testid="stMetric"]').filter(has_text="得分").first
    before = header.inner_text()
    cell(page, findings, 0, 0.2, "验收资料未归档")
    page.get_by_role("button", name="计算并保存").click()
    wait_idle(page)
    page.get_by_text("已保存评分输入并重新计算得分").wait_for(timeout=20000)
    page.get_by_text("共扣 3 分").wait_for(timeout=20000)  # one finding at 3 points (the sample's rule)
    assert header.inner_text() != before  # the header drawn in the same run shows the new score
    no_error(page)

    page.get_by_role("tab", name="证据与附件").click()
    form = form_of(page, "保存证据")
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 acceptance\n%%EOF\n"}]
    )
    form.get_by_text("验收报告.pdf").wait_for(timeout=20000)  # chosen, not yet saved
    form.get_by_role("button", name="保存证据").click()
    wait_idle(page)
    page.get_by_text("新上传的附件：验收报告.pdf").wait_for(timeout=20000)
    downloads = page.get_by_role("button", name="下载 验收报告.pdf", exact=False)
    downloads.first.wait_for(timeout=20000)
    # the upload box was emptied by the save (the browser draws it anew a moment after the run's end on a busy machine)
    form.get_by_text("验收报告.pdf").wait_for(state="detached", timeout=15000)
    page.screenshot(path=str(shots / "evidence-saved-once.png"), full_page=True)

    # saving another form later re-sends nothing: still one finding, one file
    page.get_by_role("tab", name="评分过程").click()
    page.get_by_role("textbox", name="评分过程（写入报告“绩效分析”和附件1）").fill("核查验收资料，发现一处未归档。")
    form_of(page, "保存评分过程").get_by_role("button", name="保存评分过程").click()
    wait_idle(page)
    page.get_by_text("已保存评分过程").wait_for(timeout=20000)
    assert page.get_by_text("共扣 3 分").count() >= 1 and page.get_by_text("共扣 6 分").count() == 0
    page.get_by_role("tab", name="证据与附件").click()
    assert page.get_by_role("button", name="下载 验收报告.pdf", exact=False).count() == 1
    no_exception(page)


def test_a_refused_save_says_why_below_its_form_and_keeps_the_input(page: Any) -> None:
    page.get_by_role("tab", name="调整得分").click()
    form = form_of(page, "保存调整")
    form.get_by_label("调整得分").fill("一百")
    form.get_by_label("调整理由 *").fill("复核意见")
    form.get_by_role("button", name="保存调整").click()
    wait_idle(page)
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="未保存")
    error.first.wait_for(timeout=20000)
    assert "调整得分" in error.first.inner_text()
    below, box = error.first.bounding_box(), form.bounding_box()
    assert below["y"] >= box["y"] + box["height"] - 1, (below, box)  # below the form it belongs to
    assert form.get_by_label("调整得分").input_value() == "一百"
    assert form.get_by_label("调整理由 *").input_value() == "复核意见"
    assert page.get_by_text("已调整为").count() == 0
    no_exception(page)


def history_count(page: Any) -> int:
    box = page.locator('[data-testid="stExpander"]').filter(has_text="本指标修改历史")
    box.locator("summary").click()
    text = box.get_by_text(re.compile(r"共 \d+ 条记录|还没有修改记录")).inner_text(timeout=20000)
    box.locator("summary").click()
    found = re.search(r"共 (\d+) 条", text)
    return int(found.group(1)) if found else 0


def test_a_double_click_saves_once_without_a_false_conflict(page: Any) -> None:
    """A double click on a submit button runs two callbacks side by side (Streamlit starts the second click's run
    while the first callback still writes): the save is made once, and the second click is not taken for someone
    else's change."""
    page.get_by_role("tab", name="评分过程").click()
    before = history_count(page)
    area = page.get_by_role("textbox", name="评分过程（写入报告“绩效分析”和附件1）")
    for n in range(3):
        area.fill(f"第 {n + 1} 次核对：决策程序材料齐全。")
        form_of(page, "保存评分过程").get_by_role("button", name="保存评分过程").dblclick()
        wait_idle(page)
        page.wait_for_timeout(500)
        assert page.get_by_text("他人已修改").count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        assert history_count(page) == before + n + 1
    no_exception(page)
