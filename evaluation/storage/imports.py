"""Imports into the database: evaluation files and department summaries (all validated first, all or
nothing), already-built evaluations, the samples on first start, and 自评表 files file by file."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from evaluation.auth import SYSTEM, User
from evaluation.errors import Problem, ValidationFailed, WorkbenchError
from evaluation.files.data import read_data, validate_model
from evaluation.files.evaluations import evaluations_from_data
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.selfeval.importing import FileImport
from evaluation.storage.db import session_scope
from evaluation.storage.repo import create_evaluation, replace_evaluation, save_department_summary
from evaluation.storage.tables import EvaluationRow

PARALLEL_FILES = 64  # from this many files on, they are parsed by one process per core


def _read_one(path: Path) -> tuple[Any, list[Problem]]:
    """One file's data, or what is wrong with it (a process pool's task: no exception crosses processes)."""
    try:
        return read_data(path), []
    except ValidationFailed as e:
        return None, e.problems


def _may_fork() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _read_each(paths: list[Path]) -> list[tuple[Any, list[Problem]]]:
    """:func:`_read_one` of every path, in order. Parsing YAML is most of an import's time and each file is
    parsed on its own, so many files are shared among the cores (forked workers: nothing to import again; the
    parent's open database connections are not touched by them). Only a process with one thread forks (the
    command line): a fork of a server's threads could inherit a lock another thread holds."""
    workers = os.cpu_count() or 1
    if len(paths) < PARALLEL_FILES or workers < 2 or not _may_fork():
        return [_read_one(path) for path in paths]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_read_one, paths, chunksize=max(1, len(paths) // (workers * 8))))


def _read_all(paths: list[Path]) -> tuple[list[tuple[str, Any]], list[tuple[Path, Any]], list[Problem]]:
    """Every file read once: the evaluations' data, the department summaries' data, and what could not be read."""
    evaluations: list[tuple[str, Any]] = []
    departments: list[tuple[Path, Any]] = []
    problems: list[Problem] = []
    for path, (data, wrong) in zip(paths, _read_each(paths), strict=True):
        if wrong:
            problems += wrong
            continue
        if isinstance(data, dict) and data.get("kind") == "department_summary":
            departments.append((path, data))
        else:
            evaluations.append((str(path), data))
    return evaluations, departments, problems


def import_files(*, session: Session, paths: list[Path], user: User, replace: bool = False) -> list[str]:
    """Validate every file first (evaluations and department summaries); write nothing if any is wrong.

    Returns the keys written.
    """
    evaluations, summaries = _import(session=session, paths=paths, replace=replace, user=user)
    return evaluations + summaries


def _import(*, session: Session, paths: list[Path], replace: bool, user: User) -> tuple[list[str], list[str]]:
    read, departments, problems = _read_all(paths)
    summaries: list[DepartmentSummary] = []
    for path, data in departments:
        try:
            summaries.append(validate_model(DepartmentSummary, data, str(path)))
        except ValidationFailed as e:
            problems += e.problems
    evaluations: list[Evaluation] = []
    try:
        evaluations = evaluations_from_data(read)
    except ValidationFailed as e:
        problems += e.problems
    if not replace:
        problems += _existing(session, evaluations)
    if problems:
        raise ValidationFailed(problems, "导入未执行，未写入任何内容")
    import_evaluations(session=session, evaluations=evaluations, replace=replace, user=user)
    for summary in summaries:
        save_department_summary(session=session, summary=summary, user=user)
    return [ev.id for ev in evaluations], [s.id for s in summaries]


def _existing(session: Session, evaluations: list[Evaluation]) -> list[Problem]:
    """The evaluations whose id is already stored (one query per 500 ids)."""
    ids = [ev.id for ev in evaluations]
    stored: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stored |= set(session.exec(select(EvaluationRow.key).where(col(EvaluationRow.key).in_(chunk))).all())
    return [
        Problem(f"评价编号“{key}”已在数据库中（如需覆盖请加 --replace）", None, None, "id")
        for key in ids
        if key in stored
    ]


def import_evaluations(
    *, session: Session, evaluations: list[Evaluation], user: User, replace: bool = False
) -> list[str]:
    """Store already-built evaluations (e.g. from 自评表 files) as one change; refuse existing ids unless replace."""
    problems = [] if replace else _existing(session, evaluations)
    if problems:
        raise ValidationFailed(problems, "导入未执行，未写入任何内容")
    for ev in evaluations:
        if replace:
            replace_evaluation(session=session, evaluation=ev, user=user)
        else:
            create_evaluation(session=session, evaluation=ev, user=user)
    return [ev.id for ev in evaluations]


def data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".yaml", ".yml", ".json"))


def load_samples(*, session: Session, folder: Path) -> tuple[int, int]:
    """Load the sample evaluations and department summaries (validated all together)."""
    evaluations, summaries = _import(session=session, paths=data_files(folder), replace=False, user=SYSTEM)
    return len(evaluations), len(summaries)


def store_file_imports(engine: Engine, prepared: list[FileImport], *, replace: bool, user: User) -> None:
    """Store each file's records in a transaction of its own: a refused file writes nothing, the others go
    in. Fills in each file's ``imported`` keys, or the problems that refused it."""
    for item in prepared:
        if item.problems or not item.evaluations:
            continue
        try:
            with session_scope(engine) as session:
                item.imported = import_evaluations(
                    session=session, evaluations=item.evaluations, replace=replace, user=user
                )
        except ValidationFailed as e:
            item.problems += [str(p) for p in e.problems]
        except WorkbenchError as e:
            item.problems.append(str(e))
