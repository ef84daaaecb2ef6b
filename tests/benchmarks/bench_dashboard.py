"""Dashboard benchmark (run on request):

    .venv/bin/python -m tests.benchmarks.bench_dashboard

2,000 generated evaluations × 20 indicators: prints the seconds to filter the portfolio frames and
build every chart (target < 1 s), and the seconds to build the frames from scored evaluations.
"""

from __future__ import annotations

import random
import time

import pandas as pd

from evaluation.dashboard.charts import all_charts
from evaluation.dashboard.portfolio import (
    GROUP_COLUMNS,
    INDICATOR_COLUMNS,
    PROJECT_COLUMNS,
    Filters,
    Frames,
    filter_frames,
)
from evaluation.storage.tables import EvaluationResultRow

GRADES = [(90, "优"), (80, "良"), (60, "中"), (0, "差")]


def generated(n: int = 2000, per: int = 20, seed: int = 7) -> Frames:
    rnd = random.Random(seed)
    projects, groups, indicators = [], [], []
    departments = [f"部门{i:02d}" for i in range(40)]
    for k in range(n):
        key = f"e{k:05d}"
        name = f"项目{k % 700:03d}"
        total = 0.0
        by_group: dict[str, list[float]] = {}
        for j in range(per):
            weight = 5.0
            got = round(weight * rnd.uniform(0.4, 1.0), 2)
            total += got
            group = ["决策", "过程", "产出", "效益"][j % 4]
            by_group.setdefault(group, []).append(got)
            indicators.append(
                [
                    key,
                    name,
                    group,
                    f"二级{j % 8}",
                    f"指标{j:02d}",
                    weight,
                    got,
                    round(weight - got, 2),
                    got / weight * 100,
                ]
            )
        for group, scores in by_group.items():
            groups.append([key, name, group, 5.0 * len(scores), sum(scores), sum(scores) / (5.0 * len(scores)) * 100])
        grade = next(g for m, g in GRADES if total >= m)
        budget = rnd.uniform(5, 500)
        spent = budget * rnd.uniform(0.6, 1.0)
        projects.append(
            [
                key,
                name,
                rnd.choice(departments),
                rnd.choice(["行政运转", "基础设施建设", "专项补助补贴"]),
                rnd.choice(["第三方评价", "绩效自评"]),
                rnd.choice(["甲机构", "乙机构", "（自评）"]),
                rnd.choice([2022, 2023, 2024]),
                round(total, 2),
                grade,
                budget,
                spent,
                spent / budget * 100,
            ]
        )
    return Frames(
        pd.DataFrame(projects, columns=PROJECT_COLUMNS),
        pd.DataFrame(groups, columns=GROUP_COLUMNS),
        pd.DataFrame(indicators, columns=INDICATOR_COLUMNS),
    )


def summaries_from_frames(frames: Frames) -> list[dict[str, object]]:
    """The same generated portfolio as the cached summaries the database holds."""
    kinds = {"第三方评价": "third_party", "绩效自评": "self_evaluation"}
    groups = frames.groups.groupby("评价编号")
    indicators = frames.indicators.groupby("评价编号")
    out: list[dict[str, object]] = []
    for p in frames.projects.itertuples(index=False):
        key = p[0]
        out.append(
            {
                "id": key,
                "name": p[1],
                "department": p[2],
                "category": p[3],
                "kind": kinds[p[4]],
                "agency": p[5],
                "year": p[6],
                "total": str(p[7]),
                "grade": p[8],
                "budget": str(p[9]),
                "spent": str(p[10]),
                "groups": [
                    [g[2], str(g[3]), str(g[4]), str(g[5])] for g in groups.get_group(key).itertuples(index=False)
                ],
                "indicators": [
                    [i[2], i[3], i[4], str(i[5]), str(i[6]), str(i[7]), str(i[8])]
                    for i in indicators.get_group(key).itertuples(index=False)
                ],
            }
        )
    return out


def database_round(frames: Frames) -> None:
    """Load the 2,000 cached summaries from a SQLite database, build the frames and every chart."""
    import tempfile
    from pathlib import Path

    from evaluation.dashboard.portfolio import frames_from_summaries
    from evaluation.storage import results
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.summaries import current_stamps
    from evaluation.storage.tables import EvaluationRow

    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        summaries = summaries_from_frames(frames)
        with session_scope(engine) as s:
            for d in summaries:
                s.add(
                    EvaluationRow(
                        key=str(d["id"]),
                        kind=str(d["kind"]),
                        project_name=str(d["name"]),
                        department=str(d["department"]),
                        year=int(d["year"]),  # type: ignore[call-overload]
                        template_id="bench",
                    )
                )
        with session_scope(engine) as s:
            stamps = current_stamps(session=s)
            by_key = {key: (eid, stamp) for eid, (key, stamp) in stamps.items()}
            for d in summaries:
                eid, stamp = by_key[str(d["id"])]
                s.add(EvaluationResultRow(evaluation_id=eid, stamp=stamp, data=d))
        start = time.perf_counter()
        with session_scope(engine) as s:
            loaded = results.load_summaries(session=s)
        t_load = time.perf_counter() - start
        start = time.perf_counter()
        f = frames_from_summaries(loaded)
        t_frames = time.perf_counter() - start
        start = time.perf_counter()
        charts = all_charts(f)
        t_charts = time.perf_counter() - start
        engine.dispose()
    total = t_load + t_frames + t_charts
    print(
        f"从数据库：读取 {len(loaded)} 份缓存得分 {t_load:.3f} s + 组表 {t_frames:.3f} s + {len(charts)} 张图表 "
        f"{t_charts:.3f} s = {total:.3f} s（目标 < 1 s）"
    )


def main() -> None:
    frames = generated()
    print(f"生成数据：{len(frames.projects)} 个评价，{len(frames.indicators)} 条指标得分")
    for label, f in [("不筛选", Filters()), ("筛选 2024 年第三方评价", Filters(years=[2024], kinds=["第三方评价"]))]:
        start = time.perf_counter()
        runs = 3
        for _ in range(runs):
            charts = all_charts(filter_frames(frames, f))
        seconds = (time.perf_counter() - start) / runs
        print(f"{label}：筛选 + {len(charts)} 张图表 {seconds:.3f} s（{runs} 次平均，目标 < 1 s）")
    database_round(frames)


if __name__ == "__main__":
    main()
