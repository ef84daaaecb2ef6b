"""The archive (归档) of a stored evaluation: gathered from the database, built by ``evaluation.engagement.archive``
and kept with the final state.

At 定稿 :func:`finalise` moves the evaluation to 已定稿 and builds and keeps its archive in the same
transaction; :func:`stored_archive` gives the latest one back. The archive holds the
report kept at 定稿 (the file whose hash the workflow row records), the reviewers' decisions and the
evaluation's audit trail, read here and handed over as plain data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from evaluation.auth import User
from evaluation.engagement.archive import ArchiveSource, assemble_archive, read_manifest, verify_archive
from evaluation.engagement.workpapers import DecisionNote, HistoryNote
from evaluation.errors import WorkbenchError
from evaluation.report import build_docx
from evaluation.report.pdf import can_convert, docx_to_pdf
from evaluation.scoring.engine import score
from evaluation.storage import audit
from evaluation.storage.blobs import attachment_store
from evaluation.storage.decisions import list_decisions
from evaluation.storage.repo import get_evaluation
from evaluation.storage.tables import ArchiveRow, utcnow
from evaluation.storage.users import check_access
from evaluation.storage.workflow import WorkflowError, final_report, state_of, transition

FINAL = "已定稿"


class ArchiveRefused(WorkbenchError):
    """An archive that is not kept: the evaluation is not final, or the file does not match its manifest."""


@dataclass(frozen=True)
class StoredArchive:
    evaluation_key: str
    state: str
    file_name: str
    sha256: str
    size: int
    created_by: str
    created_at: datetime
    content: bytes


def decision_notes(*, session: Session, evaluation_key: str) -> list[DecisionNote]:
    """The reviewers' decisions on the evaluation's check findings, as plain data."""
    notes = []
    for d in list_decisions(session=session, subject=evaluation_key).values():
        location = d.finding.get("location") or {}
        notes.append(
            DecisionNote(
                indicator=str(location.get("indicator") or ""),
                message=str(d.finding.get("message") or d.code),
                decision=d.decision,
                reason=d.reason,
                reviewer=d.reviewer,
                at=d.decided_at,
            )
        )
    return notes


def _short(value: Any) -> str:
    text = "（空）" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def change_text(old: Any, new: Any, limit: int = 8) -> str:
    """An audit entry's change in words: "narrative：旧 → 新；score：3 → 4" (the first ``limit`` fields)."""
    if not isinstance(old, dict) and not isinstance(new, dict):
        return f"{_short(old)} → {_short(new)}"
    before, after = audit.changes(old, new)
    paths = [path for path in after if path]  # "" is the empty document on the side that had none
    parts = [f"{path}：{_short(before[path])} → {_short(after[path])}" for path in paths[:limit]]
    more = f" 等 {len(paths)} 处" if len(paths) > limit else ""
    return "；".join(parts) + more


def history_notes(*, session: Session, evaluation_key: str) -> list[HistoryNote]:
    """The evaluation's audit trail, oldest first, as plain data."""
    return [
        HistoryNote(at=e.at, actor=e.actor, action=e.action, target=e.target, change=change_text(e.old, e.new))
        for e in audit.history(session=session, evaluation_key=evaluation_key)
    ]


def archive_file_name(evaluation_key: str, state: str) -> str:
    return f"{evaluation_key}-归档{'' if state == FINAL else '（草稿）'}.zip"


