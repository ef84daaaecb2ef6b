"""Saving from a page: one transaction, the version the page loaded, the reason shown when it fails (the
form keeps what was typed). ``save`` writes an evaluation document, ``save_assessment`` one indicator's
assessment, ``commit`` any other single write (an account, a new or deleted evaluation)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.errors import ConflictError, WorkbenchError
from evaluation.model import Assessment, Evaluation
from evaluation.storage import repo
from evaluation.storage.db import session_scope
from evaluation.storage.documents import save_document
from ui.auth import require_user
from ui.feedback import show_error
from ui.state import Loaded, clear_widgets, flash, mark_conflict, remember_assessment_version, remember_doc_version


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

    return save_version(eng, evaluation.id, write, message, form=form)


def save_version(eng: Engine, key: str, write: Callable[[Session], int], message: str, *, form: str) -> bool:
    """Run ``write`` (a save of evaluation ``key``'s document that returns its new version) in one transaction,
    then as :func:`save`: remember the version, clear the form's widgets, flash ``message`` and rerun; on a
    refusal show why (a conflict marked as such) and return False."""
    try:
        with session_scope(eng) as session:
            version = write(session)
    except ConflictError as e:
        show_error(e)
        mark_conflict(key)
        return False
    except (WorkbenchError, ValidationError) as e:
        show_error(e)
        return False
    remember_doc_version(key, version)
    clear_widgets(starts=f"{form}.", ends=f"@{key}")
    flash(message)
    st.rerun()
    return True  # pragma: no cover - st.rerun does not return


def save_assessment(
    eng: Engine,
    evaluation_key: str,
    assessment: Assessment,
    message: str,
    *,
    expected_version: int | None,
    form: str | None = None,
) -> bool:
    """Save one indicator's assessment over ``expected_version`` (the version the user started from, None
    when none was stored); the core scores it and refuses inputs its rule cannot score.

    On success the new version is remembered (``ui.state.assessment_version``); with ``form`` (the prefix of
    the form's widget keys) the form's widgets are cleared, ``message`` is flashed and the page reruns, as
    with :func:`save`; without, ``message`` is shown at once. On a refusal show why and return False, the
    form keeping its input."""
    try:
        with session_scope(eng) as session:
            version = repo.save_assessment(
                session=session,
                ref=evaluation_key,
                assessment=assessment,
                expected_version=expected_version,
                user=require_user(),
            )
    except ConflictError as e:
        show_error(e)
        mark_conflict(evaluation_key)
        return False
    except (WorkbenchError, ValidationError) as e:
        show_error(e)
        return False
    remember_assessment_version(evaluation_key, assessment.code, version)
    if form is None:
        st.success(message)
        return True
    clear_widgets(starts=form)
    flash(message)
    st.rerun()
    return True  # pragma: no cover - st.rerun does not return


def commit(
    eng: Engine,
    write: Callable[[Session], object],
    message: str,
    *,
    clear: str = "",
    then: Callable[[], object] | None = None,
) -> bool:
    """Run ``write`` in one transaction. On success call ``then``, clear the widgets whose keys start with
    ``clear`` (the form is emptied), flash ``message`` and rerun; on a refusal show why and return False."""
    try:
        with session_scope(eng) as session:
            write(session)
    except (WorkbenchError, ValidationError) as e:
        show_error(e)
        return False
    if then is not None:
        then()
    if clear:
        clear_widgets(starts=clear)
    flash(message)
    st.rerun()
    return True  # pragma: no cover - st.rerun does not return


def widget_key(loaded: Loaded, name: str) -> str:
    """``<form>.<field>@<evaluation>``: a save clears its own form's keys, and only those."""
    return f"{name}@{loaded.evaluation.id}"
