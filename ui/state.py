"""Session keys (constants, in one place) and the current evaluation every workbench page works on.

Real data lives in the database; the session keeps only the current evaluation's key, the versions
the user started editing from (optimistic locking across reruns) and small UI choices, under keys
no widget owns (widget keys are deleted when the user leaves a page).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.auth import PermissionDenied
from evaluation.errors import NotFound
from evaluation.formatting import number
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.base import CheckFinding
from evaluation.review.checks import check
from evaluation.scoring.engine import EvaluationResult, score
from evaluation.scoring.stated import REVIEW_LABEL, figure_label, record_result
from evaluation.storage.reading import read_evaluation, read_with_versions, readable_evaluations
from evaluation.storage.repo import EvaluationSummary, list_department_summaries, replaced_row, saved_score
from evaluation.storage.unchanged import ask_again, read_unchanged
from evaluation.storage.users import sees_all
from ui import access
from ui.auth import require_user
from ui.kept import derived, kept_value, model_hash

T = TypeVar("T")

CURRENT = "wb_current_evaluation"  # key of the evaluation being worked on
DOC_VERSIONS = "wb_doc_versions"  # evaluation key → document version the user started from
ASSESSMENT_VERSIONS = "wb_assessment_versions"  # "key/code" → assessment version (None: new)
CURRENT_INDICATOR = "wb_current_indicator"  # evaluation key → indicator code on the evidence page
FLASH = "wb_flash"  # one message shown by the run that follows a save
LAST_PAGE = "wb_last_page"  # the workbench page of the previous run
CONFLICTS = "wb_conflicts"  # evaluation keys whose last save met someone else's change
REFUSED = "wb_refused_save"  # form prefix → why its save, made in the submit button's callback, was refused
REFUSED_NOW = "_wb_refused_this_run"  # the refusals the current run shows (made in the callback just before it)
SAVE_LOCK = "_wb_save_lock"  # one save at a time per browser session (see save_lock)
ROUNDS = "wb_form_rounds"  # form → its last save in this session (the round in its submit button's key)
DRAFTED = "wb_drafted"  # the 评分过程 field a draft was just written into (unsaved input, like typing)
RECENT = "wb_recent_evaluations"  # keys made current in this session, the latest first (a picker's short list)
# the place in the URL, so a reload or a shared link opens the same evaluation and indicator (after sign-in)
EVAL_PARAM = "eval"
INDICATOR_PARAM = "indicator"
LINK_PARAMS = (EVAL_PARAM, INDICATOR_PARAM)


@dataclass(frozen=True)
class Loaded:
    evaluation: Evaluation
    version: int  # the document version this page edits from
    result: EvaluationResult
    assessment_versions: dict[str, int]  # stored versions, read together with the content shown


NO_EVALUATION = "还没有评价。请在“评价项目”页新建一个。"
NOT_A_MEMBER = "您还没有参与任何评价：请管理员在“系统管理 › 评价成员”中把您加入评价，或在“评价项目”页新建一个。"
UNSAVED_NOTE = "每个表单点“保存”后才写入数据库；离开本页或切换评价前请先保存，未保存的输入不会保留。"


def summaries(eng: Engine) -> list[EvaluationSummary]:
    """The evaluations the signed-in user may read (asked again only after something was written)."""
    user = require_user()
    return read_unchanged(eng, ("readable", user), lambda session: readable_evaluations(session=session, user=user))


def readable(eng: Engine, key: str) -> Evaluation:
    """Evaluation ``key``, when the signed-in user may read it (asked again only after something was written)."""
    user = require_user()
    return read_unchanged(
        eng, ("evaluation", key, user), lambda session: read_evaluation(session=session, ref=key, user=user)
    )


def department_reports(eng: Engine) -> list[DepartmentSummary]:
    """The 部门自评报告 the signed-in user may read (asked again only after something was written)."""
    user = require_user()
    return read_unchanged(
        eng, ("department-reports", user), lambda session: list_department_summaries(session=session, user=user)
    )


def from_list(
    items: list[EvaluationSummary], name: str, compute: Callable[[], T], reads: Callable[[EvaluationSummary], object]
) -> T:
    """``compute()`` (a pure function of the list), kept with the list as :func:`ui.kept.derived` keeps it. When the
    list replaced a kept one by one row (a save: ``repo.replaced_row``) and ``reads`` — the fields of a row the value
    depends on — gives the same for that row before and after, the value kept for the old list is the value for the
    new one: a save does not make every run after it work through the whole list again."""

    def carried_or_computed() -> T:
        replaced = replaced_row(items)
        if replaced is not None:
            old, before, after = replaced
            value = kept_value(old, name)
            if value is not None and reads(before) == reads(after):
                return value  # type: ignore[no-any-return]
        return compute()

    return derived(items, name, carried_or_computed)


def current_key(items: list[EvaluationSummary]) -> str | None:
    """The evaluation being worked on: the session's choice, else the one the URL names (a reload, a shared
    link), else the first third-party evaluation. The URL and every picker are brought in line with it."""
    keys = from_list(items, "keys", lambda: frozenset(i.key for i in items), _key)  # every run: not a list scan
    key = st.session_state.get(CURRENT)
    if key not in keys:
        wanted = st.query_params.get(EVAL_PARAM)
        key = (
            wanted
            if wanted in keys
            else next((i.key for i in items if i.kind == "third_party"), items[0].key if items else None)
        )
        st.session_state[CURRENT] = key
    if not isinstance(key, str):
        return None
    if st.query_params.get(EVAL_PARAM) != key:
        st.query_params[EVAL_PARAM] = key
    return key


def evaluation_labels(items: list[EvaluationSummary]) -> dict[str, str]:
    """key → what a picker shows: 项目名称（年度，类型）, with the key added where two would read the same (a
    picker tells its choices apart by what it shows). Kept with the list (shared: not to be changed)."""
    return from_list(items, "labels", lambda: _labels(items), _labelled)


def _key(i: EvaluationSummary) -> str:
    return i.key


def _labelled(i: EvaluationSummary) -> tuple[object, ...]:
    """What a row's label is made of, and its place in the list (the labels' order is the pickers' order)."""
    return (i.key, i.project_name, i.year, i.kind, i.kind_label)


