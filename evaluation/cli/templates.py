"""``workbench templates [import | export]``: the indicator library listed and checked, a client's indicator
table read into a template (every row's derived rule reported), a template written out as YAML or as the
client-table .xlsx."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from evaluation.cli.common import Commands, table
from evaluation.config import get_settings
from evaluation.errors import NotFound, listed
from evaluation.files.data import dump_json, write_file
from evaluation.formatting import number
from evaluation.indicators.client_table import read_client_table, system_to_xlsx
from evaluation.indicators.library import Library, load_library, template_yaml, write_json_schema
from evaluation.indicators.system import IndicatorSystem
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.templates import get_template


def register(commands: Commands, parser_class: type[argparse.ArgumentParser]) -> None:
    t = commands.add_parser("templates", help="指标库：列出并校验；导入客户指标表；导出模板")
    t.add_argument("--library", help="指标库目录（默认 indicator_library/）")
    t.add_argument("--schema", help="同时写出指标库文件的 JSON Schema 到此路径")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_templates)
    sub = t.add_subparsers(dest="templates_command", required=False, parser_class=parser_class)
    i = sub.add_parser("import", help="把客户的指标体系表（.xlsx/.docx）读成指标模板（YAML）；有错时不写任何文件")
    i.add_argument("file", help="客户的指标体系表（.xlsx 或 .docx）")
    i.add_argument("-o", "--output", required=True, help="输出的模板文件（.yaml）")
    i.add_argument("--id", help="模板编号（默认由文件名生成）")
    i.add_argument("--json", action="store_true", help="以 JSON 输出逐行识别结果（键 name、weight、method 等）")
    i.set_defaults(func=cmd_templates_import)
    e = sub.add_parser("export", help="把指标库或机构模板库中的指标体系导出为指标体系表（.xlsx）或模板文件（.yaml）")
    e.add_argument("id", help="模板编号（指标库中的指标体系，或机构模板库中的模板）")
    e.add_argument("-o", "--output", required=True, help="输出文件（.xlsx 或 .yaml）")
    e.add_argument("--library", help="指标库目录（默认 indicator_library/）")
    e.set_defaults(func=cmd_templates_export)


def cmd_templates(args: argparse.Namespace) -> int:
    folder = Path(args.library) if args.library else get_settings().library_dir
    if args.schema:
        write_json_schema(Path(args.schema))
        print(f"已写出 JSON Schema：{args.schema}")
    lib = load_library(folder)
    rows = []
    items: list[dict[str, object]] = []
    for s in lib.systems.values():
        count = sum(1 for _ in s.indicators())
        slots = "、".join(f"{g.name}{'（待填充）' if g.slot else ''}" for g in s.groups)
        rows.append(["指标体系", s.id, s.name, number(s.total), str(count), slots])
        items.append({"type": "system", "id": s.id, "name": s.name, "total": number(s.total), "indicators": count})
    for p in lib.packs.values():
        count = sum(len(g.indicators) for g in p.groups)
        rows.append(["专用指标包", p.id, p.name, number(p.weight), str(count), p.category])
        items.append({"type": "pack", "id": p.id, "name": p.name, "weight": number(p.weight), "indicators": count})
    for x in lib.personal.values():
        count = sum(len(g.indicators) for g in x.groups)
        rows.append(["个性指标示例", x.id, x.name, "—", str(count), x.category])
        items.append({"type": "personal", "id": x.id, "name": x.name, "indicators": count})
    if args.json:
        print(dump_json({"valid": True, "items": items}), end="")
    else:
        print(table(["类型", "编号", "名称", "分值", "指标数", "说明"], rows, {3, 4}))
        print(
            f"\n指标库校验通过：{len(lib.systems)} 个指标体系，{len(lib.packs)} 个专用指标包，"
            f"{len(lib.personal)} 组个性指标示例。"
        )
    return 0


def cmd_templates_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml"):
        print("输出文件的扩展名应为 .yaml", file=sys.stderr)
        return 2
    try:
        data = path.read_bytes()
    except OSError as e:
        print(f"错误：无法读取文件 {path}：{e.strerror}", file=sys.stderr)
        return 1
    read = read_client_table(path.name, data, system_id=args.id)
    if args.json:
        print(dump_json([r.to_dict() for r in read.rows]), end="")
    else:
        _print_rows(read.rows)
    for line in listed(read.problems):
        print(f"问题：{line}", file=sys.stderr)
    if read.problems or read.system is None:
        print(f"未写出模板：{path.name} 有 {len(read.problems)} 处问题", file=sys.stderr)
        return 1
    write_file(out, template_yaml(read.system))
    if not args.json:
        print(f"\n已写出指标模板：{out}（{read.system.name}，{len(read.rows)} 行）")
    return 0


def _print_rows(rows: list[Any]) -> None:
    lines = [
        [r.where, r.name, number(r.weight), r.method, r.words + ("（" + "；".join(r.notes) + "）" if r.notes else "")]
        for r in rows
    ]
    print(table(["位置", "指标", "分值", "识别为", "规则"], lines, {2}))


def _find(ref: str, lib: Library) -> IndicatorSystem:
    if ref in lib.systems:
        return lib.systems[ref]
    with session_scope(open_database()) as session:
        try:
            return get_template(session=session, key=ref)
        except NotFound:
            pass
    raise NotFound(f"指标库和机构模板库中都没有编号为“{ref}”的指标体系（专用指标包与个性指标示例不能单独导出为体系）")


def cmd_templates_export(args: argparse.Namespace) -> int:
    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".yaml", ".yml"):
        print("输出文件的扩展名应为 .xlsx 或 .yaml", file=sys.stderr)
        return 2
    lib = load_library(Path(args.library) if args.library else get_settings().library_dir)
    system = _find(args.id, lib)
    write_file(out, system_to_xlsx(system) if suffix == ".xlsx" else template_yaml(system))
    print(f"已导出：{out}（{system.name}）")
    return 0
