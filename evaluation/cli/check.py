"""``workbench check FILE_OR_ID [--json]``: the review checks (复核) on the command line.

FILE is an evaluation file, a self-evaluation record or a department summary (自评报告); a
department summary is checked against the records it references that lie in the same folder.
An evaluation file is also checked against a department summary in its folder that lists it.
Without a file, the reference is a stored evaluation (or department summary) in the database.
Exit code 1 when any finding is an 错误.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evaluation.cli.common import Commands, stored
from evaluation.errors import NotFound, ValidationFailed
from evaluation.files.data import dump_json, parse_text, read_data, validate_model
from evaluation.files.evaluations import evaluation_from_data
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.base import ERROR, CheckFinding, render_findings
from evaluation.review.checks import check
from evaluation.review.department import check_department, is_department_overall
from evaluation.scoring.engine import score
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import get_evaluation, list_department_summaries, list_evaluations

_SUFFIXES = (".yaml", ".yml", ".json")
_TOP_ID = re.compile(r"^id:[ \t]*['\"]?([^'\"\s#]+)", re.MULTILINE)  # a YAML file's top-level id
_ESCAPED = re.compile(r"\\[uUxN]")  # an escaped character: the text may spell a name another way


def _neighbours(path: Path, wanted: Callable[[str, str | None], bool]) -> list[tuple[Path, Any]]:
    """The data files beside ``path`` (same folder, not recursive) that may be wanted, read once.

    A folder may hold thousands of records: ``wanted(text, top_id)`` decides from a YAML file's text (and its
    top-level ``id``, when the text shows it) whether to parse it at all; JSON files, quick to parse, and texts
    with escaped characters are always parsed. A neighbour that cannot be read is not the file being checked:
    it is left out, and ``workbench check`` on that file itself reports its problems.
    """
    found = []
    for p in sorted(path.parent.iterdir()):
        if not (p.is_file() and p.suffix.lower() in _SUFFIXES and p.resolve() != path.resolve()):
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        json_format = p.suffix.lower() == ".json"
        if not json_format and not _ESCAPED.search(text):
            top = _TOP_ID.search(text)
            if not wanted(text, top.group(1) if top else None):
                continue
        try:
            data = parse_text(text, str(p), json_format=json_format)
        except ValidationFailed:
            continue
        if isinstance(data, dict):
            found.append((p, data))
    return found


def _is_department(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "department_summary"


def _listed_ids(data: Any) -> set[str]:
    """The evaluation ids a department summary's raw data lists (whatever shape its projects have)."""
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, list):
        return set()
    return {str(x.get("evaluation_id")) for x in projects if isinstance(x, dict) and x.get("evaluation_id")}


def _may_be_overall(data: dict[str, Any]) -> bool:
    se = data.get("self_evaluation")
    return isinstance(se, dict) and se.get("scope") == "部门整体"


def _records(path: Path, wanted: set[str], summary: DepartmentSummary) -> list[Evaluation]:
    """The records beside a department summary that it lists (or that are its 部门整体 record). A file in the
    folder that is no valid record is left out unless the summary lists its id: then its problems are the
    answer. Files whose text shows they are neither are not parsed at all."""

    def listed_or_overall(text: str, top_id: str | None) -> bool:
        return top_id is None or top_id in wanted or "部门整体" in text

    records = []
    for p, d in _neighbours(path, listed_or_overall):
        if _is_department(d) or not (str(d.get("id")) in wanted or _may_be_overall(d)):
            continue
        try:
            records.append(evaluation_from_data(d, str(p)))
        except ValidationFailed:
            if str(d.get("id")) in wanted:
                raise
    return [r for r in records if r.id in wanted or is_department_overall(r, summary)]


def findings_for_file(path: Path) -> tuple[str, list[CheckFinding]]:
    data = read_data(path)
    if _is_department(data):
        summary = validate_model(DepartmentSummary, data, str(path))
        wanted = {p.evaluation_id for p in summary.projects if p.evaluation_id}
        records = _records(path, wanted, summary)
        return summary.title or summary.id, check_department(summary, records, {r.id: score(r) for r in records})
    ev = evaluation_from_data(data, str(path))

    def listing_it(text: str, _top_id: str | None) -> bool:
        return "department_summary" in text and ev.id in text

    department = None
    for p, d in _neighbours(path, listing_it):
        if _is_department(d) and ev.id in _listed_ids(d):
            department = validate_model(DepartmentSummary, d, str(p))
            break
    return _title(ev), check(ev, score(ev), department)


def findings_for_stored(ref: str) -> tuple[str, list[CheckFinding]]:
    with session_scope(open_database()) as session:
        summaries = list_department_summaries(session=session)
        try:
            ev = stored(session, ref)
        except NotFound:
            summary = next((s for s in summaries if s.id == ref), None)
            if summary is None:
                raise
            wanted = {line.evaluation_id for line in summary.projects}
            records = [
                get_evaluation(session=session, ref=i.key)
                for i in list_evaluations(session=session)
                if i.key in wanted or (i.kind == "self_evaluation" and i.department == summary.department)
            ]
            return summary.title or summary.id, check_department(summary, records, {r.id: score(r) for r in records})
    department = next((s for s in summaries if any(p.evaluation_id == ev.id for p in s.projects)), None)
    return _title(ev), check(ev, score(ev), department)


def _title(ev: Evaluation) -> str:
    return f"{ev.project.name}（{ev.kind_label}，{ev.id}）复核结果"


def cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.exists():
        title, findings = findings_for_file(path)
    elif path.suffix.lower() in _SUFFIXES:
        raise NotFound(f"文件不存在：{args.file}")
    else:
        title, findings = findings_for_stored(args.file)
    if args.json:
        print(dump_json([f.to_dict() for f in findings]), end="")
    else:
        print(render_findings(title, findings))
    return 1 if any(f.severity == ERROR for f in findings) else 0


def register(commands: Commands) -> None:
    """Register ``check`` on the CLI's sub-parsers."""
    c = commands.add_parser("check", help="复核：列出评价或部门自评报告中的不一致之处（有“错误”时退出码为 1）")
    c.add_argument("file", help="评价文件、自评记录或部门自评报告（.yaml/.json），或数据库中评价的编号/序号")
    c.add_argument("--json", action="store_true", help="以 JSON 输出（每项含 severity、code、location、message 等）")
    c.set_defaults(func=cmd_check)
