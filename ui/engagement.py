"""The consultant's side of the engagement (资料与征求意见 page): the 资料清单 and what the unit supplied,
the unit's 基础数据表 to accept or send back, the answers to the unit's objections, and 整改 per problem
(this year's, and last year's carried over)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.auth import can
from evaluation.engagement.checklist import merge_checklist
from evaluation.model import (
    DOCUMENT_STATUSES,
    RECTIFICATION_STATUSES,
    AgencyReply,
    ChecklistItem,
    Evaluation,
    Rectification,
    ReportProblem,
)
from evaluation.storage.db import session_scope
from evaluation.storage.engagement import RectifiedList, record_rectifications
from evaluation.storage.workflow import state_of
from ui.access import readonly
from ui.archive import checklist_downloads
from ui.auth import require_user
from ui.feedback import FieldError, show_error
from ui.saving import action, save, save_version, submit, widget_key
from ui.state import Loaded
from ui.tables import read_table

CHECKLIST_COLUMNS = ["对应指标", "资料名称", "提供情况", "提出日期", "提供日期", "说明", "已上传文件"]


def _date(text: str, label: str) -> date | None:
    t = text.strip()
    if not t:
        return None
    try:
        return date.fromisoformat(t)
    except ValueError:
        raise FieldError(label, f"“{t}”不是日期，请写成 2024-09-03") from None


def checklist_frame(ev: Evaluation) -> pd.DataFrame:
    names = {ind.code: f"{ind.name}（{ind.code}）" for _, _, ind in ev.system.indicators()}
    return pd.DataFrame(
        [
            {
                "对应指标": names.get(item.code, item.code),
                "资料名称": item.document,
                "提供情况": item.status,
                "提出日期": item.requested_on.isoformat() if item.requested_on else "",
                "提供日期": item.received_on.isoformat() if item.received_on else "",
                "说明": item.note,
                "已上传文件": "、".join(f.document for f in item.files),
            }
            for item in ev.checklist
        ],
        columns=CHECKLIST_COLUMNS,
    )


def read_checklist(edited: pd.DataFrame, ev: Evaluation) -> list[ChecklistItem]:
    """The edited 资料清单: rows in the table's order; files stay with the item they were uploaded for."""
    refs = ev.system.references()
    by_key = {(item.code, item.document): item for item in ev.checklist}
    items: list[ChecklistItem] = []
    for row in read_table(edited, "资料清单", filled_by=("资料名称",)):
        document = row.required("资料名称")
        said = row["对应指标"]
        code = refs.get(said, "") if said else ""
        if said and not code:
            raise row.error(f"的“{said}”不是本评价的指标：请写指标名称或编码，通用资料留空", label="对应指标")
        status = row["提供情况"] or "未提供"
        if status not in DOCUMENT_STATUSES:
            raise row.error(f"应为 {'、'.join(DOCUMENT_STATUSES)} 之一", label="提供情况")
        old = by_key.get((code, document))
        items.append(
            ChecklistItem(
                code=code,
                document=document,
                status=status,
                requested_on=_date(row["提出日期"], "提出日期"),
                received_on=_date(row["提供日期"], "提供日期"),
                note=row["说明"],
                files=old.files if old is not None else [],
            )
        )
    return items


def generate_checklist(eng: Engine, loaded: Loaded) -> None:
    """按指标体系生成: the system's documents merged into the recorded list (statuses, dates and files kept)."""
    ev = loaded.evaluation
    merged = merge_checklist(ev, requested_on=date.today())
    changes = [
        f"新增 {len(merged.added)} 项",
        *([f"{len(merged.moved)} 项的指标已不在体系中，转为通用资料"] if merged.moved else []),
        *([f"删去 {len(merged.dropped)} 项未记录任何情况的旧项"] if merged.dropped else []),
    ]
    if not (merged.added or merged.moved or merged.dropped) and len(merged.items) == len(ev.checklist):
        st.info("资料清单已与指标体系一致，无需更新。")
        return
    save(
        eng,
        loaded,
        ev.model_copy(update={"checklist": merged.items}),
        f"已按指标体系生成资料清单：共 {len(merged.items)} 项（{'，'.join(changes)}）。",
        form="checklist",
    )


