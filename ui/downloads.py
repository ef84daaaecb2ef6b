"""Downloads that only their own signed-in browser session can fetch, for a short while.

Streamlit serves a download button's file at ``/media/<id>.<ext>`` to anyone holding the URL, for as long as
the file stays in memory. Every download of the workbench therefore goes through :func:`download_button`:

* the file is built only when the button is clicked (``data`` is a callable), after the sign-in and the role
  are checked again (``ui.auth.deferred``);
* the file's media id is then granted to that browser's sign-in token for ``DOWNLOAD_SECONDS``;
* :class:`ui.web.Guard`, in front of Streamlit (``serve.py``), answers 403 to a ``/media/`` request that does
  not carry that token in its cookie, comes after the grant expired, or whose sign-in has ended.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.memory_media_file_storage import _calculate_file_id

from evaluation.auth import Action, User
from ui.auth import deferred, session_token
from ui.resources import engine

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOAD_SECONDS = float(os.environ.get("WORKBENCH_DOWNLOAD_SECONDS", "300"))

_grants: dict[str, tuple[str, float]] = {}  # media id → (sign-in token, expiry on the monotonic clock)
_lock = threading.Lock()


def grant(file_id: str, token: str, seconds: float | None = None) -> None:
    """Let the browser signed in with ``token`` fetch the media file ``file_id`` for ``seconds``."""
    now = time.monotonic()
    with _lock:
        for stale in [k for k, (_, until) in _grants.items() if until <= now]:
            del _grants[stale]
        _grants[file_id] = (token, now + (DOWNLOAD_SECONDS if seconds is None else seconds))


def granted(file_id: str, token: str | None) -> bool:
    """Whether the browser with ``token`` may fetch ``file_id`` now."""
    if not token:
        return False
    with _lock:
        held = _grants.get(file_id)
    return held is not None and held[0] == token and time.monotonic() < held[1]


def download_button(
    label: str,
    build: Callable[[User], bytes],
    *,
    file_name: str,
    mime: str,
    action: Action = "read",
    evaluation: str | None = None,
    where: Any = None,
    **options: Any,
) -> None:
    """A download button whose file is built on click for the signed-in user and fetched only by this browser;
    ``evaluation`` names the evaluation the file is of (its membership is checked again at the click)."""
    run = deferred(engine(), build, action, evaluation)
    token = session_token()

    def data() -> bytes:
        content = run()  # checks the sign-in and the role again
        if token:
            grant(_calculate_file_id(content, mime, file_name), token)
        return content

    (where or st).download_button(label, data=data, file_name=file_name, mime=mime, on_click="ignore", **options)
