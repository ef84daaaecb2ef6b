"""The evaluated unit's page (被评价单位): its 资料清单 with uploads, the 基础数据表, and — once the draft is
sent for 征求意见 — the draft report and its answer to each problem. It never shows scores before the draft
(what it reads comes from ``storage.engagement.unit_view``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from evaluation.auth import PermissionDenied
from evaluation.errors import WorkbenchError
from evaluation.formatting import amount, beijing
from evaluation.model import (
    RECTIFICATION_STATUSES,
    ExpenseItem,
    Funds,
    PerformanceTarget,
    Rectification,
    UnitData,
    UnitResponse,
)
from evaluation.report import build_docx
from evaluation.scoring.engine import score
from evaluation.storage.blobs import attachment_store
from evaluation.storage.db import session_scope
from evaluation.storage.engagement import (
    CONSULTATION,
    UnitView,
    record_rectifications,
    respond_to_problem,
    submit_unit_data,
    unit_evaluations,
    unit_view,
    upload_for_item,
)
from evaluation.storage.repo import get_evaluation
from evaluation.storage.unchanged import read_unchanged
from evaluation.storage.workflow import state_of
from ui.auth import require_user
from ui.downloads import DOCX, download_button
from ui.feedback import FieldError, show_error
from ui.resources import engine
from ui.saving import commit, submit
from ui.tables import read_table

PICK = "wb_unit_pick"


def pick_evaluation(eng: Engine) -> UnitView | None:
    """The evaluation the unit works on (a picker when it belongs to several), read as the unit may see it."""
    user = require_user()  # both reads ask the database again only after something was written
    mine = read_unchanged(eng, ("unit-evaluations", user), lambda session: unit_evaluations(session=session, user=user))
    if not mine:
        st.info("您的账户还没有关联任何评价。请联系评价机构，把您加入对应评价的成员。")
        return None
    labels = {e.key: f"{e.project_name}（{e.year} 年度，{e.state}）" for e in mine}
    key = st.selectbox("评价项目", list(labels), format_func=labels.__getitem__, key=PICK)
    try:
        return read_unchanged(
            eng, ("unit-view", key, user), lambda session: unit_view(session=session, key=key, user=user)
        )
    except WorkbenchError as e:
        show_error(e)
        return None


def checklist_tab(eng: Engine, view: UnitView) -> None:
    st.caption(
        "评价机构列出的资料：请按项上传（PDF、Word、Excel、图片，单个文件不超过 20 MB）。上传后该项记为“已提供”。"
    )
    if not view.checklist:
        st.info("评价机构还没有发出资料清单。")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "序号": i,
                    "资料名称": item.document,
                    "提供情况": item.status,
                    "提供日期": item.received_on.isoformat() if item.received_on else "",
                    "说明": item.note,
                    "已上传": "、".join(f.document for f in item.files),
                }
                for i, item in enumerate(view.checklist, 1)
            ]
        ),
        hide_index=True,
        width="stretch",
        placeholder="",
    )
    if view.state == "已定稿":
        st.caption("评价已定稿，不再接收资料。")
        return
    with st.form(f"unit_upload@{view.key}", clear_on_submit=True):
        names = {i: f"{i + 1}. {item.document}（{item.status}）" for i, item in enumerate(view.checklist)}
        index = st.selectbox("上传到哪一项", list(names), format_func=names.__getitem__)
        upload = st.file_uploader("文件（不超过 20 MB）", key=f"unit_file@{view.key}")  # the server checks the size
        sent = submit("上传", form=f"unit_upload@{view.key}", guard_repeat=True, type="primary")
    if not sent:
        return
    if upload is None:
        st.error("请选择要上传的文件")
        return
    commit(
        eng,
        lambda session: upload_for_item(
            session=session,
            key=view.key,
            index=index,
            filename=upload.name,
            data=upload.getvalue(),
            root=attachment_store(eng),
            user=require_user(),
            expected_version=view.version,
        ),
        f"已上传“{upload.name}”到“{view.checklist[index].document}”。",
        form=f"unit_upload@{view.key}",
    )


def _number(text: str, label: str) -> Decimal | None:
    t = text.strip().replace(",", "").removesuffix("万元").strip()
    if not t:
        return None
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise FieldError(label, f"“{text}”不是数字（单位：万元）") from None
    if value < 0:
        raise FieldError(label, "不能为负数")
    return value


def unit_data_tab(eng: Engine, view: UnitView) -> None:
    data = view.unit_data
    if data is not None:
        said = {"待确认": "已提交，等待评价机构确认", "已采纳": "评价机构已采纳", "已退回": "评价机构已退回"}[
            data.status
        ]
        st.info(f"基础数据表{said}（{data.by}，{_when(data.at)}）。" + (f"说明：{data.answer}" if data.answer else ""))
    if view.state == "已定稿":
        return
    start = data.funds if data is not None else view.facts.funds
    targets = data.targets if data is not None else view.facts.annual_targets
    with st.form(f"unit_data@{view.key}"):
        c1, c2 = st.columns(2)
        initial = c1.text_input("年初预算（万元）", amount(start.initial_budget, none=""))
        adjusted = c2.text_input("调整后预算（万元）", amount(start.adjusted_budget, none=""))
        received = c1.text_input("实际到位资金（万元）", amount(start.received, none=""))
        spent = c2.text_input("实际支出（万元）", amount(start.spent, none=""))
        st.markdown("**支出明细**（可增删行）")
        breakdown = st.data_editor(
            pd.DataFrame(
                [{"支出类别": e.category, "金额（万元）": float(e.amount)} for e in start.breakdown],
                columns=["支出类别", "金额（万元）"],
            ),
            num_rows="dynamic",
            width="stretch",
            placeholder="",
        )
        st.markdown("**年度绩效目标**（指标名称与目标值，可增删行）")
        goals = st.data_editor(
            pd.DataFrame([{"指标": t.name, "目标值": t.value} for t in targets], columns=["指标", "目标值"]),
            num_rows="dynamic",
            width="stretch",
            placeholder="",
        )
        note = st.text_area("填报说明", data.note if data is not None else "")
        sent = submit("提交基础数据表", form=f"unit_data@{view.key}", type="primary")
    if not sent:
        return
    try:
        items = [
            ExpenseItem(category=row.required("支出类别"), amount=_number(row["金额（万元）"], "金额") or Decimal(0))
            for row in read_table(breakdown, "支出明细")
        ]
        funds = Funds(
            initial_budget=_number(initial, "年初预算"),
            adjusted_budget=_number(adjusted, "调整后预算"),
            received=_number(received, "实际到位资金"),
            spent=_number(spent, "实际支出"),
            breakdown=items,
        )
        goal_rows = [
            PerformanceTarget(name=r.required("指标"), value=r["目标值"]) for r in read_table(goals, "年度绩效目标")
        ]
        data = UnitData(funds=funds, targets=goal_rows, note=note.strip())
    except (FieldError, WorkbenchError, ValidationError) as e:
        show_error(e)
        return
    commit(
        eng,
        lambda session: submit_unit_data(
            session=session, key=view.key, data=data, user=require_user(), expected_version=view.version
        ),
        "已提交基础数据表，等待评价机构确认。",
        form=f"unit_data@{view.key}",
    )


def consultation_tab(eng: Engine, view: UnitView) -> None:
    if not view.problems and view.state not in ("征求意见中", "已定稿"):
        st.info("评价机构发出报告初稿征求意见后，可在这里下载初稿、对报告所列问题逐条反馈。")
        return
    key = view.key
    download_button(
        "下载报告初稿（Word）" if view.consulting else "下载评价报告（Word）",
        lambda _user: _draft(key),
        file_name=f"{view.project.name}绩效评价报告（{'征求意见稿' if view.consulting else '定稿'}）.docx",
        mime=DOCX,
        action="respond",
        evaluation=key,
    )
    for i, p in enumerate(view.problems):
        with st.container(border=True):
            st.markdown(f"**问题{i + 1}：{p.title}**")
            st.write(p.text)
            if p.response is not None:
                st.caption(f"贵单位的反馈：{p.response.stance}。{p.response.statement}（{_when(p.response.at)}）")
            if p.reply is not None:
                st.caption(f"评价机构答复：{p.reply.decision}。{p.reply.text}")
            if view.consulting:
                _answer_form(eng, view, i)


def _answer_form(eng: Engine, view: UnitView, index: int) -> None:
    problem = view.problems[index]
    old = problem.response
    with st.form(f"unit_answer_{index}@{view.key}", clear_on_submit=True):
        stance = st.radio(
            "意见", ["同意", "有异议"], index=0 if old is None or old.stance == "同意" else 1, horizontal=True
        )
        statement = st.text_area("说明（有异议时必填：理由与依据）", old.statement if old else "")
        files = st.file_uploader("佐证材料（可选，可多个，每个不超过 20 MB）", accept_multiple_files=True)
        sent = submit(
            "提交反馈" if old is None else "修改反馈", form=f"unit_answer_{index}@{view.key}", guard_repeat=True
        )
    if not sent:
        return
    try:
        response = UnitResponse(stance=stance, statement=statement.strip())
    except ValidationError as e:
        show_error(e)
        return
    commit(
        eng,
        lambda session: respond_to_problem(
            session=session,
            key=view.key,
            index=index,
            response=response,
            user=require_user(),
            expected_version=view.version,
            files=tuple((f.name, f.getvalue()) for f in files or []),
            root=attachment_store(eng),
        ),
        f"已提交对问题{index + 1}的反馈。",
        form=f"unit_answer_{index}@{view.key}",
    )


def _draft(key: str) -> bytes:
    """The report as stored now, while the draft is out or final (membership and the 'respond' right are
    checked at the click by the download helper)."""
    with session_scope(engine()) as session:
        if state_of(session=session, evaluation_key=key).state not in CONSULTATION:
            raise PermissionDenied("报告初稿尚未发出征求意见")
        ev = get_evaluation(session=session, ref=key)
    return build_docx(ev, score(ev))


def _when(at: str) -> str:
    return beijing(datetime.fromisoformat(at)) if at else ""


def rectification_tab(eng: Engine, view: UnitView) -> None:
    """After 定稿: the unit records the 整改 of each problem of the final report (measure, responsible unit,
    deadline, status); the agency sees it on its 整改 tab and next year's evaluation carries it over."""
    if view.state != "已定稿" or not view.problems:
        st.info("评价定稿后，可在这里逐条填写报告所列问题的整改措施、责任单位、期限和进展。")
        return
    for i, p in enumerate(view.problems):
        old = p.rectification or Rectification()
        with st.form(f"unit_rectify_{i}@{view.key}"):
            st.markdown(f"**问题{i + 1}：{p.title}**")
            measure = st.text_area("整改措施", old.measure)
            left, middle, right = st.columns(3)
            unit = left.text_input("责任单位", old.unit or view.project.department)
            deadline = middle.date_input("整改期限", value=old.deadline, format="YYYY-MM-DD")
            status = right.selectbox("整改状态", RECTIFICATION_STATUSES, index=RECTIFICATION_STATUSES.index(old.status))
            note = st.text_area("整改情况说明（进展、已完成的事项与证明材料）", old.note)
            sent = submit("保存整改情况", form=f"unit_rectify_{i}@{view.key}")
        if not sent:
            continue
        try:
            rect = Rectification(
                measure=measure.strip(),
                unit=unit.strip(),
                deadline=deadline if isinstance(deadline, date) else None,
                status=status,
                note=note.strip(),
            )
        except ValidationError as e:
            show_error(e)
            continue
        chosen = [rect if j == i else (q.rectification or Rectification()) for j, q in enumerate(view.problems)]
        _save_rectifications(eng, view, i, chosen)


def _save_rectifications(eng: Engine, view: UnitView, index: int, chosen: list[Rectification]) -> None:
    commit(
        eng,
        lambda session: record_rectifications(
            session=session,
            key=view.key,
            field="problems",
            rectifications=chosen,
            user=require_user(),
            expected_version=view.version,
        ),
        f"已保存问题{index + 1}的整改情况。",
        form=f"unit_rectify_{index}@{view.key}",
    )
