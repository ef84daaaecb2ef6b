"""Downloads reach only the signed-in browser they were made for, for a short while (ui.downloads, ui.web).

A real server (``streamlit run serve.py``) and Debian's chromium: the browser downloads a file; the same URL
is then tried without a cookie, with another account's sign-in, after the grant expired and after signing
out — each answer is 403 — while the browser itself gets the file."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import (
    CHROMIUM_ARGS,
    go,
    require_chromium,
    sign_in,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser
SECONDS = 20  # the grant's lifetime on this test server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    accounts = {"admin": ("管理员", ()), "consultant": ("评价人员", ("panzhihua-2023-zhaoshang",))}
    with streamlit_server(
        tmp_path_factory.mktemp("downloads"), env_extra={"WORKBENCH_DOWNLOAD_SECONDS": str(SECONDS)}, accounts=accounts
    ) as url:
        yield url


def fetch(url: str, cookie: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def cookie_of(context: Any) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())


def test_a_download_url_works_only_for_its_signed_in_browser(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        admin_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = admin_ctx.new_page()
        sign_in(page, server)
        go(page, "报告")
        with page.expect_download() as info:
            page.get_by_role("button", name="下载评价方案（Word）").click()
        download = info.value
        url = download.url
        assert "/media/" in url and download.path().read_bytes()[:2] == b"PK"

        status, body = fetch(url)  # a bare URL: no cookie
        assert status == 403 and "下载链接只能由登录后打开它的浏览器" in body.decode("utf-8")
        status, body = fetch(url, cookie_of(admin_ctx))  # the browser's own sign-in: the file
        assert status == 200 and body[:2] == b"PK"

        other_ctx = browser.new_context()  # another account, signed in, holding the same URL
        sign_in(other_ctx.new_page(), server, "consultant")
        assert fetch(url, cookie_of(other_ctx))[0] == 403

        # the backup (accounts and all) is no different
        go(page, "系统管理")
        page.get_by_role("tab", name="备份").click()
        with page.expect_download(timeout=60000) as info:
            page.get_by_role("button", name="下载备份").click()
        backup = info.value.url
        assert fetch(backup)[0] == 403 and fetch(backup, cookie_of(admin_ctx))[0] == 200

        page.wait_for_timeout((SECONDS + 2) * 1000)  # the grant has expired
        assert fetch(url, cookie_of(admin_ctx))[0] == 403

        with page.expect_download() as info:  # clicking again grants it again
            go(page, "报告")
            page.get_by_role("button", name="下载评价方案（Word）").click()
        again = info.value.url
        cookie = cookie_of(admin_ctx)
        assert fetch(again, cookie)[0] == 200
        page.get_by_role("button", name="退出登录").click()  # signed out: the cookie's sign-in has ended
        wait_idle(page)
        assert fetch(again, cookie)[0] == 403
        browser.close()
