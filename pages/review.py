"""复核: what the checks find in the current evaluation, grouped by severity and place, each with its
place to fix; the reviewer closes each finding with 已修正 or 接受（说明理由）; the margin to each grade
threshold and what would cross it; re-scoring under another rule; the review sheet as an Excel file."""

import pandas as pd
import streamlit as st

from evaluation.report.review_files import review_sheet_xlsx
from evaluation.review.base import ERROR, SEVERITIES, CheckFinding, count_by_severity, indicator_names, place_label
from evaluation.review.decisions import open_error_count, review_items
from evaluation.storage.db import session_scope
from evaluation.storage.decisions import findings_for, list_decisions
from ui.access import review_block
from ui.auth import require_user
from ui.downloads import XLSX, download_button
from ui.guard import page_setup
from ui.review import finding_card, rescore_panel, sensitivity_panel
from ui.state import choose_evaluation, kept_check, show_flash
from ui.workflow import workflow_panel

eng = page_setup()
st.title("复核与流程")
show_flash()
loaded = choose_evaluation(eng, editing=False)
if loaded is None:
    st.stop()
ev = loaded.evaluation
with session_scope(eng) as session:
    findings = findings_for(session=session, evaluation=ev, result=loaded.result, checker=kept_check)
    decisions = list_decisions(session=session, subject=ev.id)
items = review_items(findings, decisions)
workflow_panel(eng, ev, open_error_count(findings, decisions))
reviewer = not review_block(eng, require_user(), ev.id)
fixable = {ind.code for _, _, ind in ev.system.indicators()} | {p.code for p in ev.system.penalty_items()}
names = indicator_names(ev.system)

counts = count_by_severity(findings)
for column, (label, value) in zip(
    st.columns(4), [*counts.items(), ("未处理的错误", open_error_count(findings, decisions))], strict=True
):
    column.metric(label, value)
download_button(
    "下载复核表（Excel）",
    lambda _user: review_sheet_xlsx(f"{ev.project.name} 复核表", items),
    file_name=f"{ev.id}-复核表.xlsx",
    evaluation=ev.id,
    mime=XLSX,
)
with st.expander("等级敏感性（在证据可支持的范围内改评一项）"):
    sensitivity_panel(ev, loaded.result)
with st.expander("换一种规则重算"):
    rescore_panel(ev, loaded.result)

if not findings:
    st.success("复核未发现问题。")
for severity in SEVERITIES:
    group = [f for f in findings if f.severity == severity]
    if group:
        st.subheader(f"{severity}（{len(group)} 项）")
    places: dict[str, list[CheckFinding]] = {}
    for f in group:
        places.setdefault(place_label(f, names), []).append(f)
    for place, found in places.items():
        undecided = sum(1 for f in found if f.key not in decisions)
        label = f"{place} · {len(found)} 项" + (f"，{undecided} 项待处理" if undecided else "")
        with st.expander(label, expanded=severity == ERROR and undecided > 0):
            for f in found:
                finding_card(
                    eng, ev.id, f, decisions.get(f.key), fixable=f.location.indicator in fixable, decide=reviewer
                )

gone = [i for i in items if i.finding is None and i.decision is not None]
if gone:
    st.subheader("已消除")
    st.caption("这些问题曾经处理过，重新复核时已不再出现。")
    rows = [{"问题": i.decision.finding.get("message", i.key), "处理": i.decision.decision} for i in gone if i.decision]
    st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder="")
