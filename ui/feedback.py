"""Showing domain errors the way every page does: the reason in Chinese, every problem listed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import streamlit as st
from pydantic import ValidationError

from evaluation.errors import ConflictError, ValidationFailed, WorkbenchError, listed
from evaluation.files.data import pydantic_message
from ui.unsaved import keep_marked

FIELD_NAMES = {
    "name": "名称",
    "department": "主管部门",
    "year": "年度",
    "amount": "金额",
    "category": "类别",
    "reason": "调整理由",
    "score": "得分",
    "start": "开始年月",
    "end": "结束年月",
    "period_start": "评价开始年月",
    "period_end": "评价结束年月",
    "report_month": "报告年月",
}


class FieldError(WorkbenchError):
    """Bad input in one field: the label and what is wrong."""

    def __init__(self, label: str, message: str) -> None:
        self.label = label
        super().__init__(f"“{label}”：{message}")


def show_error(e: Exception) -> None:
    """A failed save: say why; the form keeps what was typed (and leaving the page still asks first)."""
    keep_marked()
    if isinstance(e, ConflictError):
        st.error(f"未保存：{e}")
    elif isinstance(e, ValidationFailed):
        st.error(f"未保存：{e.title}\n\n" + "\n".join(f"- {line}" for line in listed(e.problems)))
    elif isinstance(e, ValidationError):
        st.error(
            "未保存，以下内容有误：\n\n" + "\n".join(f"- {line}" for line in listed([_pydantic(x) for x in e.errors()]))
        )
    else:
        st.error(f"未保存：{e}")


def _pydantic(err: object) -> str:
    assert isinstance(err, dict)
    loc = [str(x) for x in err.get("loc", ()) if not isinstance(x, int)]
    field = FIELD_NAMES.get(loc[-1], loc[-1]) if loc else ""
    kind = str(err.get("type", ""))
    if kind == "greater_than_equal":
        msg = f"不能小于 {err.get('ctx', {}).get('ge')}"
    elif kind == "string_too_short" or kind == "missing":
        msg = "不能为空"
    elif kind == "string_pattern_mismatch":
        msg = "格式不对（年月请写成 2024-10）"
    elif kind in ("decimal_type", "decimal_parsing", "int_type", "int_parsing"):
        msg = "须为数字"
    else:  # pydantic's own wording is English: every other kind is said as the data files say it
        msg = pydantic_message(err)
    return f"{field}：{msg}" if field else msg


def typed(value: Decimal | None) -> str:
    """A stored number as the text a field starts from (what ``parse_number`` / ``parse_amount`` read back)."""
    return "" if value is None else f"{value:f}"


def parse_amount(text: str, label: str) -> Decimal | None:
    """A 万元 amount typed as text; empty is None; negative or non-numeric raise :class:`FieldError`."""
    t = text.strip().replace(",", "").replace("，", "")
    if not t:
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise FieldError(label, f"“{text}”不是数字（单位：万元）") from None
    if not d.is_finite():
        raise FieldError(label, f"“{text}”不是数字")
    if d < 0:
        raise FieldError(label, "金额不能为负数")
    return d


def typed_amount(key: str, stored: Decimal | None) -> Decimal | None:
    """The amount typed into the field ``key`` and not saved yet (the stored one while nothing valid is typed),
    for totals that follow the input."""
    text = st.session_state.get(key)
    if not isinstance(text, str):
        return stored
    try:
        return parse_amount(text, "")
    except FieldError:
        return stored


def parse_number(text: str, label: str) -> Decimal | None:
    t = text.strip()
    if not t:
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise FieldError(label, f"“{text}”不是数字") from None
    if not d.is_finite() or d < 0:
        raise FieldError(label, "须为不小于 0 的数字")
    return d
