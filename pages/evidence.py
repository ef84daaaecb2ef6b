"""证据与评分: one indicator at a time — its rule, the input the rule needs, the computed score,
override, evidence references and attachments, and the 评分过程 narrative."""

from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from evaluation.auth import User
from evaluation.config import get_settings
from evaluation.errors import ConflictError, WorkbenchError
from evaluation.files.attachments import (
    MAX_BYTES,
    AttachmentError,
    attachment_path,
    content_hash,
    intact,
    remove_attachment,
    store_attachment,
)
from evaluation.formatting import number, score_text
from evaluation.indicators.rules import describe_rule
from evaluation.indicators.system import Indicator
from evaluation.model import Assessment, EvidenceRef, Inputs, Override
from evaluation.scoring.narrative import draft_narrative
from evaluation.storage.db import session_scope
from evaluation.storage.repo import save_assessment
from ui.access import readonly
from ui.auth import deferred, require_user
from ui.feedback import FieldError, parse_number, show_error
from ui.guard import page_setup
from ui.history import history_table
from ui.inputs import render_inputs
from ui.state import (
    ASSESSMENT_VERSIONS,
    CURRENT_INDICATOR,
    choose_evaluation,
    clear_widgets,
    flash,
    mark_conflict,
    show_flash,
)

eng = page_setup()


def _file_bytes(path: Path, _user: User) -> bytes:
    return path.read_bytes()


st.title("证据与评分")
show_flash()
loaded = choose_evaluation(eng)
if loaded is None:
    st.stop()
ev, result = loaded.evaluation, loaded.result
root = get_settings().attachments_dir

# --------------------------------------------------------------------------- which indicator
MARKS = {"未评": "○", "已评": "●", "已复核": "✔", "输入有误": "⚠"}
labels: dict[str, str] = {}  # static texts: the frontend keeps a selectbox's shown text until the choice changes
state_of: dict[str, tuple[str, str]] = {}  # code → (status, score text)
for r in result.indicators:
    labels[r.code] = f"{r.level2} › {r.name}（{number(r.weight)} 分）"
    state_of[r.code] = (r.status, "" if r.score is None else number(r.score))
for pen in result.penalties:
    labels[pen.code] = f"扣分项 › {pen.name}"
    state_of[pen.code] = (pen.status, f"−{number(pen.points)}" if pen.status != "未评" else "")
codes = list(labels)
chosen: dict[str, str] = st.session_state.setdefault(CURRENT_INDICATOR, {})
pick_key = f"wb_pick_indicator@{ev.id}"
list_key = f"wb_indicator_list@{ev.id}"
if st.session_state.get(pick_key) not in codes:
    st.session_state[pick_key] = chosen.get(ev.id) if chosen.get(ev.id) in codes else codes[0]


def go(code: str) -> None:
    st.session_state[pick_key] = code


def picked_from_list() -> None:
    rows = st.session_state[list_key]["selection"]["rows"]
    if rows:
        go(codes[rows[0]])


with st.expander(f"指标清单：已评 {result.scored}/{result.count} 项（点一行即可切换）", icon=":material/checklist:"):
    st.dataframe(
        pd.DataFrame(
            [
                {"状态": f"{MARKS.get(state_of[c][0], '')} {state_of[c][0]}", "指标": labels[c], "得分": state_of[c][1]}
                for c in codes
            ]
        ),
        hide_index=True,
        width="stretch",
        on_select=picked_from_list,
        selection_mode="single-row",
        key=list_key,
    )

c1, c2, c3 = st.columns([6, 1, 1], vertical_alignment="bottom")
code = c1.selectbox("指标", codes, format_func=lambda c: labels[c], key=pick_key)
chosen[ev.id] = code
i = codes.index(code)
c2.button("上一项", on_click=go, args=(codes[i - 1],), disabled=i == 0, width="stretch", key="wb_prev")
todo = [c for c in codes[i + 1 :] + codes[:i] if state_of[c][0] in ("未评", "输入有误")]
c3.button("下一未评", on_click=go, args=(todo[0] if todo else code,), disabled=not todo, width="stretch", key="wb_next")

