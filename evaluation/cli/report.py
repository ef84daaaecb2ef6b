"""``workbench report FILE|ID -o OUT.docx [--pdf]``: the Word report, and its PDF through LibreOffice;
``workbench plan FILE|ID -o 方案.docx``: the 评价方案."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.cli.common import Commands, load
from evaluation.files.data import write_file
from evaluation.report import build_docx, build_plan_docx
from evaluation.report.pdf import PdfUnavailable, docx_to_pdf
from evaluation.scoring.engine import score


def register(commands: Commands) -> None:
    r = commands.add_parser("report", help="生成评价报告（Word），可同时生成 PDF")
    r.add_argument("file", help="评价文件（.yaml/.json），或数据库中评价的编号/序号")
    r.add_argument("-o", "--output", required=True, help="输出的 .docx 文件")
    r.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF（目录页码已填好）")
    r.set_defaults(func=cmd_report)
    pl = commands.add_parser(
        "plan", help="生成评价方案（Word）：项目概况、目的与依据、对象与范围、方法、指标体系表、工作安排、人员分工"
    )
    pl.add_argument("file", help="评价文件（.yaml/.json），或数据库中评价的编号/序号")
    pl.add_argument("-o", "--output", required=True, help="输出的 .docx 文件")
    pl.set_defaults(func=cmd_plan)


def cmd_report(args: argparse.Namespace) -> int:
    ev = load(args.file)
    out = Path(args.output)
    if out.suffix.lower() != ".docx":
        print("输出文件的扩展名应为 .docx", file=sys.stderr)
        return 2
    data = build_docx(ev, score(ev))
    write_file(out, data)
    print(f"已生成报告：{out}")
    if args.pdf:
        pdf = out.with_suffix(".pdf")
        try:
            pdf.write_bytes(docx_to_pdf(data))
        except PdfUnavailable as e:
            print(f"未生成 PDF：{e}", file=sys.stderr)
            return 1
        print(f"已生成 PDF（目录已更新页码）：{pdf}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    ev = load(args.file)
    out = Path(args.output)
    if out.suffix.lower() != ".docx":
        print("输出文件的扩展名应为 .docx", file=sys.stderr)
        return 2
    write_file(out, build_plan_docx(ev))
    print(f"已生成评价方案：{out}")
    return 0
