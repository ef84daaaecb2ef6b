"""证据与评分: one indicator at a time — its rule, the input the rule needs, the computed score,
override, evidence references and attachments, and the 评分过程 narrative.

Every form saves in its submit button's callback (``ui.saving.save_on_submit``), before this script runs: the
page is then drawn once, with the new score, and ``show_refused`` says below a form why its save was refused."""

from collections.abc import Callable
from typing import Any

import streamlit as st

from evaluation.errors import WorkbenchError
from evaluation.files.attachments import MAX_BYTES
from evaluation.formatting import number, score_text
from evaluation.limits import megabytes
from evaluation.model import Assessment, Override
from evaluation.scoring.narrative import draft_narrative
from evaluation.storage.blobs import attachment_store
from ui.access import readonly
from ui.evidence import EvidenceSave, attachment_downloads, pick_indicator, show_indicator
from ui.feedback import FieldError, parse_number
from ui.guard import page_setup
from ui.history import history_table
from ui.inputs import render_inputs
from ui.saving import save_on_submit, show_refused
from ui.state import DRAFTED, assessment_version, choose_evaluation, show_flash
from ui.unsaved import keep_marked

eng = page_setup()
st.title("证据与评分")
show_flash()
loaded = choose_evaluation(eng)
if loaded is None:
    st.stop()
ev, result = loaded.evaluation, loaded.result

code = pick_indicator(ev, result)
shown = show_indicator(ev, result, code)
indicator = shown.indicator
stored = ev.assessment(code)
base = stored or Assessment(code=code)
version = assessment_version(ev.id, code, loaded.assessment_versions.get(code))
prefix = f"ev@{ev.id}@{code}@"  # + form name + "." + field; a save clears its own form only


def form_key(form: str) -> str:
    """The prefix of the form's widget keys (a save clears its own form only)."""
    return f"{prefix}{form}."


