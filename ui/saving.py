"""Saving from a page: one transaction, the version the page loaded, the reason shown when it fails (the
form keeps what was typed). ``save`` writes an evaluation document, ``save_assessment`` one indicator's
assessment, ``commit`` any other single write (an account, a new or deleted evaluation).

The forms of 证据与评分 save in their submit button's callback (``save_on_submit``): the callback runs
before the page's script, so the page is drawn once, already showing the new score, instead of a run that
saves and a second one that redraws. ``show_refused`` then says below the form why a save was refused.

A double click saves once. The other forms' buttons are drawn with :func:`submit` or :func:`action`, whose keys
count the form's saves in this session: the second click, when the browser sends it before the page is drawn again,
is for a button no longer drawn; when it arrives while the first click's save still runs, the second run's save
finds the form's count moved and writes nothing more. (This project's server stops the first run at its next
Streamlit call and starts the second after it, ``runner.fastReruns = false``; with Streamlit's default the two
run side by side, and the saves take the session's lock in turn.) A click within a second of a save of a form drawn
empty, or of a button without input, does nothing. Widgets keyed with :func:`fresh` are drawn empty again after a
save (新建评价, a new account)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import monotonic
from typing import Any, TypeVar

import streamlit as st
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from evaluation.auth import PermissionDenied, User
from evaluation.errors import ConflictError, WorkbenchError
from evaluation.model import Assessment, Evaluation
from evaluation.storage import repo
from evaluation.storage.db import session_scope
from evaluation.storage.documents import save_document
from ui.access import edit_block
from ui.auth import current_user, require_user
from ui.feedback import show_error
from ui.state import (
    Loaded,
    Round,
    clear_widgets,
    complete_pending,
    doc_version_book,
    drawn_round,
    flash,
    form_round,
    mark_conflict,
    refusal,
    refuse,
    remember_assessment_version,
    round_book,
    save_lock,
    saved_since,
    version_book,
)

_log = logging.getLogger(__name__)
T = TypeVar("T")


def replaced(evaluation: Evaluation, **parts: BaseModel) -> Evaluation:
    """The evaluation with some of its parts (``project=``, ``facts=``, ``report=``) replaced, validated as
    a whole; raises ``ValidationError``."""
    return evaluation.model_validate({**evaluation.model_dump(), **{k: v.model_dump() for k, v in parts.items()}})


def save(
    eng: Engine, loaded: Loaded, evaluation: Evaluation, message: str, *, form: str, sync_assessments: bool = False
) -> bool:
    """Save and rerun on success (the form's widgets are then seeded from the database; other forms keep
    what was typed in them); on failure show why and return False, the form keeping its input."""

    def write(session: Session) -> int:
        return save_document(
            session=session,
            evaluation=evaluation,
            expected_version=loaded.version,
            sync_assessments=sync_assessments,
            user=require_user(),
        )

    return save_version(eng, evaluation.id, write, message, form=form, started=loaded.version)


def save_version(
    eng: Engine, key: str, write: Callable[[Session], int], message: str, *, form: str, started: int | None = None
) -> bool:
    """Run ``write`` (a save of evaluation ``key``'s document that returns its new version) in one transaction,
    then as :func:`save`: remember the version, clear the form's widgets, flash ``message`` and rerun; on a
    refusal show why (a conflict marked as such) and return False. ``started``: the document version the page
    was drawn from. A save this session made of the same evaluation since then, from another form (two forms
    saved in quick succession), is said as such; the form keeps what was typed and is saved with the next click."""
    versions = doc_version_book()

    def other_save() -> None:
        if started is not None and versions.get(key, started) != started:
            raise WorkbenchError(
                "本表单打开后，您又在本评价的另一处保存过（两次保存相隔太近）。输入仍保留，请再点一次保存"
            )

    def finish(_: int) -> None:
        clear_widgets(starts=f"{form}.", ends=f"@{key}")
        flash(message)

    def noted(version: int) -> None:
        versions[key] = version

    return _once(eng, form, write, finish, check=other_save, noted=noted, conflicts=key)


def save_assessment(
    eng: Engine,
    evaluation_key: str,
    assessment: Assessment,
    message: str,
    *,
    expected_version: int | None,
    form: str,
) -> bool:
    """Save one indicator's assessment over ``expected_version`` (the version the user started from, None
    when none was stored) from outside its own form (a button on another page, drawn with :func:`action` as
    ``form``); the core scores it and refuses inputs its rule cannot score. On success the new version is
    remembered (``ui.state.assessment_version``), ``message`` flashed and the page drawn again; on a refusal show
    why and return False. The forms of 证据与评分 save with :func:`save_on_submit`."""
    write, noted = _assessment_writer(evaluation_key, assessment, expected_version, require_user())
    return _once(eng, form, write, lambda _: flash(message), noted=noted, conflicts=evaluation_key)


def _assessment_writer(
    evaluation_key: str, assessment: Assessment, expected_version: int | None, user: User
) -> tuple[Callable[[Session], int], Callable[[int], None]]:
    """(write, note): the core saves the assessment over ``expected_version`` (refusing a stale version, inputs its
    rule cannot score, a user who may not edit) and returns the new version, which is noted for this session in the
    book taken now, before the write (see ``ui.state.version_book``)."""
    book = version_book()

    def write(session: Session) -> int:
        return repo.save_assessment(
            session=session, ref=evaluation_key, assessment=assessment, expected_version=expected_version, user=user
        )

    def noted(version: int) -> None:
        remember_assessment_version(evaluation_key, assessment.code, version, book)

    return write, noted


def _write_assessment(
    eng: Engine, evaluation_key: str, assessment: Assessment, expected_version: int | None, user: User
) -> None:
    """One transaction through :func:`_assessment_writer`, its version noted."""
    write, noted = _assessment_writer(evaluation_key, assessment, expected_version, user)
    with session_scope(eng) as session:
        version = write(session)
    noted(version)


def commit(
    eng: Engine,
    write: Callable[[Session], object],
    message: str,
    *,
    form: str,
    then: Callable[[], object] | None = None,
) -> bool:
    """Run ``write`` in one transaction. On success call ``then``, flash ``message`` and rerun; on a refusal show
    why and return False. ``form``: the name the button was drawn with (:func:`submit`, :func:`action`): a repeated
    click writes nothing more, and the widgets keyed with :func:`fresh` are drawn empty again."""

    def finish(_: object) -> None:
        if then is not None:
            then()
        flash(message)

    return _once(eng, form, write, finish)


def submit(label: str, *, form: str, guard_repeat: bool = False, where: Any = st, **kwargs: Any) -> bool:
    """A form's submit button (``where.form_submit_button``) whose key counts the form's saves in this session.

    A click that reaches the server after the form was saved — the second click of a double click, sent by the
    browser before the page is drawn again — is for a button that is no longer drawn, and does nothing. When it
    arrives while the first click's save still runs, the second run's save sees that the form's round has moved and
    writes nothing more (:func:`_once`).

    ``guard_repeat``: a click within :data:`REPEAT_SECONDS` of the form's save does nothing — for a form drawn
    empty after its save (new widgets, :func:`fresh`, or ``clear_on_submit``: a double click's second click would
    submit the emptied form and be refused) or whose write must not be repeated (an import). Other forms keep
    their values: a second click saves them again unchanged, and a change typed and saved within that second is
    saved."""
    clicked = where.form_submit_button(label, key=f"wb_submit.{form}#{form_round(form)}", **kwargs)
    return _clicked(form, clicked) if guard_repeat else bool(clicked)


def fresh(name: str, *, form: str) -> str:
    """The key of widget ``name`` of ``form``, drawn anew (at its default) after each save of the form. A browser
    keeps showing, and sends again with the next click, what was typed in a widget whose state was only dropped:
    a form that should be empty after its save (新建评价, a new account, a password) gets new widgets instead."""
    return f"{name}#{form_round(form)}"


def action(label: str, *, form: str, name: str = "", where: Any = st, **kwargs: Any) -> bool:
    """A button that writes (``where.button``), counted like :func:`submit`'s: a double click writes once, its
    second click doing nothing within :data:`REPEAT_SECONDS` of the save (the button carries no input to save
    again). ``name`` tells apart buttons that share a form's count (each of a state's workflow steps)."""
    return _clicked(form, where.button(label, key=f"wb_action.{form}.{name}#{form_round(form)}", **kwargs))


REPEAT_SECONDS = 1.0  # a click on a form this soon after its save is the second click of a double click


def _clicked(form: str, clicked: bool) -> bool:
    """Whether a click on ``form``'s button is to be acted on. A person's double click is two clicks up to half a
    second apart; a save and the page drawn after it take less, so the second click usually lands on the button
    drawn anew and would copy the copy just made (复制为下一年度评价), remove the member that moved up under the
    pointer (移出), or submit a form just emptied. A click within :data:`REPEAT_SECONDS` of the form's last save in
    this session does nothing."""
    if not clicked:
        return False
    last = round_book().get(form)
    if last is None or monotonic() - last.at >= REPEAT_SECONDS:
        return True
    if complete_pending():  # the first click's run was stopped before it finished: finish it, draw the page anew
        st.rerun()
    return False


def _once(
    eng: Engine,
    form: str,
    write: Callable[[Session], T],
    finish: Callable[[T], None],
    *,
    check: Callable[[], None] | None = None,
    noted: Callable[[T], None] | None = None,
    conflicts: str | None = None,
) -> bool:
    """Run ``write`` in one transaction under the session's save lock, then ``finish`` with what it returned, and
    rerun; on a refusal show why (someone else's change marked as a conflict on evaluation ``conflicts``) and return
    False, the form keeping what was typed. A click on ``form``'s button drawn before the form's last save in this
    session (a double click's second run) writes nothing: what the first save left undone is done, and the page is
    drawn again. ``check`` refuses before anything is written; ``noted`` records the result in a book taken before
    the write (after the commit a newer click stops this run at its next use of the session state, and a result
    left unnoted would make that click a false conflict)."""
    try:
        with save_lock():
            book = round_book()
            last = book.get(form)
            if _saved_since_drawn(form, last):
                assert last is not None
                last.complete()
                st.rerun()
            if check is not None:
                check()
            with session_scope(eng) as session:
                value = write(session)
            if noted is not None:
                noted(value)

            def done() -> None:
                finish(value)

            saved = book[form] = _next_round(last, done)
    except ConflictError as e:
        show_error(e)
        if conflicts is not None:
            mark_conflict(conflicts)
        return False
    except (WorkbenchError, ValidationError) as e:
        show_error(e)
        return False
    saved.complete()
    st.rerun()
    return True  # pragma: no cover - st.rerun does not return


@contextmanager
def acting(form: str) -> Iterator[bool]:
    """For a write that reports what it did in the run itself (an import, file by file) instead of saving and
    drawing the page again: held under the session's save lock, True unless another run of this session acted on
    ``form`` since its button was drawn (a double click's second run), after which the form's count moves."""
    with save_lock():
        book = round_book()
        last = book.get(form)
        if _saved_since_drawn(form, last):
            yield False
            return
        yield True
        book[form] = _next_round(last, lambda: None, pending=False)


def _saved_since_drawn(form: str, last: Round | None) -> bool:
    """Whether ``last``, the form's last save, came after this run drew the form's button."""
    drawn = drawn_round(form)
    return drawn is not None and last is not None and drawn != last.number


def _next_round(last: Round | None, finish: Callable[[], None], *, pending: bool = True) -> Round:
    """The form's save just committed, counted after ``last`` (no session-state use: see :func:`_once`)."""
    return Round((last.number if last is not None else 0) + 1, finish, monotonic(), pending)


def widget_key(loaded: Loaded, name: str) -> str:
    """``<form>.<field>@<evaluation>``: a save clears its own form's keys, and only those."""
    return f"{name}@{loaded.evaluation.id}"


def save_on_submit(
    eng: Engine,
    evaluation_key: str,
    build: Callable[[], Assessment],
    message: str | Callable[[Assessment], str],
    *,
    code: str,
    expected_version: int | None,
    form: str,
    refused: Callable[[], object] | None = None,
    then: Callable[[], object] | None = None,
) -> None:
    """A form's submit button's ``on_click``: build the indicator's assessment from the submitted widgets (the
    form's collector reads them from the session state) and save indicator ``code``'s assessment over
    ``expected_version``.

    The sign-in and the right to edit are checked first, as the page's guard and the page would (the callback runs
    before them); when the sign-in has ended nothing is saved and the page's run asks for a sign-in. A second click
    on a form this session has saved since it was drawn (before the page was drawn again) saves nothing more. A
    database failure is said as a refusal, in Chinese, and logged. On success the version is remembered, the form's
    widgets (keys starting with ``form``) are cleared so that the page draws them from the database, ``then`` is
    called, and ``message`` (or ``message(assessment)``) is shown. On a refusal nothing is written, the form keeps
    what was typed, ``refused`` is called (to undo work done for the save, such as stored uploads) and
    :func:`show_refused` says why."""
    user = current_user(eng)
    if user is None:
        return
    with save_lock():  # a double click runs two callbacks side by side: the second sees the first's save
        if saved_since(evaluation_key, code, expected_version):  # the first click's callback may have been stopped
            flash(message if isinstance(message, str) else "已保存。")  # before its message
            return
        blocked = edit_block(eng, user, evaluation_key)
        if blocked:  # before anything is written (an upload), as the page would have disabled the button
            refuse(form, PermissionDenied(blocked))
            return
        try:
            assessment = build()
            _write_assessment(eng, evaluation_key, assessment, expected_version, user)
        except (WorkbenchError, ValidationError, SQLAlchemyError) as e:
            if refused is not None:  # first: a newer click stops a callback at its next use of the session state
                refused()
            if isinstance(e, ConflictError):
                mark_conflict(evaluation_key, show=False)
            if isinstance(e, SQLAlchemyError):
                _log.exception("保存评价 %s 的指标 %s 时数据库出错", evaluation_key, code)
                e = WorkbenchError(f"数据库暂时无法完成保存（{type(e).__name__}），请稍后重试；输入仍保留在页面上")
            refuse(form, e)
            return
    clear_widgets(starts=form)
    if then is not None:
        then()
    flash(message(assessment) if callable(message) else message)


def show_refused(form: str) -> None:
    """Below the form: why its last save was refused (once), the form still holding what was typed."""
    e = refusal(form)
    if e is not None:
        show_error(e)
