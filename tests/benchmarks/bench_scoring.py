"""Scoring benchmark (run on request, not part of the test suite):

    .venv/bin/python -m tests.benchmarks.bench_scoring

Prints seconds for scoring 10,000 indicators of mixed rules in one system, and for rescoring one
full evaluation (the Panzhihua sample) as a page does after each save.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.system import IndicatorSystem, Level1
from evaluation.model import Assessment
from evaluation.scoring.engine import score, score_system
from tests.conftest import SAMPLES


def rules_for(weight: Decimal) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    """Seven kinds of rule with their inputs, their points scaled to an indicator of ``weight`` points."""
    w = weight / 10
    return [
        ({"method": "deduction", "points_per_finding": 2 * w}, {"findings": [{"text": "问题"}]}, ""),
        ({"method": "ratio", "direction": "auto"}, {"actual": "已支出14.97万元"}, "≤15万元"),
        ({"method": "ratio", "direction": "positive"}, {"actual": "开展活动36次"}, "5次以上"),
        (
            {
                "method": "checklist",
                "items": [{"key": "a", "text": "甲", "points": 4 * w}, {"key": "b", "text": "乙", "points": 6 * w}],
            },
            {"answers": {"a": True, "b": False}},
            "",
        ),
        (
            {
                "method": "bands",
                "measure": "偏离度",
                "bands": [{"limit": 15, "points": 10 * w}, {"limit": 30, "points": 5 * w}, {"points": 0}],
            },
            {"count": 3, "of": 12},
            "",
        ),
        ({"method": "qualitative"}, {"band": "达成", "score": str(Decimal("8.5") * w)}, "良好"),
        ({"method": "timeliness"}, {"planned_duration": 100, "actual_duration": 120}, ""),
    ]


RULES = rules_for(Decimal(10))


def big_system(n: int, weight: Decimal = Decimal(10)) -> tuple[IndicatorSystem, list[Assessment]]:
    """``n`` indicators of ``weight`` points in groups of 100, the seven rules in turn, each with inputs."""
    rules = rules_for(weight)
    groups = []
    assessments = []
    per_group = 100
    for g in range(n // per_group):
        indicators = []
        for i in range(per_group):
            rule, inputs, target = rules[(g * per_group + i) % len(rules)]
            code = f"G{g}.{i}"
            indicators.append({"code": code, "name": f"指标{code}", "weight": weight, "target": target, "rule": rule})
            assessments.append(Assessment.model_validate({"code": code, "inputs": inputs}))
        groups.append({"code": f"G{g}", "name": f"二级{g}", "indicators": indicators})
    # every group and indicator is validated; the system itself is assembled without the check that a file's
    # total stays within 10 000 points (10 points × 100 000 indicators is far past any real system)
    level1 = Level1.model_validate({"code": "L1", "name": "一级", "groups": groups})
    small = IndicatorSystem.model_validate(
        {
            "id": "bench",
            "name": "基准",
            "total": 10,
            "groups": [
                {"code": "L1", "name": "一级", "groups": [groups[0] | {"indicators": groups[0]["indicators"][:1]}]}
            ],
        }
    )
    system = small.model_copy(update={"total": weight * n, "groups": [level1]})
    return system, assessments


def timed(label: str, fn: Any, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    seconds = (time.perf_counter() - start) / repeat
    print(f"{label}: {seconds:.4f} s（{repeat} 次平均）")
    return seconds


def main() -> None:
    system, assessments = big_system(10_000)
    t_big = timed("评分 10,000 个三级指标（7 种规则混合）", lambda: score_system(system, assessments), 3)
    print(f"  每个指标约 {t_big / 10_000 * 1e6:.1f} 微秒")
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    timed("重新评分一个完整评价（攀枝花样例，15 项指标 + 2 个扣分项）", lambda: score(ev), 200)
    t_load = timed(
        "读取并校验一个评价文件（攀枝花样例）",
        lambda: load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml"),
        20,
    )
    print(f"  读取校验 / 评分 之比：{t_load / (t_big / 10_000 * 17):.1f}")


if __name__ == "__main__":
    main()
