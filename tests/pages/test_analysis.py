"""AppTest of the 对比分析 page on the sample data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
    assert any(r == "共 13 个评价：优 12 个，良 1 个。" for r in readings)
    assert len(app.expander) == 9


def test_filters_narrow_every_chart(app: AppTest) -> None:
    app.run()
    app.sidebar.multiselect(key="analysis_评价类型").set_value(["第三方评价"]).run()
    assert not app.exception
    readings = [c.value for c in app.caption]
    assert readings[0].startswith("当前范围：1 个评价")
    assert "共 1 个评价：良 1 个。" in readings
    app.sidebar.multiselect(key="analysis_等级").set_value(["优"]).run()  # no third-party 优 in the samples
    assert any("没有符合筛选条件的评价" in w.value for w in app.warning)
