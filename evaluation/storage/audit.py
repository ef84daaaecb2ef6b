"""Audit trail: who changed what, when, old → new — written in the same transaction as the change."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from evaluation.auth import User, require
from evaluation.formatting import beijing
from evaluation.limits import AUDIT_TARGET_MAX
from evaluation.storage.tables import AuditRow


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    evaluation_key: str
    target: str
    old: Any
    new: Any
    id: int = 0  # the entry's place in the trail (entries are only ever added)


def _text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    evaluation_key: str,
    target: str = "",
    old: Any = None,
    new: Any = None,
) -> None:
    """Add one entry to the trail; the caller's transaction commits or rolls it back with the change. The
    target is cut to its column (a user's name after "用户 ", an indicator's name), on every database alike."""
    if len(target) > AUDIT_TARGET_MAX:
        target = target[: AUDIT_TARGET_MAX - 1] + "…"
    session.add(
        AuditRow(
            actor=actor, action=action, evaluation_key=evaluation_key, target=target, old=_text(old), new=_text(new)
        )
    )


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.at,
        row.actor,
        row.action,
        row.evaluation_key,
        row.target,
        None if row.old is None else json.loads(row.old),
        None if row.new is None else json.loads(row.new),
        row.id or 0,
    )


def history(
    *, session: Session, evaluation_key: str | None = None, target: str | None = None, after: int = 0
) -> list[AuditEntry]:
    """The trail (of one evaluation, of one of its targets), oldest first; with ``after``, only the entries
    added after entry ``after``."""
    query = select(AuditRow).where(col(AuditRow.id) > after).order_by(col(AuditRow.id))
    if evaluation_key is not None:
        query = query.where(AuditRow.evaluation_key == evaluation_key)
    if target is not None:
        query = query.where(AuditRow.target == target)
    return [_entry(r) for r in session.exec(query).all()]


def history_stamp(*, session: Session, evaluation_key: str, target: str | None = None) -> tuple[int, int]:
    """(number of entries, latest entry id) of a trail: what moves when an entry is added."""
    query = sa_select(func.count(), func.max(col(AuditRow.id))).where(col(AuditRow.evaluation_key) == evaluation_key)
    if target is not None:
        query = query.where(col(AuditRow.target) == target)
    count, latest = session.execute(query).one()
    return int(count), int(latest or 0)


def known_keys(*, session: Session) -> set[str]:
    """Every evaluation key the trail has seen, deleted ones included (never to be given out again)."""
    return {k for k in session.exec(select(AuditRow.evaluation_key).distinct()).all() if k}


def export_csv(*, session: Session, actor: User) -> bytes:
    """The whole trail as CSV (UTF-8 with BOM, for Excel); administrators only."""
    require(actor.role, "manage_users")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["时间", "操作人", "操作", "评价", "对象", "原值", "新值"])
    for e in history(session=session):
        writer.writerow(
            [e.at.isoformat(), e.actor, e.action, e.evaluation_key, e.target, _text(e.old) or "", _text(e.new) or ""]
        )
    return out.getvalue().encode("utf-8-sig")


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flatten(v, f"{prefix}[{i + 1}]", out)
    else:
        out[prefix] = value


def changes(old: Any, new: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The leaves that differ between two JSON documents, by path: (old values, new values)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten({} if old is None and isinstance(new, dict) else old, "", before)
    _flatten({} if new is None and isinstance(old, dict) else new, "", after)
    paths = [p for p in after if before.get(p) != after[p]] + [p for p in before if p not in after]
    return {p: before.get(p) for p in paths}, {p: after.get(p) for p in paths}


def last_change(*, session: Session, evaluation_key: str, target: str | None = None) -> AuditEntry | None:
    query = select(AuditRow).where(AuditRow.evaluation_key == evaluation_key)
    if target is not None:
        query = query.where(AuditRow.target == target)
    row = session.exec(query.order_by(col(AuditRow.id).desc())).first()
    return None if row is None else _entry(row)


def describe(entry: AuditEntry, limit: int = 4) -> str:
    """One line for a conflict message: who changed what, when, old → new (the first few fields)."""
    when = beijing(entry.at, "%m-%d %H:%M")
    old, new = changes(entry.old, entry.new)
    parts = [f"{path}：{_short(old[path])} → {_short(new[path])}" for path in list(new)[:limit]]
    more = f" 等 {len(new)} 处" if len(new) > limit else ""
    detail = "；".join(parts) + more if parts else entry.action
    return f"{entry.actor} 于 {when}（北京时间）{entry.action}了{entry.target or '评价'}：{detail}"


def _short(value: Any) -> str:
    text = "（空）" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"
