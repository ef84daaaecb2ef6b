"""Command line: ``workbench score | templates | list | import | export | init | check``.

Every command validates its input and reports problems in Chinese with the place they concern;
exit codes: 0 ok, 1 the input has problems (or scoring found errors), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from evaluation.auth import SYSTEM
from evaluation.cli.check import add_check_parser
from evaluation.config import get_settings
from evaluation.errors import NotFound, WorkbenchError
from evaluation.files.data import dump_json
from evaluation.files.evaluations import dump_evaluation, format_for, load_evaluation
from evaluation.formatting import number
from evaluation.indicators.library import load_library, write_json_schema
from evaluation.model import Evaluation
from evaluation.scoring.engine import EvaluationResult, score


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = max(0, width - _width(text))
    return " " * gap + text if right else text + " " * gap


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) if rows else _width(h) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, widths[i], i in right) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, widths[i], i in right) for i, c in enumerate(r)) for r in rows]
    return "\n".join(lines)


def render_text(ev: Evaluation, result: EvaluationResult) -> str:
    out = [
        f"{ev.project.name}（{ev.kind_label}，{ev.project.department}，{ev.project.year} 年度）",
        f"指标体系：{ev.system.name}",
        "",
    ]
    rows = []
    for r in result.indicators:
        rate = f"{number(r.rate)}%" if r.rate is not None else "—"
        flag = "（调整）" if r.overridden else ""
        rows.append(
            [
                r.code,
                r.level1,
                r.level2,
                r.name,
                number(r.weight),
                number(r.score) + flag,
                number(r.deduction),
                rate,
                r.method,
            ]
        )
    out.append(
        _table(
            ["编码", "一级指标", "二级指标", "三级指标", "分值", "得分", "扣分", "得分率", "评分方法"],
            rows,
            {4, 5, 6, 7},
        )
    )
    out.append("")
    out.append("评分理由：")
    for r in result.indicators:
        out.append(f"  [{r.code}] {r.name}：{r.explanation}")
    out.append("")
    out.append("分组小计：")
    grows = []
    for g in result.groups:
        name = ("" if g.level == 1 else "  ") + g.name
        rate = f"{number(g.rate)}%" if g.rate is not None else "—"
        grows.append(
            [g.code, name, number(g.weight), number(g.score), number(g.deduction), rate, f"{g.scored}/{g.count}"]
        )
    out.append(_table(["编码", "分组", "分值", "得分", "扣分", "得分率", "已评"], grows, {2, 3, 4, 5}))
    if result.penalties:
        out.append("")
        out.append("扣分项：")
        for p in result.penalties:
            out.append(f"  [{p.code}] {p.name}：扣 {number(p.points)} 分。{p.explanation}")
        out.append(f"  扣分项合计：{number(result.penalty_total)} 分")
    out.append("")
    done = "" if result.scored == result.count else f"（已评 {result.scored}/{result.count} 项，结果为暂定）"
    out.append(f"指标得分合计：{number(result.subtotal)} / {number(result.weight_total)}")
    out.append(f"最终得分：{number(result.total)}    等级：{result.grade}{done}")
    if result.errors:
        out.append("")
        out.append("无法评分的指标：")
        out += [f"  {e}" for e in result.errors]
    if ev.stated and ev.stated.total is not None:
        out.append(f"文件所载总分：{number(ev.stated.total)}（工作台计算：{number(result.total)}）")
    return "\n".join(out)


def _load(ref: str) -> Evaluation:
    path = Path(ref)
    if path.exists():
        return load_evaluation(path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        raise NotFound(f"文件不存在：{ref}")
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.repo import get_evaluation

    with session_scope(open_database()) as session:
        return get_evaluation(session=session, ref=ref)


def cmd_score(args: argparse.Namespace) -> int:
    ev = _load(args.file)
    result = score(ev)
    if args.json:
        data = result.to_dict()
        data = {k: data[k] for k in ("total", "grade", "indicators", "groups", "penalties")} | {
            k: v for k, v in data.items() if k not in ("total", "grade", "indicators", "groups", "penalties")
        }
        if ev.stated is not None:
            data["stated"] = json.loads(dump_json(ev.stated.model_dump(mode="python", exclude_defaults=True)))
        print(dump_json(data), end="")
    else:
        print(render_text(ev, result))
    return 1 if result.errors else 0


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
        print(_table(["类型", "编号", "名称", "分值", "指标数", "说明"], rows, {3, 4}))
        print(
            f"\n指标库校验通过：{len(lib.systems)} 个指标体系，{len(lib.packs)} 个专用指标包，"
            f"{len(lib.personal)} 组个性指标示例。"
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.repo import list_evaluations

    with session_scope(open_database()) as session:
        items = list_evaluations(session=session)
    rows = [
        [
            str(i.id),
            i.key,
            i.kind_label,
            str(i.year),
            i.department,
            i.project_name,
            number(i.total_score),
            i.grade,
        ]
        for i in items
    ]
    print(_table(["序号", "评价编号", "类型", "年度", "主管部门", "项目名称", "得分", "等级"], rows, {0, 6}))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.repo import import_files

    paths = _expand_any(args.files, (".yaml", ".yml", ".json"))
    if not paths:
        print("没有找到要导入的评价文件", file=sys.stderr)
        return 1
    with session_scope(open_database()) as session:
        keys = import_files(session=session, paths=paths, replace=args.replace, user=SYSTEM)
    print(f"已导入 {len(keys)} 项：{'、'.join(keys)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.repo import get_evaluation, list_evaluations

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
            evs = [get_evaluation(session=session, ref=args.ref)]
    for ev in evs:
        if args.all or out.is_dir():
            target = out / f"{ev.id}.{args.format}"
            fmt = args.format
        else:
            target = out
            fmt = format_for(out)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(dump_evaluation(ev, fmt), encoding="utf-8")
        tmp.replace(target)
        print(f"已导出：{target}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from evaluation.report import build_docx
    from evaluation.report.pdf import PdfUnavailable, docx_to_pdf

    ev = _load(args.file)
    out = Path(args.output)
    if out.suffix.lower() != ".docx":
        print("输出文件的扩展名应为 .docx", file=sys.stderr)
        return 2
    data = build_docx(ev)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
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


def cmd_selfeval_import(args: argparse.Namespace) -> int:
    """Import 自评表 files: each file on its own (a bad file is refused, the others go in)."""
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.repo import import_evaluations

    paths = [p for p in _expand_any(args.paths, (".xlsx", ".docx"))]
    if not paths:
        print("没有找到 .xlsx 或 .docx 文件", file=sys.stderr)
        return 1
    engine = open_database()

    from evaluation.selfeval.read import ReadResult, common_year, read_file, tables_to_evaluations

    read: list[tuple[Path, ReadResult | str]] = []
    for path in paths:
        try:
            read.append((path, read_file(path.name, path.read_bytes())))
        except OSError as e:
            read.append((path, f"无法读取文件：{e.strerror}"))
    fallback = common_year([r for _, r in read if not isinstance(r, str)])
    report: list[dict[str, object]] = []
    for path, outcome in read:
        entry: dict[str, object] = {"file": str(path), "imported": [], "problems": []}
        if isinstance(outcome, str):
            entry["problems"] = [outcome]
            report.append(entry)
            continue
        result = outcome
        evs: list[Evaluation] = []
        if not result.problems:
            evs, result = tables_to_evaluations(result, year=args.year, fallback_year=fallback)
        problems = [str(p) for p in result.problems]
        if evs:
            try:
                with session_scope(engine) as session:
                    keys = import_evaluations(session=session, evaluations=evs, replace=args.replace, user=SYSTEM)
                entry["imported"] = [
                    {
                        "id": k,
                        "project": ev.project.name,
                        "year": ev.project.year,
                        "rows": len(ev.assessments) - 1,
                        "stated_total": number(ev.stated.total if ev.stated else None),
                    }
                    for k, ev in zip(keys, evs, strict=True)
                ]
            except WorkbenchError as e:
                problems.append(str(e))
        entry["problems"] = problems
        report.append(entry)
    if args.json:
        print(dump_json(report), end="")
    else:
        for entry in report:
            print(f"文件 {entry['file']}：")
            for item in entry["imported"]:  # type: ignore[attr-defined]
                print(
                    f"  已导入 {item['id']}：{item['project']}（{item['year']} 年度），{item['rows']} 项指标，"
                    f"表中总分 {item['stated_total']}"
                )
            for problem in entry["problems"]:  # type: ignore[attr-defined]
                print(f"  未导入：{problem}")
    return 1 if any(e["problems"] for e in report) else 0


def cmd_selfeval_export(args: argparse.Namespace) -> int:
    from evaluation.selfeval.write import export_self_evaluation

    ev = _load(args.ref)
    out = Path(args.output)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "docx"):
        print("输出文件的扩展名应为 .xlsx 或 .docx", file=sys.stderr)
        return 2
    if ev.self_evaluation is None:
        print(f"错误：“{ev.project.name}”不是绩效自评记录，不能导出为自评表", file=sys.stderr)
        return 1
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(export_self_evaluation(ev, fmt))
    tmp.replace(out)
    print(f"已导出自评表：{out}")
    return 0


def cmd_selfeval_review(args: argparse.Namespace) -> int:
    """Batch review: 自评表 files and/or evaluation files, plus an optional department summary file."""
    from evaluation.files.data import read_data, validate_model
    from evaluation.model import DepartmentSummary
    from evaluation.report.review_files import review_docx, review_xlsx
    from evaluation.review.base import count_by_severity
    from evaluation.review.batch import review_batch
    from evaluation.selfeval.read import ReadResult, common_year, read_file, tables_to_evaluations

    paths = _expand_any(args.paths, (".xlsx", ".docx", ".yaml", ".yml", ".json"))
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


def _expand_any(paths: Sequence[str], suffixes: tuple[str, ...]) -> list[Path]:
    result: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            result += sorted(x for x in path.rglob("*") if x.suffix.lower() in suffixes and not x.name.startswith("~$"))
        else:
            result.append(path)
    return result


def cmd_backup(args: argparse.Namespace) -> int:
    from evaluation.storage.backup import create_backup
    from evaluation.storage.bootstrap import open_database

    out = Path(args.output)
    data = create_backup(open_database(), user=SYSTEM, attachments=get_settings().attachments_dir)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"已备份数据库和附件：{out}（{len(data) // 1024} KB）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from evaluation.storage.backup import restore_backup
    from evaluation.storage.bootstrap import open_database

    path = Path(args.archive)
    if not path.is_file():
        print(f"错误：备份文件不存在：{path}", file=sys.stderr)
        return 1
    counts = restore_backup(open_database(), path.read_bytes(), user=SYSTEM, attachments=get_settings().attachments_dir)
    print("已恢复：" + "，".join(f"{name} {n} 行" for name, n in counts.items()))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account; the password comes from standard input or an interactive prompt, never a default."""
    import getpass

    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.users import authenticate, create_user, has_users

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("新密码：")
        if getpass.getpass("再次输入：") != password:
            print("错误：两次输入的密码不一致", file=sys.stderr)
            return 1
    engine = open_database()
    with session_scope(engine) as session:
        actor = None
        if has_users(session=session):
            if not args.admin:
                print("错误：已有用户，请用 --admin 指定管理员账户并输入其密码", file=sys.stderr)
                return 1
            admin_password = (
                sys.stdin.readline().rstrip("\n")
                if args.password_stdin
                else getpass.getpass(f"管理员 {args.admin} 的密码：")
            )
            actor = authenticate(session=session, username=args.admin, password=admin_password)
        user = create_user(
            session=session,
            username=args.username,
            password=password,
            role=args.role,
            display_name=args.name or "",
            actor=actor,
        )
    print(f"已创建账户：{user.label}")
    return 0


