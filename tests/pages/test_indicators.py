"""指标体系 page: the tree, adding and editing 个性 indicators on the snapshot, sums refused, confirmation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.indicators.library import load_library
from evaluation.scoring.engine import score
from tests.conftest import LIBRARY
from tests.pages.support import SAMPLE, by_label, edit_table, new_app, open_page, stored, texts

KEY = f"personal.table@{SAMPLE}"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def save(at: AppTest) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id == "personal").click().run()
    assert not at.exception, at.exception
    return at


def test_tree_shows_weights_targets_and_rules_in_words(app: AppTest) -> None:
    open_page(app, "indicators")
    tree = app.table[0].value
    assert len(tree) == 15
    row = tree.loc["TY.JC.01"]
    assert row["规则"] == "满分 6 分，每发现一处问题扣 3 分，扣完为止。"
    assert row["一级指标"] == "通用指标（54）" and row["状态"] == "已评"
    assert next(m.value for m in app.metric if m.label == "合计") == "100 / 100 分"


def test_sums_that_do_not_add_up_are_refused_with_the_reason(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    edit_table(
        app,
        KEY,
        added=[
            {
                "二级指标": "社会效益",
                "三级指标": "企业满意度",
                "分值": 4,
                "目标值": "≥90%",
                "评分方法": "比率（正向：实际 ÷ 目标）",
            }
        ],
    )
    app.checkbox[0].check()
    save(app)
    assert "个性指标分值合计 20 分，超出一级指标“个性指标”的分值 16 分" in texts(app)
    assert len(stored(tmp_path).system.groups[2].groups) == 1  # nothing written


def test_add_a_personal_indicator_and_rebalance_weights(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    edit_table(
        app,
        KEY,
        edited={0: {"分值": 6}, 1: {"分值": 6}},
        added=[
            {
                "二级指标": "社会效益",
                "三级指标": "企业满意度",
                "分值": 4,
                "目标值": "≥90%",
                "评分方法": "比率（正向：实际 ÷ 目标）",
            }
        ],
    )
    save(app)
    assert "请勾选确认后再保存" in texts(app)
    app.checkbox[0].check()
    save(app)
    assert "已保存个性指标" in texts(app)
    ev = stored(tmp_path)
    slot = ev.system.groups[2]
    assert [(g.name, [(i.code, i.weight) for i in g.indicators]) for g in slot.groups] == [
        ("经济效益", [("GX.JJ.01", 6), ("GX.JJ.02", 6)]),
        ("社会效益", [("GX.X1", 4)]),
    ]
    # existing evidence kept, the total recomputed with the new weights: 0 + 6 × 100% and nothing for the new one
    a = ev.assessment("GX.JJ.02")
    assert a is not None and a.evidence
    result = score(ev)
    assert result.indicator("GX.JJ.02").score == 6 and result.indicator("GX.X1").status == "未评"
    assert result.total == Decimal(86)
    # the library is untouched
    assert load_library(LIBRARY).personal["personal-zhaoshang"].groups[0].indicators[0].weight == 8


def test_unparseable_or_zero_ratio_target_is_refused(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    edit_table(app, KEY, edited={0: {"目标值": "有所提升"}, 1: {"目标值": "0个"}})
    app.checkbox[0].check()
    save(app)
    message = texts(app)
    assert "比率类指标的目标值“有所提升”无法读出数值" in message
    assert "比率类指标的目标值不能为 0" in message
    assert stored(tmp_path).system.find("GX.JJ.01")[2].target == "100%"  # type: ignore[index]


def test_removing_a_scored_indicator_drops_its_record_after_confirmation(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "indicators")
    edit_table(app, KEY, edited={1: {"分值": 16, "评分方法": "定性分档"}}, deleted=[0])
    by_label(app.checkbox, "本评价已开始评分").check()
    save(app)
    ev = stored(tmp_path)
    assert ev.assessment("GX.JJ.01") is None
    a = ev.assessment("GX.JJ.02")
    assert a is not None and a.inputs.actual is None and a.evidence  # inputs cleared, evidence kept
    assert "评分输入已清空（GX.JJ.02）" in texts(app)


def test_sums_follow_the_table_before_saving(app: AppTest) -> None:
    open_page(app, "indicators")
    app.session_state[KEY] = {"edited_rows": {0: {"分值": 6}}, "added_rows": [], "deleted_rows": []}
    app.run()  # an edit, no save
    assert not app.exception
    total = next(m for m in app.metric if m.label == "个性指标分值合计")
    assert total.value == "14 分"  # 6 + 8, shown at once
    assert any("不能保存" in e.value for e in app.error)
