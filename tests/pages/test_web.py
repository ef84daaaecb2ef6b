"""The HTTP guard in front of Streamlit (ui.web) called as an ASGI app: media only for its granted,
signed-in browser; security headers on every answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.sessions import end_session, start_session
from evaluation.storage.users import create_user
from ui import downloads, web


def call(path: str, cookie: str | None = None) -> tuple[int, dict[bytes, bytes], list[str]]:
    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"file"})

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    headers = [(b"cookie", cookie.encode())] if cookie else []
    asyncio.run(web.Guard(app)({"type": "http", "path": path, "headers": headers}, receive, send))
    start = sent[0]
    return start["status"], dict(start["headers"]), reached


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    web._engine.cache_clear()
    engine = open_database(url)
    with session_scope(engine) as session:
        user = create_user(session=session, username="admin", password="correct horse 42", role="管理员", actor=None)
        return start_session(session=session, user=user)


def test_paths_and_cookies_are_read_as_the_browser_sends_them() -> None:
    assert web.media_id("/media/abc123.docx") == "abc123"
    assert web.media_id("/base/media/abc123.xlsx") == "abc123"
    assert web.media_id("/_stcore/health") is None and web.media_id("/media") is None
    scope = {"headers": [(b"cookie", b"_streamlit_xsrf=2|e1|37|17; wb_session=tok%2Ben")]}
    assert web.cookie_token(scope) == "tok+en"  # the XSRF cookie's "|" does not hide it


def test_media_only_for_the_granted_signed_in_browser(token: str) -> None:
    downloads.grant("f1", token, seconds=60)
    assert call("/media/f1.docx", f"wb_session={token}")[0] == 200
    assert call("/media/f1.docx")[0] == 403  # no cookie
    assert call("/media/f1.docx", "wb_session=someone-else")[0] == 403
    assert call("/media/f2.docx", f"wb_session={token}")[0] == 403  # not granted
    downloads.grant("f3", token, seconds=0)
    assert call("/media/f3.docx", f"wb_session={token}")[0] == 403  # expired
    with session_scope(web._engine()) as session:
        end_session(session=session, token=token)
    status, headers, reached = call("/media/f1.docx", f"wb_session={token}")  # signed out
    assert status == 403 and reached == [] and headers[b"x-frame-options"] == b"DENY"


def test_other_paths_pass_with_the_security_headers() -> None:
    status, headers, reached = call("/_stcore/health")
    assert status == 200 and reached == ["/_stcore/health"]
    assert headers[b"x-frame-options"] == b"DENY" and headers[b"x-content-type-options"] == b"nosniff"
    # Streamlit's own fonts and images live under /static/media/: they are no download and need no sign-in
    for path in ("/static/media/MaterialSymbols-Rounded.nEdyypZU.woff2", "/base/static/media/SourceSansVF.woff2"):
        assert web.media_id(path) is None
        assert call(path)[0] == 200