def _labels(items: list[EvaluationSummary]) -> dict[str, str]:
    labels = {i.key: f"{i.project_name}（{i.year}，{i.kind_label}）" for i in items}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {k: (f"{v[:-1]}，{k}）" if seen[v] > 1 else v) for k, v in labels.items()}


# Up to this many evaluations a picker lists them all. Beyond, the browser would be sent every label again
# whenever the current evaluation changes (2,000 evaluations: a 168 KiB selectbox), so a picker lists the current
# evaluation, the ones opened lately in this session and the first of the list, and finds the rest by what is
# typed above it.
PICK_ALL = 200
SHORT_LIST = 50  # how many a picker lists when it does not list all
RECENT_COUNT = 10


def holding(texts: Iterable[tuple[str, str]], query: str) -> Iterator[str]:
    """The keys, in order, whose text (case-folded) holds every word of ``query``, case aside."""
    words = query.casefold().split()
    return (key for key, text in texts if all(w in text for w in words))


def short_list(
    items: list[EvaluationSummary], labels: dict[str, str], current: str, recent: list[str], query: str
) -> list[str]:
    """The keys a picker offers when there are too many to list: the current evaluation, then (with nothing
    typed) the recent ones and the first of the list, or (with a query) the evaluations whose label, 主管部门
    or key holds every word typed, case aside; at most ``SHORT_LIST``."""
    if query.split():
        texts = from_list(  # kept with the list, like its labels
            items,
            "pick-texts",
            lambda: [(i.key, f"{labels[i.key]} {i.department} {i.key}".casefold()) for i in items],
            lambda i: (*_labelled(i), i.department),
        )
        rest: Iterable[str] = holding(texts, query)
    else:
        rest = chain((k for k in recent if k in labels), (i.key for i in items))
    chosen = {current: None}
    for k in rest:
        if len(chosen) >= SHORT_LIST:
            break
        chosen.setdefault(k, None)
    return list(chosen)


