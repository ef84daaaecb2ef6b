"""The dashboard's cached score summaries: right numbers, reused while fresh, recomputed when stale."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from evaluation.auth import SYSTEM
from evaluation.dashboard.portfolio import Frames, frames_from_summaries
from evaluation.indicators.library import Library
from evaluation.lifecycle import new_evaluation
from evaluation.model import Assessment, Project
from evaluation.storage import repo, results, summaries
from evaluation.storage.db import session_scope
from evaluation.storage.tables import EvaluationResultRow
from tests.conftest import calls_of, statements_run, summary_reads


@pytest.fixture
def engine(sample_engine: Engine) -> Engine:
    return sample_engine


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The evaluations the read path scores again (the ids, in order)."""
    with calls_of(monkeypatch, results, "score", lambda ev: ev.id) as calls:
        yield calls


PZH = "panzhihua-2023-zhaoshang"
BETTER = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "100万美元", "target": "100万美元"}})


def test_every_save_stores_the_summary_so_reading_scores_nothing(engine: Engine, counted: list[str]) -> None:
    with session_scope(engine) as s:
        first = results.load_summaries(session=s)
    assert len(first) == 13 and counted == []  # stored by the import of the samples
    pzh = next(x for x in first if x["id"] == "panzhihua-2023-zhaoshang")
    assert (Decimal(pzh["total"]), pzh["grade"], pzh["budget"]) == (Decimal(88), "良", "220")
    with session_scope(engine) as s:
        repo.save_assessment(
            session=s, ref="panzhihua-2023-zhaoshang", assessment=BETTER, expected_version=1, user=SYSTEM
        )
    with session_scope(engine) as s:
        fresh = results.load_summaries(session=s)
    assert counted == []
    frames = frames_from_summaries(fresh)
    row = frames.projects[frames.projects["评价编号"] == "panzhihua-2023-zhaoshang"].iloc[0]
    assert (row["得分"], row["等级"]) == (96.0, "优")


def test_a_stale_or_missing_summary_is_recomputed_once(engine: Engine, counted: list[str]) -> None:
    with session_scope(engine) as s:
        ids = {key: i for i, (key, _) in summaries.current_stamps(session=s).items()}
        s.execute(
            delete(EvaluationResultRow).where(col(EvaluationResultRow.evaluation_id) == ids["panzhihua-2023-zhaoshang"])
        )
        stale = s.get(EvaluationResultRow, ids["hengkou-2024-zsj-10-tijian"])
        assert stale is not None
        stale.stamp, stale.data = "v0|older", {}
        s.add(stale)
    with session_scope(engine) as s:
        first = results.load_summaries(session=s)
    assert sorted(counted) == ["hengkou-2024-zsj-10-tijian", "panzhihua-2023-zhaoshang"]
    assert next(x for x in first if x["id"] == "hengkou-2024-zsj-10-tijian")["total"] == "89"
    counted.clear()
    with session_scope(engine) as s:
        again = results.load_summaries(session=s)
    assert counted == [] and again == first


def test_deleting_an_evaluation_drops_its_summary(engine: Engine) -> None:
    with session_scope(engine) as s:
        results.load_summaries(session=s)
    with session_scope(engine) as s:
        repo.delete_evaluation(session=s, ref="panzhihua-2023-zhaoshang", user=SYSTEM)
    with session_scope(engine) as s:
        remaining = results.load_summaries(session=s)
        cached = s.exec(select(EvaluationResultRow)).all()
    assert len(remaining) == 12 and len(cached) == 12


def _fresh_frames(engine: Engine) -> Frames:
    with session_scope(engine) as s:
        return frames_from_summaries(sorted(results.load_summaries(session=s), key=lambda x: str(x["id"])))


