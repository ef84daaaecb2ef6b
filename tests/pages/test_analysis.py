"""AppTest of the 对比分析 page on the sample data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.auth import SYSTEM
from evaluation.indicators.library import load_library
from evaluation.lifecycle import new_evaluation
from evaluation.model import Assessment, Project
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import create_evaluation, save_assessment
from tests.conftest import LIBRARY, calls_of, summary_reads
from tests.pages.support import new_app


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    import streamlit as st

    st.cache_data.clear()
    return new_app(tmp_path, monkeypatch, script="pages/analysis.py")


def test_dashboard_renders_every_chart_with_its_reading(app: AppTest) -> None:
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == "对比分析"
    readings = [c.value for c in app.caption]
    assert readings[0].startswith("当前范围：13 个评价（共 13 个）")
    assert any("共 13 个评价，平均" in r for r in readings)
    # the departments’ own figures: 干部体检’s rows give 89 (良), the rules would give 94 (优)
    assert any(r == "共 13 个评价：优 11 个，良 2 个。" for r in readings)
    assert len(app.expander) == 9  # one data table per chart, no 未完成 list


def test_filters_narrow_every_chart(app: AppTest) -> None:
    app.run()
    app.sidebar.multiselect(key="analysis_评价类型").set_value(["第三方评价"]).run()
    assert not app.exception
    readings = [c.value for c in app.caption]
    assert readings[0].startswith("当前范围：1 个评价")
    assert "共 1 个评价：良 1 个。" in readings
    app.sidebar.multiselect(key="analysis_等级").set_value(["优"]).run()  # no third-party 优 in the samples
    assert any("没有符合筛选条件的评价" in w.value for w in app.warning)


def test_an_unscored_evaluation_is_listed_as_unfinished_not_counted(app: AppTest, tmp_path: Path) -> None:
    app.run()  # loads the samples
    engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        ev = new_evaluation(
            id="eval-2024-1",
            project=Project(name="尚未评分的项目", department="某局", year=2024),
            template=load_library(LIBRARY).systems["gongxing-2020"],
        )
        with session_scope(engine) as session:
            create_evaluation(session=session, evaluation=ev, user=SYSTEM)
    finally:
        engine.dispose()
    app.run()
    assert not app.exception, app.exception
    readings = [c.value for c in app.caption]
    assert readings[0].startswith("当前范围：13 个评价（共 14 个）。另有 1 个未完成评分的评价不计入")
    assert "共 13 个评价：优 11 个，良 2 个。" in readings  # not 差 for the empty one
    assert any(e.label == "未完成的评价（1 个）" for e in app.expander)


def test_a_rerun_reads_no_summary_and_a_save_elsewhere_shows_at_once(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.run()  # loads the samples
    with summary_reads(monkeypatch) as read:
        app.run()
        assert not app.exception and read == []  # nothing saved since: the kept portfolio, no summary read
        better = Assessment.model_validate(
            {"code": "GX.JJ.01", "inputs": {"actual": "100万美元", "target": "100万美元"}}
        )
        engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
        try:
            with session_scope(engine) as session:
                save_assessment(
                    session=session, ref="panzhihua-2023-zhaoshang", assessment=better, expected_version=1, user=SYSTEM
                )
        finally:
            engine.dispose()
        app.run()
    assert not app.exception, app.exception
    assert len(read) == 1  # the one saved evaluation's summary
    assert "共 13 个评价：优 12 个，良 1 个。" in [c.value for c in app.caption]  # 88 (良) became 96 (优)


def test_no_excel_file_is_built_while_the_page_runs(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.dashboard

    with calls_of(monkeypatch, ui.dashboard, "tables_to_xlsx", lambda tables: list(tables)) as built:
        app.run()
        app.sidebar.multiselect(key="analysis_评价类型").set_value(["绩效自评"]).run()
    assert not app.exception, app.exception
    assert len(app.get("download_button")) == 9  # one per chart table but the empty 自评 vs 第三方, one for all
    assert built == []  # built only when a download button is clicked
