"""Load benchmark: 30 signed-in sessions working at once against a real server, as Streamlit's browser client
talks to it (the WebSocket protocol, one script run per page visit), without a browser's own cost.

Each session is a consultant with an evaluation of their own; it signs in (a sign-in session made in the
database, its token sent as the browser's cookie), then keeps visiting the consultant's pages (评价项目,
项目信息, 证据与评分 on an indicator, 问题与建议, 报告, 复核与流程) and, one click in five, saves the 项目信息
cover form (pressing its 保存 button as the browser does), with a think time between clicks. Each run is
checked to be the page asked for (a save: its 已保存 message). Figures: actions per second over all sessions,
median and 95th percentile per action (from the click to the script's end, a save's rerun included), for one
server process and, when nginx and PostgreSQL are there, for two processes behind nginx (the README's 团队部署).

Run on request:  .venv/bin/python tests/benchmarks/bench_load.py [--sessions 30] [--seconds 60] [--think 5 15]

The default think time, 5–15 s between clicks, is the one the README's and docs/deployment.md's figures were
measured with; a shorter one (``--think 0.5 1.5``) is a stress test: thirty people clicking every second ask
more of one process than two cores give, and every action then waits in line (median about 0.6 s).
"""

from __future__ import annotations

import argparse
import asyncio
import math
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
    ("project", "eval={key}", "项目信息"),
    ("evidence", "eval={key}&indicator=TY.JC.01", "证据与评分"),
    ("problems", "eval={key}", "问题与建议"),
    ("report", "eval={key}", "报告"),
    ("review", "eval={key}", "复核与流程"),
]


def consultants(url: str, count: int) -> list[tuple[str, str]]:
    """``count`` consultants, each with a sign-in session and an evaluation of their own (a copy of the sample,
    so their saves do not collide): (token, evaluation key)."""
    from evaluation.auth import SYSTEM
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.repo import create_evaluation, get_evaluation
    from evaluation.storage.sessions import start_session
    from evaluation.storage.users import create_user, has_users

    engine = open_database(url)
    out = []
    with session_scope(engine) as s:
        if not has_users(session=s):
            create_user(session=s, username="admin", password="load-test-pw-1", role="管理员")
        sample = get_evaluation(session=s, ref=SAMPLE)
        for n in range(count):
            user = create_user(
                session=s, username=f"load{n:02d}", password="load-test-pw-1", role="评价人员", actor=SYSTEM
            )
            key = f"load-{n:02d}"
            create_evaluation(session=s, evaluation=sample.model_copy(update={"id": key}), user=user)
            out.append((start_session(session=s, user=user), key))
    engine.dispose()
    return out


async def visit(ws: Any, page: str, query: str, expect: bytes = b"", press: str = "") -> tuple[float, list[Any]]:
    """One page visit: ask for the page (pressing the form button whose id is ``press``), wait until the script
    has finished (a save reruns the page once more); seconds taken and the messages. ``expect``: text the runs
    must have sent (RuntimeError otherwise)."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    if press:
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = press
        state.trigger_value = True
    seen: list[Any] = []
    raw_seen = b""
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    while True:
        raw = await ws.recv()
        raw_seen += raw if expect else b""
        fwd = ForwardMsg()
        fwd.ParseFromString(raw)
        seen.append(fwd)
        if fwd.WhichOneof("type") == "script_finished" and fwd.script_finished != RERUN:
            if expect not in raw_seen:
                raise RuntimeError(f"页面运行中没有“{expect.decode()}”")
            return time.perf_counter() - start, seen


RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN


def submit_button(messages: list[Any], label: str) -> str:
    """The id of the first form button labelled ``label`` the page drew."""
    for fwd in messages:
        if fwd.WhichOneof("type") == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            if element.WhichOneof("type") == "button" and element.button.label == label:
                return str(element.button.id)
    raise RuntimeError(f"页面上没有“{label}”按钮")


THINK = (5.0, 15.0)  # seconds a person reads before the next click (--think)


SAVES = 0.2  # share of clicks that save a form


async def session(
    base: str, token: str, key: str, until: float, times: dict[str, list[float]], errors: list[str]
) -> None:
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
                if rng.random() < SAVES:  # save the project's cover form (its fields as stored)
                    query = f"eval={key}"
                    _, shown = await visit(ws, "project", query, "项目信息".encode())
                    button = submit_button(shown, "保存")
                    seconds, _ = await visit(ws, "project", query, "已保存封面与基本信息".encode(), press=button)
                    times.setdefault("保存（项目信息）", []).append(seconds)
                else:
                    page, query, heading = rng.choice(PAGES)
                    seconds, _ = await visit(ws, page, query.format(key=key), heading.encode())
                    times.setdefault(heading, []).append(seconds)
                await asyncio.sleep(rng.uniform(*THINK))  # a person reads before the next click
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")


def measure(base: str, people: list[tuple[str, str]], seconds: float) -> dict[str, Any]:
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    until = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(*(session(base, token, key, until, times, errors) for token, key in people))

    start = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - start
    if errors:
        print(f"  {len(errors)} 个会话出错，例如：{errors[0]}")
    every = sorted(t for ts in times.values() for t in ts)
    return {
        "sessions": len(people),
        "runs": len(every),
        "runs_per_s": len(every) / wall,
        "median_s": statistics.median(every) if every else float("nan"),
        "p95_s": _p95(every),
        "errors": len(errors),
        "actions": {name: (len(ts), statistics.median(ts), _p95(sorted(ts))) for name, ts in sorted(times.items())},
    }


def _p95(ordered: list[float]) -> float:
    """The nearest-rank 95th percentile of sorted figures."""
    return ordered[math.ceil(0.95 * len(ordered)) - 1] if ordered else float("nan")


@contextmanager
def one_server(folder: Path, url: str, env: dict[str, str]) -> Iterator[str]:
    from tests.browser.support import streamlit_server

    with streamlit_server(folder, {"DATABASE_URL": url, **env}, {}) as base:
        yield base


def report(label: str, figures: dict[str, Any]) -> None:
    print(
        f"{label}: {figures['sessions']} 个会话，{figures['runs']} 次操作，吞吐 {figures['runs_per_s']:.1f} 次/秒，"
        f"中位 {figures['median_s']:.3f} s，p95 {figures['p95_s']:.3f} s，出错会话 {figures['errors']}"
    )
    for name, (count, median, p95) in figures["actions"].items():
        print(f"    {name}：{count} 次，中位 {median:.3f} s，p95 {p95:.3f} s")


def main() -> None:
    global THINK
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, nargs=2, default=THINK, metavar=("最短", "最长"))
    parser.add_argument("--pg", help="PostgreSQL URL for the two-server run (default: a temporary cluster)")
    args = parser.parse_args()
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
        people = consultants(url, args.sessions)
        with one_server(folder, url, {}) as base:
            report("一个服务器进程（SQLite）", measure(base, people, args.seconds))
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
        pg_people = consultants(url, args.sessions)
        env = {"WORKBENCH_ATTACHMENTS": "database"}
        a, b = (tmp / "a", tmp / "b")
        a.mkdir()
        b.mkdir()
        one = stack.enter_context(one_server(a, url, env))
        two = stack.enter_context(one_server(b, url, env))
        front = stack.enter_context(nginx(tmp / "nginx", int(one.rsplit(":", 1)[1]), int(two.rsplit(":", 1)[1])))
        report("两个服务器进程 + nginx（PostgreSQL）", measure(front, pg_people, args.seconds))


if __name__ == "__main__":
    main()
