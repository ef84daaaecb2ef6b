"""The parts of the 证据与评分 page that are not a form: which indicator is shown (the list, the picker,
上一项 / 下一未评), the indicator's header, and the evidence references with their attachments (the table
read back, uploads stored for a save and removed again when it is refused, the download list)."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.uploaded_file_manager import UploadedFile

from evaluation.auth import User
from evaluation.files.attachments import (
    AttachmentError,
    Where,
    content_hash,
    intact,
    put_attachment,
    read_attachment,
    remove_attachment,
    with_attachment,
)
from evaluation.formatting import number
from evaluation.indicators.rules import AnyRule, describe_rule
from evaluation.indicators.system import Indicator
from evaluation.model import Assessment, Evaluation, EvidenceRef
from evaluation.scoring.engine import EvaluationResult
from ui.downloads import download_button
from ui.kept import derived
from ui.state import CURRENT_INDICATOR, INDICATOR_PARAM
from ui.tables import edited_rows, read_table

MARKS = {"未评": "○", "已评": "●", "已复核": "✔", "输入有误": "⚠"}
EVIDENCE_COLUMNS = ["文件名称", "文号", "凭证号", "页码", "说明", "附件"]


@dataclass(frozen=True)
class IndicatorList:
    labels: dict[str, str]  # code → picker text (static: the frontend keeps a shown text until the choice changes)
    state_of: dict[str, tuple[str, str]]  # code → (status, score text)
    codes: list[str]
    table: pa.Table  # the 指标清单 table, as st.dataframe sends it


def indicator_list(result: EvaluationResult) -> IndicatorList:
    """What the 指标清单 and the picker show of a scored evaluation (kept with the result: see ``ui.kept``)."""
    return derived(result, "indicator-list", lambda: _indicator_list(result))


def _indicator_list(result: EvaluationResult) -> IndicatorList:
    labels: dict[str, str] = {}
    state_of: dict[str, tuple[str, str]] = {}
    for r in result.indicators:
        labels[r.code] = f"{r.level2} › {r.name}（{number(r.weight)} 分）"
        state_of[r.code] = (r.status, "" if r.score is None else number(r.score))
    for pen in result.penalties:
        labels[pen.code] = f"扣分项 › {pen.name}"
        state_of[pen.code] = (pen.status, f"−{number(pen.points)}" if pen.status != "未评" else "")
    codes = list(labels)
    table = pa.table(  # built as Arrow directly: a save's new score builds it again, on the page's run
        {
            "状态": [f"{MARKS.get(state_of[c][0], '')} {state_of[c][0]}" for c in codes],
            "指标": [labels[c] for c in codes],
            "得分": [state_of[c][1] for c in codes],
        }
    )
    return IndicatorList(labels, state_of, codes, table)


def pick_indicator(ev: Evaluation, result: EvaluationResult) -> str:
    """The 指标清单 (a click on a row picks it), the 指标 picker and 上一项 / 下一未评; the code shown."""
    listed = indicator_list(result)
    labels, state_of, codes = listed.labels, listed.state_of, listed.codes
    chosen: dict[str, str] = st.session_state.setdefault(CURRENT_INDICATOR, {})
    pick_key = f"wb_pick_indicator@{ev.id}"
    list_key = f"wb_indicator_list@{ev.id}"
    if st.session_state.get(pick_key) not in codes:
        linked = st.query_params.get(INDICATOR_PARAM)  # a reload or a shared link names the indicator
        first = chosen.get(ev.id) or linked
        st.session_state[pick_key] = first if first in codes else codes[0]

    def go(code: str) -> None:
        st.session_state[pick_key] = code

    def picked_from_list() -> None:
        rows = st.session_state[list_key]["selection"]["rows"]
        if rows:
            go(codes[rows[0]])

    with st.expander(
        f"指标清单：已评 {result.scored}/{result.count} 项（点一行即可切换）", icon=":material/checklist:"
    ):
        st.dataframe(
            listed.table,
            hide_index=True,
            width="stretch",
            on_select=picked_from_list,
            selection_mode="single-row",
            key=list_key,
            placeholder="",
        )

    c1, c2, c3 = st.columns([6, 1, 1], vertical_alignment="bottom")
    code: str = c1.selectbox("指标", codes, format_func=lambda c: labels[c], key=pick_key)
    chosen[ev.id] = code
    if st.query_params.get(INDICATOR_PARAM) != code:
        st.query_params[INDICATOR_PARAM] = code
    i = codes.index(code)
    c2.button("上一项", on_click=go, args=(codes[i - 1],), disabled=i == 0, width="stretch", key="wb_prev")
    todo = [c for c in codes[i + 1 :] + codes[:i] if state_of[c][0] in ("未评", "输入有误")]
    c3.button(
        "下一未评", on_click=go, args=(todo[0] if todo else code,), disabled=not todo, width="stretch", key="wb_next"
    )
    return code


@dataclass(frozen=True)
class Shown:
    """The indicator (or penalty item) on the page: what its input form and messages need."""

    rule: AnyRule
    weight: Decimal  # the indicator's weight, or the penalty item's cap
    indicator: Indicator | None  # None for a penalty item
    explanation: str
    status: str
    computed: Decimal | None  # the score, or minus the penalty's points


def show_indicator(ev: Evaluation, result: EvaluationResult, code: str) -> Shown:
    """The header: name, weight and score, target, method, explanation and the rule in words."""
    found = ev.system.find(code)
    if found is not None:
        indicator = found[2]
        st.subheader(f"{indicator.name}（{indicator.code}）")
        r = result.indicator(code)
        cols = st.columns([1, 1, 4])
        cols[0].metric("分值", number(indicator.weight))
        cols[1].metric("得分", number(r.score) if r.score is not None else r.status)
        cols[2].markdown(
            f"**目标值**：{indicator.target or '—'}　　**评分方法**：{indicator.method_label}\n\n"
            f"**指标解释**：{indicator.explanation or '—'}"
        )
        st.markdown(f"**评分说明**：{indicator.rule_text or indicator.rule_in_words()}")
        st.caption(f"规则：{indicator.rule_in_words()}")
        return Shown(indicator.rule, indicator.weight, indicator, r.explanation, r.status, r.score)
    penalty = next(p for p in ev.system.penalty_items() if p.code == code)
    rule = penalty.rule
    cap = rule.cap if rule.cap is not None else (ev.system.penalties.cap if ev.system.penalties else Decimal(0))
    st.subheader(f"扣分项：{penalty.name}（{penalty.code}）")
    st.markdown(f"**说明**：{penalty.explanation or '—'}；{penalty.rule_text or describe_rule(rule, cap)}")
    pen = next(p for p in result.penalties if p.code == code)
    st.metric("扣分", number(pen.points))
    return Shown(rule, cap, None, pen.explanation, pen.status, -pen.points)


def evidence_rows(refs: list[EvidenceRef]) -> list[dict[str, str]]:
    return [
        {
            "文件名称": e.document,
            "文号": e.doc_no,
            "凭证号": e.voucher,
            "页码": e.page,
            "说明": e.note,
            "附件": e.attachment,
        }
        for e in refs
    ]


def read_evidence(edited: Iterable[dict[str, Any]], old: list[EvidenceRef]) -> list[EvidenceRef]:
    """证据索引: every filled row needs 文件名称; an attachment keeps the content hash recorded at upload."""
    hashes = {e.attachment: e.sha256 for e in old if e.attachment}
    return [
        EvidenceRef(
            document=row.required("文件名称"),
            doc_no=row["文号"],
            voucher=row["凭证号"],
            page=row["页码"],
            note=row["说明"],
            attachment=row["附件"],
            sha256=hashes.get(row["附件"], ""),
        )
        for row in read_table(edited, "证据索引")
    ]


@dataclass
class EvidenceSave:
    """The work of 保存证据, done in the button's callback (see ``ui.saving.save_on_submit``): read the 证据索引
    table and the chosen files from the session state, store each file (as a reference of its own) and give
    the indicator's assessment with them; ``refused`` removes the files this save wrote (not a file it found
    already stored with the same content: someone's reference may use it), ``saved`` gives the upload box a new
    key. ``frame`` is the table the form draws: the rows the callback applies the editor's edits to."""

    root: Where
    evaluation_key: str
    base: Assessment
    form: str  # the form's widget-key prefix
    written: list[str] = field(default_factory=list)  # files this save wrote
    rows: list[dict[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.rows = derived(self.base.evidence, "evidence-rows", lambda: evidence_rows(self.base.evidence))

    def frame(self) -> pd.DataFrame:
        """Kept per stored evidence list (never changed: the editor works on a copy)."""
        return derived(self.rows, "evidence-frame", lambda: pd.DataFrame(self.rows, columns=EVIDENCE_COLUMNS))

    @property
    def table_key(self) -> str:
        return f"{self.form}table"

    @property
    def upload_key(self) -> str:
        """The upload box's key. It changes after each saved upload: the browser then draws an empty box (a box
        whose state is only cleared goes on showing the files it sent)."""
        return f"{self.form}upload{st.session_state.get(self._round, 0)}"

    @property
    def _round(self) -> str:
        return f"wb_upload_round@{self.evaluation_key}@{self.base.code}"

    def saved(self) -> None:
        st.session_state[self._round] = st.session_state.get(self._round, 0) + 1

    def build(self) -> Assessment:
        self.written.clear()
        refs = read_evidence(edited_rows(self.rows, EVIDENCE_COLUMNS, self.table_key), self.base.evidence)
        uploads: list[UploadedFile] = st.session_state.get(self.upload_key) or []
        for up in uploads:  # every file is checked here, on the server: size, name and content
            data = up.getvalue()
            stored = put_attachment(
                root=self.root, evaluation_id=self.evaluation_key, code=self.base.code, filename=up.name, data=data
            )
            if stored.created:
                self.written.append(stored.key)
            refs = with_attachment(refs, filename=up.name, relative=stored.key, sha256=content_hash(data))
        return self.base.model_copy(update={"evidence": refs})

    def message(self, saved: Assessment) -> str:
        attached = "、".join(PurePosixPath(rel).name for rel in self.written)
        return f"已保存证据（{len(saved.evidence)} 条）。" + (f"新上传的附件：{attached}。" if attached else "")

    def refused(self) -> None:
        for rel in self.written:
            remove_attachment(root=self.root, relative=rel)


def _file_bytes(root: Where, relative: str, _user: User) -> bytes:
    return read_attachment(root=root, relative=relative)


def attachment_downloads(
    eng: Engine, refs: list[EvidenceRef], *, root: Where, key_prefix: str, evaluation: str
) -> None:
    """A download button per attached file, with a warning when its content changed since the upload."""
    with_files = [e for e in refs if e.attachment]
    if not with_files:
        return
    st.markdown("**附件**")
    for n, ref in enumerate(with_files):
        try:
            data = read_attachment(root=root, relative=ref.attachment)
        except AttachmentError as err:
            st.caption(str(err))
            continue
        name = PurePosixPath(ref.attachment).name
        if not intact(data, ref.sha256):
            st.warning(f"附件“{name}”的内容与上传时记录的 SHA-256 不符，文件可能已被改动或损坏。")
        download_button(
            f"下载 {name}（{len(data) / 1024:.0f} KB）",
            partial(_file_bytes, root, ref.attachment),
            file_name=name,
            evaluation=evaluation,
            mime=mimetypes.guess_type(name)[0] or "application/octet-stream",
            key=f"{key_prefix}{n}",
        )
