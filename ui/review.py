"""Pieces of the 复核 page: one finding with its decision form, and the what-if panels."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from evaluation.formatting import number
from evaluation.model import Evaluation
from evaluation.review.base import CODES, CheckFinding
from evaluation.review.decisions import DECISIONS, ReviewDecision, decision_for
from evaluation.scoring.engine import EvaluationResult
from evaluation.scoring.whatif import RESCORE_OPTIONS, grade_sensitivity, rescore
from evaluation.storage.decisions import clear_decision, save_decision
from ui.auth import require_user
from ui.kept import derived
from ui.saving import action, commit, submit
from ui.state import CURRENT_INDICATOR


def finding_tag(finding: CheckFinding) -> str:
    """A short widget-key suffix from the finding's stable identity."""
    return hashlib.sha1(finding.key.encode("utf-8")).hexdigest()[:12]


def _go_fix(evaluation_id: str, code: str) -> None:
    st.session_state.setdefault(CURRENT_INDICATOR, {})[evaluation_id] = code
    st.session_state.pop(f"wb_pick_indicator@{evaluation_id}", None)


def finding_card(
    eng: Engine, subject: str, finding: CheckFinding, decision: ReviewDecision | None, *, fixable: bool, decide: bool
) -> None:
    """The finding, the way to its indicator, and (for its reviewers) the form recording 已修正 / 接受（说明理由）."""
    tag = finding_tag(finding)
    done = f"已处理：{decision.decision}" + (f"（{decision.reason}）" if decision.reason else "") if decision else ""
    st.markdown(f"**{CODES.get(finding.code, finding.code)}** `{finding.code}` · {done or '待处理'}")
    st.write(finding.message)
    code = finding.location.indicator
    if fixable and st.button(f"去修改 {code}", key=f"fix_{tag}", on_click=_go_fix, args=(subject, code)):
        st.switch_page("pages/evidence.py")
    if not decide:
        return
    with st.form(f"review_{tag}", border=False):
        index = DECISIONS.index(decision.decision) if decision else 0
        choice = st.radio("处理", DECISIONS, index=index, horizontal=True, key=f"choice_{tag}")
        reason = st.text_input(
            "理由（选择“接受”时必填）", value=decision.reason if decision else "", key=f"reason_{tag}"
        )
        saved = submit("保存处理结果", form=f"review_{tag}")
    if saved:
        try:  # said in the reviewer's words before anything is written
            decision_for(finding, choice, reason, "", None)
        except ValidationError:
            st.error("选择“接受”时必须说明理由。")
            return
        commit(
            eng,
            lambda session: save_decision(
                session=session, subject=subject, finding=finding, decision=choice, reason=reason, user=require_user()
            ),
            f"已记录：{finding.location.describe()} — {choice}",
            form=f"review_{tag}",
        )
    if decision and action("撤销处理", form=f"review_{tag}", name="undo"):
        commit(
            eng,
            lambda session: clear_decision(
                session=session, subject=subject, finding_key=finding.key, user=require_user()
            ),
            f"已撤销：{finding.location.describe()} 的处理",
            form=f"review_{tag}",
        )


def sensitivity_panel(ev: Evaluation, result: EvaluationResult) -> None:
    sensitivity = derived(ev, "grade-sensitivity", lambda: grade_sensitivity(ev, result))  # 28 rescorings
    st.write(f"{sensitivity.total_text()}：{sensitivity.margin_text()}。")
    if not sensitivity.crossing:
        st.caption("任何一项单独改评，等级都不会改变。")
        return
    st.warning("以下改评会使等级改变：")
    rows = [
        {
            "指标": a.name,
            "改评": a.description,
            "指标得分": f"{number(a.score)} → {number(a.alternative)}",
            "总分": number(a.total),
            "等级": a.grade,
        }
        for a in sensitivity.crossing
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder="")


def rescore_panel(ev: Evaluation, result: EvaluationResult) -> None:
    option = st.selectbox("规则变体", list(RESCORE_OPTIONS), key="review_rescore")
    variant, rounding = RESCORE_OPTIONS[option]
    other = derived(ev, f"rescore-{option}", lambda: rescore(ev, result, reverse_variant=variant, rounding=rounding))
    st.write(f"总分 {number(other.base_total)} → {number(other.total)}，等级“{other.base_grade}” → “{other.grade}”。")
    if not other.changed:
        st.caption("各指标得分均不变。")
        return
    rows = [
        {"指标": d.name, "原得分": number(d.base), "重算得分": number(d.alternative), "差": number(d.delta)}
        for d in other.changed
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder="")
