"""Realistic portfolios for the scale benchmarks: copies of the samples in data/samples with varied names,
years, departments, agencies, funds and scores, written as evaluation files or bulk-inserted into a database
in one transaction (the rows the storage code writes, scored by the same functions).

    from tests.benchmarks.generate import portfolio, insert_all
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.auth import SYSTEM
from evaluation.dashboard.summary import result_summary
from evaluation.files.data import read_data
from evaluation.files.evaluations import load_evaluation
from evaluation.model import DepartmentProject, DepartmentSummary, Evaluation
from evaluation.scoring.engine import score
from evaluation.storage.db import session_scope
from evaluation.storage.repo import save_department_summary, score_columns
from evaluation.storage.summaries import current_stamps
from evaluation.storage.tables import (
    AssessmentRow,
    EvaluationDocumentRow,
    EvaluationResultRow,
    EvaluationRow,
    utcnow,
)
from tests.conftest import SAMPLES

DEPARTMENTS = [
    f"{district}{office}"
    for district in ("东区", "西区", "仁和区", "米易县", "盐边县", "恒口示范区", "高新区", "经开区")
    for office in ("经济合作局", "财政局", "教育局", "卫生健康局", "农业农村局", "住房城乡建设局")
]
AGENCIES = ["四川天益擎业企业管理咨询有限公司", "华信会计师事务所", "正衡绩效评价中心", "蜀信工程咨询有限公司"]
STEMS = ["招商引资工作经费", "农村道路维护", "义务教育营养改善", "基层医疗设备购置", "城市绿化养护", "老旧小区改造"]
TENTHS = Decimal("0.1")


def samples() -> list[Evaluation]:
    """The sample evaluations (one third-party evaluation, twelve 自评表 records)."""
    paths = sorted(p for p in SAMPLES.rglob("*.yaml") if not p.name.startswith("department"))
    return [load_evaluation(p) for p in paths]


def _stated_scores(data: dict[str, Any], rnd: random.Random, weights: dict[str, Decimal]) -> None:
    """A 自评 record's own row scores varied (the figure of record), the stated total following them."""
    total = Decimal(0)
    for a in data["assessments"]:
        weight = weights.get(a["code"])
        if weight is None or a.get("stated") is None:
            continue
        got = (weight * Decimal(str(rnd.uniform(0.65, 1.0)))).quantize(TENTHS, ROUND_DOWN)
        a["stated"]["score"] = got
        total += got
    if data.get("stated") is not None:
        data["stated"]["total"] = total


def _overrides(data: dict[str, Any], rnd: random.Random, weights: dict[str, Decimal]) -> None:
    """A third-party evaluation's scores varied the way a consultant adjusts them: an override with its reason."""
    for a in data["assessments"]:
        weight = weights.get(a["code"])
        if weight is None or rnd.random() < 0.4:
            continue
        got = (weight * Decimal(str(rnd.uniform(0.6, 1.0)))).quantize(TENTHS, ROUND_DOWN)
        a["override"] = {"score": got, "reason": "按现场核查情况调整得分（生成数据）"}


