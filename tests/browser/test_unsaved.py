"""Leaving a page with unsaved form input is warned (ui.unsaved), in Debian's chromium via Playwright:
a click on another page in the sidebar asks first and stays when the user cancels; after saving,
the same click leaves without asking; a reload with unsaved input gets the browser's own warning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import (
    pick_option,
    replace_cell,
    require_chromium,
    server_log_tail,
    signed_in_page,
    streamlit_server,
    wait_idle,
)
from ui.unsaved import QUESTION

pytestmark = pytest.mark.browser

FIELD = "委托依据（通知名称）"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with streamlit_server(tmp_path_factory.mktemp("unsaved")) as url:
        yield url


@pytest.fixture()
def page(server: str) -> Iterator[Any]:
    with signed_in_page(server) as page:
        yield page


class Dialogs:
    """Records every dialog and answers it: ``accept`` says whether to confirm."""

    def __init__(self, page: Any) -> None:
        self.seen: list[tuple[str, str]] = []
        self.accept = False
        page.on("dialog", self.answer)

    def answer(self, dialog: Any) -> None:
        self.seen.append((dialog.type, dialog.message))
        if self.accept or dialog.type == "beforeunload":
            dialog.accept()
        else:
            dialog.dismiss()


def nav(page: Any, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()


def on_page(page: Any, title: str) -> None:
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30000)
    wait_idle(page)


def test_leaving_with_unsaved_input_asks_first(page: Any) -> None:
    dialogs = Dialogs(page)
    nav(page, "项目信息")
    on_page(page, "项目信息")
    field = page.get_by_role("textbox", name=FIELD, exact=True)
    field.fill("尚未保存的委托依据")

    nav(page, "指标体系")  # cancelled: the page and the typed text stay
    page.wait_for_timeout(1500)
    assert dialogs.seen == [("confirm", QUESTION)]
    assert page.get_by_role("heading", name="项目信息", exact=True).count() == 1
    assert page.get_by_role("heading", name="指标体系", exact=True).count() == 0
    assert field.input_value() == "尚未保存的委托依据"

    dialogs.accept = True
    nav(page, "指标体系")
    on_page(page, "指标体系")
    assert dialogs.seen == [("confirm", QUESTION)] * 2

    nav(page, "项目信息")  # a new page starts clean: leaving it without input asks nothing
    on_page(page, "项目信息")
    nav(page, "指标体系")
    on_page(page, "指标体系")
    assert len(dialogs.seen) == 2


def test_leaving_after_saving_does_not_ask(page: Any) -> None:
    dialogs = Dialogs(page)
    nav(page, "项目信息")
    on_page(page, "项目信息")
    page.get_by_role("textbox", name=FIELD, exact=True).fill("已保存的委托依据")
    page.locator('[data-testid="stForm"]').filter(has_text=FIELD).get_by_role("button", name="保存").click()
    wait_idle(page)
    page.get_by_text("已保存封面与基本信息").wait_for(timeout=20000)
    nav(page, "指标体系")
    on_page(page, "指标体系")
    assert dialogs.seen == []


def test_reload_with_unsaved_input_gets_the_browser_warning(page: Any) -> None:
    dialogs = Dialogs(page)
    nav(page, "项目信息")
    on_page(page, "项目信息")
    page.get_by_role("textbox", name=FIELD, exact=True).fill("尚未保存")
    page.reload()
    wait_idle(page)
    assert [kind for kind, _ in dialogs.seen] == ["beforeunload"]


def test_a_refused_save_still_asks_before_leaving(page: Any) -> None:
    dialogs = Dialogs(page)
    nav(page, "项目信息")
    on_page(page, "项目信息")
    page.get_by_role("textbox", name=FIELD, exact=True).fill("要保留的委托依据")
    page.get_by_role("textbox", name="报告年月（如 2024-10）", exact=True).fill("2024年十月")
    page.locator('[data-testid="stForm"]').filter(has_text=FIELD).get_by_role("button", name="保存").click()
    wait_idle(page)
    page.get_by_text("未保存").first.wait_for(timeout=20000)  # refused: the reason is shown, the input kept
    nav(page, "指标体系")
    page.wait_for_timeout(1500)
    assert dialogs.seen == [("confirm", QUESTION)]
    assert page.get_by_role("textbox", name=FIELD, exact=True).input_value() == "要保留的委托依据"


def test_signing_out_with_unsaved_input_asks_first(page: Any) -> None:
    dialogs = Dialogs(page)
    nav(page, "项目信息")
    on_page(page, "项目信息")
    page.get_by_role("textbox", name=FIELD, exact=True).fill("尚未保存")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_timeout(1500)
    assert dialogs.seen == [("confirm", QUESTION)]
    assert page.get_by_role("button", name="退出登录").count() == 1  # cancelled: still signed in, input kept
    assert page.get_by_role("textbox", name=FIELD, exact=True).input_value() == "尚未保存"


def test_an_edited_table_outside_a_form_asks_too(page: Any) -> None:
    """The funds table sits outside its form (its totals follow every edit): its edits count as unsaved
    until 保存, and leaving asks first."""
    dialogs = Dialogs(page)
    nav(page, "项目信息")
    on_page(page, "项目信息")
    page.get_by_role("tab", name="资金情况").click()
    grid = page.get_by_role("tabpanel", name="资金情况").locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=20000)
    replace_cell(page, grid, 0, 0.3, "改过的类别")  # first row's 支出类别
    page.wait_for_function("() => window.__wbUnsaved && window.__wbUnsaved.tables === true", timeout=20000)
    nav(page, "指标体系")
    page.wait_for_timeout(1500)
    assert dialogs.seen == [("confirm", QUESTION)]
    assert page.get_by_role("heading", name="项目信息", exact=True).count() == 1


def test_switching_the_indicator_with_unsaved_input_asks_first(page: Any) -> None:
    dialogs = Dialogs(page)
    nav(page, "证据与评分")
    on_page(page, "证据与评分")
    picker = page.locator("[class*='st-key-wb_pick_indicator']").first
    pick_option(page, picker, 1)  # nothing typed yet: the list opens without asking; the second indicator
    page.get_by_role("tab", name="评分过程").click()
    area = page.get_by_role("textbox", name="评分过程（写入报告“绩效分析”和附件1）")
    area.fill("写了一半的评分过程")
    picker.click()
    page.wait_for_timeout(1000)
    assert dialogs.seen == [("confirm", QUESTION)]
    assert page.locator('[role="listbox"]').count() == 0  # cancelled: the list did not open
    assert area.input_value() == "写了一半的评分过程"
    page.get_by_role("button", name="上一项").click()  # the buttons that switch the indicator ask too
    page.wait_for_timeout(1000)
    assert dialogs.seen == [("confirm", QUESTION)] * 2
    assert area.input_value() == "写了一半的评分过程"


def test_leaving_after_saving_the_work_tab_does_not_ask(page: Any) -> None:
    """The 评价工作 form holds tables and a multiselect that accepts new options; once saved, leaving asks
    nothing."""
    dialogs = Dialogs(page)
    nav(page, "项目信息")
    on_page(page, "项目信息")
    page.get_by_role("tab", name="评价工作").click()
    panel = page.get_by_role("tabpanel", name="评价工作")
    panel.get_by_role("textbox", name="评价工作开始年月（如 2024-08）", exact=True).fill("2024-08")
    methods = panel.get_by_role("combobox", name="所用评价方法")
    methods.click()
    methods.press_sequentially("现场核查", delay=20)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    panel.get_by_role("textbox", name="评价对象与选点", exact=True).fill("抽取三个村开展现场核查")
    for n, grid in enumerate(panel.locator('[data-testid="stDataFrame"]').nth(i) for i in (0, 1)):
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 34 + (box["width"] - 34) * 0.3, box["y"] + 35 + 17)  # a first-row cell
        page.wait_for_timeout(300)
        page.keyboard.type(f"第{n + 1}张表的新内容")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
    panel.get_by_role("button", name="保存").click()
    wait_idle(page)
    page.get_by_text("已保存评价工作安排").wait_for(timeout=20000)
    wait_idle(page)
    page.get_by_role("tab", name="封面与基本信息").click()  # looking at another tab changes nothing
    page.wait_for_timeout(500)
    nav(page, "指标体系")
    on_page(page, "指标体系")
    assert dialogs.seen == []


def test_a_drafted_narrative_is_unsaved_input(page: Any, server: str) -> None:
    """按输入和得分起草 writes a draft into 评分过程 without saving it: leaving asks first, as after typing, and the
    field shows the draft without Streamlit's warning about a field given both a value and a session-state value."""
    dialogs = Dialogs(page)
    nav(page, "证据与评分")
    on_page(page, "证据与评分")
    page.get_by_role("tab", name="评分过程").click()
    area = page.get_by_role("textbox", name="评分过程（写入报告“绩效分析”和附件1）")
    before = area.input_value()
    page.get_by_role("button", name="按输入和得分起草").click()
    wait_idle(page)
    page.wait_for_timeout(500)
    assert area.input_value() != before and area.input_value().strip()
    nav(page, "项目信息")
    page.wait_for_timeout(1500)
    assert dialogs.seen == [("confirm", QUESTION)]
    # (Streamlit says it once per server: the whole log, from this module's first test on)
    assert "created with a default value" not in server_log_tail(server, 100_000)