def evaluation_picker(where: Any, label: str, items: list[EvaluationSummary], widget_key: str, current: str) -> str:
    """A selectbox of the evaluations showing ``current`` (a choice becomes the current evaluation); returns its
    value. With more than ``PICK_ALL`` a search box above it narrows what it lists (see ``short_list``)."""
    labels = evaluation_labels(items)
    options = list(labels)
    if len(options) > PICK_ALL:
        query = where.text_input(
            "查找评价", key=f"{widget_key}_find", placeholder="项目名称、主管部门、年度或编号"
        ).strip()
        options = short_list(items, labels, current, st.session_state.get(RECENT, []), query)
        if query and len(options) == 1:
            where.caption(f"没有与“{query}”相符的其他评价。")
        else:
            where.caption(
                f"共 {len(items):,} 个评价，此处列出 {len(options)} 个"
                + ("（最近打开的在前）" if not query else "")
                + "；输入关键词查找其余。"
            )
    # The picker is a new widget for each current evaluation (its key names it), drawn showing that one. A value
    # the server gave an existing picker was overwritten by the browser when a click reached the server before
    # the browser had drawn it: the click carried the old value back, and the evaluation just made current
    # (新建, 复制) fell back to the one before. Such a late value now belongs to an old picker (see ``picked``).
    picker = f"{widget_key}@{current}"
    chosen: str = where.selectbox(
        label,
        options,
        index=options.index(current) if current in options else 0,
        format_func=labels.__getitem__,
        key=picker,
        on_change=picked,
        args=(picker, current),
    )
    return chosen


def picked(picker: str, drawn_for: str) -> None:
    """on_change of a picker: its choice becomes the current evaluation before the page runs. A picker drawn for
    another current evaluation than this session's is a page the browser had not yet replaced: what it sends is
    not a choice (Streamlit may still call its on_change once after it is gone)."""
    if st.session_state.get(CURRENT) == drawn_for:
        set_current(st.session_state[picker])


def set_current(key: str) -> None:
    """Make ``key`` the current evaluation (the pickers and the URL follow on the next run); it heads the
    session's recent evaluations."""
    st.session_state[CURRENT] = key
    recent: list[str] = st.session_state.get(RECENT, [])
    st.session_state[RECENT] = [key, *(k for k in recent if k != key)][:RECENT_COUNT]


def doc_version_book() -> dict[str, int]:
    """This session's document versions (evaluation key → version), as the plain dict the session state holds: a
    save takes it before it writes and notes the new version after the commit without using the session state
    again (see :func:`version_book`)."""
    book: dict[str, int] = st.session_state.setdefault(DOC_VERSIONS, {})
    return book


def doc_version(key: str, stored: int) -> int:
    """The version the user started editing from (set on first load, advanced by our own saves)."""
    return doc_version_book().setdefault(key, stored)


def assessment_version(key: str, code: str, stored: int | None) -> int | None:
    """The version of an indicator's assessment the user started editing from (None: not stored yet); set
    when the indicator is first shown, advanced by our own saves."""
    versions: dict[str, int | None] = st.session_state.setdefault(ASSESSMENT_VERSIONS, {})
    return versions.setdefault(f"{key}/{code}", stored)


def version_book() -> dict[str, int | None]:
    """This session's assessment versions ("key/code" → version), as the plain dict the session state holds. A save
    takes it before it writes and notes the new version in it after the commit without using the session state
    again: Streamlit stops a running callback at its next use of the session state once a newer click has arrived,
    and a saved version left unnoted would turn that click (a double click) into a false conflict with the user's
    own save."""
    book: dict[str, int | None] = st.session_state.setdefault(ASSESSMENT_VERSIONS, {})
    return book


def remember_assessment_version(key: str, code: str, version: int, book: dict[str, int | None]) -> None:
    book[f"{key}/{code}"] = version


def saved_since(key: str, code: str, version: int | None) -> bool:
    """Whether this session saved the indicator since a form was drawn at ``version``: a second click on the
    form arrived before the page was drawn again (its button still carries the version it was drawn at)."""
    versions: dict[str, int | None] = st.session_state.get(ASSESSMENT_VERSIONS, {})
    where = f"{key}/{code}"
    return where in versions and versions[where] != version


def clear_widgets(*, starts: str = "", ends: str = "") -> None:
    """Drop widget states so the widgets are seeded from the database on the next run."""
    for k in [k for k in st.session_state if str(k).startswith(starts) and str(k).endswith(ends)]:
        del st.session_state[k]


def forget_versions(key: str) -> None:
    """After a conflict: start again from what is stored now (typed input is dropped)."""
    clear_widgets(ends=f"@{key}")
    clear_widgets(starts=f"ev@{key}@")
    st.session_state.setdefault(DOC_VERSIONS, {}).pop(key, None)
    versions: dict[str, int | None] = st.session_state.setdefault(ASSESSMENT_VERSIONS, {})
    for k in [k for k in versions if k.startswith(f"{key}/")]:
        versions.pop(k)


