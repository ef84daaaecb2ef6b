"""Shared pieces of the browser tests: a real Streamlit server on a free port, and Debian's chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from evaluation.config import REPO_ROOT
from tests.conftest import free_port, skip_or_fail

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> str:
    if CHROMIUM is None:
        skip_or_fail("本机没有 chromium 浏览器（Debian 软件包 chromium），无法运行浏览器测试")
    assert CHROMIUM is not None
    return CHROMIUM


PASSWORD = "browser-test-pw-1"
ADMIN_ONLY: dict[str, tuple[str, tuple[str, ...]]] = {"admin": ("管理员", ())}


def add_accounts(url: str, accounts: dict[str, tuple[str, tuple[str, ...]]]) -> None:
    """Create the accounts (username → role, evaluations it is a member of), all with ``PASSWORD``."""
    from evaluation.auth import SYSTEM
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.users import add_member, create_user, has_users

    engine = open_database(url)
    try:
        with session_scope(engine) as session:
            for username, (role, member_of) in accounts.items():
                actor = SYSTEM if has_users(session=session) else None
                user = create_user(session=session, username=username, password=PASSWORD, role=role, actor=actor)
                for key in member_of:
                    add_member(session=session, actor=SYSTEM, user_id=user.id, evaluation_key=key)
    finally:
        engine.dispose()


@contextmanager
def signed_in_page(url: str, *, height: int = 1000) -> Iterator[Any]:
    """A page of its own browser (Debian's chromium), 1400 wide, signed in as the administrator at ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": height})
        sign_in(page, url)
        yield page
        browser.close()


def sign_in(page: Any, url: str, username: str = "admin", password: str = PASSWORD) -> None:
    """Open ``url`` (a new browser session asks for a login), sign in, and wait for the page to run."""
    page.goto(url)
    wait_idle(page)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=30000)
    wait_idle(page)


SERVER_LOGS: dict[str, Path] = {}  # server URL → the file its messages go to (read when a step fails)


def _server_log(folder: Path) -> Path:
    """Where the server's messages go: the file WORKBENCH_SERVER_LOG names, else ``streamlit.log`` in the
    test's folder."""
    return Path(os.environ.get("WORKBENCH_SERVER_LOG") or folder / "streamlit.log")


def server_log_tail(url: str, lines: int = 40) -> str:
    """The last lines the server at ``url`` wrote (its warnings and tracebacks)."""
    log = SERVER_LOGS.get(url)
    if log is None or not log.exists():
        return "（无服务日志）"
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]) or "（服务日志为空）"


@contextmanager
def streamlit_server(
    folder: Path,
    env_extra: dict[str, str] | None = None,
    accounts: dict[str, tuple[str, tuple[str, ...]]] | None = None,
    processes: dict[str, Any] | None = None,
) -> Iterator[str]:
    """Start ``streamlit run serve.py`` (the app behind its HTTP guard) on a fresh SQLite database in
    ``folder`` with the samples and the given accounts (default: one administrator, ``admin``); yield its URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'web.db'}",
        "WORKBENCH_DATA_DIR": str(folder),
        **(env_extra or {}),
    }
    subprocess.run([sys.executable, "-m", "evaluation.cli", "init"], env=env, check=True, capture_output=True)
    if accounts != {}:
        add_accounts(env["DATABASE_URL"], accounts or ADMIN_ONLY)
    log_path = _server_log(folder)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:  # the server keeps its own handle on the file
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO_ROOT / "serve.py"),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    SERVER_LOGS[url] = log_path
    if processes is not None:  # the caller may stop the server itself (a server that fails)
        processes[url] = proc
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
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_idle(page: Any, timeout: float = 60000) -> None:
    """Wait until the Streamlit script has finished its run (after a moment for the run to start)."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


class RetriedDownload(UserWarning):
    """A download that came only at the second click (shown in the test run's warnings summary)."""


def download(page: Any, button: Any, server: str, timeout: float = 30000) -> bytes:
    """Click a Streamlit download button and return the file it brings.

    When no file comes, what the page and the server said is kept: the text Streamlit shows under a button
    whose file could not be built, and the end of the server's log. The click is then made once more, as a
    user would, and the first attempt's reason is reported as a warning in the test run's summary; a second
    attempt without a file fails the test with both reasons."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    reasons: list[str] = []
    for _ in range(2):
        try:
            with page.expect_download(timeout=timeout) as info:
                button.click()
            data = Path(info.value.path()).read_bytes()  # before the browser closes and removes it
        except PlaywrightTimeout:
            shown = page.locator('[data-testid="stDownloadButtonError"]').all_inner_texts()
            reasons.append(f"按钮下的提示：{shown or '无'}；服务日志末尾：\n{server_log_tail(server)}")
            wait_idle(page)
            continue
        if reasons:
            warnings.warn(f"第一次点击下载按钮没有得到文件：{reasons[0]}", RetriedDownload, stacklevel=2)
        return data
    pytest.fail("两次点击下载按钮都没有得到文件：\n" + "\n".join(reasons))


def screenshot_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pick_option(page: Any, box: Any, option: str | int) -> None:
    """Open a selectbox and choose an option (by text, or by position): a first click on a select that
    is still settling may only focus it, so the click is repeated until the list shows."""
    for _ in range(3):
        box.click()
        options = page.locator('[role="option"]')
        target = options.nth(option) if isinstance(option, int) else options.filter(has_text=option).first
        try:
            target.wait_for(timeout=5000)
        except Exception:  # the list did not open: close whatever opened and try again
            page.keyboard.press("Escape")
            continue
        target.click()
        wait_idle(page)
        return
    pytest.fail(f"下拉框中没有出现选项“{option}”")


def no_exception(page: Any) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def no_error(page: Any) -> None:
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


def settled_box(page: Any, grid: Any) -> Any:
    """The grid's box once it has stopped moving (a tab that has just opened, or a page still drawing,
    shifts it): read until two reads 200 ms apart agree."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    for _ in range(20):
        page.wait_for_timeout(200)
        again = grid.bounding_box()
        if again == box:
            return box
        box = again
    return box


