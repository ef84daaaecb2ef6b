"""项目支出绩效自评表: the table as data, and the evaluation record built from it.

``SelfEvalTable`` holds exactly what a table states (texts, amounts, 分值, 得分, 总分 — nothing
recomputed). ``table_from_evaluation`` and ``evaluation_from_table`` convert between it and an
:class:`Evaluation` in the 自评表 template, with a stated rule policy per row:

- target and actual both numbers in comparable units → 比率 (direction from the target's comparator;
  成本指标 rows without a comparator are reverse);
- a qualitative target (良好, 有效提升 …) → 定性分档, the band taken from the stated score;
- a number or date target whose actual has no usable number → 直接评分 with the stated score and a
  justification saying so (the review checks flag it);
- an actual with several numbers → the one whose unit matches the target, recorded in a note;
  none or several → 直接评分.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from evaluation.errors import ValueParseError
from evaluation.indicators.values import DateValue, Qualitative, Quantity, comparable, parse_value
from evaluation.model import Evaluation

LEVEL1 = {"产出指标": "CC", "效益指标": "XY", "满意度指标": "MY"}
LEVEL2 = {
    "数量指标": ("CC", "CC.SL"),
    "质量指标": ("CC", "CC.ZL"),
    "时效指标": ("CC", "CC.SX"),
    "成本指标": ("CC", "CC.CB"),
    "经济效益指标": ("XY", "XY.JJ"),
    "社会效益指标": ("XY", "XY.SH"),
    "生态效益指标": ("XY", "XY.ST"),
    "可持续影响指标": ("XY", "XY.KC"),
    "服务对象满意度指标": ("MY", "MY.FW"),
}
BUDGET_ROWS = ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
RULE_TEXT = {
    "auto": "按年度指标值的比较方向计算完成比例（≥ 为实际÷目标，≤ 为目标÷实际），得分不超过分值。",
    "reverse": "成本类指标按反向计算：得分 = 分值 × 年度指标值 ÷ 实际完成值，不超过分值。",
    "qual": "按达成、部分达成、未达成三档（分值的 100%–80%、80%–60%、60%–0%）在档内给分。",
    "manual": "年度指标值与实际完成值无法按数值比较，按自评表所填得分直接记录。",
    "blank": "原表未填分值和得分，按 0 分值记录。",
}
METHOD_NAME = {
    "auto": "比率分值法",
    "reverse": "比率分值法",
    "qual": "定性分档法",
    "manual": "直接评分",
    "blank": "直接评分",
}
BUDGET_RULE_TEXT = "得分 = 10 × 全年执行数 ÷ 全年预算数，截取一位小数（不四舍五入）。"


def norm(text: str) -> str:
    """Cell text without any white space (PDF and Word line breaks split words)."""
    return re.sub(r"\s+", "", text or "")


def number(text: str | None) -> Decimal | None:
    """ "10分", " 57.16 ", "10.00%" → Decimal; empty, "—" → None; anything else raises ValueError."""
    t = norm(text or "").replace(",", "").replace("，", "")
    if t in ("", "—", "-", "/", "无"):
        return None
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(分|万元|元|%|％)?", t)
    if not m:
        raise ValueError(f"“{text}”不是数字")
    try:
        return Decimal(m.group(1))
    except InvalidOperation as e:  # pragma: no cover - the pattern only admits numbers
        raise ValueError(f"“{text}”不是数字") from e


@dataclass
class TableRow:
    level1: str
    level2: str
    name: str
    target: str = ""
    actual: str = ""
    weight: Decimal | None = None
    score: Decimal | None = None
    note: str = ""
    where: str = ""


@dataclass
class BudgetLine:
    name: str
    initial: Decimal | None = None
    annual: Decimal | None = None
    executed: Decimal | None = None
    weight: str = ""
    rate: str = ""
    score: str = ""


@dataclass
class SelfEvalTable:
    title: str
    name: str
    department: str
    unit: str
    budget: list[BudgetLine]
    expected: str
    outcome: str
    rows: list[TableRow]
    total: Decimal | None
    group_labels: dict[str, Decimal] = field(default_factory=dict)  # 一级指标 name → label weight
    deviation: str = ""
    improvement: str = ""
    notes: list[str] = field(default_factory=list)
    source: str = ""


# --------------------------------------------------------------------------- evaluation → table


def _label_name(l1_name: str, labels: dict[str, Decimal], code: str) -> str:
    weight = labels.get(code)
    return f"{l1_name}({format(weight, 'f')}分)" if weight is not None else l1_name


def table_from_evaluation(ev: Evaluation) -> SelfEvalTable:
    """The 自评表 an evaluation record stands for, with the values as the table stated them."""
    if ev.self_evaluation is None:
        raise ValueError("只有绩效自评记录可以导出为自评表")
    se = ev.self_evaluation
    labels = ev.stated.group_labels if ev.stated else {}
    rows: list[TableRow] = []
    by_code = ev.assessments_by_code()
    for l1, g, ind in ev.system.indicators():
        if l1.code == "YS":
            continue
        a = by_code.get(ind.code)
        stated = a.stated if a is not None else None
        rows.append(
            TableRow(
                level1=_label_name(l1.name, labels, l1.code),
                level2=g.name,
                name=ind.name,
                target=ind.target,
                actual=(
                    stated.actual if stated and stated.actual is not None else (a.inputs.actual or "") if a else ""
                ),
                weight=ind.weight if ind.weight or (stated and stated.score is not None) else None,
                score=stated.score if stated else None,
                note=stated.note if stated else "",
            )
        )
    budget = [
        BudgetLine(
            name=b.name,
            initial=b.initial,
            annual=b.annual,
            executed=b.executed,
            weight="10分" if i == 0 else "—",
            rate=b.rate or "",
            score=b.score or "",
        )
        for i, b in enumerate(se.budget_rows)
    ]
    return SelfEvalTable(
        title=se.table_title or f"{ev.project.name}项目自评表",
        name=ev.project.name,
        department=ev.project.department,
        unit=ev.project.implementing_unit,
        budget=budget,
        expected=se.expected_goal,
        outcome=se.actual_outcome,
        rows=rows,
        total=ev.stated.total if ev.stated else None,
        group_labels={name: w for name, code in LEVEL1.items() if (w := labels.get(code)) is not None}
        | ({"预算执行": labels["YS"]} if "YS" in labels else {}),
        deviation=se.deviation_analysis,
        improvement=se.improvement,
    )


# --------------------------------------------------------------------------- table → evaluation


def _band(score: Decimal, weight: Decimal) -> str:
    r = score / weight if weight else Decimal(0)
    return "达成" if r >= Decimal("0.8") else "部分达成" if r >= Decimal("0.6") else "未达成"


def _pick_actual(target: Quantity, actual: str) -> str | None:
    """From an actual with several numbers, the one segment whose unit matches the target."""
    segments = [s for s in re.split(r"[，,；;、。]", actual) if s.strip()]
    fitting = []
    for s in segments:
        v = parse_value(s)
        if not isinstance(v, Quantity) or not v.unit:
            continue
        same_dimension = v.dimension is not None and v.dimension == target.dimension
        # "20亿" names no unit but its magnitude: it matches "50.5亿元", not "28个"
        same_magnitude = target.dimension is None and target.unit is not None and v.unit.startswith(target.unit)
        if same_dimension or same_magnitude:
            fitting.append(f"{format(v.number, 'f')}{v.unit}")
    return fitting[0] if len(fitting) == 1 else None


def classify(row: TableRow) -> tuple[str, dict[str, Any], str]:
    """(kind, inputs, note) for one indicator row under the stated policy."""
    if row.weight is None or (row.weight == 0 and row.score is None):
        return "blank", {"score": Decimal(0), "justification": "自评表该行未填分值和得分"}, ""
    t = parse_value(row.target)
    a = parse_value(row.actual)
    score = row.score if row.score is not None else Decimal(0)
    if isinstance(t, Qualitative):
        if score > row.weight:
            return "manual", {"score": row.weight, "justification": f"自评表所填得分 {score} 超过分值，按分值记录"}, ""
        return "qual", {"band": _band(score, row.weight), "score": score}, ""
    note = ""
    actual_text: str | None = row.actual if isinstance(a, Quantity) else None
    if isinstance(t, Quantity) and actual_text is None and a.kind == "ambiguous":
        actual_text = _pick_actual(t, row.actual)
        if actual_text:
            note = f"{row.name}：实际完成值含多个数值，按与年度指标值单位一致的“{actual_text}”计算"
    if isinstance(t, Quantity) and actual_text is not None:
        aq = parse_value(actual_text)
        try:
            if isinstance(aq, Quantity):
                comparable(aq, t, code=row.name)
                reverse = row.level2 == "成本指标" and t.op is None
                return ("reverse" if reverse else "auto"), {"actual": actual_text}, note
        except ValueParseError:  # units that cannot be compared: scored as written, to be reviewed
            pass
    if isinstance(t, DateValue) and t.year < 2000:
        why = f"年度指标值“{row.target}”为日期且与项目年度不符，实际完成值“{row.actual}”未给出数值或日期"
    elif isinstance(t, DateValue):
        why = f"年度指标值“{row.target}”为完成时限，实际完成值“{row.actual}”未给出完成日期"
    elif isinstance(t, Quantity) and isinstance(a, Qualitative):
        why = f"实际完成值“{row.actual}”未量化，无法与年度指标值“{row.target}”按比率计算"
    else:
        why = f"实际完成值“{row.actual}”与年度指标值“{row.target}”不可比较"
    manual_score = min(score, row.weight)
    return "manual", {"score": manual_score, "justification": f"{why}，按自评表所填得分记录，待复核核实"}, ""


def _budget_assessment(table: SelfEvalTable) -> dict[str, Any]:
    """YS.1.01 预算执行率 from the first budget line (年度资金总额), its stated rate and score kept."""
    budget = table.budget[0] if table.budget else BudgetLine("年度资金总额")
    stated: dict[str, Any] = {"actual": budget.rate}
    if number(budget.score) is not None:
        stated["score"] = number(budget.score)
    inputs = {
        "actual": f"{format(budget.executed, 'f')}万元" if budget.executed is not None else "",
        "target": f"{format(budget.annual, 'f')}万元" if budget.annual is not None else "",
    }
    return {"code": "YS.1.01", "inputs": inputs, "stated": stated}


def _budget_group() -> dict[str, Any]:
    """The 预算执行 part every table has: one indicator, 10 points, 执行率 cut to one decimal."""
    indicator = {
        "code": "YS.1.01",
        "name": "预算执行率",
        "weight": Decimal(10),
        "target": "100%",
        "method_name": "比率分值法",
        "rule_text": BUDGET_RULE_TEXT,
        "rule": {"method": "ratio", "direction": "positive"},
        "rounding": {"digits": 1, "mode": "down"},
    }
    group = {"code": "YS.1", "name": "预算执行情况", "indicators": [indicator]}
    return {"code": "YS", "name": "预算执行", "type": "自评", "groups": [group]}


@dataclass
class _SystemBuilder:
    """The indicator system and assessments of a table, built row by row."""

    labels: dict[str, Decimal] = field(default_factory=dict)  # 一级指标 code → the weight its label states
    level1_order: list[tuple[str, str]] = field(default_factory=list)  # (code, name) as first met
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # 二级指标 code → its indicators
    group_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # 二级指标 code → (一级指标 code, name)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: int = 0  # 一级指标 outside the template so far (X1, X2 …)

    def level1_code(self, row: TableRow) -> str:
        """The row's 一级指标 code (a new X code for a name outside the template), its label weight noted."""
        l1_name = re.sub(r"[（(].*?[）)]", "", norm(row.level1))
        l1_code = LEVEL1.get(l1_name)
        if l1_code is None:
            self.extra += 1
            l1_code = f"X{self.extra}"
            l1_label = l1_name or "其他指标"
        else:
            l1_label = l1_name
        if (l1_code, l1_label) not in self.level1_order:
            self.level1_order.append((l1_code, l1_label))
        label = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[）)]", row.level1)
        if label:
            self.labels[l1_code] = Decimal(label.group(1))
        return l1_code

    def level2_code(self, row: TableRow, l1_code: str) -> str:
        """The row's 二级指标 code: the template's under its own 一级指标, else a new G code."""
        l2_name = norm(row.level2) or "其他"
        known = LEVEL2.get(l2_name)
        l2_code = known[1] if known and known[0] == l1_code else f"{l1_code}.G{len(self.group_names) + 1}"
        if l2_code not in self.group_names:
            self.group_names[l2_code] = (l1_code, l2_name)
        return l2_code

    def add_row(self, row: TableRow) -> None:
        """One 三级指标 row: its indicator under its group and its assessment with the stated values."""
        l2_code = self.level2_code(row, self.level1_code(row))
        kind, inputs, note = classify(row)
        if note:
            self.notes.append(note)
        code = f"{l2_code}.{len(self.groups.setdefault(l2_code, [])) + 1:02d}"
        self.groups[l2_code].append(_indicator(row, code, kind))
        self.assessments.append({"code": code, "inputs": inputs, "stated": _row_stated(row)})

    def system_groups(self) -> list[dict[str, Any]]:
        """预算执行, then the 一级指标 in the template's order (others after), groups in the template's order."""
        order = {code: i for i, (code, _) in enumerate(LEVEL2.values())}
        level1_codes = list(LEVEL1.values())
        out = [_budget_group()]
        for l1_code, l1_name in sorted(
            self.level1_order, key=lambda x: level1_codes.index(x[0]) if x[0] in level1_codes else 99
        ):
            l2s = sorted((c for c, (p, _) in self.group_names.items() if p == l1_code), key=lambda c: order.get(c, 99))
            groups = [{"code": c, "name": self.group_names[c][1], "indicators": self.groups[c]} for c in l2s]
            out.append({"code": l1_code, "name": l1_name, "groups": groups})
        return out

    def weight_total(self) -> Decimal:
        return sum((i["weight"] for gs in self.groups.values() for i in gs), Decimal(10))