def build_archive(
    *,
    session: Session,
    evaluation_key: str,
    user: User,
    draft: bool = False,
    with_pdf: bool = True,
    attachments_root: Path | None = None,
) -> bytes:
    """The archive of a stored evaluation (``user`` must be allowed to read it). A final evaluation's archive
    holds the report kept at 定稿; any other state is refused unless ``draft`` (then the report is built from
    the current content). The PDF is added when ``with_pdf`` and LibreOffice can make it."""
    check_access(session=session, user=user, action="read", evaluation_key=evaluation_key)
    state = state_of(session=session, evaluation_key=evaluation_key).state
    if state != FINAL and not draft:
        raise ArchiveRefused(
            f"评价“{evaluation_key}”处于“{state}”状态，尚未定稿，不能归档（可生成草稿归档查看当前内容）"
        )
    ev = get_evaluation(session=session, ref=evaluation_key)
    result = score(ev)
    kept = final_report(session=session, evaluation_key=evaluation_key) if state == FINAL else None
    report = kept[1] if kept is not None else build_docx(ev, result)
    pdf = None
    if with_pdf and can_convert():
        try:
            pdf = docx_to_pdf(report)
        except WorkbenchError:
            pdf = None  # the archive is still complete without it; the manifest does not list a PDF
    source = ArchiveSource(
        evaluation=ev,
        result=result,
        state=state,
        created_by=user.username,
        created_at=utcnow(),
        report_docx=report,
        report_pdf=pdf,
        decisions=decision_notes(session=session, evaluation_key=evaluation_key),
        history=history_notes(session=session, evaluation_key=evaluation_key),
        attachments_root=attachments_root or attachment_store(session.get_bind().engine),
    )
    return assemble_archive(source)


def _stored(row: ArchiveRow) -> StoredArchive:
    return StoredArchive(
        row.evaluation_key, row.state, row.file_name, row.sha256, row.size, row.created_by, row.created_at, row.content
    )


def store_archive(*, session: Session, evaluation_key: str, content: bytes, user: User) -> StoredArchive:
    """Keep a final evaluation's archive (a reviewer of it, or an administrator): it must be intact, of this
    evaluation and made in the final state. Written to the audit trail."""
    check_access(session=session, user=user, action="review", evaluation_key=evaluation_key)
    state = state_of(session=session, evaluation_key=evaluation_key).state
    if state != FINAL:
        raise WorkflowError(f"评价“{evaluation_key}”处于“{state}”状态，定稿后才能保存归档")
    problems = verify_archive(content)
    if problems:
        raise ArchiveRefused("归档文件与其清单不符，未保存：" + "；".join(problems[:5]))
    manifest = read_manifest(content)
    if manifest.get("evaluation", {}).get("id") != evaluation_key or manifest.get("state") != FINAL:
        raise ArchiveRefused(f"归档文件不是评价“{evaluation_key}”定稿时的归档，未保存")
    digest = hashlib.sha256(content).hexdigest()
    row = ArchiveRow(
        evaluation_key=evaluation_key,
        state=FINAL,
        file_name=archive_file_name(evaluation_key, FINAL),
        sha256=digest,
        size=len(content),
        content=content,
        created_by=user.username,
    )
    session.add(row)
    audit.record(
        session=session,
        actor=user.username,
        action="归档",
        evaluation_key=evaluation_key,
        target="归档",
        new={"文件": row.file_name, "SHA-256": digest, "大小": len(content)},
    )
    session.flush()
    return _stored(row)


def stored_archive(*, session: Session, evaluation_key: str, user: User) -> StoredArchive | None:
    """The latest archive kept for the evaluation (``user`` must be allowed to read it), or None."""
    check_access(session=session, user=user, action="read", evaluation_key=evaluation_key)
    row = session.exec(
        select(ArchiveRow).where(ArchiveRow.evaluation_key == evaluation_key).order_by(col(ArchiveRow.id).desc())
    ).first()
    return None if row is None else _stored(row)


def finalise(
    *,
    session: Session,
    evaluation_key: str,
    user: User,
    build_report: Callable[[], bytes],
    file_name: str,
    comment: str = "",
    with_pdf: bool = True,
    attachments_root: Path | None = None,
) -> StoredArchive:
    """定稿 and 归档 in one transaction: the evaluation moves to 已定稿 with its final report (built by
    ``build_report`` after the lock is taken), and the archive of that final state is built and kept. When
    either step is refused nothing is written."""
    transition(
        session=session,
        evaluation_key=evaluation_key,
        to=FINAL,
        user=user,
        comment=comment,
        final_report=build_report,
        file_name=file_name,
    )
    content = build_archive(
        session=session,
        evaluation_key=evaluation_key,
        user=user,
        with_pdf=with_pdf,
        attachments_root=attachments_root,
    )
    return store_archive(session=session, evaluation_key=evaluation_key, content=content, user=user)
