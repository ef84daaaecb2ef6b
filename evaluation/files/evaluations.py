"""Evaluation files: one evaluation per YAML or JSON file, lossless round trip.

``load_evaluation`` validates everything (fields, indicator system, assessments against
their rules) and raises one :class:`ValidationFailed` listing every problem; nothing is
returned half-valid. ``dump_evaluation`` writes the same content back in a stable form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from evaluation.errors import Problem, ValidationFailed
from evaluation.files.data import dump_json, dump_yaml, parse_text, read_data, to_plain, validate_model
from evaluation.model import Evaluation, evaluation_problems

Format = Literal["yaml", "json"]


def evaluation_from_data(data: Any, file: str | None = None) -> Evaluation:
    if not isinstance(data, dict):
        raise ValidationFailed([Problem("评价文件内容应为键值表", file)])
    ev = validate_model(Evaluation, data, file)
    problems = evaluation_problems(ev, file=file)
    if problems:
        raise ValidationFailed(problems, "评价文件校验未通过")
    return ev


def load_evaluation(path: Path) -> Evaluation:
    return evaluation_from_data(read_data(path), str(path))


def parse_evaluation(text: str, name: str, fmt: Format = "yaml") -> Evaluation:
    return evaluation_from_data(parse_text(text, name, json_format=fmt == "json"), name)


def evaluation_to_data(ev: Evaluation) -> dict[str, Any]:
    data = to_plain(ev)
    # always state the kind and format version, even where they are the defaults
    return {"format_version": ev.format_version, "id": ev.id, "kind": ev.kind, **data}


def dump_evaluation(ev: Evaluation, fmt: Format = "yaml") -> str:
    data = evaluation_to_data(ev)
    return dump_json(data) if fmt == "json" else dump_yaml(data)


def format_for(path: Path) -> Format:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise ValidationFailed([Problem("评价文件的扩展名应为 .yaml、.yml 或 .json", str(path))])


def load_evaluations(paths: list[Path]) -> list[Evaluation]:
    """Load several files; raise with the problems of every bad file (for all-or-nothing imports)."""
    read: list[tuple[str, Any]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            read.append((str(path), read_data(path)))
        except ValidationFailed as e:
            problems += e.problems
    return evaluations_from_data(read, problems)


def evaluations_from_data(items: list[tuple[str, Any]], problems: list[Problem] | None = None) -> list[Evaluation]:
    """The evaluations of several files already read (file name, data); raise with the problems of every bad
    one (and ``problems`` met reading them), an id given twice included."""
    result: list[Evaluation] = []
    problems = list(problems or [])
    ids: dict[str, str] = {}
    for name, data in items:
        try:
            ev = evaluation_from_data(data, name)
        except ValidationFailed as e:
            problems += e.problems
            continue
        if ev.id in ids:
            problems.append(Problem(f"评价编号“{ev.id}”与文件 {ids[ev.id]} 重复", name, None, "id"))
            continue
        ids[ev.id] = name
        result.append(ev)
    if problems:
        raise ValidationFailed(problems, "评价文件校验未通过，未导入任何内容")
    return result
