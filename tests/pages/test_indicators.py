"""指标体系 page: the whole system edited on a draft — indicators and weights, group weights, every rule kind
through its form with a trial, 扣分项, rounding and grades, a client table read in — and applied after the
score changes are shown."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from evaluation.scoring.engine import score
from tests.pages.support import SAMPLE, button, by_label, edit_table, new_app, open_page, stored, texts

D = Decimal


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def submit(at: AppTest, form: str) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id == form).click().run()
    assert not at.exception, at.exception
    return at


def draft(tmp_path: Path) -> Any:
    found = stored(tmp_path).system_draft
    assert found is not None
    return found


def table_with(at: AppTest, column: str) -> Any:
    """The shown table (not an editor) that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def rule_of(tmp_path: Path, code: str) -> dict[str, Any]:
    found = draft(tmp_path).find(code)
    assert found is not None
    return dict(found[2].rule.model_dump(mode="json"))


def test_the_page_shows_the_system_and_that_it_is_complete(app: AppTest) -> None:
    open_page(app, "indicators")
    assert next(m.value for m in app.metric if m.label == "合计") == "100 / 100 分"
    assert "指标体系完整" in texts(app)
    assert len(app.data_editor[0].value) == 15  # one row per third-level indicator


def test_a_new_indicator_derives_its_rule_then_the_draft_is_applied_with_evidence_kept(
    app: AppTest, tmp_path: Path
) -> None:
    open_page(app, "indicators")
    before = stored(tmp_path)
    key = f"structure.table@{SAMPLE}"
    edit_table(
        app,
        key,
        edited={14: {"分值": 4.0}},  # 招商引资规模 8 → 4, to make room in 经济效益
        added=[
            {
                "一级指标": "个性指标",
                "二级指标": "经济效益",
                "三级指标": "签约项目落地率",
                "分值": 4,
                "评分标准": "落地率≥80%得4分；60%（含）-80%得2分；60%以下不得分",
            }
        ],
    )
    submit(app, "structure")
    assert "签约项目落地率”：区间分档法" in texts(app)
    saved = stored(tmp_path)
    assert saved.system == before.system  # the draft does not score
    assert [ind.name for _, _, ind in saved.system_draft.indicators()][-1] == "签约项目落地率"  # type: ignore[union-attr]
    assert "指标体系完整" in texts(app)
    assert "招商引资规模" in set(table_with(app, "原因")["指标"])  # the score change shown
    by_label(app.checkbox, "我已查看上表").check()
    submit(app, "apply")
    after = stored(tmp_path)
    assert after.system_draft is None and after.system.find("N1") is not None
    assert after.assessment("GX.JJ.01") == before.assessment("GX.JJ.01")  # untouched indicators keep everything
    assert after.assessment("GX.JJ.02") == before.assessment("GX.JJ.02")  # same rule, new weight: rescored
    rescored = score(after).indicator("GX.JJ.02")
    assert (rescored.weight, rescored.score) == (4, 4)  # 7 of 7 projects: full marks of the new weight


def test_sums_that_do_not_add_up_block_applying_and_name_the_group(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    edit_table(app, f"structure.table@{SAMPLE}", edited={0: {"分值": 7.0}})
    submit(app, "structure")
    assert "二级指标“项目决策”分值 18 不等于其三级指标分值之和 19" in texts(app)
    apply = next(b for b in app.form_submit_button if b.form_id == "apply" and b.label == "应用到本评价")
    assert apply.disabled
    next(b for b in app.form_submit_button if b.label == "放弃草稿").click().run()
    assert stored(tmp_path).system_draft is None


def test_bad_rows_are_refused_with_their_row(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    edit_table(app, f"structure.table@{SAMPLE}", edited={1: {"分值": None}, 2: {"三级指标": ""}})
    submit(app, "structure")
    assert "指标表第 2 行：缺少分值" in texts(app) and "指标表第 3 行：缺少三级指标" in texts(app)
    assert stored(tmp_path).system_draft is None


def pick_rule(at: AppTest, code: str, kind: str) -> AppTest:
    by_label(at.selectbox, "指标").set_value(code).run()
    by_label(at.selectbox, "评分方法").set_value(kind).run()
    assert not at.exception, at.exception
    return at


def rule_form(at: AppTest, code: str) -> str:
    return f"rule{code.replace('.', '_')}"


RULE_CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "TY.JC.01",
        "deduction",
        {"text": {"每发现一处问题扣分": "2"}},
        {"method": "deduction", "points_per_finding": "2"},
    ),
    (
        "GX.JJ.01",
        "ratio",
        {"select": {"方向": "reverse"}, "text": {"每差 1% 扣分": "0.5"}},
        {
            "method": "ratio",
            "direction": "reverse",
            "reverse_variant": "target_over_actual",
            "points_per_percent": "0.5",
        },
    ),
    (
        "TY.JG.02",
        "timeliness",
        {"select": {"时间单位": "月"}, "text": {"每延期一个单位扣分": "1"}},
        {"method": "timeliness", "unit": "月", "points_per_unit": "1"},
    ),
    ("TY.GL.01", "manual", {}, {"method": "manual"}),
]