def saves(
    form: str,
    build: Callable[[], Assessment],
    message: str | Callable[[Assessment], str],
    refused: Callable[[], object] | None = None,
    then: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """The submit button's arguments that save ``build()`` in its callback (see ``ui.saving.save_on_submit``)."""
    how = {"build": build, "message": message, "code": code, "expected_version": version, "form": form_key(form)}
    return {"on_click": save_on_submit, "args": (eng, ev.id), "kwargs": {**how, "refused": refused, "then": then}}


if shown.status == "输入有误":
    st.error(shown.explanation)
elif stored is not None:
    st.success(
        f"**得分 {number(shown.computed)}**　{shown.explanation}" if indicator else f"**扣分项**　{shown.explanation}"
    )
else:
    st.info("尚未评分：填写下方输入后点“计算并保存”。")

tab_in, tab_ev, tab_text, tab_adj = st.tabs(["评分输入", "证据与附件", "评分过程", "调整得分"], key="evidence_tab")

with tab_in:
    with st.form(f"inputs@{code}"):
        collect = render_inputs(
            shown.rule, shown.weight, indicator.target if indicator else "", base.inputs, f"{prefix}inputs."
        )
        st.form_submit_button(  # the core refuses inputs its rule cannot score
            "计算并保存",
            type="primary",
            disabled=readonly(),
            **saves("inputs", lambda: base.model_copy(update={"inputs": collect()}), "已保存评分输入并重新计算得分。"),
        )
    show_refused(form_key("inputs"))

with tab_ev:
    root = attachment_store(eng)
    evidence = EvidenceSave(root, ev.id, base, form_key("refs"))
    with st.form(f"evidence@{code}"):
        st.markdown("**证据索引**（文件名称、文号、凭证号、页码；可增删行）")
        st.data_editor(
            evidence.frame(),
            num_rows="dynamic",
            width="stretch",
            key=evidence.table_key,
            column_config={  # a new row's cells start as "", not None (read back as typed)
                **{c: st.column_config.TextColumn(default="") for c in ("文号", "凭证号", "页码", "说明")},
                "附件": st.column_config.TextColumn(disabled=True),
                "文件名称": st.column_config.TextColumn(width="large", default=""),
            },
            placeholder="",
        )
        st.file_uploader(  # no browser-side size limit: the server checks each file and says why
            f"上传附件（pdf、Word、Excel、图片、txt、csv；每个不超过 {megabytes(MAX_BYTES)} MB）",
            accept_multiple_files=True,
            key=evidence.upload_key,
        )
        st.form_submit_button(
            "保存证据",
            type="primary",
            disabled=readonly(),
            **saves("refs", evidence.build, evidence.message, evidence.refused, evidence.saved),
        )
    show_refused(evidence.form)
    attachment_downloads(eng, base.evidence, root=root, key_prefix=f"{prefix}download.", evaluation=ev.id)

with tab_text:
    text_key = f"{prefix}text.narrative"

    def draft() -> None:
        if indicator is not None:
            st.session_state[text_key] = draft_narrative(
                indicator, base, result.indicator(code).score, shown.explanation
            )
            st.session_state[DRAFTED] = text_key

    # the field takes a draft from the session state, so it is given no value of its own
    drafted = st.session_state.pop(DRAFTED, None) == text_key

    def narrated() -> Assessment:
        narrative = st.session_state.get(text_key) or ""
        if stored is None and not narrative.strip():
            raise WorkbenchError("请先填写评分输入或评分过程")
        reviewed = bool(st.session_state.get(f"{prefix}text.reviewed"))
        return base.model_copy(update={"narrative": narrative, "status": "已复核" if reviewed else "已评"})

    with st.form(f"narrative@{code}"):
        st.text_area(
            "评分过程（写入报告“绩效分析”和附件1）", None if drafted else base.narrative, height=220, key=text_key
        )
        st.checkbox("已复核", base.status == "已复核", key=f"{prefix}text.reviewed")
        c1, c2 = st.columns(2)
        c1.form_submit_button(
            "保存评分过程", type="primary", disabled=readonly(), **saves("text", narrated, "已保存评分过程。")
        )
        c2.form_submit_button(
            "按输入和得分起草",
            on_click=draft,
            disabled=indicator is None or stored is None or readonly(),
            help="用已保存的输入和得分生成草稿，可再修改",
        )
    show_refused(form_key("text"))
    if drafted:  # a draft is unsaved input, like typing: leaving asks first (its button had marked the form saved)
        keep_marked()  # below the form: an element drawn above it would make the browser draw the form anew

with tab_adj:
    if indicator is None:
        st.caption("扣分项按发现的问题计算，不能调整。")
    else:
        o = base.override
        st.caption(
            f"规则计算得分：{score_text(result.indicator(code).computed)}。调整后以调整得分计入总分，须写明理由。"
        )

        score_key, reason_key = f"{form_key('adj')}score", f"{form_key('adj')}reason"

        def adjusted() -> Assessment:  # the typed number is read here; the model and the core refuse the rest
            value = parse_number(st.session_state.get(score_key) or "", "调整得分")
            if value is None:
                raise FieldError("调整得分", "请填写得分")
            if value > shown.weight:
                raise FieldError("调整得分", f"不能超过分值 {number(shown.weight)}")
            reason = str(st.session_state.get(reason_key) or "").strip()
            return base.model_copy(update={"override": Override(score=value, reason=reason)})

        def adjusted_to(saved: Assessment) -> str:
            return f"已调整为 {number(saved.override.score)} 分。" if saved.override else ""

        def emptied() -> None:  # the browser goes on showing a field's text unless it is given the new one
            st.session_state[score_key] = ""
            st.session_state[reason_key] = ""

        with st.form(f"override@{code}"):
            c1, c2 = st.columns([1, 3])
            c1.text_input(f"调整得分（0–{number(shown.weight)}）", "" if o is None else f"{o.score:f}", key=score_key)
            c2.text_input("调整理由 *", "" if o is None else o.reason, key=reason_key)
            c1, c2 = st.columns(2)
            c1.form_submit_button(
                "保存调整", type="primary", disabled=readonly(), **saves("adj", adjusted, adjusted_to)
            )
            c2.form_submit_button(
                "取消调整，按规则计分",
                disabled=o is None or readonly(),
                **saves(
                    "adj", lambda: base.model_copy(update={"override": None}), "已取消调整，按规则计分。", then=emptied
                ),
            )
        show_refused(form_key("adj"))

# read only while open (a rerun when opened or closed): most runs, a save's among them, need not read the trail;
# one key for every indicator, so a reviewer who keeps it open sees each indicator's changes as they go
history = st.expander("本指标修改历史", icon=":material/history:", key="ev_history", on_change="rerun")
if history.open:
    with history:
        history_table(eng, ev.id, code)
