"""Importing 项目支出绩效自评表 files: the one pipeline behind the 自评表 page and ``workbench selfeval import``.

Each file stands on its own: a file with any problem yields no record (its problems say why), the
other files go in. The budget year is the one given, else the year a table names, else the year most
tables of the batch name. Storing is ``evaluation.storage.imports.store_file_imports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from evaluation.formatting import number
from evaluation.model import Evaluation
from evaluation.selfeval.read import ReadResult, common_year, read_file, tables_to_evaluations


@dataclass
class FileImport:
    """One file of an import: the records built from it, the problems met, the keys stored."""

    file: str
    evaluations: list[Evaluation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """What was stored, one line per record: key, project, year, indicator rows and the stated total."""
        stored = set(self.imported)
        return [
            {
                "id": ev.id,
                "project": ev.project.name,
                "year": ev.project.year,
                "rows": len(ev.assessments) - 1,  # the 预算执行 row is not one of the table's indicator rows
                "stated_total": number(ev.stated.total if ev.stated else None),
            }
            for ev in self.evaluations
            if ev.id in stored
        ]


def prepare_import(files: Sequence[tuple[str, bytes | str]], *, year: int | None = None) -> list[FileImport]:
    """Read every file and build its records. ``files`` are (name, content), or (name, why it could not be
    read) for a file that could not even be opened."""
    read: list[tuple[str, ReadResult | str]] = [
        (name, read_file(PurePath(name).name, data) if isinstance(data, bytes) else data) for name, data in files
    ]
    fallback = common_year([r for _, r in read if not isinstance(r, str)])
    prepared: list[FileImport] = []
    for name, outcome in read:
        if isinstance(outcome, str):
            prepared.append(FileImport(name, problems=[outcome]))
            continue
        evaluations: list[Evaluation] = []
        if not outcome.problems:
            evaluations, outcome = tables_to_evaluations(outcome, year=year, fallback_year=fallback)
        prepared.append(FileImport(name, evaluations, [str(p) for p in outcome.problems]))
    return prepared