found = ev.system.find(code)
penalty = next((p for p in ev.system.penalty_items() if p.code == code), None)
indicator: Indicator | None = found[2] if found else None
if indicator is not None:
    rule: Any = indicator.rule
    weight = indicator.weight
    st.subheader(f"{indicator.name}（{indicator.code}）")
    r = result.indicator(code)
    cols = st.columns([1, 1, 4])
    cols[0].metric("分值", number(weight))
    cols[1].metric("得分", number(r.score) if r.score is not None else r.status)
    cols[2].markdown(
        f"**目标值**：{indicator.target or '—'}　　**评分方法**：{indicator.method_label}\n\n"
        f"**指标解释**：{indicator.explanation or '—'}"
    )
    st.markdown(f"**评分说明**：{indicator.rule_text or indicator.rule_in_words()}")
    st.caption(f"规则：{indicator.rule_in_words()}")
    explanation, status, computed = r.explanation, r.status, r.score
else:
    assert penalty is not None
    rule = penalty.rule
    cap = rule.cap if rule.cap is not None else (ev.system.penalties.cap if ev.system.penalties else Decimal(0))
    weight = cap
    st.subheader(f"扣分项：{penalty.name}（{penalty.code}）")
    st.markdown(f"**说明**：{penalty.explanation or '—'}；{penalty.rule_text or describe_rule(rule, cap)}")
    pen = next(p for p in result.penalties if p.code == code)
    st.metric("扣分", number(pen.points))
    explanation, status, computed = pen.explanation, pen.status, -pen.points

stored = ev.assessment(code)
base = stored or Assessment(code=code)
vkey = f"{ev.id}/{code}"
versions: dict[str, int | None] = st.session_state.setdefault(ASSESSMENT_VERSIONS, {})
if vkey not in versions:  # the version of the content shown now; kept until our own save or a reload
    versions[vkey] = loaded.assessment_versions.get(code)

prefix = f"ev@{ev.id}@{code}@"  # + form name + "." + field; a save clears its own form only


def save(assessment: Assessment, message: str, form: str) -> bool:
    """Save and rerun; on a refusal show why and return False (the form keeps its input)."""
    try:
        with session_scope(eng) as session:
            versions[vkey] = save_assessment(
                session=session, ref=ev.id, assessment=assessment, expected_version=versions[vkey], user=require_user()
            )
    except ConflictError as e:
        show_error(e)
        mark_conflict(ev.id)
    except (WorkbenchError, ValidationError) as e:
        show_error(e)
    else:
        clear_widgets(starts=f"{prefix}{form}.")
        flash(message)
        st.rerun()
    return False


if status == "输入有误":
    st.error(explanation)
elif stored is not None:
    st.success(f"**得分 {number(computed)}**　{explanation}" if indicator else f"**扣分项**　{explanation}")
else:
    st.info("尚未评分：填写下方输入后点“计算并保存”。")

tab_in, tab_ev, tab_text, tab_adj = st.tabs(["评分输入", "证据与附件", "评分过程", "调整得分"], key="evidence_tab")

with tab_in:
    with st.form(f"inputs@{code}"):
        collect = render_inputs(rule, weight, indicator.target if indicator else "", base.inputs, f"{prefix}inputs.")
        submitted = st.form_submit_button("计算并保存", type="primary", disabled=readonly())
    if submitted:
        try:
            inputs: Inputs = collect()
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:  # the core refuses inputs its rule cannot score
            save(base.model_copy(update={"inputs": inputs}), "已保存评分输入并重新计算得分。", "inputs")

