"""The agency's own indicator-system templates, kept in the database beside the shipped YAML library:
saved from an evaluation's system or a client's table, listed on 指标库, used at 新建评价, exported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from evaluation.auth import User, require
from evaluation.errors import NotFound, Problem, ValidationFailed
from evaluation.indicators.library import Library
from evaluation.indicators.system import IndicatorSystem, system_problems
from evaluation.storage import audit
from evaluation.storage.tables import AgencyTemplateRow, utcnow


@dataclass(frozen=True)
class AgencyTemplate:
    key: str
    system: IndicatorSystem
    created_by: str
    updated_at: datetime


def _model(row: AgencyTemplateRow) -> AgencyTemplate:
    return AgencyTemplate(row.key, IndicatorSystem.model_validate(row.document), row.created_by, row.updated_at)


def list_templates(*, session: Session) -> list[AgencyTemplate]:
    rows = session.exec(select(AgencyTemplateRow).order_by(col(AgencyTemplateRow.key))).all()
    return [_model(r) for r in rows]


def get_template(*, session: Session, key: str) -> IndicatorSystem:
    row = session.exec(select(AgencyTemplateRow).where(AgencyTemplateRow.key == key)).first()
    if row is None:
        raise NotFound(f"机构模板库中没有编号为“{key}”的指标体系")
    return IndicatorSystem.model_validate(row.document)


def save_template(
    *, session: Session, system: IndicatorSystem, user: User, library: Library, replace: bool = False
) -> None:
    """Keep ``system`` as an agency template under its id. It must be a complete, valid system (sums,
    codes, rules), and its id must not be a shipped template's; an existing one is replaced only when
    asked (``replace``)."""
    require(user.role, "manage_templates", system.name)
    problems = system_problems(system, require_filled=True)
    if system.id in library.systems or system.id in library.packs or system.id in library.personal:
        problems.append(Problem(f"编号“{system.id}”已是指标库中模板的编号，请换一个", None, None, "编号"))
    if problems:
        raise ValidationFailed(problems, "未存入机构模板库")
    row = session.exec(select(AgencyTemplateRow).where(AgencyTemplateRow.key == system.id)).first()
    if row is not None and not replace:
        raise ValidationFailed(
            [Problem(f"机构模板库中已有编号“{system.id}”（{row.name}），如需覆盖请选择覆盖", None, None, "编号")],
            "未存入机构模板库",
        )
    document = system.model_dump(mode="json")
    audit.record(
        session=session,
        actor=user.username,
        action="覆盖" if row is not None else "新建",
        evaluation_key=system.id,
        target="机构模板",
        old=row.document if row is not None else None,
        new=document,
    )
    if row is None:
        row = AgencyTemplateRow(key=system.id, name=system.name, document=document, created_by=user.username)
    else:
        row.name, row.document, row.updated_at = system.name, document, utcnow()
    session.add(row)
    session.flush()


def delete_template(*, session: Session, key: str, user: User) -> None:
    require(user.role, "manage_templates", key)
    row = session.exec(select(AgencyTemplateRow).where(AgencyTemplateRow.key == key)).first()
    if row is None:
        raise NotFound(f"机构模板库中没有编号为“{key}”的指标体系")
    audit.record(
        session=session, actor=user.username, action="删除", evaluation_key=key, target="机构模板", old=row.document
    )
    session.delete(row)
    session.flush()
