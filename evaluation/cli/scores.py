"""``workbench score | list``: an evaluation's scores, the stored evaluations."""

from __future__ import annotations

import argparse
import json

from evaluation.cli.common import Commands, load, table
from evaluation.files.data import dump_json
from evaluation.formatting import number, score_text
from evaluation.model import Evaluation
from evaluation.scoring.engine import EvaluationResult, score
from evaluation.scoring.stated import REVIEW_LABEL, SELF_LABEL, stated_result
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import list_evaluations


def register(commands: Commands) -> None:
    s = commands.add_parser("score", help="按证据计算一个评价的得分")
    s.add_argument("file", help="评价文件（.yaml/.json），或数据库中评价的编号/序号")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.set_defaults(func=cmd_score)
    ls = commands.add_parser("list", help="列出数据库中的评价")
    ls.set_defaults(func=cmd_list)


def render_text(ev: Evaluation, result: EvaluationResult) -> str:
    own = stated_result(ev) if ev.kind == "self_evaluation" else None
    out = [
        f"{ev.project.name}（{ev.kind_label}，{ev.project.department}，{ev.project.year} 年度）",
        f"指标体系：{ev.system.name}",
        "",
    ]
    rows = []
    for r in result.indicators:
        rate = f"{number(r.rate)}%" if r.rate is not None else "—"
        flag = "（调整）" if r.overridden else ""
        mine = [score_text(own.indicator(r.code).score)] if own is not None else []
        rows.append(
            [
                r.code,
                r.level1,
                r.level2,
                r.name,
                number(r.weight),
                *mine,
                score_text(r.score) + flag,
                number(r.deduction),
                rate,
                r.method,
            ]
        )
    scored_as = [SELF_LABEL, REVIEW_LABEL] if own is not None else ["得分"]
    head = ["编码", "一级指标", "二级指标", "三级指标", "分值", *scored_as, "扣分", "得分率", "评分方法"]
    out.append(table(head, rows, set(range(4, 8 + (own is not None)))))
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
    out.append(table(["编码", "分组", "分值", "得分", "扣分", "得分率", "已评"], grows, {2, 3, 4, 5}))
    if result.penalties:
        out.append("")
        out.append("扣分项：")
        for p in result.penalties:
            out.append(f"  [{p.code}] {p.name}：扣 {number(p.points)} 分。{p.explanation}")
        out.append(f"  扣分项合计：{number(result.penalty_total)} 分")
    out.append("")
    out.append(f"指标得分合计：{number(result.subtotal)} / {number(result.weight_total)}")
    if own is not None:
        stated = ev.stated.total if ev.stated is not None else None
        beside = f"（表中总分 {number(stated)}）" if stated is not None and stated != own.total else ""
        out.append(f"{SELF_LABEL}（部门各行得分之和）：{number(own.total)}{beside}    等级：{_grade(own)}")
        out.append(f"{REVIEW_LABEL}（按评分规则）：{number(result.total)}    等级：{_grade(result)}")
    else:
        out.append(f"最终得分：{number(result.total)}    等级：{_grade(result)}")
    if result.errors:
        out.append("")
        out.append("无法评分的指标：")
        out += [f"  {e}" for e in result.errors]
    if own is None and ev.stated and ev.stated.total is not None:
        out.append(f"文件所载总分：{number(ev.stated.total)}（工作台计算：{number(result.total)}）")
    return "\n".join(out)


def _grade(result: EvaluationResult) -> str:
    """The grade, or 未完成 with the progress: a partly scored evaluation has no grade yet."""
    return result.grade if result.complete else f"未完成（已评 {result.scored}/{result.count} 项，得分为暂计）"


def cmd_score(args: argparse.Namespace) -> int:
    ev = load(args.file)
    result = score(ev)
    if args.json:
        data = result.to_dict()
        data = {k: data[k] for k in ("total", "grade", "indicators", "groups", "penalties")} | {
            k: v for k, v in data.items() if k not in ("total", "grade", "indicators", "groups", "penalties")
        }
        if ev.kind == "self_evaluation":
            own = stated_result(ev)
            data["total"], data["grade"] = number(own.total), own.grade if own.complete else ""
            data["self_total"], data["review_total"] = number(own.total), number(result.total)
            for row in data["indicators"]:
                mine = own.indicator(row["code"]).score
                row["self_score"] = None if mine is None else number(mine)
        elif not result.complete:
            data["grade"] = ""
        if ev.stated is not None:
            data["stated"] = json.loads(dump_json(ev.stated.model_dump(mode="python", exclude_defaults=True)))
        print(dump_json(data), end="")
    else:
        print(render_text(ev, result))
    return 1 if result.errors else 0


def cmd_list(args: argparse.Namespace) -> int:
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
            number(i.total_score, none="—"),
            number(i.review_score, none=""),
            i.grade or f"未完成 {i.scored}/{i.indicator_count}",
        ]
        for i in items
    ]
    head = ["序号", "评价编号", "类型", "年度", "主管部门", "项目名称", "得分", "复核得分", "等级"]
    print(table(head, rows, {0, 6, 7}))
    print("自评记录的“得分”为部门自评得分（各行得分之和），“复核得分”为按评分规则计算的得分。")
    return 0
