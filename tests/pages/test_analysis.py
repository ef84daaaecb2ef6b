"""AppTest of the 对比分析 page on the sample data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
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


def test_a_long_table_shows_its_first_rows_and_the_excel_holds_all(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.dashboard
    import ui.downloads

    app.run()
    whole = {e.label: e.dataframe[0].value for e in app.expander}  # nothing is cut at the 13 samples' size
    assert not [c for e in app.expander for c in e.caption]
    heat = whole["项目 × 指标得分率热力图：数据表"]
    assert heat.shape[0] == 13
    monkeypatch.setattr(ui.dashboard, "PAGE_ROWS", 5)
    with calls_of(
        monkeypatch, ui.downloads, "download_button", lambda _label, build, **kw: (kw["file_name"], build)
    ) as built:
        app.sidebar.multiselect(key="analysis_评价类型").set_value(["绩效自评", "第三方评价"]).run()  # new charts
    assert not app.exception, app.exception
    shown = {e.label: e for e in app.expander}
    cut = shown["项目 × 指标得分率热力图：数据表"]
    assert cut.dataframe[0].value.equals(heat.iloc[:5])
    assert [c.value for c in cut.caption] == ["表格共 13 行，此处显示前 5 行；全部数据请下载 Excel。"]
    pareto = shown["失分分布（帕累托图）：数据表"]
    assert pareto.dataframe[0].value.equals(whole["失分分布（帕累托图）：数据表"].iloc[:5])
    assert pareto.caption[0].value.startswith(f"表格共 {len(whole['失分分布（帕累托图）：数据表'])} 行")
    assert not shown["等级分布：数据表"].caption  # two rows: all of it, no note
    # the Excel file of the cut table holds every row and column
    build = dict(built)["项目 × 指标得分率热力图.xlsx"]
    sheet = load_workbook(io.BytesIO(build(SYSTEM))).active
    assert (sheet.max_row, sheet.max_column) == (14, heat.shape[1])  # a header row and the 13 projects


def test_past_the_limit_the_projects_to_compare_are_found_by_typing_and_kept(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.dashboard

    monkeypatch.setattr(ui.dashboard, "PICK_ALL", 5)  # the 13 samples stand for a portfolio too large to list
    monkeypatch.setattr(ui.dashboard, "SHORT_LIST", 3)
    app.run()
    pick = app.multiselect(key="analysis_compare")
    lowest = list(pick.value)
    assert len(lowest) == 5 and len(pick.options) == 5 + 3  # the chosen, then the first three of the rest
    app.text_input(key="analysis_find").input("文联").run()
    pick = app.multiselect(key="analysis_compare")
    assert pick.value == lowest  # the list changed, the choice did not
    assert pick.options[5:] == ["文联日常活动经费（绩效自评，2024）"]  # the only name holding the word
    pick.select("hengkou-2024-wl-05-richang").run()
    assert not app.exception, app.exception
    groups = {e.label: e for e in app.expander}["各一级指标得分率：数据表"].dataframe[0].value
    assert "文联日常活动经费（2024）" in set(groups["项目"])
    app.text_input(key="analysis_find").input("").run()
    assert app.multiselect(key="analysis_compare").value == [*lowest, "hengkou-2024-wl-05-richang"]
    # other filters: the five lowest of what they keep, as on a first visit
    app.sidebar.multiselect(key="analysis_主管部门").set_value(["文联"]).run()
    assert set(app.multiselect(key="analysis_compare").value) == {  # 文联's three records: fewer than five
        "hengkou-2024-wl-04-longteng",
        "hengkou-2024-wl-05-richang",
        "hengkou-2024-zsj-07-hongxing",
    }
