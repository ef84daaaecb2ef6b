"""Streamlit smoke test: the home page lists both seeds' sample evaluations with scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.support import new_app, picker


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
    picker(app, "home_pick").set_value("panzhihua-2023-zhaoshang").run()
    assert any("文件所载总分为 89，按证据计算为 89 分，调整后为 88 分" in w.value for w in app.warning)


def test_choosing_a_self_evaluation_shows_its_rows(app: AppTest) -> None:
    app.run()
    picker(app, "home_pick").set_value("hengkou-2024-zsj-10-tijian").run()
    assert not app.exception
    rows = app.dataframe[1].value
    assert "职工干部体检率" in set(rows["三级指标"])
    # the department's own figure first (its rows add up to 89, the table's 总分 says 99), the rules' beside it
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"自评得分": "89", "等级": "良", "已评指标": "7/7", "复核得分": "94"}
    assert any("自评表所填总分为 99，但各行得分之和为 89" in w.value for w in app.warning)
    assert list(rows.columns[4:6]) == ["自评得分", "复核得分"]
    by_name = {r["三级指标"]: (r["自评得分"], r["复核得分"]) for r in rows.to_dict("records")}
    assert by_name["职工干部体检率"] == ("10", "15")  # the department gave 10 for a rate of 100 %


def test_the_url_names_the_evaluation_and_follows_the_choice(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a reload or a shared link: a fresh session whose URL names the evaluation
    app.query_params["eval"] = "hengkou-2024-zsj-10-tijian"
    app.run()
    assert not app.exception
    assert picker(app, "home_pick").value == "hengkou-2024-zsj-10-tijian"
    assert app.session_state["wb_current_evaluation"] == "hengkou-2024-zsj-10-tijian"
    # choosing another evaluation puts it in the URL
    picker(app, "home_pick").set_value("panzhihua-2023-zhaoshang").run()
    assert app.query_params["eval"] == "panzhihua-2023-zhaoshang"
    # a key nobody has (or may see) falls back to the default without an error
    fresh = new_app(tmp_path, monkeypatch)
    fresh.query_params["eval"] = "no-such-evaluation"
    fresh.run()
    assert not fresh.exception and picker(fresh, "home_pick").value == "panzhihua-2023-zhaoshang"


def test_the_evidence_page_opens_the_indicator_the_url_names(app: AppTest) -> None:
    app.query_params["eval"] = "panzhihua-2023-zhaoshang"
    app.query_params["indicator"] = "GX.JJ.01"
    app.run()
    app.switch_page("pages/evidence.py")
    app.query_params["eval"] = "panzhihua-2023-zhaoshang"
    app.query_params["indicator"] = "GX.JJ.01"
    app.run()
    assert not app.exception
    assert app.selectbox(key="wb_pick_indicator@panzhihua-2023-zhaoshang").value == "GX.JJ.01"
    app.selectbox(key="wb_pick_indicator@panzhihua-2023-zhaoshang").set_value("TY.JC.01").run()
    assert app.query_params["indicator"] == "TY.JC.01"
