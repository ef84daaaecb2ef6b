"""Browser test of the managers' view: filter the dashboard, read the charts, download an Excel table."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.support import (
    CHROMIUM_ARGS,
    download,
    require_chromium,
    screenshot_dir,
    sign_in,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser


def test_filter_the_dashboard_and_download_a_table(tmp_path: Path) -> None:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with streamlit_server(tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        sign_in(page, f"{url}/analysis")  # the page asked for by its URL opens after the login
        page.get_by_role("heading", name="对比分析").wait_for(timeout=30000)
        page.get_by_text("当前范围：13 个评价（共 13 个）").wait_for(timeout=30000)
        charts = page.locator('[data-testid="stPlotlyChart"]')
        charts.nth(8).wait_for(timeout=30000)  # the charts draw one after another
        assert charts.count() == 9
        shots = screenshot_dir(tmp_path)
        page.screenshot(path=str(shots / "analysis.png"), full_page=False)
        # filter: 评价类型 = 绩效自评
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.locator('[data-testid="stMultiSelect"]').nth(3).click()
        page.keyboard.type("绩效自评")  # typing opens the list even when the first click only focused it
        page.get_by_role("option", name="绩效自评").click()
        page.keyboard.press("Escape")
        page.get_by_text("当前范围：12 个评价（共 13 个）").wait_for(timeout=30000)
        wait_idle(page)
        # the departments' own figures: 2024年干部体检's rows add up to 89 (良), every other record's to 90 or more
        page.get_by_text("共 12 个评价：优 11 个，良 1 个。").wait_for(timeout=30000)
        # the grade distribution table, downloaded as Excel
        grades = page.locator('[data-testid="stExpander"]').filter(has_text="等级分布：数据表")
        grades.get_by_text("等级分布：数据表").click()
        wait_idle(page)
        data = download(page, grades.locator('[data-testid="stDownloadButton"] button'), url)
        page.screenshot(path=str(shots / "analysis-filtered.png"), full_page=False)
        browser.close()
    wb = load_workbook(io.BytesIO(data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows == [("等级", "评价个数", "占比（%）"), ("优", 11, 91.67), ("良", 1, 8.33)]
