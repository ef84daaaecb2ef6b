"""The dashboard's cached score summaries: right numbers, reused while fresh, recomputed when stale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from evaluation.auth import SYSTEM
from evaluation.dashboard.portfolio import frames_from_summaries
from evaluation.model import Assessment
from evaluation.storage import repo, results
from evaluation.storage.db import session_scope
from evaluation.storage.tables import EvaluationResultRow


@pytest.fixture
def engine(sample_engine: Engine) -> Engine:
    return sample_engine


def test_summaries_are_cached_and_refreshed_after_a_save(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = results.score

    def counting(ev):  # type: ignore[no-untyped-def]
        calls.append(ev.id)
        return real(ev)

    monkeypatch.setattr(results, "score", counting)
    with session_scope(engine) as s:
        first = results.load_summaries(session=s)
    assert len(first) == 13 and len(calls) == 13
    pzh = next(x for x in first if x["id"] == "panzhihua-2023-zhaoshang")
    assert (Decimal(pzh["total"]), pzh["grade"], pzh["budget"]) == (Decimal(88), "良", "220")
    calls.clear()
    with session_scope(engine) as s:
        again = results.load_summaries(session=s)
    assert calls == [] and again == first
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "100万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        repo.save_assessment(
            session=s, ref="panzhihua-2023-zhaoshang", assessment=better, expected_version=1, user=SYSTEM
        )
    with session_scope(engine) as s:
        fresh = results.load_summaries(session=s)
    assert calls == ["panzhihua-2023-zhaoshang"]
    frames = frames_from_summaries(fresh)
    row = frames.projects[frames.projects["评价编号"] == "panzhihua-2023-zhaoshang"].iloc[0]
    assert (row["得分"], row["等级"]) == (96.0, "优")


def test_deleting_an_evaluation_drops_its_summary(engine: Engine) -> None:
    with session_scope(engine) as s:
        results.load_summaries(session=s)
    with session_scope(engine) as s:
        repo.delete_evaluation(session=s, ref="panzhihua-2023-zhaoshang", user=SYSTEM)
    with session_scope(engine) as s:
        remaining = results.load_summaries(session=s)
        cached = s.exec(select(EvaluationResultRow)).all()
    assert len(remaining) == 12 and len(cached) == 12
