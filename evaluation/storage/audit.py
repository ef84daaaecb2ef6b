"""Audit trail: who changed what, when, old → new — written in the same transaction as the change."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, Session, SQLModel, col, select

from evaluation.storage.tables import utcnow


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=60)
    action: str = Field(max_length=20)
    evaluation_key: str = Field(max_length=40, index=True)
    target: str = Field(default="", max_length=60)
    old: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    evaluation_key: str
    target: str
    old: Any
    new: Any


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
    """Add one entry to the trail; the caller's transaction commits or rolls it back with the change."""
    session.add(
        AuditRow(
            actor=actor, action=action, evaluation_key=evaluation_key, target=target, old=_text(old), new=_text(new)
        )
    )


def history(*, session: Session, evaluation_key: str | None = None, target: str | None = None) -> list[AuditEntry]:
    query = select(AuditRow).order_by(col(AuditRow.id))
    if evaluation_key is not None:
        query = query.where(AuditRow.evaluation_key == evaluation_key)
    if target is not None:
        query = query.where(AuditRow.target == target)
    return [
        AuditEntry(
            r.at,
            r.actor,
            r.action,
            r.evaluation_key,
            r.target,
            None if r.old is None else json.loads(r.old),
            None if r.new is None else json.loads(r.new),
        )
        for r in session.exec(query).all()
    ]


def export_csv(*, session: Session) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["时间", "操作人", "操作", "评价", "对象", "原值", "新值"])
    for e in history(session=session):
        writer.writerow(
            [e.at.isoformat(), e.actor, e.action, e.evaluation_key, e.target, _text(e.old) or "", _text(e.new) or ""]
        )
    return out.getvalue().encode("utf-8-sig")