with tab_ev:
    refs = base.evidence
    hashes = {e.attachment: e.sha256 for e in refs if e.attachment}  # kept when a row is edited in the table
    with st.form(f"evidence@{code}"):
        st.markdown("**证据索引**（文件名称、文号、凭证号、页码；可增删行）")
        df = pd.DataFrame(
            [
                {
                    "文件名称": e.document,
                    "文号": e.doc_no,
                    "凭证号": e.voucher,
                    "页码": e.page,
                    "说明": e.note,
                    "附件": e.attachment,
                }
                for e in refs
            ],
            columns=["文件名称", "文号", "凭证号", "页码", "说明", "附件"],
        )
        edited = st.data_editor(
            df,
            num_rows="dynamic",
            width="stretch",
            key=f"{prefix}refs.table",
            column_config={
                "附件": st.column_config.TextColumn(disabled=True),
                "文件名称": st.column_config.TextColumn(width="large"),
            },
        )
        uploads = st.file_uploader(
            f"上传附件（pdf、Word、Excel、图片、txt、csv；每个不超过 {MAX_BYTES // 1024 // 1024} MB）",
            accept_multiple_files=True,
            key=f"{prefix}refs.upload",
            max_upload_size=MAX_BYTES // 1024 // 1024,
        )
        ev_saved = st.form_submit_button("保存证据", type="primary", disabled=readonly())
    if ev_saved:
        written: list[str] = []  # files stored for this save: removed again when it is refused
        try:
            new_refs: list[EvidenceRef] = []
            for n, row in enumerate(edited.to_dict("records"), 1):
                vals = {k: "" if v is None or v != v else str(v).strip() for k, v in row.items()}
                if not any(vals.values()):
                    continue
                if not vals["文件名称"]:
                    raise FieldError("证据索引", f"第 {n} 行缺少文件名称")
                new_refs.append(
                    EvidenceRef(
                        document=vals["文件名称"],
                        doc_no=vals["文号"],
                        voucher=vals["凭证号"],
                        page=vals["页码"],
                        note=vals["说明"],
                        attachment=vals["附件"],
                        sha256=hashes.get(vals["附件"], ""),
                    )
                )
            for up in uploads or []:
                data = up.getvalue()
                known = {r.attachment for r in refs} | {r.attachment for r in new_refs}
                rel = store_attachment(root=root, evaluation_id=ev.id, code=code, filename=up.name, data=data)
                if rel not in known:
                    written.append(rel)
                new_refs.append(
                    EvidenceRef(
                        document=up.name.rsplit(".", 1)[0] or up.name, attachment=rel, sha256=content_hash(data)
                    )
                )
        except (FieldError, AttachmentError, ValidationError) as e:
            show_error(e)
            saved = False
        else:
            saved = save(base.model_copy(update={"evidence": new_refs}), f"已保存证据（{len(new_refs)} 条）。", "refs")
        if not saved:
            for rel in written:
                remove_attachment(root=root, relative=rel)
    with_files = [e for e in refs if e.attachment]
    if with_files:
        st.markdown("**附件**")
        for n, ref in enumerate(with_files):
            try:
                path = attachment_path(root=root, relative=ref.attachment)
            except AttachmentError as err:
                st.caption(str(err))
                continue
            if not intact(path, ref.sha256):
                st.warning(f"附件“{path.name}”的内容与上传时记录的 SHA-256 不符，文件可能已被改动或损坏。")
            st.download_button(
                f"下载 {path.name}（{path.stat().st_size / 1024:.0f} KB）",
                data=deferred(eng, partial(_file_bytes, path)),
                file_name=path.name,
                key=f"{prefix}download.{n}",
                on_click="ignore",
            )

with tab_text:
    text_key = f"{prefix}text.narrative"

    def draft() -> None:
        if indicator is not None:
            st.session_state[text_key] = draft_narrative(indicator, base, result.indicator(code).score, explanation)

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
                f"调整得分（0–{number(weight)}）", "" if o is None else f"{o.score:f}", key=f"{prefix}adj.score"
            )
            reason = c2.text_input("调整理由 *", "" if o is None else o.reason, key=f"{prefix}adj.reason")
            c1, c2 = st.columns(2)
            adj_saved = c1.form_submit_button("保存调整", type="primary", disabled=readonly())
            adj_cleared = c2.form_submit_button("取消调整，按规则计分", disabled=o is None or readonly())
        if adj_saved:
            try:
                value = parse_number(adj, "调整得分")
                if value is None:
                    raise FieldError("调整得分", "请填写得分")
                if value > weight:
                    raise FieldError("调整得分", f"不能超过分值 {number(weight)}")
                if len(reason.strip()) < 2:
                    raise FieldError("调整理由", "调整得分必须写明理由")
                override = Override(score=value, reason=reason.strip())
            except (FieldError, ValidationError) as e:
                show_error(e)
            else:
                save(base.model_copy(update={"override": override}), f"已调整为 {number(value)} 分。", "adj")
        if adj_cleared:
            save(base.model_copy(update={"override": None}), "已取消调整，按规则计分。", "adj")

with st.expander("本指标修改历史", icon=":material/history:"):
    history_table(eng, ev.id, code)