def variant(base: Evaluation, k: int, rnd: random.Random) -> Evaluation:
    """Copy ``k`` of ``base``: its own id, name, year, department, agency, funds and scores; about one in
    twenty left partly scored (未完成)."""
    data = base.model_dump(mode="python")
    year = rnd.choice([2021, 2022, 2023, 2024, 2025])
    department = rnd.choice(DEPARTMENTS)
    data["id"] = f"gen-{year}-{k:06d}"
    data["project"].update(
        name=f"{rnd.choice(STEMS)}（{department}第{k % 97 + 1}批）",
        department=department,
        year=year,
        agency="" if base.kind == "self_evaluation" else rnd.choice(AGENCIES),
    )
    for field in ("period_start", "period_end", "report_month"):
        if data["project"].get(field):
            data["project"][field] = f"{year + 1}-{data['project'][field][5:]}"
    budget = Decimal(str(round(rnd.uniform(5, 500), 2)))
    spent = (budget * Decimal(str(rnd.uniform(0.6, 1.0)))).quantize(Decimal("0.01"))
    funds = data["facts"]["funds"]
    if funds.get("adjusted_budget") is not None:
        funds.update(adjusted_budget=budget, spent=spent, breakdown=[])
    for row in (data.get("self_evaluation") or {}).get("budget_rows", [])[:1]:
        row.update(annual=budget, executed=spent, initial=None, rate=None, score=None)
    weights = {ind.code: ind.weight for _, _, ind in base.system.indicators()}
    if base.kind == "self_evaluation":
        _stated_scores(data, rnd, weights)
    else:
        _overrides(data, rnd, weights)
    if rnd.random() < 0.05:  # 未完成: a few indicators not scored yet
        data["assessments"] = data["assessments"][: max(1, len(data["assessments"]) // 2)]
    return Evaluation.model_validate(data)


def portfolio(n: int, seed: int = 7) -> Iterator[Evaluation]:
    """``n`` evaluations: about a third third-party evaluations, the rest 自评 records."""
    rnd = random.Random(seed)
    bases = samples()
    third = [b for b in bases if b.kind == "third_party"]
    own = [b for b in bases if b.kind == "self_evaluation"]
    for k in range(n):
        base = rnd.choice(third) if rnd.random() < 0.33 else rnd.choice(own)
        yield variant(base, k, rnd)


def department_reports(evaluations: Iterable[Evaluation], seed: int = 7) -> list[DepartmentSummary]:
    """One 部门自评报告 per department and year that has 自评 records (for 48 departments over 5 years, up to 240),
    each a copy of the sample report listing that department's records of the year, with the figures it states
    (budget, spending, rate, scores — some stated differently from the records, as real reports do)."""
    rnd = random.Random(seed)
    base = DepartmentSummary.model_validate(read_data(SAMPLES / "hengkou" / "department-2024.yaml"))
    groups: dict[tuple[str, int], list[Evaluation]] = {}
    for ev in evaluations:
        if ev.kind == "self_evaluation":
            groups.setdefault((ev.project.department, ev.project.year), []).append(ev)
    reports = []
    for n, ((department, year), records) in enumerate(sorted(groups.items())):
        projects = []
        for ev in records:
            row = ev.self_evaluation.budget_rows[0] if ev.self_evaluation and ev.self_evaluation.budget_rows else None
            budget = row.annual if row is not None else None
            spent = row.executed if row is not None else None
            if spent is not None and rnd.random() < 0.1:  # a report that states another figure than the record
                spent = (spent * Decimal("0.98")).quantize(Decimal("0.01"))
            projects.append(
                DepartmentProject(
                    evaluation_id=ev.id, name=ev.project.name, budget_source="年初预算", budget=budget, spent=spent
                )
            )
        total = sum((p.budget or Decimal(0) for p in projects), Decimal(0))
        spent_total = sum((p.spent or Decimal(0) for p in projects), Decimal(0))
        stated = base.stated.model_copy(
            update={
                "project_count": len(projects),
                "evaluated_count": len(projects),
                "total_budget": total,
                "spent": spent_total,
                "rate": f"{spent_total / total * 100:.2f}%" if total else None,
            }
        )
        reports.append(
            base.model_copy(
                update={
                    "id": f"gen-dept-{year}-{n:03d}",
                    "department": department,
                    "year": year,
                    "title": f"{year}年度{department}预算绩效自评报告",
                    "stated": stated,
                    "projects": projects,
                }
            )
        )
    return reports


def insert_department_reports(engine: Engine, reports: Iterable[DepartmentSummary]) -> int:
    """Store the reports as ``workbench import`` does (one transaction, one audit entry each)."""
    with session_scope(engine) as session:
        return sum(1 for r in reports if save_department_summary(session=session, summary=r, user=SYSTEM))


def write_files(folder: Path, evaluations: Iterable[Evaluation]) -> list[Path]:
    from evaluation.files.data import write_file
    from evaluation.files.evaluations import dump_evaluation

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for ev in evaluations:
        path = folder / f"{ev.id}.yaml"
        write_file(path, dump_evaluation(ev))
        paths.append(path)
    return paths


def insert_all(engine: Engine, evaluations: Iterable[Evaluation], batch: int = 500) -> int:
    """Insert the evaluations in one transaction: the rows ``create_evaluation`` writes (the evaluation with its
    stored figures, its assessments, its dashboard summary), without its per-evaluation audit entry."""
    n = 0
    now = utcnow()
    with engine.begin() as conn:
        session = Session(bind=conn)
        pending: list[Evaluation] = []

        def flush() -> None:
            results = [score(ev) for ev in pending]
            rows = [
                {
                    "key": ev.id,
                    "kind": ev.kind,
                    "project_name": ev.project.name,
                    "department": ev.project.department,
                    "agency": ev.project.agency,
                    "year": ev.project.year,
                    "category": ev.project.category,
                    "template_id": ev.system.id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                    **score_columns(ev, result),
                }
                for ev, result in zip(pending, results, strict=True)
            ]
            returning = insert(EvaluationRow).returning(EvaluationRow.id, sort_by_parameter_order=True)  # type: ignore[arg-type]
            ids = [int(i) for i in conn.execute(returning, rows).scalars().all()]
            conn.execute(
                insert(EvaluationDocumentRow),  # type: ignore[arg-type]
                [
                    {"evaluation_id": eid, "document": ev.model_dump(mode="json", exclude={"assessments"})}
                    for eid, ev in zip(ids, pending, strict=True)
                ],
            )
            conn.execute(
                insert(AssessmentRow),  # type: ignore[arg-type]
                [
                    {
                        "evaluation_id": eid,
                        "code": a.code,
                        "position": pos,
                        "data": a.model_dump(mode="json"),
                        "version": 1,
                        "updated_at": now,
                    }
                    for eid, ev in zip(ids, pending, strict=True)
                    for pos, a in enumerate(ev.assessments)
                ],
            )
            stamps = current_stamps(session=session, ids=ids)
            conn.execute(
                insert(EvaluationResultRow),  # type: ignore[arg-type]
                [
                    {"evaluation_id": eid, "stamp": stamps[eid][1], "data": result_summary(ev, result)}
                    for eid, ev, result in zip(ids, pending, results, strict=True)
                ],
            )
            pending.clear()

        for ev in evaluations:
            pending.append(ev)
            n += 1
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
    return n
