"""``workbench selfeval import | export | review``: 项目支出绩效自评表 files in and out, and the batch review."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.auth import SYSTEM
from evaluation.cli.common import Commands, expand, load
from evaluation.errors import listed
from evaluation.files.data import dump_json, read_data, validate_model, write_file
from evaluation.files.evaluations import load_evaluation
from evaluation.formatting import number
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.report.review_files import review_docx, review_xlsx
from evaluation.review.base import count_by_severity
from evaluation.review.batch import review_batch
from evaluation.selfeval.importing import prepare_import
from evaluation.selfeval.read import ReadResult, common_year, read_file, tables_to_evaluations
from evaluation.selfeval.write import export_self_evaluation
from evaluation.storage.bootstrap import open_database
from evaluation.storage.imports import store_file_imports


def register(commands: Commands, parser_class: type[argparse.ArgumentParser]) -> None:
    se = commands.add_parser("selfeval", help="项目支出绩效自评表：导入、导出、批量复核")
    sub = se.add_subparsers(dest="selfeval_command", required=True, parser_class=parser_class)
    si = sub.add_parser("import", help="导入自评表（.xlsx/.docx 文件或目录；逐个文件导入，有问题的文件不写入）")
    si.add_argument("paths", nargs="+")
    si.add_argument("--year", type=int, help="预算年度（默认从项目名称或表名中识别）")
    si.add_argument("--replace", action="store_true", help="覆盖已导入过的同一张表")
    si.add_argument("--json", action="store_true")
    si.set_defaults(func=cmd_selfeval_import)
    sr = sub.add_parser("review", help="批量复核一个部门的自评表，写出复核报告（.docx）和复核表（.xlsx）")
    sr.add_argument("paths", nargs="+", help="自评表文件、评价文件、部门自评报告汇总文件或目录")
    sr.add_argument("-o", "--output", required=True, help="输出目录")
    sr.add_argument("--year", type=int)
    sr.add_argument("--json", action="store_true")
    sr.set_defaults(func=cmd_selfeval_review)
    sx = sub.add_parser("export", help="把一个自评记录导出为自评表（.xlsx 或 .docx）")
    sx.add_argument("ref", help="评价编号/序号，或评价文件")
    sx.add_argument("-o", "--output", required=True)
    sx.set_defaults(func=cmd_selfeval_export)


def cmd_selfeval_import(args: argparse.Namespace) -> int:
    """Import 自评表 files: each file on its own (a bad file is refused, the others go in)."""
    paths = expand(args.paths, (".xlsx", ".docx"))
    if not paths:
        print("没有找到 .xlsx 或 .docx 文件", file=sys.stderr)
        return 1
    files: list[tuple[str, bytes | str]] = []
    for path in paths:
        try:
            files.append((str(path), path.read_bytes()))
        except OSError as e:
            files.append((str(path), f"无法读取文件：{e.strerror}"))
    prepared = prepare_import(files, year=args.year)
    store_file_imports(open_database(), prepared, replace=args.replace, user=SYSTEM)
    if args.json:
        print(dump_json([{"file": f.file, "imported": f.records(), "problems": f.problems} for f in prepared]), end="")
    else:
        for f in prepared:
            print(f"文件 {f.file}：")
            for item in f.records():
                print(
                    f"  已导入 {item['id']}：{item['project']}（{item['year']} 年度），{item['rows']} 项指标，"
                    f"表中总分 {item['stated_total']}"
                )
            for problem in listed(f.problems):
                print(f"  未导入：{problem}")
    return 1 if any(f.problems for f in prepared) else 0


def cmd_selfeval_export(args: argparse.Namespace) -> int:
    ev = load(args.ref)
    out = Path(args.output)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "docx"):
        print("输出文件的扩展名应为 .xlsx 或 .docx", file=sys.stderr)
        return 2
    if ev.self_evaluation is None:
        print(f"错误：“{ev.project.name}”不是绩效自评记录，不能导出为自评表", file=sys.stderr)
        return 1
    write_file(out, export_self_evaluation(ev, fmt))
    print(f"已导出自评表：{out}")
    return 0


def cmd_selfeval_review(args: argparse.Namespace) -> int:
    """Batch review: 自评表 files and/or evaluation files, plus an optional department summary file."""
    paths = expand(args.paths, (".xlsx", ".docx", ".yaml", ".yml", ".json"))
    evaluations: list[Evaluation] = []
    summary: DepartmentSummary | None = None
    refused: list[str] = []
    tables: list[ReadResult] = []
    for path in paths:
        if path.suffix.lower() in (".xlsx", ".docx"):
            result = read_file(path.name, path.read_bytes())
            if result.problems:
                refused += [str(p) for p in result.problems]
            else:
                tables.append(result)
            continue
        data = read_data(path)
        if isinstance(data, dict) and data.get("kind") == "department_summary":
            summary = validate_model(DepartmentSummary, data, str(path))
        else:
            evaluations.append(load_evaluation(path))
    fallback = common_year(tables) or (summary.year if summary else None)
    for result in tables:
        evs, result = tables_to_evaluations(
            result, year=args.year or (summary.year if summary else None), fallback_year=fallback
        )
        refused += [str(p) for p in result.problems]
        evaluations += evs
    if not evaluations:
        print("没有可复核的自评表" + ("：\n" + "\n".join(refused) if refused else ""), file=sys.stderr)
        return 1
    review = review_batch(evaluations, summary)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "自评复核报告.docx").write_bytes(review_docx(review))
    (out / "自评复核表.xlsx").write_bytes(review_xlsx(review))
    if args.json:
        payload = {
            "department": review.department,
            "year": review.year,
            "computed": review.computed_summary(),
            "stated": review.stated_summary(),
            "department_findings": [f.to_dict() for f in review.department_findings],
            "projects": [
                {
                    "id": p.evaluation.id,
                    "project": p.evaluation.project.name,
                    "stated_total": number(p.stated_total),
                    "computed_total": number(p.result.total),
                    "findings": [f.to_dict() for f in p.findings],
                    "suggested_scores": [
                        {"code": x.code, "name": x.name, "stated": number(x.stated), "suggested": number(x.suggested)}
                        for x in p.lines
                        if x.differs
                    ],
                }
                for p in review.projects
            ],
            "refused": refused,
            "files": [str(out / "自评复核报告.docx"), str(out / "自评复核表.xlsx")],
        }
        print(dump_json(payload), end="")
    else:
        stated = review.stated_summary()
        print(f"{review.department} {review.year or ''} 年度自评表复核：{len(review.projects)} 张表")
        for k, v in review.computed_summary().items():
            print(f"  {k}：{v}" + (f"（部门报告：{stated[k]}）" if stated.get(k) not in (None, "—", v) else ""))
        for f in review.department_findings:
            print(f"  [{f.severity}] {f.message}")
        for p in review.projects:
            c = count_by_severity(p.findings)
            print(
                f"\n{p.evaluation.project.name}：表中总分 {number(p.stated_total)}，规则重算 {number(p.result.total)}；"
                f"错误 {c['错误']}，警告 {c['警告']}，提示 {c['提示']}"
            )
            for f in p.findings:
                print(f"  [{f.severity}] {f.location.describe()}：{f.message}")
        for r in refused:
            print(f"未读入：{r}")
        print(f"\n已写出：{out / '自评复核报告.docx'}、{out / '自评复核表.xlsx'}")
    return 1 if refused else 0