def mark_conflict(key: str, *, show: bool = True) -> None:
    """Flag the conflict; the banner with the reload button shows on later runs, and now unless ``show`` is
    False (a save in a button's callback, before the run whose ``load`` draws it)."""
    flagged: set[str] = st.session_state.setdefault(CONFLICTS, set())
    if key not in flagged:
        flagged.add(key)
        if show:
            conflict_banner(key)


def conflict_banner(key: str) -> None:
    """After a refused save: offer to drop the stale versions and load what is stored now."""
    if key not in st.session_state.get(CONFLICTS, set()):
        return
    c1, c2 = st.columns([4, 1])
    c1.warning("他人已修改本评价。您的输入仍保留在页面上，可复制后载入最新内容再改。")
    if c2.button("载入最新内容", key="wb_reload_latest"):
        st.session_state[CONFLICTS].discard(key)
        forget_versions(key)
        st.rerun()


def refuse(form: str, reason: Exception) -> None:
    """A save made in a submit button's callback was refused: the run that follows shows why, below the form."""
    st.session_state.setdefault(REFUSED, {})[form] = reason


def take_refusals() -> None:
    """Called by every page's guard: this run shows the refusals made just before it; older ones (a run stopped
    before it drew the form) are dropped, not shown later beside a form that was not refused again."""
    st.session_state[REFUSED_NOW] = st.session_state.pop(REFUSED, {})


def keep_save_lock() -> None:
    """Called by every page's guard (a run draws the forms, one thread at a time): the session's save lock exists
    before any form's callback needs it."""
    st.session_state.setdefault(SAVE_LOCK, threading.Lock())


def save_lock() -> AbstractContextManager[object]:
    """Held by every save. With Streamlit's default ``runner.fastReruns`` (this project's config turns it off) a click
    that arrives while a save runs makes Streamlit start a new script thread at once, the old one going on until its
    next use of the session state: a double click runs two saves side by side. Under the lock the second one sees
    the first one's save (``saved_since``, the form's round)."""
    lock = st.session_state.get(SAVE_LOCK)
    return lock if isinstance(lock, type(threading.Lock())) else nullcontext()


@dataclass
class Round:
    """A form's last save in this session: how many saves its submit button's key counts, when it was committed,
    and what is left to do after it (clear the form, say it was saved, make a new evaluation the current one)."""

    number: int
    finish: Callable[[], None]
    at: float  # time.monotonic() at the save's commit
    pending: bool = True  # ``finish`` has not run to its end

    def complete(self) -> None:
        """Do what the save left to do, unless done. A click that arrives while a save runs makes Streamlit start a
        new run and stop the saving one at its next use of the session state, which may be in ``finish``: the next
        run (its guard, or a repeated click) completes it."""
        if self.pending:
            self.finish()
            self.pending = False


# form → the round its button was drawn at in the page run this thread is in (reset by every page's guard)
_drawn = threading.local()


def new_page_run() -> None:
    """Called by every page's guard: no form of this run has been drawn yet, and what a save stopped by this run's
    click left undone is done now (its message, the new current evaluation). This run may have asked whether the
    database changed before that save's commit: its reads ask again (the new evaluation is then in the list)."""
    _drawn.rounds = {}
    if complete_pending():
        ask_again()


def complete_pending() -> bool:
    """Complete what saves of this session left undone (:meth:`Round.complete`); whether there was any."""
    pending = [last for last in round_book().values() if last.pending]
    for last in pending:
        last.complete()
    return bool(pending)


def round_book() -> dict[str, Round]:
    """This session's form rounds (form → :class:`Round`), as the plain dict the session state holds."""
    book: dict[str, Round] = st.session_state.setdefault(ROUNDS, {})
    return book


def form_round(form: str) -> int:
    """The number in ``form``'s submit button's key, noted as the round this run drew it at."""
    found = round_book().get(form)
    number = found.number if found is not None else 0
    drawn: dict[str, int] | None = getattr(_drawn, "rounds", None)
    if drawn is not None:
        drawn.setdefault(form, number)
    return number