def checklist_tab(eng: Engine, loaded: Loaded) -> None:
    ev = loaded.evaluation
    st.caption(
        "发给被评价单位的资料清单：可增删行、改提供情况；“对应指标”写指标名称或编码（通用资料留空）。"
        "被评价单位在其“资料与反馈”页按项上传，文件同时作为该指标的证据附件。"
    )
    if action(
        "按指标体系生成资料清单" if not ev.checklist else "按指标体系更新资料清单",
        form="checklist",
        help="通用资料，加上每项指标所列的佐证资料；已记录的提供情况、日期、说明和文件保留。",
        disabled=readonly(),
    ):
        generate_checklist(eng, loaded)
    checklist_downloads(eng, loaded)
    with st.form("checklist"):
        edited = st.data_editor(
            checklist_frame(ev),
            num_rows="dynamic",
            width="stretch",
            hide_index=True,
            key=widget_key(loaded, "checklist.table"),
            column_config={
                "提供情况": st.column_config.SelectboxColumn(options=list(DOCUMENT_STATUSES), required=True),
                "已上传文件": st.column_config.TextColumn(disabled=True),
            },
            placeholder="",
        )
        saved = submit("保存资料清单", form="checklist", type="primary", disabled=readonly())
    if saved:
        try:
            items = read_checklist(edited, ev)
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            provided = sum(1 for i in items if i.status == "已提供")
            save(
                eng,
                loaded,
                ev.model_copy(update={"checklist": items}),
                f"已保存资料清单（{len(items)} 项，已提供 {provided} 项）。",
                form="checklist",
            )


def unit_data_tab(eng: Engine, loaded: Loaded) -> None:
    ev = loaded.evaluation
    data = ev.unit_data
    if data is None:
        st.info("被评价单位还没有提交基础数据表。")
        return
    st.markdown(f"**被评价单位提交的基础数据表**（{data.by}，{data.at[:16].replace('T', ' ')}，{data.status}）")
    f = data.funds
    current = ev.facts.funds
    st.dataframe(
        pd.DataFrame(
            [
                {"项目": label, "单位填报": "" if new is None else str(new), "当前": "" if old is None else str(old)}
                for label, new, old in (
                    ("年初预算（万元）", f.initial_budget, current.initial_budget),
                    ("调整后预算（万元）", f.adjusted_budget, current.adjusted_budget),
                    ("实际到位资金（万元）", f.received, current.received),
                    ("实际支出（万元）", f.spent, current.spent),
                    ("支出明细（项）", len(f.breakdown), len(current.breakdown)),
                    ("年度绩效目标（项）", len(data.targets), len(ev.facts.annual_targets)),
                )
            ]
        ),
        hide_index=True,
        width="stretch",
        placeholder="",
    )
    if data.note:
        st.caption(f"填报说明：{data.note}")
    if data.status != "待确认":
        return
    with st.form("unit_data_answer"):
        answer = st.text_input("处理说明（退回时必填）")
        c1, c2 = st.columns(2)
        accept = submit("采纳，写入项目信息", form="unit_data_answer", where=c1, type="primary", disabled=readonly())
        refuse = submit("退回单位", form="unit_data_answer.back", where=c2, disabled=readonly())
    if accept:
        funds = current.model_copy(
            update={
                "initial_budget": f.initial_budget,
                "adjusted_budget": f.adjusted_budget,
                "received": f.received,
                "spent": f.spent,
                "breakdown": f.breakdown or current.breakdown,
            }
        )
        facts = ev.facts.model_copy(update={"funds": funds, "annual_targets": data.targets or ev.facts.annual_targets})
        done = data.model_copy(update={"status": "已采纳", "answer": answer.strip()})
        save(
            eng,
            loaded,
            ev.model_copy(update={"facts": facts, "unit_data": done}),
            "已采纳基础数据表，写入项目信息（修改历史中可见每项变化）。",
            form="unit_data_answer",
        )
    elif refuse:
        if not answer.strip():
            st.error("退回时请写明处理说明，告诉单位要改什么")
            return
        back = data.model_copy(update={"status": "已退回", "answer": answer.strip()})
        save(eng, loaded, ev.model_copy(update={"unit_data": back}), "已退回基础数据表。", form="unit_data_answer.back")


def consultation_tab(eng: Engine, loaded: Loaded) -> None:
    ev = loaded.evaluation
    with session_scope(eng) as session:
        state = state_of(session=session, evaluation_key=ev.id).state
    answered = [p for p in ev.problems if p.response is not None]
    if not answered:
        st.info(
            f"报告初稿在“复核与流程”页发送被评价单位征求意见后，单位对各问题的反馈显示在这里；当前流程状态：{state}。"
        )
        return
    objections = [p for p in answered if p.response is not None and p.response.stance == "有异议"]
    waiting = [p for p in objections if p.reply is None]
    st.caption(
        f"单位已反馈 {len(answered)} 个问题，其中有异议 {len(objections)} 个，待答复 {len(waiting)} 个。"
        "定稿前须逐条答复异议。"
    )
    for i, p in enumerate(ev.problems):
        r = p.response
        if r is None:
            continue
        with st.container(border=True):
            st.markdown(f"**问题{i + 1}：{p.title}** — 单位意见：{r.stance}")
            if r.statement:
                st.write(r.statement)
            if r.files:
                st.caption("佐证材料：" + "、".join(f.document for f in r.files))
            if r.stance != "有异议":
                continue
            _reply_form(eng, loaded, i, p)


