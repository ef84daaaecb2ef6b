"""The review workflow on the 复核与流程 page: the state, the reviewers' comments, the transitions the
signed-in user may make, and the final report kept at 定稿. The core checks role, membership and state."""

from __future__ import annotations

from datetime import datetime

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.auth import User
from evaluation.config import get_settings
from evaluation.errors import NotFound
from evaluation.formatting import beijing
from evaluation.model import Evaluation
from evaluation.report import build_docx
from evaluation.report.outline import missing_items
from evaluation.scoring.engine import score
from evaluation.storage.archives import finalise
from evaluation.storage.db import session_scope
from evaluation.storage.repo import get_evaluation
from evaluation.storage.unchanged import read_unchanged
from evaluation.storage.workflow import (
    TRANSITIONS,
    final_report,
    final_report_file,
    state_of,
    submitted_by,
    transition,
)
from ui.auth import require_user
from ui.downloads import DOCX, download_button
from ui.saving import action, commit, fresh

ACTIONS = {
    "已提交复核": ("提交复核", ":material/send:"),
    "退回修改": ("退回修改", ":material/undo:"),
    "已通过": ("复核通过", ":material/check_circle:"),
    "征求意见中": ("发送被评价单位征求意见", ":material/forum:"),
    "已定稿": ("定稿（生成并保存最终报告）", ":material/verified:"),
}
STEPS = {
    "草稿": "评价人员填写中，可随时修改。",
    "已提交复核": "已提交复核，评价人员不能修改；等待复核人员通过或退回。",
    "退回修改": "复核人员已退回，请按复核意见修改后再次提交。",
    "已通过": "复核已通过，内容已锁定；可发送被评价单位征求意见、定稿，或退回修改。",
    "征求意见中": "报告初稿已发送被评价单位征求意见：单位可对各问题反馈，评价人员逐条答复异议（可修改内容）后定稿。",
    "已定稿": "已定稿，最终报告已保存，内容不可再改。",
}


def report_name(ev: Evaluation) -> str:
    return f"{ev.project.name}绩效评价报告（定稿）.docx"


def final_report_download(eng: Engine, key: str, where: st.delta_generator.DeltaGenerator | None = None) -> bool:
    """The kept final report with its SHA-256, when the evaluation was finalised; whether there is one. The
    file is read from the database when it is fetched, not on every run."""
    final = read_unchanged(
        eng, ("final-report", key), lambda session: final_report_file(session=session, evaluation_key=key)
    )
    if final is None:
        return False
    name, digest = final
    box = where or st.container()

    def content(_user: User) -> bytes:
        with session_scope(eng) as session:
            kept = final_report(session=session, evaluation_key=key)
        if kept is None:
            raise NotFound(f"评价“{key}”的定稿报告已不在数据库中")
        return kept[1]

    download_button(
        "下载定稿报告",
        content,
        file_name=name,
        mime=DOCX,
        evaluation=key,
        where=box,
        icon=":material/download:",
    )
    box.caption(f"定稿报告 SHA-256：`{digest}`")
    return True


def workflow_panel(eng: Engine, ev: Evaluation, open_errors: int) -> None:
    user = require_user()
    with session_scope(eng) as session:
        current = state_of(session=session, evaluation_key=ev.id)
        submitter = submitted_by(session=session, evaluation_key=ev.id)
    own = submitter == user.username and not get_settings().allow_self_approval
    box = st.container(border=True)
    box.markdown(f"**流程状态：{current.state}**　{STEPS[current.state]}")
    if current.comments:
        with box.expander(f"复核意见与流程记录（{len(current.comments)} 条）", expanded=current.state == "退回修改"):
            for c in reversed(current.comments):
                st.markdown(f"- {beijing(datetime.fromisoformat(c['at']))} {c['by']} → {c['to']}：{c['text']}")
    final_report_download(eng, ev.id, box)
    targets = [to for (frm, to), roles in TRANSITIONS.items() if frm == current.state and user.role in roles]
    if not targets:
        return
    form = f"workflow@{ev.id}"  # every step of the state counts as one form: after a move the comment is emptied
    comment = box.text_area(
        "意见（退回修改时必填）",
        key=fresh(f"workflow_comment@{ev.id}", form=form),
        placeholder="写给评价人员或复核人员的说明",
    )
    if "已提交复核" in targets and open_errors:
        box.warning(f"复核检查还有 {open_errors} 处“错误”未处理，建议处理后再提交。")
    blocked = _finalise_blockers(ev, open_errors) if "已定稿" in targets else []
    if blocked:
        box.warning("定稿前须：\n\n" + "\n".join(f"- {b}" for b in blocked))
    if own and {"已通过", "已定稿"} & set(targets):
        box.info("本评价由您提交复核：通过与定稿须由另一位复核人员完成（复核与编制分离）。")
    columns = box.columns(len(targets))
    for column, to in zip(columns, targets, strict=True):
        label, icon = ACTIONS[to]
        if action(
            label,
            form=form,
            name=to,
            where=column,
            icon=icon,
            type="primary" if to != "退回修改" else "secondary",
            disabled=(to == "已定稿" and bool(blocked)) or (own and to in ("已通过", "已定稿")),
        ):
            _move(eng, ev, to, comment, form)


def _finalise_blockers(ev: Evaluation, open_errors: int) -> list[str]:
    """What must be done before the final report is kept: the report's required items and every
    复核 error decided (corrected, or accepted with a reason)."""
    blockers = [f"补充{m.what}（在“{m.where}”）" for m in missing_items(ev, score(ev)) if m.blocking]
    if open_errors:
        blockers.append(f"处理复核发现的 {open_errors} 处“错误”（已修正，或说明理由接受）")
    waiting = [p.title for p in ev.problems if p.response is not None and p.response.stance == "有异议" and not p.reply]
    if waiting:
        blockers.append(
            f"在“资料与征求意见 › 征求意见”中答复被评价单位的 {len(waiting)} 条异议（{'、'.join(waiting)}）"
        )
    return blockers


def _stored_report(session: Session, key: str) -> bytes:
    """The report of the evaluation as stored now (after the lock), scored once here."""
    stored = get_evaluation(session=session, ref=key)
    return build_docx(stored, score(stored))


def _move(eng: Engine, ev: Evaluation, to: str, comment: str, form: str) -> None:
    """Move the evaluation to state ``to`` (role, membership and state checked by the core: a refusal writes
    nothing); 已定稿 keeps the final report and the archive of that state together."""

    def write(session: Session) -> None:
        if to == "已定稿":
            finalise(
                session=session,
                evaluation_key=ev.id,
                user=require_user(),
                comment=comment,
                # built after the lock is taken, from the content as stored at that moment
                build_report=lambda: _stored_report(session, ev.id),
                file_name=report_name(ev),
            )
        else:
            transition(session=session, evaluation_key=ev.id, to=to, user=require_user(), comment=comment)

    done = "，最终报告与归档已保存（在“资料与征求意见 › 底稿与归档”下载）" if to == "已定稿" else ""
    with st.spinner("正在生成最终报告并归档…" if to == "已定稿" else "正在保存…"):
        commit(eng, write, f"评价已变为“{to}”{done}。", form=form)
