"""问题与建议 page: findings grouped and marked, problems drafted from them, reordering keeps answers right."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.support import SAMPLE, button, edit_table, new_app, open_page, stored, texts


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def submit(at: AppTest, form: str) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id == form).click().run()
    assert not at.exception, at.exception
    return at


def test_findings_are_listed_grouped_with_their_marks(app: AppTest) -> None:
    open_page(app, "problems")
    table = app.dataframe[0].value
    assert set(table["指标"]) >= {"规划论证"}
    row = table[table["问题"].str.startswith("质量指标和社会效益指标")].iloc[0]
    assert (row["指标分组"], bool(row["写入报告"])) == ("通用指标 › 项目决策", True)
    assert any("外商直接投资规模（GX.JJ.01）扣 8 分" in c.value for c in app.caption)


def test_mark_cause_and_draft_a_problem_with_its_suggestion(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    app.selectbox(key=f"wb_pick_indicator@{SAMPLE}").set_value("TY.JC.01").run()
    edit_table(app, f"ev@{SAMPLE}@TY.JC.01@inputs.findings", added=[{"问题描述": "项目调整未经集体研究"}])
    next(b for b in app.form_submit_button if b.form_id.startswith("inputs@")).click().run()
    app.switch_page("pages/problems.py").run()
    table = app.dataframe[0].value
    i = int(table.index[table["问题"] == "项目调整未经集体研究"][0])
    edit_table(app, f"marks.table@{SAMPLE}", edited={i: {"写入报告": True, "原因分析": "内部决策制度执行不严"}})
    submit(app, "marks")
    f = stored(tmp_path).assessment("TY.JC.01").inputs.findings[0]  # type: ignore[union-attr]
    assert (f.in_report, f.cause) == (True, "内部决策制度执行不严")
    button(app, "由标记的问题生成草稿").click().run()
    ev = stored(tmp_path)
    assert [p.title for p in ev.problems] == ["绩效指标设置不够规范", "部门招商任务目标未完成", "决策程序方面存在不足"]
    assert ev.problems[2].text == "项目调整未经集体研究。" and ev.problems[2].cause == "内部决策制度执行不严。"
    assert ev.suggestions[2].answers == [3]


def test_reordering_problems_renumbers_the_answers(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "problems")
    edit_table(app, f"report.problems@{SAMPLE}", edited={0: {"序号": 3}})
    submit(app, "report_problems")
    ev = stored(tmp_path)
    assert [p.title for p in ev.problems] == ["部门招商任务目标未完成", "绩效指标设置不够规范"]
    assert [(s.title, s.answers) for s in ev.suggestions] == [
        ("强化预算绩效管理意识", [2]),
        ("拓展招商引资方式方法", [1]),
    ]


def test_an_answer_to_a_missing_problem_is_refused(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "problems")
    edit_table(app, f"report.suggestions@{SAMPLE}", edited={1: {"回应问题": "2、5"}})
    submit(app, "report_problems")
    assert "回应的问题序号 5 不存在" in texts(app)
    assert stored(tmp_path).suggestions[1].answers == [2]


def test_related_indicators_by_name_or_code(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "problems")
    edit_table(app, f"report.problems@{SAMPLE}", edited={0: {"相关指标": "外商直接投资规模、TY.JC.01"}})
    submit(app, "report_problems")
    assert not app.error, [e.value for e in app.error]
    assert stored(tmp_path).problems[0].indicators == ["GX.JJ.01", "TY.JC.01"]
    # as the table now shows them (名称（编码）), saved again unchanged
    submit(app, "report_problems")
    assert stored(tmp_path).problems[0].indicators == ["GX.JJ.01", "TY.JC.01"]


def test_an_unknown_related_indicator_says_names_or_codes_are_wanted(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "problems")
    before = stored(tmp_path).problems
    edit_table(app, f"report.problems@{SAMPLE}", edited={0: {"相关指标": "招商工作"}})
    submit(app, "report_problems")
    message = texts(app)
    assert "“招商工作”不是本评价的指标：请写指标名称或编码" in message and "第 1 行" in message
    assert stored(tmp_path).problems == before


def test_a_problem_found_on_a_ratio_indicator_reaches_the_problem_list(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    app.selectbox(key=f"wb_pick_indicator@{SAMPLE}").set_value("GX.JJ.01").run()  # 外商直接投资规模: a ratio
    before = stored(tmp_path).assessment("GX.JJ.01")
    edit_table(app, f"ev@{SAMPLE}@GX.JJ.01@inputs.findings", added=[{"问题描述": "外资项目未按协议到位"}])
    next(b for b in app.form_submit_button if b.form_id.startswith("inputs@")).click().run()
    assert not app.exception, app.exception
    after = stored(tmp_path).assessment("GX.JJ.01")
    assert after is not None and before is not None
    assert [f.text for f in after.inputs.findings] == ["外资项目未按协议到位"]
    assert after.inputs.actual == before.inputs.actual  # the score's inputs are untouched
    app.switch_page("pages/problems.py").run()
    assert "外资项目未按协议到位" in set(app.dataframe[0].value["问题"])
