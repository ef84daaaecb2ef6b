"""Double clicks on the forms that save in the page's script (项目信息, 新建评价), in Debian's chromium via
Playwright against a real server: a second click that reaches the server while the first one's save runs, or after
the page was drawn again, writes nothing more and is not taken for someone else's change."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    add_accounts,
    choose,
    go,
    no_exception,
    open_new_evaluation,
    pick_option,
    require_chromium,
    signed_in_page,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("double-clicks")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    require_chromium()
    with streamlit_server(folder) as url:
        yield url


@pytest.fixture()
def page(server: str) -> Iterator[Any]:
    with signed_in_page(server, height=1100) as page:
        yield page


def named(folder: Path, name: str) -> list[str]:
    with sqlite3.connect(folder / "web.db") as db:
        return [str(r[0]) for r in db.execute("SELECT key FROM evaluation WHERE project_name = ?", (name,))]


def click_twice(page: Any, button: Any, gap: int) -> None:
    """Two clicks `gap` ms apart, the second where the first landed, as a user's does: while the page is drawn
    anew the old button and the new one may both be on it for a moment, so no locator names "the" button then."""
    box = button.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(gap)
    page.mouse.click(x, y)


def test_a_double_click_on_new_creates_one_evaluation(page: Any, folder: Path) -> None:
    open_new_evaluation(page)
    for n, gap in enumerate((0, 150, 400)):  # a dblclick, and two clicks 150 and 400 ms apart
        name = f"双击新建测试{n}"
        page.get_by_role("textbox", name="项目名称 *", exact=True).fill(name)
        page.get_by_role("textbox", name="主管部门 *", exact=True).fill("某局")
        choose(page, "专用指标包", "招商引资工作类专用指标")
        button = page.get_by_role("button", name="新建", exact=True)
        if gap:
            click_twice(page, button, gap)
        else:
            button.dblclick()
        wait_idle(page)
        page.wait_for_timeout(500)
        created = named(folder, name)
        assert len(created) == 1, created
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0  # the emptied form is not refused
        assert f"eval={created[0]}" in page.url  # the new evaluation is the current one (the save was finished)
        # the form is drawn empty: a later click sends no name again
        assert page.get_by_role("textbox", name="项目名称 *", exact=True).input_value() == ""
    no_exception(page)


def test_a_double_click_on_a_project_form_is_no_conflict(page: Any, folder: Path) -> None:
    go(page, "项目信息")
    month = page.get_by_label("报告年月（如 2024-10）")
    for n in range(4):
        month.fill(f"2025-{n + 1:02d}")
        page.locator('[data-testid="stForm"]').first.get_by_role("button", name="保存").dblclick()
        wait_idle(page)
        page.wait_for_timeout(500)
        assert page.get_by_text("他人已修改").count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        assert month.input_value() == f"2025-{n + 1:02d}"
        with sqlite3.connect(folder / "web.db") as db:  # saved, once (a save over an unchanged form records nothing)
            document = str(db.execute("SELECT document FROM evaluation_document").fetchall())
        assert f'"report_month": "2025-{n + 1:02d}"' in document or f'"report_month":"2025-{n + 1:02d}"' in document
    no_exception(page)


def test_saving_an_accounts_role_keeps_that_account_picked(page: Any, folder: Path) -> None:
    """系统管理 › 修改账户, saved with a double click: the second click carries the picker's choice by the name it
    showed before the save; named with the role, that name was gone after a role change, the picker fell back to
    the first account (the administrator), and the next save would have changed the administrator."""
    add_accounts(f"sqlite:///{folder / 'web.db'}", {"zhou": ("评价人员", ())})
    go(page, "系统管理")
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="账户").first
    pick_option(page, picker, "zhou")
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="保存修改"))
    pick_option(page, form.locator('[data-testid="stSelectbox"]').filter(has_text="角色").first, "复核人员")
    save = form.get_by_role("button", name="保存修改")
    click_twice(page, save, 300)
    wait_idle(page)
    page.get_by_text("已保存账户“zhou”").first.wait_for(timeout=20000)
    page.wait_for_timeout(500)
    assert picker.get_by_role("combobox").input_value().startswith("zhou")
    role = form.locator('[data-testid="stSelectbox"]').filter(has_text="角色").first
    assert role.get_by_role("combobox").input_value() == "复核人员"
    no_exception(page)