def _indicator(row: TableRow, code: str, kind: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"method": {"auto": "ratio", "reverse": "ratio", "qual": "qualitative"}.get(kind, "manual")}
    if kind in ("auto", "reverse"):
        rule["direction"] = kind
    return {
        "code": code,
        "name": row.name,
        "weight": row.weight if row.weight is not None else Decimal(0),
        "target": row.target,
        "method_name": METHOD_NAME[kind],
        "rule_text": RULE_TEXT[kind],
        "rule": rule,
    }


def _row_stated(row: TableRow) -> dict[str, Any]:
    stated: dict[str, Any] = {"actual": row.actual}
    if row.score is not None:
        stated["score"] = row.score
    if row.note:
        stated["note"] = row.note
    return stated


def _budget_rows(table: SelfEvalTable) -> list[dict[str, Any]]:
    rows = []
    for b in table.budget:
        item: dict[str, Any] = {"name": b.name}
        for key in ("initial", "annual", "executed"):
            if getattr(b, key) is not None:
                item[key] = getattr(b, key)
        if b.rate:
            item["rate"] = b.rate
        if b.score:
            item["score"] = b.score
        rows.append(item)
    return rows


def _facts(table: SelfEvalTable) -> dict[str, Any]:
    """What the table says about the project, carried into 项目信息 (and so into the report): the 年度总体目标
    and what was achieved, the 年度绩效目标 (each indicator row with its 年度指标值) and the funds of the
    年度资金总额 row."""
    facts: dict[str, Any] = {
        "annual_goal": table.expected,
        "implementation": table.outcome,
        "annual_targets": [
            {"name": r.name, "value": r.target, "level1": r.level1, "level2": r.level2} for r in table.rows if r.name
        ],
    }
    total = next((b for b in table.budget if "总额" in b.name), table.budget[0] if table.budget else None)
    if total is not None:
        funds = {"initial_budget": total.initial, "adjusted_budget": total.annual, "spent": total.executed}
        facts["funds"] = {k: v for k, v in funds.items() if v is not None}
    return facts


