"""Browser journey: the README's run command serves a page listing the sample evaluations.

Starts the real server (streamlit, a fresh SQLite database) and drives Debian's chromium with Playwright.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.support import CHROMIUM_ARGS, require_chromium, sign_in, streamlit_server


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
        page.get_by_role("option", name="招商引资工作经费（第三方评价，2023）").click()
        page.get_by_text("文件所载总分为 89").wait_for(timeout=30000)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60000)
        shot = Path(os.environ.get("WORKBENCH_SCREENSHOTS", tmp_path)) / "home.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        browser.close()
