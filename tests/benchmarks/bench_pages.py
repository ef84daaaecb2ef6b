"""Page benchmark (run on request, not part of the test suite):

    .venv/bin/python -m tests.benchmarks.bench_pages

Server time of one evidence edit on the 证据与评分 page of a 60-indicator evaluation: the submitted
finding is saved, the evaluation reloaded and rescored, and the page drawn again (AppTest, SQLite).
Target: < 0.3 s.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from evaluation.auth import SYSTEM
from evaluation.config import REPO_ROOT
from evaluation.indicators.system import IndicatorSystem
from evaluation.model import Assessment, Evaluation
from evaluation.storage.db import make_engine, migrate, session_scope
from evaluation.storage.repo import create_evaluation
from evaluation.storage.sessions import start_session
from evaluation.storage.users import create_user

RULES: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    ({"method": "deduction", "points_per_finding": 1}, {"findings": [{"text": "问题"}]}, ""),
    ({"method": "ratio", "direction": "positive"}, {"actual": "开展活动36次"}, "40次以上"),
    (
        {
            "method": "checklist",
            "items": [{"key": "a", "text": "甲", "points": 2}, {"key": "b", "text": "乙", "points": 3}],
        },
        {"answers": {"a": True, "b": False}},
        "",
    ),
    ({"method": "qualitative"}, {"band": "达成", "score": "4.5"}, "良好"),
]


def evaluation(n: int = 60) -> Evaluation:
    groups = []
    assessments = []
    for g in range(n // 10):
        indicators = []
        for i in range(10):
            rule, inputs, target = RULES[(g * 10 + i) % len(RULES)]
            code = f"B{g}.{i}"
            indicators.append({"code": code, "name": f"指标{code}", "weight": 5, "target": target, "rule": rule})
            assessments.append(Assessment.model_validate({"code": code, "inputs": inputs}))
        groups.append({"code": f"B{g}", "name": f"二级{g}", "indicators": indicators})
    system = IndicatorSystem.model_validate(
        {
            "id": "bench",
            "name": "基准体系",
            "total": Decimal(5 * n),
            "groups": [{"code": "L", "name": "一级", "groups": groups}],
        }
    )
    return Evaluation.model_validate(
        {
            "id": "bench-60",
            "project": {"name": "基准项目", "department": "基准局", "year": 2024},
            "system": system.model_dump(mode="python"),
            "assessments": [a.model_dump(mode="python") for a in assessments],
        }
    )


def main(repeat: int = 10) -> float:
    from streamlit.testing.v1 import AppTest

    tmp = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["WORKBENCH_DATA_DIR"] = str(tmp)
    os.environ["WORKBENCH_SAMPLES"] = str(tmp / "no-samples")
    (tmp / "no-samples").mkdir()
    engine = make_engine(os.environ["DATABASE_URL"])
    migrate(engine)
    with session_scope(engine) as session:
        create_evaluation(session=session, evaluation=evaluation(), user=SYSTEM)
    engine.dispose()

    with session_scope(engine) as session:
        user = create_user(session=session, username="bench", password="bench-password-1", role="管理员")
        token = start_session(session=session, user=user)
    engine.dispose()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.session_state["wb_user"] = asdict(user)
    at.session_state["wb_token"] = token
    at.run()
    at.session_state["wb_current_evaluation"] = "bench-60"
    at.switch_page("pages/evidence.py").run()
    at.selectbox(key="wb_pick_indicator@bench-60").set_value("B0.0").run()
    assert not at.exception, at.exception
    times = []
    for n in range(repeat):
        key = "ev@bench-60@B0.0@inputs.findings"
        at.session_state[key] = {
            "edited_rows": {},
            "added_rows": [{"问题描述": f"新发现的问题 {n}"}],
            "deleted_rows": [],
        }
        button = next(b for b in at.form_submit_button if b.form_id.startswith("inputs@"))
        start = time.perf_counter()
        button.click().run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        assert any(f"发现 {n + 2} 处问题" in s.value for s in at.success), [s.value for s in at.success]
    median = statistics.median(times)
    print(
        f"证据编辑 → 重新评分并重绘页面（60 项指标，AppTest）：中位数 {median:.3f} s，"
        f"最慢 {max(times):.3f} s（{repeat} 次）"
    )
    return median


if __name__ == "__main__":
    main()