def evaluation_from_table(
    table: SelfEvalTable, *, id: str, year: int, doc_no: str = "", category: str = "", scope: str = "项目"
) -> Evaluation:
    """The evaluation record for one table: every stated value kept, inputs for the rules derived."""
    b = _SystemBuilder(notes=list(table.notes))
    b.assessments.append(_budget_assessment(table))
    if "预算执行" in table.group_labels:
        b.labels["YS"] = table.group_labels["预算执行"]
    for row in table.rows:
        b.add_row(row)
    system_groups = b.system_groups()
    weight_total = b.weight_total()
    stated_block: dict[str, Any] = {"weight_total": weight_total, "group_labels": b.labels}
    if table.total is not None:
        stated_block["total"] = table.total
    if b.notes:
        stated_block["notes"] = b.notes
    data: dict[str, Any] = {
        "id": id,
        "kind": "self_evaluation",
        "source": table.source,
        "project": {
            "name": table.name,
            "department": table.department,
            "implementing_unit": table.unit,
            "year": year,
            "category": category,
            "doc_no": doc_no,
        },
        "self_evaluation": {
            "scope": scope,
            "table_title": table.title,
            "budget_rows": _budget_rows(table),
            "expected_goal": table.expected,
            "actual_outcome": table.outcome,
            "deviation_analysis": table.deviation,
            "improvement": table.improvement,
        },
        "facts": _facts(table),
        "stated": stated_block,
        "system": {
            "id": "self-eval-table",
            "name": "项目支出绩效自评表",
            "total": weight_total,
            "rounding": {"digits": 2, "mode": "half_up"},
            "groups": system_groups,
        },
        "assessments": b.assessments,
    }
    return Evaluation.model_validate(data)
