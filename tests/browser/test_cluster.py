"""Two application servers behind nginx, as the README's 团队部署 describes: PostgreSQL for the data, the
attachments in the database, nginx with sticky routing (a routing cookie) and WebSocket upgrade in front of two
``streamlit run serve.py`` processes. A user signs in and uploads through nginx; the server that served them
is stopped; after a reload the same browser is still signed in on the other server, continues its work there,
and both uploads are in the shared database (Playwright + Debian's chromium, real nginx and PostgreSQL)."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from evaluation.auth import SYSTEM
from evaluation.engagement.checklist import build_checklist
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.documents import load_document, save_document
from tests.browser.support import choose, sign_in, streamlit_server, wait_idle
from tests.conftest import database_url, free_port, skip_or_fail

pytestmark = pytest.mark.browser
SAMPLE = "panzhihua-2023-zhaoshang"
NGINX_CONF = """
worker_processes 1;
error_log {folder}/error.log;
pid {folder}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 25m;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # one browser stays on one server (its Streamlit session, downloads and grants live there): a routing
    # cookie made at its first request, not the address (an office behind one NAT address is many browsers)
    map $cookie_wb_route $wb_route {{ "" $request_id; default $cookie_wb_route; }}
    upstream workbench {{
        hash $wb_route consistent;
        server 127.0.0.1:{one} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{two} max_fails=1 fail_timeout=30s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://workbench;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 86400;
            add_header Set-Cookie "wb_route=$wb_route; Path=/; HttpOnly; SameSite=Lax" always;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        skip_or_fail("本机没有 nginx（Debian 软件包 nginx-light），无法测试多服务器部署")
    assert found is not None
    return found


@contextmanager
def nginx(folder: Path, one: int, two: int) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)  # nginx's workers run as nobody when the test runs as root
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=folder, one=one, two=two, port=port), encoding="utf-8")
    proc = subprocess.Popen([nginx_binary(), "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def send_checklist(url: str) -> None:
    """The consultant has sent the 资料清单 (set up through the core: this test is about the servers)."""
    engine = open_database(url)
    with session_scope(engine) as s:
        ev, version = load_document(session=s, key=SAMPLE)
        update = {"checklist": build_checklist(ev)}
        save_document(session=s, evaluation=ev.model_copy(update=update), expected_version=version, user=SYSTEM)
    engine.dispose()


def upload(page: Any, name: str) -> None:
    choose(page, "上传到哪一项", "项目基本情况说明")
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_role("button", name="上传", exact=True))
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": f"%PDF-1.4 {name}\n%%EOF\n".encode()}]
    )
    form.get_by_role("button", name="上传", exact=True).click()
    wait_idle(page)
    page.get_by_text(f"已上传“{name}”").wait_for(timeout=30000)


def stored_files(url: str) -> tuple[list[str], list[str]]:
    """The files the first 资料清单 item lists, and the keys in the shared attachment table."""
    from evaluation.storage.blobs import DatabaseStore

    engine = open_database(url)
    with session_scope(engine) as s:
        ev, _ = load_document(session=s, key=SAMPLE)
    keys = list(DatabaseStore(engine).keys())
    engine.dispose()
    return [f.document for f in ev.checklist[0].files], keys


def test_save_on_one_server_stop_it_and_continue_on_the_other(
    request: pytest.FixtureRequest, tmp_path: Path, browser: Any
) -> None:
    nginx_binary()
    with ExitStack() as stack:
        url = stack.enter_context(database_url(request, tmp_path, "postgresql"))
        env = {"DATABASE_URL": url, "WORKBENCH_ATTACHMENTS": "database"}
        accounts = {"admin": ("管理员", ()), "unit": ("被评价单位", (SAMPLE,))}
        servers: dict[str, Any] = {}
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
        one = stack.enter_context(streamlit_server(tmp_path / "one", env, accounts, processes=servers))
        two = stack.enter_context(streamlit_server(tmp_path / "two", env, {}, processes=servers))
        send_checklist(url)
        front = stack.enter_context(nginx(tmp_path / "nginx", int(one.rsplit(":", 1)[1]), int(two.rsplit(":", 1)[1])))

        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        served: list[str] = []

        def note(response: Any) -> None:  # nginx names the server; scripts may come from the browser's cache
            if response.request.resource_type in ("document", "fetch", "xhr"):
                served.append(response.headers.get("x-upstream", ""))

        page.on("response", note)
        sign_in(page, front, "unit")
        page.get_by_role("heading", name="资料与反馈").wait_for(timeout=30000)
        page.reload()  # and again: the same server
        wait_idle(page)
        upload(page, "第一份说明.pdf")
        first = {s for s in served if s}
        assert len(first) == 1, first  # sticky: every request of this browser went to one server
        (address,) = first
        gone = one if address.endswith(one.rsplit(":", 1)[1]) else two
        servers[gone].terminate()  # that server stops
        servers[gone].wait(timeout=20)

        served.clear()
        page.reload()
        wait_idle(page)
        page.get_by_role("heading", name="资料与反馈").wait_for(timeout=60000)  # still signed in: no login form
        assert page.get_by_role("button", name="退出登录").count() == 1
        upload(page, "第二份说明.pdf")
        answered = {s.split(", ")[-1] for s in served if s}  # nginx lists a failed try before the one that answered
        assert answered and address not in answered  # the other server carries on
        files, keys = stored_files(url)
        assert files == ["第一份说明", "第二份说明"]  # both saves, through two servers, in the shared database
        assert [k.rsplit("/", 1)[1] for k in keys] == ["第一份说明.pdf", "第二份说明.pdf"]
