"""Load benchmark: 30 signed-in sessions working at once against a real server, as Streamlit's browser client
talks to it (the WebSocket protocol, one script run per page visit), without a browser's own cost.

Each session signs in (a sign-in session made in the database, its token sent as the browser's cookie),
then keeps visiting the consultant's pages (评价项目, 项目信息, 证据与评分 on an indicator, 问题与建议, 报告,
复核与流程) with a short think time. Figures: page runs per second over all sessions, median and 95th
percentile of a page run (from the request to the script's end), for one server process and, when nginx and
PostgreSQL are there, for two processes behind nginx (the README's 团队部署).

Run on request:  .venv/bin/python tests/benchmarks/bench_load.py [--sessions 30] [--seconds 60] [--think 0.5 1.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

SAMPLE = "panzhihua-2023-zhaoshang"
PAGES = [  # page, query, a heading the run must send (a refused or signed-out run would not)
    ("", "", "评价项目"),
    ("project", f"eval={SAMPLE}", "项目信息"),
    ("evidence", f"eval={SAMPLE}&indicator=TY.JC.01", "证据与评分"),
    ("problems", f"eval={SAMPLE}", "问题与建议"),
    ("report", f"eval={SAMPLE}", "报告"),
    ("review", f"eval={SAMPLE}", "复核与流程"),
]


def tokens(url: str, count: int) -> list[str]:
    """``count`` sign-in sessions of consultants who are members of the sample evaluation."""
    from evaluation.auth import SYSTEM
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.sessions import start_session
    from evaluation.storage.users import add_member, create_user, has_users

    engine = open_database(url)
    out = []
    with session_scope(engine) as s:
        if not has_users(session=s):
            create_user(session=s, username="admin", password="load-test-pw-1", role="管理员")
        for n in range(count):
            user = create_user(
                session=s, username=f"load{n:02d}", password="load-test-pw-1", role="评价人员", actor=SYSTEM
            )
            add_member(session=s, actor=SYSTEM, user_id=user.id, evaluation_key=SAMPLE)
            out.append(start_session(session=s, user=user))
    engine.dispose()
    return out


async def visit(ws: Any, page: str, query: str, expect: bytes = b"") -> float:
    """One page run: ask for the page, wait for the script to finish; seconds taken. ``expect``: text the
    run must have sent (RuntimeError otherwise)."""
    seen = b""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    while True:
        raw = await ws.recv()
        seen += raw if expect else b""
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        if fwd.WhichOneof("type") == "script_finished":
            if expect not in seen:
                raise RuntimeError(f"页面运行中没有“{expect.decode()}”")
            return time.perf_counter() - start


THINK = (0.5, 1.5)  # seconds a person reads before the next click (--think)


async def session(base: str, token: str, until: float, times: list[float], errors: list[str]) -> None:
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
    rng = random.Random(token)
    try:
        async with (
            websockets.connect(
                ws_url,
                subprotocols=["streamlit"],  # type: ignore[list-item]
                additional_headers={"Cookie": f"wb_session={token}; wb_route={token[:16]}"},  # nginx routes by it
                max_size=None,
            ) as ws
        ):
            await visit(ws, "", "", "退出登录".encode())  # the first run signs in from the cookie
            await asyncio.sleep(rng.uniform(0, THINK[1]))  # people do not all click in the same second
            while time.monotonic() < until:
                page, query, heading = rng.choice(PAGES)
                times.append(await visit(ws, page, query, heading.encode()))
                await asyncio.sleep(rng.uniform(*THINK))  # a person reads before the next click
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")


def measure(base: str, session_tokens: list[str], seconds: float) -> dict[str, float]:
    times: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(*(session(base, t, until, times, errors) for t in session_tokens))

    start = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - start
    if errors:
        print(f"  {len(errors)} 个会话出错，例如：{errors[0]}")
    ordered = sorted(times)
    return {
        "sessions": len(session_tokens),
        "runs": len(times),
        "runs_per_s": len(times) / wall,
        "median_s": statistics.median(ordered) if ordered else float("nan"),
        "p95_s": ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan"),
        "errors": len(errors),
    }


@contextmanager
def one_server(folder: Path, url: str, env: dict[str, str]) -> Iterator[str]:
    from tests.browser.support import streamlit_server

    with streamlit_server(folder, {"DATABASE_URL": url, **env}, {}) as base:
        yield base


def report(label: str, figures: dict[str, float]) -> None:
    print(
        f"{label}: {figures['sessions']:.0f} 个会话，{figures['runs']:.0f} 次页面运行，"
        f"吞吐 {figures['runs_per_s']:.1f} 次/秒，中位 {figures['median_s']:.3f} s，p95 {figures['p95_s']:.3f} s，"
        f"出错会话 {figures['errors']:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("最短", "最长"))
    parser.add_argument("--pg", help="PostgreSQL URL for the two-server run (default: a temporary cluster)")
    args = parser.parse_args()
    global THINK
    THINK = (args.think[0], args.think[1])
    print(f"机器：{os.cpu_count()} 核；每个会话每次点击后停顿 {THINK[0]}–{THINK[1]} s，测量 {args.seconds:.0f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "one"
        folder.mkdir()
        url = f"sqlite:///{folder / 'web.db'}"
        from evaluation.storage.bootstrap import ensure_samples, open_database

        engine = open_database(url)
        ensure_samples(engine)
        engine.dispose()
        session_tokens = tokens(url, args.sessions)
        with one_server(folder, url, {}) as base:
            report("一个服务器进程（SQLite）", measure(base, session_tokens, args.seconds))
        if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
            two_servers(Path(tmp), args)


def two_servers(tmp: Path, args: argparse.Namespace) -> None:
    """Two processes behind nginx on PostgreSQL (--pg, or a temporary cluster when initdb is there)."""
    from tests.browser.test_cluster import nginx
    from tests.conftest import pg_bin, temporary_postgres

    with ExitStack() as stack:
        url = args.pg
        if not url:
            initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
            if not initdb or not pg_ctl:
                print("没有 PostgreSQL（--pg 或 initdb），跳过两个进程的测量")
                return
            url = stack.enter_context(temporary_postgres(initdb, pg_ctl))
        from evaluation.storage.bootstrap import ensure_samples, open_database

        engine = open_database(url)
        ensure_samples(engine)
        engine.dispose()
        pg_tokens = tokens(url, args.sessions)
        env = {"WORKBENCH_ATTACHMENTS": "database"}
        a, b = (tmp / "a", tmp / "b")
        a.mkdir()
        b.mkdir()
        one = stack.enter_context(one_server(a, url, env))
        two = stack.enter_context(one_server(b, url, env))
        front = stack.enter_context(nginx(tmp / "nginx", int(one.rsplit(":", 1)[1]), int(two.rsplit(":", 1)[1])))
        report("两个服务器进程 + nginx（PostgreSQL）", measure(front, pg_tokens, args.seconds))


if __name__ == "__main__":
    main()
