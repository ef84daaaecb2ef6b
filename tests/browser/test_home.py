"""Browser journey: the README's run command serves a page listing the sample evaluations.

Starts the real server (streamlit, a fresh SQLite database) and drives Debian's chromium with Playwright.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.support import (
    CHROMIUM_ARGS,
    go,
    no_exception,
    pick_option,
    require_chromium,
    sign_in,
    streamlit_server,
    wait_idle,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with streamlit_server(tmp_path_factory.mktemp("server")) as url:
        yield url


def test_home_page_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, server)
        page.get_by_role("heading", name="评价项目").wait_for(timeout=30000)
        page.get_by_text("共 13 个评价").wait_for(timeout=30000)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="查看得分情况").click()
        page.get_by_role("option", name="招商引资工作经费（2023，第三方评价）").click()
        page.get_by_text("文件所载总分为 89").wait_for(timeout=30000)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60000)
        shot = Path(os.environ.get("WORKBENCH_SCREENSHOTS", tmp_path)) / "home.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        browser.close()


def test_a_reload_or_a_shared_link_opens_the_same_evaluation_and_indicator(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, server)
        go(page, "证据与评分")
        pick_option(
            page, page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]'), "2024年干部体检财政补贴资金"
        )
        wait_idle(page)
        pick_option(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="指标"), "兑付时限")
        wait_idle(page)
        assert "eval=hengkou-2024-zsj-10-tijian" in page.url and "indicator=CC.SX.01" in page.url, page.url
        link = page.url

        page.reload()  # a new server session, resumed from the sign-in cookie, on the same place
        wait_idle(page)
        page.get_by_role("heading", name="兑付时限（CC.SX.01）").wait_for(timeout=30000)
        page.get_by_text("绩效自评（hengkou-2024-zsj-10-tijian）").wait_for(timeout=30000)  # the page's caption

        other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()  # a colleague's browser
        sign_in(other, link)
        other.get_by_role("heading", name="兑付时限（CC.SX.01）").wait_for(timeout=30000)
        other.get_by_text("绩效自评（hengkou-2024-zsj-10-tijian）").wait_for(timeout=30000)
        no_exception(other)
        browser.close()