def drawn_round(form: str) -> int | None:
    """The round ``form``'s button was drawn at in this run (None: not drawn with :func:`form_round`)."""
    drawn: dict[str, int] | None = getattr(_drawn, "rounds", None)
    return None if drawn is None else drawn.get(form)


def refusal(form: str) -> Exception | None:
    """Why the save of the form with this widget-key prefix was refused just before this run, once."""
    found: Exception | None = st.session_state.get(REFUSED_NOW, {}).pop(form, None)
    return found


def flash(message: str) -> None:
    st.session_state[FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.toast(message, icon=":material/check_circle:")


def load(eng: Engine, key: str) -> Loaded | None:
    user = require_user()
    try:
        ev, stored, versions = read_unchanged(
            eng, ("with-versions", key, user), lambda session: read_with_versions(session=session, key=key, user=user)
        )
    except (NotFound, PermissionDenied) as e:
        st.error(str(e))
        return None
    return Loaded(ev, doc_version(key, stored), result_of(ev), versions)


def result_of(ev: Evaluation) -> EvaluationResult:
    """The evaluation's score, computed once per stored version of it (see ``ui.kept``); after a save of this
    process, the score the save computed."""
    return derived(ev, "score", lambda: saved_score(ev) or score(ev))


def kept_check(ev: Evaluation, result: EvaluationResult, department: DepartmentSummary | None) -> list[CheckFinding]:
    """``review.checks.check``, once per stored version of the evaluation (``result`` is its score) and of the
    department report that lists it."""
    # a kept report (see repo.list_department_summaries): by its content's hash, computed once per report object
    name = "findings" if department is None else f"findings{model_hash(department)}"
    return derived(ev, name, lambda: check(ev, result, department))


def entered_page(path: str) -> None:
    """Called by the frame before each page runs. Entering a page starts editing from what is stored
    now: Streamlit drops a page's widget states when the user leaves it, so nothing typed survives a
    page change, and versions kept from an earlier visit would only turn someone else's later save
    into a false conflict."""
    if st.session_state.get(LAST_PAGE) != path:
        st.session_state[LAST_PAGE] = path
        st.session_state[DOC_VERSIONS] = {}
        st.session_state[ASSESSMENT_VERSIONS] = {}


def choose_evaluation(eng: Engine, *, editing: bool = True) -> Loaded | None:
    """Sidebar: which evaluation this page works on, and its running total, grade and progress.

    Also works out whether the signed-in user may edit it (role, membership, review state); an editing
    page says so at its top when not, and its save buttons are disabled (see ``ui.access``)."""
    items = summaries(eng)
    key = current_key(items)
    if key is None:
        st.info(NO_EVALUATION if sees_all(require_user()) else NOT_A_MEMBER)
        return None
    evaluation_picker(st.sidebar, "当前评价", items, "wb_pick_evaluation", key)
    conflict_banner(key)
    access.remember(access.edit_block(eng, require_user(), key))
    if editing:
        access.readonly_banner()
    loaded = load(eng, key)
    if loaded is not None:
        p = loaded.evaluation.project
        st.caption(f"{p.name}　{p.department}　{p.year} 年度　{loaded.evaluation.kind_label}（{key}）")
        sidebar_score(loaded.evaluation, loaded.result)
    return loaded


def sidebar_score(ev: Evaluation, result: EvaluationResult) -> None:
    """The figure of record (a 自评 record's own 自评得分, otherwise the rules'), and the progress."""
    box = st.sidebar.container(border=True)
    own = record_result(ev, result)
    label = figure_label(ev)
    if own.scored == 0:
        box.markdown("**尚未评分**")
    elif own.scored < own.count:
        done = sum((r.weight for r in own.indicators if r.score is not None), Decimal(0))
        box.markdown(f"**{label}已得 {number(own.total)} 分**（已评部分满分 {number(done)} 分；全部评完后定级）")
    else:
        box.markdown(f"**{label} {number(own.total)} 分 · {own.grade}**")
    if own is not result and result.scored:
        box.caption(f"{REVIEW_LABEL}（按评分规则）{number(result.total)} 分")
    box.progress(result.scored / result.count if result.count else 0.0, text=f"已评 {result.scored}/{result.count} 项")
    if result.penalty_total:
        box.caption(f"扣分项 −{number(result.penalty_total)} 分")
    if result.errors:
        box.caption(f"{len(result.errors)} 项输入有误")
