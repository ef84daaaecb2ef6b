"""Streamlit smoke test: the home page lists both seeds' sample evaluations with scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.support import new_app


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def test_home_lists_the_sample_evaluations(app: AppTest) -> None:
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == "评价项目"
    table = app.dataframe[0].value
    assert len(table) == 13
    assert "招商引资工作经费" in set(table["项目名称"])
    assert "2024年干部体检财政补贴资金" in set(table["项目名称"])
    row = table[table["评价编号"] == "panzhihua-2023-zhaoshang"].iloc[0]
    assert (row["得分"], row["等级"], row["进度"]) == (88.0, "良", "15/15")
    # the selected evaluation shows its stated total beside the computed one
    app.selectbox(key="home_pick").set_value("panzhihua-2023-zhaoshang").run()
    assert any("89" in w.value and "按证据计算为 88，" in w.value for w in app.warning)


def test_choosing_a_self_evaluation_shows_its_rows(app: AppTest) -> None:
    app.run()
    app.selectbox(key="home_pick").set_value("hengkou-2024-zsj-10-tijian").run()
    assert not app.exception
    rows = app.dataframe[1].value
    assert "职工干部体检率" in set(rows["三级指标"])
    assert app.metric[0].value == "94"