@pytest.mark.parametrize(("code", "kind", "fill", "expected"), RULE_CASES, ids=[c[1] for c in RULE_CASES])
def test_rules_without_tables(
    app: AppTest, tmp_path: Path, code: str, kind: str, fill: dict[str, Any], expected: dict[str, Any]
) -> None:
    open_page(app, "indicators")
    pick_rule(app, code, kind)
    for label, value in fill.get("select", {}).items():
        by_label(app.selectbox, label).set_value(value)
    for label, value in fill.get("text", {}).items():
        by_label(app.text_input, label).set_value(value)
    submit(app, rule_form(app, code))
    assert rule_of(tmp_path, code) == expected


def test_checklist_bands_qualitative_and_composite_ratio_through_their_tables(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    pick_rule(app, "TY.GL.01", "checklist")  # 制度办法 2 points
    edit_table(
        app,
        f"ruleTY_GL_01.items@{SAMPLE}",
        edited={0: {"内容": "制度健全", "分值": 1.0}},
        added=[{"内容": "执行有效", "分值": 1.0}],
    )
    submit(app, "ruleTY_GL_01")
    assert rule_of(tmp_path, "TY.GL.01") == {
        "method": "checklist",
        "items": [{"key": "i1", "text": "制度健全", "points": "1"}, {"key": "i2", "text": "执行有效", "points": "1"}],
    }

    pick_rule(app, "GX.JJ.01", "bands")  # 外商直接投资规模 8 points
    by_label(app.text_input, "度量").set_value("完成率")
    edit_table(
        app,
        f"ruleGX_JJ_01.bands@{SAMPLE}",
        edited={0: {"阈值": 90.0, "得分": 8.0}},
        added=[{"阈值": 60.0, "得分": 4.0}, {"得分": 0.0}],
    )
    submit(app, "ruleGX_JJ_01")
    bands = rule_of(tmp_path, "GX.JJ.01")
    assert (bands["compare"], [(b["limit"], b["points"]) for b in bands["bands"]]) == (
        "at_least",
        [("90", "8"), ("60", "4"), (None, "0")],
    )

    pick_rule(app, "GX.JJ.02", "qualitative")
    edit_table(app, f"ruleGX_JJ_02.bands@{SAMPLE}", deleted=[2], edited={1: {"下限%": 0.0}})
    submit(app, "ruleGX_JJ_02")
    assert [(b["name"], b["low"], b["high"]) for b in rule_of(tmp_path, "GX.JJ.02")["bands"]] == [
        ("达成", "80", "100"),
        ("部分达成", "0", "80"),
    ]

    pick_rule(app, "TY.SS.02", "composite_ratio")  # 资金使用 3 points
    edit_table(
        app,
        f"ruleTY_SS_02.parts@{SAMPLE}",
        edited={0: {"部分": "拨付率", "分值": 2.0}},
        added=[{"部分": "使用率", "分值": 1.0}],
    )
    submit(app, "ruleTY_SS_02")
    assert [(p["name"], p["weight"]) for p in rule_of(tmp_path, "TY.SS.02")["parts"]] == [
        ("拨付率", "2"),
        ("使用率", "1"),
    ]


def test_a_composite_and_the_rule_of_one_of_its_parts(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    pick_rule(app, "TY.JC.01", "composite")  # 决策程序 6 points: two parts of 3
    submit(app, "ruleTY_JC_01")
    assert [p["rule"]["method"] for p in rule_of(tmp_path, "TY.JC.01")["parts"]] == ["manual", "manual"]
    edit_table(app, f"ruleTY_JC_01.parts@{SAMPLE}", edited={1: {"评分方法": "缺（错）项扣分法：每发现一处问题扣分"}})
    submit(app, "ruleTY_JC_01")
    assert rule_of(tmp_path, "TY.JC.01")["parts"][1]["rule"] == {"method": "deduction", "points_per_finding": "1"}
    by_label(app.selectbox, "部分").set_value("s2").run()
    by_label(app.text_input, "每发现一处问题扣分").set_value("1.5")
    submit(app, "partTY_JC_01_s2")
    assert rule_of(tmp_path, "TY.JC.01")["parts"][1]["rule"] == {"method": "deduction", "points_per_finding": "1.5"}


def test_points_that_do_not_fit_the_weight_are_shown_and_a_wrong_number_refused(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    pick_rule(app, "TY.GL.01", "checklist")
    edit_table(app, f"ruleTY_GL_01.items@{SAMPLE}", edited={0: {"分值": 5.0}})
    submit(app, "ruleTY_GL_01")
    assert "是否评分各项分值之和 5 不等于指标分值 2" in texts(app)
    pick_rule(app, "TY.JC.01", "deduction")
    by_label(app.text_input, "每发现一处问题扣分").set_value("三分")
    submit(app, "ruleTY_JC_01")
    assert "“每发现一处问题扣分”：“三分”不是数字" in texts(app)


def test_trial_scores_an_example_input(app: AppTest) -> None:
    open_page(app, "indicators")
    by_label(app.selectbox, "指标").set_value("GX.JJ.02").run()  # 招商引资规模: ratio, target 7个
    by_label(app.text_input, "实际值").set_value("5个")
    next(b for b in app.form_submit_button if b.label == "试算").click().run()
    assert "试算得分 5.714" in texts(app) or "试算得分 5.71" in texts(app)
    assert "实际 5个 / 目标 7" in texts(app)


def test_penalties_and_rounding_and_grades(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    edit_table(app, f"penalties.table@{SAMPLE}", added=[{"扣分项": "资料造假", "每个问题扣分": 5, "本项上限": 5}])
    submit(app, "penalties")
    assert [p.name for p in draft(tmp_path).penalty_items()][-1] == "资料造假"
    by_label(app.selectbox, "得分保留位数").set_value(0)
    by_label(app.radio, "取舍方式").set_value("half_up")
    edit_table(app, f"settings.grades@{SAMPLE}", edited={0: {"最低分": 85.0}})
    submit(app, "settings")
    system = draft(tmp_path)
    assert system.rounding.digits == 0 and system.grades[0].min == 85
    # every score of this sample is a whole number already: no recorded score changes, nothing to confirm
    assert not [c for c in app.checkbox if c.label.startswith("我已查看上表")]
    submit(app, "apply")
    after = stored(tmp_path)
    assert after.system.rounding.digits == 0
    assert all(r.score is None or r.score == r.score.to_integral_value() for r in score(after).indicators)


def client_table() -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in (
        ["一级指标", "二级指标", "三级指标", "分值", "评分标准"],
        ["产出", "数量", "完成户数", "60", "实际完成数/计划数×分值"],
        ["效益", "满意度", "群众满意度", "40", "满意度≥90%得40分；80%（含）-90%得30分；80%以下不得分"],
        ["合计", None, None, "100"],
    ):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_client_table_read_in_as_the_draft(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    app.file_uploader[0].set_value(("客户指标.xlsx", client_table(), "application/vnd.ms-excel")).run()
    assert not app.exception
    report = table_with(app, "识别为")
    assert list(report["识别为"]) == ["比率分值法", "区间分档法"]
    button(app, "用读入的体系替换草稿").click().run()
    system = draft(tmp_path)
    assert [ind.name for _, _, ind in system.indicators()] == ["完成户数", "群众满意度"]
    assert "已读入" in texts(app)


def test_a_reviewer_sees_the_system_but_cannot_change_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = new_app(tmp_path, monkeypatch, role="复核人员", member_of=(SAMPLE,))
    open_page(app, "indicators")
    assert all(b.disabled for b in app.form_submit_button if b.label != "试算")