def test_the_portfolio_is_kept_between_reads_and_follows_every_save(
    engine: Engine, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = results.PortfolioCache()
    with session_scope(engine) as s:
        first = cache.read(session=s)
        assert cache.read(session=s) is first  # nothing saved: the same frames, no summary read
    assert len(first) == 13
    assert list(first.frames.projects["评价编号"]) == sorted(first.frames.projects["评价编号"])
    with summary_reads(monkeypatch) as read:
        with session_scope(engine) as s:  # a save elsewhere (another page, another server process)
            repo.save_assessment(
                session=s, ref="panzhihua-2023-zhaoshang", assessment=BETTER, expected_version=1, user=SYSTEM
            )
        with session_scope(engine) as s:
            saved = cache.read(session=s)
            pzh_id = next(
                i for i, (key, _) in summaries.current_stamps(session=s).items() if key == "panzhihua-2023-zhaoshang"
            )
    assert saved is not first and saved.key != first.key
    assert read == [[pzh_id]] and counted == []  # only the saved evaluation's summary is read
    p = saved.frames.projects.set_index("评价编号")
    assert (p.loc["panzhihua-2023-zhaoshang", "得分"], p.loc["panzhihua-2023-zhaoshang", "等级"]) == (96.0, "优")
    before = first.frames.projects.set_index("评价编号")
    assert before.loc["panzhihua-2023-zhaoshang", "得分"] == 88.0  # frames handed out earlier do not change
    for name in ("projects", "groups", "indicators"):
        pd.testing.assert_frame_equal(getattr(saved.frames, name), getattr(_fresh_frames(engine), name))


def test_the_portfolio_drops_a_deleted_evaluation_and_adds_a_new_one(engine: Engine, library: Library) -> None:
    cache = results.PortfolioCache()
    with session_scope(engine) as s:
        cache.read(session=s)
    with session_scope(engine) as s:
        repo.delete_evaluation(session=s, ref="hengkou-2024-zsj-10-tijian", user=SYSTEM)
        ev = new_evaluation(
            id="eval-2024-1",
            project=Project(name="新项目", department="某局", year=2024),
            template=library.systems["gongxing-2020"],
        )
        repo.create_evaluation(session=s, evaluation=ev, user=SYSTEM)
    with session_scope(engine) as s:
        now = cache.read(session=s)
    keys = list(now.frames.projects["评价编号"])
    assert "hengkou-2024-zsj-10-tijian" not in keys and "eval-2024-1" in keys and len(keys) == 13
    assert not now.frames.projects.set_index("评价编号").loc["eval-2024-1", "完成"]
    for name in ("projects", "groups", "indicators"):
        pd.testing.assert_frame_equal(getattr(now.frames, name), getattr(_fresh_frames(engine), name))


def test_the_stamps_come_from_the_rows_without_their_documents(engine: Engine) -> None:
    with statements_run(engine) as statements, session_scope(engine) as s:
        stamps = summaries.current_stamps(session=s)
    assert len(stamps) == 13 and statements
    assert all("document" not in x for x in statements), statements


def _same_frames(a: Frames, b: Frames) -> None:
    for name in ("projects", "groups", "indicators"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_a_new_process_starts_from_the_snapshot_and_reads_only_what_changed_since(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first 对比分析 after a server start: the frames come from the snapshot the previous process wrote,
    and only the evaluations saved since are read from the database — the same frames as a full build."""
    file = results.snapshot_path(tmp_path, str(engine.url))
    with session_scope(engine) as s:
        results.PortfolioCache(file).read(session=s)  # the previous process: a full build, written
    assert file.is_file()
    with session_scope(engine) as s:  # saved after that process wrote its snapshot
        repo.save_assessment(session=s, ref=PZH, assessment=BETTER, expected_version=1, user=SYSTEM)
    with summary_reads(monkeypatch) as read, session_scope(engine) as s:
        started = results.PortfolioCache(file).read(session=s)
        pzh_id = next(i for i, (key, _) in summaries.current_stamps(session=s).items() if key == PZH)
    assert read == [[pzh_id]]  # one summary read, not thirteen
    assert started.frames.projects.set_index("评价编号").loc[PZH, "得分"] == 96.0
    _same_frames(started.frames, _fresh_frames(engine))


@pytest.mark.parametrize(
    "spoil",
    [
        lambda b: b[: len(b) // 2],  # cut short (a full disk)
        lambda b: b"not a snapshot",
        lambda b: b.replace(b'"format": 1', b'"format": 9'),  # written by another version
        lambda b: b[:-10] + b"0123456789",  # a damaged stream
    ],
)
def test_a_damaged_or_foreign_snapshot_is_ignored(engine: Engine, tmp_path: Path, spoil: Any) -> None:
    file = results.snapshot_path(tmp_path, str(engine.url))
    with session_scope(engine) as s:
        results.PortfolioCache(file).read(session=s)
    file.write_bytes(spoil(file.read_bytes()))
    with session_scope(engine) as s:
        started = results.PortfolioCache(file).read(session=s)
    _same_frames(started.frames, _fresh_frames(engine))
    assert results.read_snapshot(file) is not None  # the full build wrote a good one again


def test_the_snapshot_is_written_again_after_enough_changes(engine: Engine, tmp_path: Path) -> None:
    file = results.snapshot_path(tmp_path, str(engine.url))
    cache = results.PortfolioCache(file)
    cache.SNAPSHOT_EVERY = 1
    with session_scope(engine) as s:
        cache.read(session=s)
    written = file.stat().st_mtime_ns
    with session_scope(engine) as s:
        repo.save_assessment(session=s, ref=PZH, assessment=BETTER, expected_version=1, user=SYSTEM)
    with session_scope(engine) as s:
        now = cache.read(session=s)
    kept = results.read_snapshot(file)
    assert kept is not None and file.stat().st_mtime_ns != written
    assert kept.stamps == now.stamps
    _same_frames(kept.frames, now.frames)
