"""Browser journey: the README's run command serves a page listing the sample evaluations.

Starts the real server (streamlit, a fresh SQLite database) and drives Debian's chromium with Playwright.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.config import REPO_ROOT

from .conftest import free_port, skip_or_fail

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if CHROMIUM is None:
        skip_or_fail("本机没有 chromium 浏览器（Debian 软件包 chromium），无法运行浏览器测试")
    tmp = tmp_path_factory.mktemp("server")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'web.db'}", "WORKBENCH_DATA_DIR": str(tmp)}
    subprocess.run([sys.executable, "-m", "evaluation.cli", "init"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(REPO_ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit 服务 60 秒内未就绪")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_home_page_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60000)
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
