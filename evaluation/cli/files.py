"""``workbench import | export | init``: evaluation files in and out of the database, and the database itself."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.auth import SYSTEM
from evaluation.cli.common import Commands, expand, stored
from evaluation.config import get_settings
from evaluation.files.data import write_file
from evaluation.files.evaluations import dump_evaluation, format_for
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from evaluation.storage.imports import import_files
from evaluation.storage.repo import get_evaluation, list_evaluations
from evaluation.storage.setup import issue_setup_code


def register(commands: Commands) -> None:
    i = commands.add_parser("import", help="把评价文件导入数据库（先全部校验，有错则不写入）")
    i.add_argument("files", nargs="+", help="评价文件或目录")
    i.add_argument("--replace", action="store_true", help="覆盖编号相同的已有评价")
    i.set_defaults(func=cmd_import)
    e = commands.add_parser("export", help="把数据库中的评价导出为评价文件")
    e.add_argument("ref", nargs="?", help="评价编号或序号")
    e.add_argument("-o", "--output", required=True, help="输出文件，或 --all 时的目录")
    e.add_argument("--all", action="store_true", help="导出全部评价")
    e.add_argument("--format", choices=["yaml", "json"], default="yaml", help="--all 时的文件格式")
    e.set_defaults(func=cmd_export)
    n = commands.add_parser("init", help="创建/升级数据库，首次启动时载入样例")
    n.add_argument("--no-samples", action="store_true")
    n.set_defaults(func=cmd_init)


LISTED_KEYS = 30  # an import names at most this many of the keys it wrote


def cmd_import(args: argparse.Namespace) -> int:
    paths = expand(args.files, (".yaml", ".yml", ".json"))
    if not paths:
        print("没有找到要导入的评价文件", file=sys.stderr)
        return 1
    engine = open_database()
    with session_scope(engine) as session:
        keys = import_files(session=session, paths=paths, replace=args.replace, user=SYSTEM)
    shown = "、".join(keys[:LISTED_KEYS]) + (
        f"……（其余 {len(keys) - LISTED_KEYS} 项用 workbench list 查看）" if len(keys) > LISTED_KEYS else ""
    )
    print(f"已导入 {len(keys)} 项：{shown}")
    from evaluation.storage.results import prepare_snapshot  # pandas: only for the commands that need it

    prepare_snapshot(engine, get_settings().data_dir)  # the first 对比分析 afterwards starts from it
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.output)
    with session_scope(open_database()) as session:
        if args.all:
            refs = [i.key for i in list_evaluations(session=session)]
            out.mkdir(parents=True, exist_ok=True)
            evs = [get_evaluation(session=session, ref=r) for r in refs]
        else:
            if not args.ref:
                print("请指定评价编号，或用 --all 导出全部", file=sys.stderr)
                return 2
            evs = [stored(session, args.ref)]
    for ev in evs:
        if args.all or out.is_dir():
            target = out / f"{ev.id}.{args.format}"
            fmt = args.format
        else:
            target = out
            fmt = format_for(out)
        write_file(target, dump_evaluation(ev, fmt))
        print(f"已导出：{target}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    engine = open_database()
    print(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}")
    if not args.no_samples:
        n_ev, n_dep = ensure_samples(engine)
        if n_ev or n_dep:
            print(f"已载入样例：{n_ev} 个评价，{n_dep} 份部门自评报告")
    with session_scope(engine) as session:
        code = issue_setup_code(session=session)
    if code is not None:
        print(f"首次设置码：{code}（还没有任何账户：在浏览器中创建第一个管理员账户时输入；只能使用一次）")
    return 0