def cell_point(box: Any, row: int, frac: float) -> tuple[float, float]:
    return box["x"] + 34 + (box["width"] - 34) * frac, box["y"] + 35 + 35 * row + 17


def cell(page: Any, grid: Any, row: int, frac: float, text: str) -> None:
    """Type into a data_editor cell: ``row`` from 0 (the empty last row adds a row), ``frac`` across the columns."""
    page.mouse.click(*cell_point(settled_box(page, grid), row, frac))
    page.wait_for_timeout(300)
    page.keyboard.type(text)
    page.wait_for_timeout(200)
    page.keyboard.press("Tab")
    wait_idle(page)  # an edit of a table outside a form reruns the page (live totals)


def choose(page: Any, label: str, option: str) -> None:
    """Pick an option of a selectbox or multiselect by typing part of it (the list filters as one types)."""
    box = page.get_by_role("combobox", name=label)
    for _ in range(3):
        box.click()
        box.press_sequentially(option, delay=20)
        try:
            page.locator('[role="option"]', has_text=option).first.wait_for(timeout=3000)
        except Exception:  # the list did not open: try again
            page.keyboard.press("Escape")
            continue
        page.locator('[role="option"]', has_text=option).first.click()
        page.wait_for_timeout(300)
        if page.locator('[role="listbox"]').count():
            page.keyboard.press("Escape")
        return
    pytest.fail(f"下拉框“{label}”中没有出现“{option}”")


def go(page: Any, title: str) -> None:
    page.get_by_role("link", name=title).click()
    wait_idle(page)
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30000)


def fill_inputs(page: Any) -> None:
    """Fill the current indicator's input form with values that fit its rule."""
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="计算并保存"))
    for radio in form.locator('[data-testid="stRadio"]').all():
        radio.get_by_text("是", exact=True).click()
    for box in form.locator('[data-testid="stTextInput"]').all():
        label = box.locator("label").inner_text()
        field = box.locator("input")
        if label.startswith("实际值 *"):
            target = form.get_by_label(re.compile("目标值")).get_attribute("placeholder") or ""
            if not re.search(r"\d", target):
                form.get_by_label(re.compile("目标值")).fill("220万元")
                field.fill("219.5万元")
            else:
                field.fill(re.sub(r"[≥≤<>=]|以上|不少于|不低于", "", target))
        elif label.startswith(("实际值", "目标值")) and not field.input_value():
            field.fill("10")
        elif "（如 25%）" in label:
            field.fill("0%" if label.startswith("偏离度") else "95%")
        elif label.startswith(("计划完成时间", "实际完成时间")):
            field.fill("365")
    form.get_by_role("button", name="计算并保存").click()
    wait_idle(page)
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()
    page.get_by_text("尚未评分：填写下方输入").wait_for(state="detached", timeout=20000)


def open_new_evaluation(page: Any) -> None:
    """Open the 新建评价 section (it is already open for an account that has no evaluation yet)."""
    switch = page.get_by_role("switch", name="新建评价")
    if not switch.is_checked():
        page.get_by_text("新建评价", exact=True).click()
        wait_idle(page)
    page.get_by_role("combobox", name="指标体系模板 *").wait_for(timeout=30000)


def replace_cell(page: Any, grid: Any, row: int, frac: float, text: str) -> None:
    """Replace a data_editor cell's text: click the cell, open its editor with Enter, put the text into the
    editor's own input and commit it with Enter. A click on a grid that is still settling may only focus it and
    open no editor, and an editor that has just opened may not have the keyboard yet: the editor's input is
    waited for and filled directly (its value checked), and the click is repeated until an editor takes the
    text."""
    for _ in range(3):
        page.mouse.click(*cell_point(settled_box(page, grid), row, frac))
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        editor = page.locator(".gdg-input").first
        try:
            editor.wait_for(timeout=5000)
            editor.fill(text)
            if editor.input_value() != text:
                raise AssertionError(editor.input_value())
        except Exception:  # no editor opened, or it did not take the text: close it and click again
            page.keyboard.press("Escape")
            wait_idle(page)
            continue
        editor.press("Enter")
        editor.wait_for(state="detached", timeout=5000)
        wait_idle(page)
        return
    pytest.fail(f"表格第 {row + 1} 行的单元格编辑框没有打开，或没有接受输入")
