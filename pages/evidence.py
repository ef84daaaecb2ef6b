"""证据与评分: one indicator at a time — its rule, the input the rule needs, the computed score,
override, evidence references and attachments, and the 评分过程 narrative."""

import streamlit as st
from pydantic import ValidationError

from evaluation.files.attachments import MAX_BYTES
from evaluation.formatting import number, score_text
from evaluation.limits import megabytes
from evaluation.model import Assessment, Inputs, Override
from evaluation.scoring.narrative import draft_narrative
from evaluation.storage.blobs import attachment_store
from ui.access import readonly
from ui.evidence import attachment_downloads, evidence_frame, pick_indicator, save_evidence, show_indicator
from ui.feedback import FieldError, parse_number, show_error
from ui.guard import page_setup
from ui.history import history_table
from ui.inputs import render_inputs
from ui.saving import save_assessment
from ui.state import assessment_version, choose_evaluation, show_flash

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


def save(assessment: Assessment, message: str, form: str) -> bool:
    return save_assessment(eng, ev.id, assessment, message, expected_version=version, form=f"{prefix}{form}.")


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
        submitted = st.form_submit_button("计算并保存", type="primary", disabled=readonly())
    if submitted:
        try:
            inputs: Inputs = collect()
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:  # the core refuses inputs its rule cannot score
            save(base.model_copy(update={"inputs": inputs}), "已保存评分输入并重新计算得分。", "inputs")

with tab_ev:
    root = attachment_store(eng)
    with st.form(f"evidence@{code}"):
        st.markdown("**证据索引**（文件名称、文号、凭证号、页码；可增删行）")
        edited = st.data_editor(
            evidence_frame(base.evidence),
            num_rows="dynamic",
            width="stretch",
            key=f"{prefix}refs.table",
            column_config={
                "附件": st.column_config.TextColumn(disabled=True),
                "文件名称": st.column_config.TextColumn(width="large"),
            },
        )
        uploads = st.file_uploader(  # no browser-side size limit: the server checks each file and says why
            f"上传附件（pdf、Word、Excel、图片、txt、csv；每个不超过 {megabytes(MAX_BYTES)} MB）",
            accept_multiple_files=True,
            key=f"{prefix}refs.upload",
        )
        ev_saved = st.form_submit_button("保存证据", type="primary", disabled=readonly())
    if ev_saved:
        save_evidence(
            eng,
            root=root,
            evaluation_key=ev.id,
            base=base,
            edited=edited,
            uploads=uploads or [],
            expected_version=version,
            form=f"{prefix}refs.",
        )
    attachment_downloads(eng, base.evidence, root=root, key_prefix=f"{prefix}download.", evaluation=ev.id)

with tab_text:
    text_key = f"{prefix}text.narrative"

    def draft() -> None:
        if indicator is not None:
            st.session_state[text_key] = draft_narrative(
                indicator, base, result.indicator(code).score, shown.explanation
            )

    with st.form(f"narrative@{code}"):
        narrative = st.text_area("评分过程（写入报告“绩效分析”和附件1）", base.narrative, height=220, key=text_key)
        review = st.checkbox("已复核", base.status == "已复核", key=f"{prefix}text.reviewed")
        c1, c2 = st.columns(2)
        text_saved = c1.form_submit_button("保存评分过程", type="primary", disabled=readonly())
        c2.form_submit_button(
            "按输入和得分起草",
            on_click=draft,
            disabled=indicator is None or stored is None or readonly(),
            help="用已保存的输入和得分生成草稿，可再修改",
        )
    if text_saved:
        if stored is None and not narrative.strip():
            st.error("未保存：请先填写评分输入或评分过程")
        else:
            save(
                base.model_copy(update={"narrative": narrative, "status": "已复核" if review else "已评"}),
                "已保存评分过程。",
                "text",
            )

with tab_adj:
    if indicator is None:
        st.caption("扣分项按发现的问题计算，不能调整。")
    else:
        o = base.override
        st.caption(
            f"规则计算得分：{score_text(result.indicator(code).computed)}。调整后以调整得分计入总分，须写明理由。"
        )
        with st.form(f"override@{code}"):
            c1, c2 = st.columns([1, 3])
            adj = c1.text_input(
                f"调整得分（0–{number(shown.weight)}）", "" if o is None else f"{o.score:f}", key=f"{prefix}adj.score"
            )
            reason = c2.text_input("调整理由 *", "" if o is None else o.reason, key=f"{prefix}adj.reason")
            c1, c2 = st.columns(2)
            adj_saved = c1.form_submit_button("保存调整", type="primary", disabled=readonly())
            adj_cleared = c2.form_submit_button("取消调整，按规则计分", disabled=o is None or readonly())
        if adj_saved:  # the typed number is read here; the model and the core refuse the rest
            try:
                value = parse_number(adj, "调整得分")
                if value is None:
                    raise FieldError("调整得分", "请填写得分")
                override = Override(score=value, reason=reason.strip())
            except (FieldError, ValidationError) as e:
                show_error(e)
            else:
                save(base.model_copy(update={"override": override}), f"已调整为 {number(value)} 分。", "adj")
        if adj_cleared:
            save(base.model_copy(update={"override": None}), "已取消调整，按规则计分。", "adj")

with st.expander("本指标修改历史", icon=":material/history:"):
    history_table(eng, ev.id, code)
