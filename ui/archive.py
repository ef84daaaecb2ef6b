"""底稿与归档 (资料与征求意见 page): the 资料清单 and the 工作底稿 as files, built on click from the stored record,
and the archive — kept at 定稿, or built as a draft of the current content before that."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.auth import User
from evaluation.engagement.checklist import checklist_docx, checklist_xlsx
from evaluation.engagement.workpapers import Workpapers, build_workpapers, workpapers_docx, workpapers_xlsx
from evaluation.errors import NotFound
from evaluation.formatting import beijing
from evaluation.model import Evaluation
from evaluation.scoring.engine import score
from evaluation.storage.archives import FINAL, archive_file_name, build_archive, decision_notes, history_notes
from evaluation.storage.archives import stored_archive as kept_archive
from evaluation.storage.db import session_scope
from evaluation.storage.reading import read_evaluation
from evaluation.storage.workflow import state_of
from ui.auth import require_user
from ui.downloads import DOCX, XLSX, download_button
from ui.state import Loaded

ZIP = "application/zip"


def _stored(eng: Engine, key: str) -> Callable[[User], Evaluation]:
    def read(user: User) -> Evaluation:
        with session_scope(eng) as session:
            return read_evaluation(session=session, ref=key, user=user)

    return read


def checklist_downloads(eng: Engine, loaded: Loaded) -> None:
    """The recorded 资料清单 (merged with the system's documents) as Excel and Word, from the stored record."""
    ev = loaded.evaluation
    picked = st.date_input("资料提供截止日期（写入清单抬头，可不填）", value=None, key=f"checklist_deadline@{ev.id}")
    due = picked if isinstance(picked, date) else None
    stored = _stored(eng, ev.id)
    left, right = st.columns(2)
    download_button(
        "下载资料清单（Excel）",
        lambda user: checklist_xlsx(stored(user), deadline=due),
        file_name=f"{ev.project.name}资料清单.xlsx",
        mime=XLSX,
        evaluation=ev.id,
        where=left,
        key=f"checklist_xlsx@{ev.id}",
    )
    download_button(
        "下载资料清单（Word）",
        lambda user: checklist_docx(stored(user), deadline=due),
        file_name=f"{ev.project.name}资料清单.docx",
        mime=DOCX,
        evaluation=ev.id,
        where=right,
        key=f"checklist_docx@{ev.id}",
    )


def _workpapers(eng: Engine, key: str) -> Callable[[User], Workpapers]:
    def build(user: User) -> Workpapers:
        with session_scope(eng) as session:
            ev = read_evaluation(session=session, ref=key, user=user)
            decisions = decision_notes(session=session, evaluation_key=key)
            history = history_notes(session=session, evaluation_key=key)
        return build_workpapers(ev, score(ev), decisions=decisions, history=history)

    return build


def archive_tab(eng: Engine, loaded: Loaded) -> None:
    ev = loaded.evaluation
    st.subheader("工作底稿")
    st.caption(
        "每项指标一页：评分规则、录入数据、证据与附件（含 SHA-256）、计算过程、得分与调整、评分过程、"
        "复核意见和修改历史。Excel 按一级指标分表。"
    )
    papers = _workpapers(eng, ev.id)
    left, right = st.columns(2)
    download_button(
        "下载工作底稿（Excel）",
        lambda user: workpapers_xlsx(papers(user)),
        file_name=f"{ev.project.name}工作底稿.xlsx",
        mime=XLSX,
        evaluation=ev.id,
        where=left,
        key=f"workpapers_xlsx@{ev.id}",
    )
    download_button(
        "下载工作底稿（Word）",
        lambda user: workpapers_docx(papers(user)),
        file_name=f"{ev.project.name}工作底稿.docx",
        mime=DOCX,
        evaluation=ev.id,
        where=right,
        key=f"workpapers_docx@{ev.id}",
    )
    st.subheader("归档")
    _archive(eng, ev)


def _archive(eng: Engine, ev: Evaluation) -> None:
    user = require_user()
    with session_scope(eng) as session:
        state = state_of(session=session, evaluation_key=ev.id).state
        kept = kept_archive(session=session, evaluation_key=ev.id, user=user)
    if kept is not None:
        st.success(
            f"定稿时已归档：{kept.file_name}（{kept.size / 1024 / 1024:.2f} MB，{beijing(kept.created_at)} 由 "
            f"{kept.created_by} 保存）。SHA-256：{kept.sha256}"
        )

        def saved(user: User) -> bytes:
            with session_scope(eng) as session:
                again = kept_archive(session=session, evaluation_key=ev.id, user=user)
            if again is None:
                raise NotFound("归档已不在数据库中")
            return again.content

        download_button(
            "下载归档（.zip）",
            saved,
            file_name=kept.file_name,
            mime=ZIP,
            evaluation=ev.id,
            key=f"archive@{ev.id}",
            type="primary",
        )
        return
    st.caption(
        "归档包含评价报告（Word，有 LibreOffice 时另附 PDF）、评价方案、工作底稿、资料清单及其文件、证据附件、"
        "征求意见记录、修改历史和评价数据，并附 manifest.json（每个文件的 SHA-256）。定稿时自动生成并保存。"
    )
    draft = state != FINAL

    def build(user: User) -> bytes:
        with session_scope(eng) as session:
            return build_archive(session=session, evaluation_key=ev.id, user=user, draft=draft, with_pdf=False)

    download_button(
        "下载草稿归档（当前内容，.zip）" if draft else "生成并下载归档（.zip）",
        build,
        file_name=archive_file_name(ev.id, state),
        mime=ZIP,
        evaluation=ev.id,
        key=f"archive_draft@{ev.id}",
    )
