"""``workbench checklist | workpapers | archive``: the 资料清单 and the 工作底稿 of an evaluation file or a stored
evaluation (.xlsx or .docx), and the archive of a stored one (.zip), or the check of an archive against its
manifest."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from evaluation.auth import SYSTEM
from evaluation.cli.common import Commands, load, stored
from evaluation.engagement.archive import read_manifest, verify_archive
from evaluation.engagement.checklist import build_checklist, checklist_docx, checklist_xlsx
from evaluation.engagement.workpapers import (
    DecisionNote,
    HistoryNote,
    build_workpapers,
    workpapers_docx,
    workpapers_xlsx,
)
from evaluation.files.data import write_file
from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.scoring.engine import score
from evaluation.storage.archives import FINAL, build_archive, decision_notes, history_notes
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.workflow import state_of

SOURCE_HELP = "评价文件（.yaml/.json），或数据库中评价的编号/序号"


def register(commands: Commands) -> None:
    c = commands.add_parser("checklist", help="生成资料清单（Excel 或 Word）：按指标体系列出需被评价单位提供的资料")
    c.add_argument("file", help=SOURCE_HELP)
    c.add_argument("-o", "--output", required=True, help="输出文件（.xlsx 或 .docx）")
    c.add_argument("--deadline", type=_date, help="提供期限（年-月-日，如 2024-08-20）")
    c.set_defaults(func=cmd_checklist)
    w = commands.add_parser(
        "workpapers",
        help="生成工作底稿（Excel 或 Word）：逐项指标的规则、输入、证据与附件、计算、得分、复核处理与修改历史",
    )
    w.add_argument("file", help=SOURCE_HELP + "（数据库中的评价含复核处理与修改历史）")
    w.add_argument("-o", "--output", required=True, help="输出文件（.xlsx 或 .docx）")
    w.set_defaults(func=cmd_workpapers)
    a = commands.add_parser(
        "archive", help="生成已定稿评价的归档（.zip，含报告、方案、底稿、资料清单及文件、征求意见、修改历史）"
    )
    a.add_argument("ref", help="数据库中评价的编号/序号；与 --verify 同用时为归档文件")
    a.add_argument("-o", "--output", help="输出的 .zip 文件")
    a.add_argument("--draft", action="store_true", help="评价尚未定稿时也生成（草稿归档，报告按当前内容生成）")
    a.add_argument("--no-pdf", action="store_true", help="不生成报告的 PDF")
    a.add_argument("--verify", action="store_true", help="按归档中的 manifest.json 核对文件是否被改动")
    a.set_defaults(func=cmd_archive)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"日期“{text}”应写成 年-月-日，如 2024-08-20") from e


def _suffix(out: Path, allowed: tuple[str, ...]) -> bool:
    if out.suffix.lower() in allowed:
        return True
    print(f"输出文件的扩展名应为 {' 或 '.join(allowed)}", file=sys.stderr)
    return False


def cmd_checklist(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if not _suffix(out, (".xlsx", ".docx")):
        return 2
    ev = load(args.file)
    items = build_checklist(ev)
    render = checklist_xlsx if out.suffix.lower() == ".xlsx" else checklist_docx
    write_file(out, render(ev, items, deadline=args.deadline))
    print(f"已生成资料清单（{len(items)} 项）：{out}")
    return 0


def _with_records(ref: str) -> tuple[Evaluation, list[DecisionNote], list[HistoryNote]]:
    """The evaluation; from the database also its review decisions and history (a file has none)."""
    path = Path(ref)
    if path.exists():
        return load_evaluation(path), [], []
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return load(ref), [], []  # raises the usual "文件不存在"
    with session_scope(open_database()) as session:
        ev = stored(session, ref)
        return (
            ev,
            decision_notes(session=session, evaluation_key=ev.id),
            history_notes(session=session, evaluation_key=ev.id),
        )


def cmd_workpapers(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if not _suffix(out, (".xlsx", ".docx")):
        return 2
    ev, decisions, history = _with_records(args.file)
    papers = build_workpapers(ev, score(ev), decisions=decisions, history=history)
    write_file(out, workpapers_xlsx(papers) if out.suffix.lower() == ".xlsx" else workpapers_docx(papers))
    print(f"已生成工作底稿（{sum(len(ps) for _, ps in papers.groups)} 项指标）：{out}")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    if args.verify:
        return _verify(Path(args.ref))
    if not args.output:
        print("请用 -o 指定输出的 .zip 文件", file=sys.stderr)
        return 2
    out = Path(args.output)
    if not _suffix(out, (".zip",)):
        return 2
    with session_scope(open_database()) as session:
        key = stored(session, args.ref).id
        state = state_of(session=session, evaluation_key=key).state
        if state != FINAL and not args.draft:
            print(f"错误：评价“{key}”处于“{state}”状态，尚未定稿，不能归档；加 --draft 可生成草稿归档", file=sys.stderr)
            return 1
        data = build_archive(
            session=session, evaluation_key=key, user=SYSTEM, draft=args.draft, with_pdf=not args.no_pdf
        )
    write_file(out, data)
    manifest = read_manifest(data)
    print(f"已生成归档（{manifest['state']}，{len(manifest['files'])} 个文件）：{out}")
    for gone in manifest["attachment_problems"]:
        print(f"注意：附件“{gone['path']}”{gone['problem']}（{gone['what']}）", file=sys.stderr)
    return 0


def _verify(path: Path) -> int:
    if not path.is_file():
        print(f"文件不存在：{path}", file=sys.stderr)
        return 1
    problems = verify_archive(path.read_bytes())
    if problems:
        for p in problems:
            print(f"不符：{p}")
        print(f"归档核对未通过：{len(problems)} 处不符")
        return 1
    manifest = read_manifest(path.read_bytes())
    print(
        f"归档完好：评价“{manifest['evaluation']['id']}”（{manifest['state']}），{len(manifest['files'])} 个文件"
        "与清单记录的 SHA-256 和大小一致"
    )
    return 0