def cmd_user_member(args: argparse.Namespace) -> int:
    """Add an account to evaluations (or remove it), as an administrator; all or nothing."""
    import getpass

    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from evaluation.storage.repo import list_evaluations
    from evaluation.storage.users import add_member, authenticate, list_users, remove_member

    admin_password = (
        sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"管理员 {args.admin} 的密码：")
    )
    with session_scope(open_database()) as session:
        actor = authenticate(session=session, username=args.admin, password=admin_password)
        user = next((u for u in list_users(session=session) if u.username == args.username), None)
        known = {e.key for e in list_evaluations(session=session)}
        unknown = [k for k in args.evaluations if k not in known]
        if user is None or unknown:
            what = [f"账户“{args.username}”不存在"] if user is None else []
            what += [f"评价“{k}”不存在" for k in unknown]
            print("错误：" + "；".join(what) + "（未做任何修改）", file=sys.stderr)
            return 1
        for key in args.evaluations:
            if args.remove:
                remove_member(session=session, actor=actor, user_id=user.id, evaluation_key=key)
            else:
                add_member(session=session, actor=actor, user_id=user.id, evaluation_key=key)
    print(f"已将 {user.label} {'移出' if args.remove else '加入'}：{'、'.join(args.evaluations)}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from evaluation.storage.bootstrap import ensure_samples, open_database

    engine = open_database()
    print(f"数据库已就绪：{engine.url.render_as_string(hide_password=True)}")
    if not args.no_samples:
        n_ev, n_dep = ensure_samples(engine)
        if n_ev or n_dep:
            print(f"已载入样例：{n_ev} 个评价，{n_dep} 份部门自评报告")
    return 0


_ARGPARSE_ZH = [
    ("the following arguments are required", "缺少必需的参数"),
    ("invalid choice", "无效的选项"),
    ("unrecognized arguments", "无法识别的参数"),
    ("expected one argument", "该选项需要一个值"),
    ("choose from", "可选"),
]


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese."""

    def error(self, message: str) -> NoReturn:
        for en, zh in _ARGPARSE_ZH:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="workbench", description="评价工作台命令行")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    s = sub.add_parser("score", help="按证据计算一个评价的得分")
    s.add_argument("file", help="评价文件（.yaml/.json），或数据库中评价的编号/序号")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.set_defaults(func=cmd_score)
    t = sub.add_parser("templates", help="列出并校验指标库")
    t.add_argument("--library", help="指标库目录（默认 indicator_library/）")
    t.add_argument("--schema", help="同时写出指标库文件的 JSON Schema 到此路径")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_templates)
    ls = sub.add_parser("list", help="列出数据库中的评价")
    ls.set_defaults(func=cmd_list)
    i = sub.add_parser("import", help="把评价文件导入数据库（先全部校验，有错则不写入）")
    i.add_argument("files", nargs="+", help="评价文件或目录")
    i.add_argument("--replace", action="store_true", help="覆盖编号相同的已有评价")
    i.set_defaults(func=cmd_import)
    e = sub.add_parser("export", help="把数据库中的评价导出为评价文件")
    e.add_argument("ref", nargs="?", help="评价编号或序号")
    e.add_argument("-o", "--output", required=True, help="输出文件，或 --all 时的目录")
    e.add_argument("--all", action="store_true", help="导出全部评价")
    e.add_argument("--format", choices=["yaml", "json"], default="yaml", help="--all 时的文件格式")
    e.set_defaults(func=cmd_export)
    r = sub.add_parser("report", help="生成评价报告（Word），可同时生成 PDF")
    r.add_argument("file", help="评价文件（.yaml/.json），或数据库中评价的编号/序号")
    r.add_argument("-o", "--output", required=True, help="输出的 .docx 文件")
    r.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF（目录页码已填好）")
    r.set_defaults(func=cmd_report)
    se = sub.add_parser("selfeval", help="项目支出绩效自评表：导入、导出、批量复核")
    se_sub = se.add_subparsers(dest="selfeval_command", required=True, parser_class=_Parser)
    si = se_sub.add_parser("import", help="导入自评表（.xlsx/.docx 文件或目录；逐个文件导入，有问题的文件不写入）")
    si.add_argument("paths", nargs="+")
    si.add_argument("--year", type=int, help="预算年度（默认从项目名称或表名中识别）")
    si.add_argument("--replace", action="store_true", help="覆盖已导入过的同一张表")
    si.add_argument("--json", action="store_true")
    si.set_defaults(func=cmd_selfeval_import)
    sr = se_sub.add_parser("review", help="批量复核一个部门的自评表，写出复核报告（.docx）和复核表（.xlsx）")
    sr.add_argument("paths", nargs="+", help="自评表文件、评价文件、部门自评报告汇总文件或目录")
    sr.add_argument("-o", "--output", required=True, help="输出目录")
    sr.add_argument("--year", type=int)
    sr.add_argument("--json", action="store_true")
    sr.set_defaults(func=cmd_selfeval_review)
    sx = se_sub.add_parser("export", help="把一个自评记录导出为自评表（.xlsx 或 .docx）")
    sx.add_argument("ref", help="评价编号/序号，或评价文件")
    sx.add_argument("-o", "--output", required=True)
    sx.set_defaults(func=cmd_selfeval_export)
    b = sub.add_parser("backup", help="把整个数据库和附件备份为一个 .zip 文件")
    b.add_argument("-o", "--output", required=True)
    b.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="从备份文件恢复到空数据库（有错则不写入）")
    rs.add_argument("archive")
    rs.set_defaults(func=cmd_restore)
    u = sub.add_parser("user", help="账户管理")
    u_sub = u.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    ua = u_sub.add_parser("add", help="新建账户（空数据库的第一个账户须为管理员）")
    ua.add_argument("username")
    ua.add_argument("--role", required=True, choices=["管理员", "评价人员", "复核人员", "管理者"])
    ua.add_argument("--name", help="显示名称")
    ua.add_argument("--admin", help="已有用户时：执行此操作的管理员账户")
    ua.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取密码（第一行新密码，第二行管理员密码）"
    )
    ua.set_defaults(func=cmd_user_add)
    um = u_sub.add_parser("member", help="把账户加入（或用 --remove 移出）评价")
    um.add_argument("username")
    um.add_argument("evaluations", nargs="+", metavar="评价编号")
    um.add_argument("--remove", action="store_true", help="移出而不是加入")
    um.add_argument("--admin", required=True, help="执行此操作的管理员账户")
    um.add_argument("--password-stdin", action="store_true", help="从标准输入读取管理员密码")
    um.set_defaults(func=cmd_user_member)
    n_ = sub.add_parser("init", help="创建/升级数据库，首次启动时载入样例")
    n_.add_argument("--no-samples", action="store_true")
    n_.set_defaults(func=cmd_init)
    add_check_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except WorkbenchError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
