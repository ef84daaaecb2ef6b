"""The HTTP layer in front of Streamlit (mounted by ``serve.py``): downloads only for their own signed-in
browser, and the security headers a browser should get with every answer.

Streamlit answers ``/media/<id>.<ext>`` to anyone who has the URL; :class:`Guard` lets such a request through
only when its ``wb_session`` cookie holds the sign-in token the file was granted to (``ui.downloads``), the
grant has not expired and that sign-in is still valid in the database (not signed out, expired or idle).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from functools import cache
from typing import Any
from urllib.parse import unquote

import anyio
from sqlalchemy.engine import Engine

from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.sessions import resume_session
from ui.auth import COOKIE
from ui.downloads import granted

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# What Streamlit does not send itself. A Content-Security-Policy is left to the reverse proxy (see
# docs/security.md): Streamlit's page needs inline scripts and styles.
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
REFUSED = "下载链接只能由登录后打开它的浏览器在几分钟内使用。请回到工作台页面重新点击下载。".encode()


@cache
def _engine() -> Engine:
    return open_database()


def signed_in(token: str) -> bool:
    """Whether ``token`` is a sign-in that is still valid (not ended, expired or idle)."""
    with session_scope(_engine()) as session:
        return resume_session(session=session, token=token).user is not None


def cookie_token(scope: Scope) -> str | None:
    """The sign-in token in the request's cookies (read leniently: Streamlit's own XSRF cookie holds
    characters that make ``http.cookies`` give up on the whole header)."""
    for name, value in scope.get("headers", ()):
        if name != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            key, _, found = part.strip().partition("=")
            if key == COOKIE and found:
                return unquote(found)
    return None


def media_id(path: str) -> str | None:
    """``/media/abc123.docx`` (under any base path) → ``abc123``; None for other paths, Streamlit's own
    ``/static/media/`` (its fonts and images) included."""
    parts = path.split("/")
    if len(parts) < 3 or parts[-2] != "media" or (len(parts) >= 4 and parts[-3] == "static"):
        return None
    return parts[-1].split(".", 1)[0]


class Guard:
    """ASGI middleware: refuse a media file to anyone but the browser it was granted to; add HEADERS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        file_id = media_id(str(scope.get("path", "")))
        if file_id is not None:
            token = cookie_token(scope)
            allowed = token is not None and granted(file_id, token)
            if allowed and token is not None:
                allowed = await anyio.to_thread.run_sync(signed_in, token)
            if not allowed:
                await _refuse(send)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": REFUSED})
