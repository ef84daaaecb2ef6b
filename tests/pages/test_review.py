"""AppTest of the 复核 page: findings with their counts, a decision recorded (接受 needs a reason),
the link to the place to fix, the review sheet builder, grade sensitivity shown."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.auth import SYSTEM
from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.decisions import list_decisions
from evaluation.storage.repo import replace_evaluation
from tests.conftest import SAMPLES
from tests.factories import checked
from tests.pages.support import new_app, stored

PZH = "panzhihua-2023-zhaoshang"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def open_review(at: AppTest, key: str = PZH) -> AppTest:
    at.run()
    at.session_state["wb_current_evaluation"] = key
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: str(m.value) for m in at.metric}


def tag(code: str, indicator: str) -> str:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    finding = next(f for f in checked(ev) if f.code == code and f.location.indicator == indicator)
    return hashlib.sha1(finding.key.encode("utf-8")).hexdigest()[:12]


def submit(at: AppTest, t: str) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id == f"review_{t}" and b.label == "保存处理结果").click().run()
    assert not at.exception, at.exception
    return at


def test_the_page_lists_the_findings_with_counts(app: AppTest) -> None:
    at = open_review(app)
    assert at.title[0].value == "复核与流程"
    assert metrics(at) == {"错误": "7", "警告": "1", "提示": "0", "未处理的错误": "7"}
    assert [s.value for s in at.subheader][:2] == ["错误（7 项）", "警告（1 项）"]
    labels = [e.label for e in at.expander]
    assert any(label.startswith("招商引资规模（GX.JJ.02）") for label in labels)
    assert any(label.startswith("得分表 · 合计") for label in labels)
    # grade sensitivity: 88 is 2 short of 优, and the planning indicator read at 25 % would reach it
    assert any("还差 2 分" in m.value for m in at.markdown)
    # 88 is after the 规划论证 override: the evidence alone gives 89
    assert any(m.value.startswith("按证据 89 分，调整后 88 分，等级“良”") for m in at.markdown)
    assert any(w.value == "以下改评会使等级改变：" for w in at.warning)


def test_accept_needs_a_reason_then_the_decision_is_stored(app: AppTest, tmp_path: Path) -> None:
    at = open_review(app)
    t = tag("ARITH_DEDUCTION", "GX.JJ.02")
    at.radio(key=f"choice_{t}").set_value("接受")
    submit(at, t)
    assert any("必须说明理由" in e.value for e in at.error)
    assert metrics(at)["未处理的错误"] == "7"
    at.radio(key=f"choice_{t}").set_value("接受")
    at.text_input(key=f"reason_{t}").set_value("原报告笔误，扣分应为 0，已与评价组确认")
    submit(at, t)
    assert metrics(at)["未处理的错误"] == "6"
    # the confirmation is the shared flash message (a toast, or a success box)
    assert any("已记录" in m.value for m in [*at.toast, *at.success])
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            decisions = list_decisions(session=session, subject=PZH)
    finally:
        engine.dispose()
    (decision,) = decisions.values()
    assert (decision.code, decision.decision, decision.reason) == (
        "ARITH_DEDUCTION",
        "接受",
        "原报告笔误，扣分应为 0，已与评价组确认",
    )
    # marking a second error as fixed needs no reason
    t2 = tag("NARRATIVE_SCORE", "TY.JG.01")
    submit(at, t2)
    assert metrics(at)["未处理的错误"] == "5"


def test_the_place_to_fix_opens_the_evidence_page_on_that_indicator(app: AppTest) -> None:
    at = open_review(app)
    t = tag("ARITH_DEDUCTION", "GX.JJ.02")
    at.button(key=f"fix_{t}").click().run()
    assert at.session_state["wb_current_indicator"][PZH] == "GX.JJ.02"


def test_a_self_evaluation_record(app: AppTest) -> None:
    at = open_review(app, "hengkou-2024-zsj-07-hongxing")
    # 总分 93.8 vs rows 95.9, two group labels, and the department report's 95.9 vs 93.8
    assert metrics(at)["错误"] == "4"
    assert any(label.startswith("部门自评报告") for label in (e.label for e in at.expander))


def test_rescoring_under_another_rounding_rule(app: AppTest) -> None:
    at = open_review(app, "hengkou-2024-zsj-01-renyuan")
    at.selectbox(key="review_rescore").set_value("全部得分四舍五入，保留 2 位").run()
    assert not at.exception
    # 55.15 / 57.16 × 10 = 9.648…: 9.6 under the table's truncation, 9.65 rounded to two decimals
    table = at.dataframe[-1].value
    assert list(table["重算得分"]) == ["9.65"] and list(table["原得分"]) == ["9.6"]
    assert any(m.value.startswith("总分 96.6 → 96.65，") for m in at.markdown)  # not 96.60


def store(tmp_path: Path, ev: Evaluation) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            replace_evaluation(session=session, evaluation=ev, user=SYSTEM)
    finally:
        engine.dispose()


def test_the_budget_indicator_is_listed_under_its_system_name(app: AppTest, tmp_path: Path) -> None:
    key = "hengkou-2024-zsj-01-renyuan"
    at = open_review(app, key)
    data = stored(tmp_path, key).model_dump(mode="python")
    data["self_evaluation"]["budget_rows"][0].update(rate="96.50%", score="9.7")  # 55.15 / 57.16: 96.48 %, 9.6
    store(tmp_path, Evaluation.model_validate(data))
    at.run()
    assert not at.exception, at.exception
    labels = [e.label for e in at.expander]
    assert any(label.startswith("预算执行率（YS.1.01） · 3 项") for label in labels), labels
    assert not any(label.startswith("年度资金总额") for label in labels), labels


def test_a_decision_can_be_undone_and_the_error_counts_again(app: AppTest, tmp_path: Path) -> None:
    at = open_review(app)
    t = tag("NARRATIVE_SCORE", "TY.JG.01")
    submit(at, t)
    assert metrics(at)["未处理的错误"] == "6"
    undo = [b for b in at.button if b.label == "撤销处理"]
    assert len(undo) == 1
    undo[0].click().run()
    assert not at.exception, at.exception
    assert metrics(at)["未处理的错误"] == "7"
    assert any("已撤销" in m.value for m in at.toast)
    assert not [b for b in at.button if b.label == "撤销处理"]  # nothing left to undo
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            assert list_decisions(session=session, subject=PZH) == {}
    finally:
        engine.dispose()