def _reply_form(eng: Engine, loaded: Loaded, index: int, problem: ReportProblem) -> None:
    old = problem.reply
    with st.form(f"reply_{index}"):
        decision = st.radio(
            "处理", ["采纳", "不采纳"], index=0 if old is None or old.decision == "采纳" else 1, horizontal=True
        )
        text = st.text_area(
            "说明（采纳：写明报告如何修改；不采纳：写明理由）",
            old.text if old else "",
            key=widget_key(loaded, f"reply_{index}.text"),
        )
        sent = submit("保存答复", form=f"reply_{index}", disabled=readonly())
    if not sent:
        return
    try:
        reply = AgencyReply(
            decision=decision,
            text=text.strip(),
            by=require_user().username,
            at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    except ValidationError:
        st.error("请写明答复说明（至少两个字）")
        return
    ev = loaded.evaluation
    problems = [p.model_copy(update={"reply": reply}) if i == index else p for i, p in enumerate(ev.problems)]
    save(
        eng,
        loaded,
        ev.model_copy(update={"problems": problems}),
        f"已答复问题{index + 1}的异议（{decision}）。",
        form=f"reply_{index}",
    )


RECTIFICATION_COLUMNS = ["问题", "整改措施", "责任单位", "整改期限", "状态", "整改情况"]


def _rectification_frame(problems: list[ReportProblem]) -> pd.DataFrame:
    rows = []
    for p in problems:
        r = p.rectification or Rectification()
        rows.append(
            {
                "问题": f"（{p.year}年）{p.title}" if p.year else p.title,
                "整改措施": r.measure,
                "责任单位": r.unit,
                "整改期限": r.deadline.isoformat() if r.deadline else "",
                "状态": r.status,
                "整改情况": r.note,
            }
        )
    return pd.DataFrame(rows, columns=RECTIFICATION_COLUMNS)


def _read_rectifications(edited: pd.DataFrame, problems: list[ReportProblem]) -> list[ReportProblem]:
    out = []
    rows = read_table(edited, "整改", filled_by=("问题",))
    for p, row in zip(problems, rows, strict=False):
        status = row["状态"] or "未整改"
        if status not in RECTIFICATION_STATUSES:
            raise row.error(f"应为 {'、'.join(RECTIFICATION_STATUSES)} 之一", label="状态")
        rect = Rectification(
            measure=row["整改措施"],
            unit=row["责任单位"],
            deadline=_date(row["整改期限"], "整改期限"),
            status=status,
            note=row["整改情况"],
        )
        out.append(p.model_copy(update={"rectification": rect}))
    return out


def rectification_tab(eng: Engine, loaded: Loaded) -> None:
    ev = loaded.evaluation
    config = {
        "问题": st.column_config.TextColumn(disabled=True, width="medium"),
        "状态": st.column_config.SelectboxColumn(options=list(RECTIFICATION_STATUSES), required=True),
    }
    for label, problems, field in (
        ("本年报告所列问题的整改", ev.problems, "problems"),
        ("上年问题整改情况（复制为下一年度评价时带入，写入报告）", ev.prior_problems, "prior_problems"),
    ):
        field = cast(RectifiedList, field)
        st.markdown(f"**{label}**")
        if not problems:
            st.caption("（无）")
            continue
        with st.form(f"rectify_{field}"):
            edited = st.data_editor(
                _rectification_frame(problems),
                hide_index=True,
                width="stretch",
                key=widget_key(loaded, f"rectify_{field}.table"),
                column_config=config,
                placeholder="",
            )
            # 整改 follows the final report: recorded after 定稿 too, by whoever may edit the evaluation
            sent = submit("保存整改情况", form=f"rectify_{field}", disabled=not can(require_user().role, "edit"))
        if sent:
            _save_rectifications(eng, loaded, field, edited, problems)


def _save_rectifications(
    eng: Engine, loaded: Loaded, field: RectifiedList, edited: pd.DataFrame, problems: list[ReportProblem]
) -> None:
    try:
        updated = _read_rectifications(edited, problems)
    except (FieldError, ValidationError) as e:
        show_error(e)
        return

    def write(session: Session) -> int:
        return record_rectifications(
            session=session,
            key=loaded.evaluation.id,
            field=field,
            rectifications=[p.rectification or Rectification() for p in updated],
            user=require_user(),
            expected_version=loaded.version,
        )

    save_version(eng, loaded.evaluation.id, write, "已保存整改情况。", form=f"rectify_{field}", started=loaded.version)
