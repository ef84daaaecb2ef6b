"""What the commands share: loading an evaluation from a file or the database, expanding folders,
aligned text tables for Chinese text, and the subparser type commands register on."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

from sqlmodel import Session

from evaluation.errors import NotFound
from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import get_evaluation, typed_ref

Commands: TypeAlias = "argparse._SubParsersAction[Any]"  # what each command module registers on


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = max(0, width - _width(text))
    return " " * gap + text if right else text + " " * gap


def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) if rows else _width(h) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, widths[i], i in right) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, widths[i], i in right) for i, c in enumerate(r)) for r in rows]
    return "\n".join(lines)


def load(ref: str) -> Evaluation:
    path = Path(ref)
    if path.exists():
        return load_evaluation(path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        raise NotFound(f"文件不存在：{ref}")
    with session_scope(open_database()) as session:
        return stored(session, ref)


def stored(session: Session, ref: str) -> Evaluation:
    """The stored evaluation a command line names by its 评价编号 or 序号 (see ``repo.typed_ref``)."""
    return get_evaluation(session=session, ref=typed_ref(session, ref))


def expand(paths: Sequence[str], suffixes: tuple[str, ...]) -> list[Path]:
    result: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            result += sorted(x for x in path.rglob("*") if x.suffix.lower() in suffixes and not x.name.startswith("~$"))
        else:
            result.append(path)
    return result
