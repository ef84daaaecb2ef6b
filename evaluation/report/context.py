"""Step one of the report: an evaluation → a plain report context (no Word involved).

Every number comes from the scoring engine, every narrative from the evaluation's records, and
the texts every report repeats from the agency's editable defaults (``defaults.yaml``).
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from evaluation.formatting import amount, day, number, percent, rate
from evaluation.indicators.system import Indicator, IndicatorSystem, Level1
from evaluation.model import RECTIFICATION_STATUSES, Assessment, Evaluation, ReportProblem
from evaluation.scoring.engine import EvaluationResult, IndicatorResult, findings_words, sentences
from evaluation.scoring.narrative import report_process
from evaluation.text import clean_text

DEFAULTS_FILE = Path(__file__).with_name("defaults.yaml")
CN_NUMBERS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for section numbering)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMBERS[tens - 1]
    return head + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def month_text(ym: str | None) -> str:
    if not ym:
        return ""
    year, month = ym.split("-")
    return f"{int(year)}年{int(month)}月"


@functools.lru_cache(maxsize=16)
def _parsed(path: Path, mtime_ns: int) -> Any:
    """A YAML file's content, parsed once per version of the file (its modification time is in the key)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _read_yaml(path: Path) -> Any:
    return copy.deepcopy(_parsed(path, path.stat().st_mtime_ns))  # callers may change what they get


def _folder(data_dir: Path | None) -> Path:
    return data_dir or Path(os.environ.get("WORKBENCH_DATA_DIR") or DEFAULTS_FILE.parents[2] / "data")


def defaults_version(data_dir: Path | None = None) -> tuple[int, int]:
    """What changes when the agency defaults change: the two files' modification times (0 for a missing one),
    for a caller that keeps something built from them."""
    override = _folder(data_dir) / "agency_defaults.yaml"
    return DEFAULTS_FILE.stat().st_mtime_ns, override.stat().st_mtime_ns if override.is_file() else 0


def load_defaults(data_dir: Path | None = None) -> dict[str, Any]:
    """The agency defaults: the shipped file, overridden key by key by ``agency_defaults.yaml`` in the data folder
    (each parsed once per change of the file: the report page reads them on every run)."""
    data: dict[str, Any] = _read_yaml(DEFAULTS_FILE)
    override = _folder(data_dir) / "agency_defaults.yaml"
    if override.is_file():
        extra = _read_yaml(override) or {}
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
    return data


# --------------------------------------------------------------------------- context types


@dataclass(frozen=True)
class Cover:
    title: str
    fields: list[tuple[str, str]]
    date: str


@dataclass(frozen=True)
class Heading:
    level: int  # 0: the report title  1: 一、  2: （一）  3: 1.
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    indent: bool = True
    align: str = "justify"  # justify / center / right


@dataclass(frozen=True)
class TableCell:
    text: str
    merge_down: int = 0  # extra rows this cell spans
    merge_right: int = 0  # extra columns this cell spans
    bold: bool = False
    align: str = "center"


@dataclass(frozen=True)
class Table:
    caption: str
    unit: str
    columns: list[str]
    widths: list[float]  # centimetres
    header_rows: list[list[TableCell | None]]
    rows: list[list[TableCell | None]]  # None: covered by a merge
    landscape: bool = False
    font_size: float = 10.5
    key: str = ""  # which table this is ("1-1", "3-1", "附件1"), for the previews and exports that show it

    def texts(self) -> list[list[str]]:
        """The column names, then every body row as cell texts ("" where a merge covers the cell)."""
        return [list(self.columns)] + [[c.text if c is not None else "" for c in row] for row in self.rows]


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class SectionBreak:
    landscape: bool


Block = Heading | Paragraph | Table | PageBreak | SectionBreak


@dataclass
class ReportContext:
    title: str
    cover: Cover
    blocks: list[Block] = field(default_factory=list)
    fonts: dict[str, str] = field(default_factory=dict)
    total: Decimal = Decimal(0)
    grade: str = ""

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def table(self, key: str) -> Table:
        """The table with this key ("1-1", "3-1", "附件1"); KeyError when the report has none."""
        found = next((t for t in self.tables() if t.key == key), None)
        if found is None:
            raise KeyError(key)
        return found


# --------------------------------------------------------------------------- builder


class Doc:
    """Collects blocks with the 一、（一）1. numbering computed in code (plain text in Word)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.counters = [0, 0, 0]

    def h(self, level: int, text: str, numbered: bool = True) -> None:
        if not numbered:
            self.blocks.append(Heading(level, text))
            return
        self.counters[level - 1] += 1
        for i in range(level, 3):
            self.counters[i] = 0
        n = self.counters[level - 1]
        prefix = {1: f"{cn_number(n)}、", 2: f"（{cn_number(n)}）", 3: f"{n}."}[level]
        self.blocks.append(Heading(level, prefix + text))

    def p(self, text: str, **kw: Any) -> None:
        for part in clean_text(text).split("\n"):
            if part.strip():
                self.blocks.append(Paragraph(part.strip(), **kw))

    def add(self, block: Block) -> None:
        self.blocks.append(block)


def fill(template: str, **values: str) -> str:
    out = template
    for k, v in values.items():
        out = out.replace("{" + k + "}", v)
    return out


@dataclass(frozen=True)
class _Source:
    """What every section reads: the evaluation, its result (computed once, by the caller), each
    indicator's assessment by code, and the agency's default texts."""

    ev: Evaluation
    result: EvaluationResult
    assessments: dict[str, Assessment]
    defaults: dict[str, Any]

    def process_text(self, ind: Indicator) -> str:
        return report_process(ind, self.assessments.get(ind.code), self.result.indicator(ind.code))


def process_text(assessments: dict[str, Assessment], code: str, fallback: str) -> str:
    """The 评分过程 written for a 扣分项, or ``fallback`` (the engine's explanation) when none is (an indicator's
    is :func:`report_process`)."""
    a = assessments.get(code)
    return a.narrative if a is not None and a.narrative.strip() else fallback


def deduction_reason(row: IndicatorResult) -> str:
    """表3-1 扣分原因: why points were lost, in words ("实际完成5个，未达到目标值（6个），完成率83.33%。",
    "发现2处问题：……。"), from the recorded findings and the shortfall the rule measured; empty where no
    points were lost. A score lowered by hand is explained in the 评分过程, and only pointed to here."""
    if row.deduction is None or row.deduction <= 0:
        return ""
    if row.computed is not None and row.computed < row.weight and row.words:
        return _full_stop(row.words)
    if row.overridden:
        computed = "按评分标准计算得满分" if row.computed is not None else "按评分标准无法计算得分"
        adjusted = f"{computed}，评价组调整扣{number(row.deduction)}分（理由见评分过程）"
        return _full_stop(sentences(findings_words(row.findings), adjusted))
    return _full_stop(row.words or findings_words(row.findings) or row.explanation)


def _full_stop(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith(("。", "！", "？")) else text + "。"


def build_report_context(
    ev: Evaluation, result: EvaluationResult, defaults: dict[str, Any] | None = None
) -> ReportContext:
    """Everything the Word file will say, as plain data; ``result`` is ``score(ev)``, computed by the caller."""
    src = _Source(ev, result, ev.assessments_by_code(), defaults or load_defaults())
    p = ev.project
    title = f"{p.name}项目支出绩效评价报告"
    doc = Doc()
    doc.h(0, title, numbered=False)
    doc.p(_opening(ev))
    _project_section(doc, src)
    _work_section(doc, src)
    _conclusion_section(doc, src)
    _analysis_section(doc, src)
    _problems_and_suggestions(doc, src)
    doc.add(SectionBreak(landscape=True))
    doc.h(1, "附件1 项目支出绩效评价指标体系", numbered=False)
    doc.add(appendix_table_1(ev, result))
    if any(prob.response is not None for prob in ev.problems):
        doc.add(SectionBreak(landscape=False))
        doc.h(1, "附件2 征求意见采纳情况表", numbered=False)
        doc.p(consultation_summary(ev))
        doc.add(consultation_table(ev))
    return ReportContext(
        title=title,
        cover=_cover(ev),
        blocks=doc.blocks,
        fonts=dict(src.defaults.get("fonts", {})),
        total=result.total,
        grade=result.grade,
    )


def _cover(ev: Evaluation) -> Cover:
    p = ev.project
    return Cover(
        title="项目支出绩效评价报告",
        fields=[
            ("项目名称", p.name),
            ("主管部门", p.department),
            ("实施单位", p.implementing_unit or p.department),
            ("委托单位", p.commissioner or "—"),
            ("评价机构", p.agency or "—"),
        ],
        date=month_text(p.report_month) or f"{p.year + 1}年",
    )


def _opening(ev: Evaluation) -> str:
    p = ev.project
    period = "至".join(x for x in (month_text(p.period_start), month_text(p.period_end)) if x)
    opening = f"受{p.commissioner or '委托单位'}委托"
    if p.agency:
        opening += f"，{p.agency}"
    if p.notice:
        opening += f"依据{p.notice}"
    opening += f"，{('于' + period) if period else ''}对{p.department}"
    if p.department_short and p.department_short != p.department:
        opening += f"（以下简称“{p.department_short}”）"
    return opening + f"实施的{p.name}项目（以下简称“该项目”）开展了绩效评价。现将评价情况报告如下。"


def chapter_one_tables(ev: Evaluation) -> dict[str, str]:
    """The numbers of the tables in 一、评价项目情况, in the order they appear: "breakdown" (支出明细表) and
    "targets" (年度绩效目标表), each present only when its data is, numbered 1-1, 1-2 without gaps."""
    present = [
        name for name, data in (("breakdown", ev.facts.funds.breakdown), ("targets", ev.facts.annual_targets)) if data
    ]
    return {name: f"1-{i}" for i, name in enumerate(present, 1)}


def _project_section(doc: Doc, src: _Source) -> None:
    """一、评价项目情况: background, goals, funds (表1-1), organisation and implementation (表1-2 年度绩效目标)."""
    ev = src.ev
    p, facts = ev.project, ev.facts
    numbers = chapter_one_tables(ev)
    doc.h(1, "评价项目情况")
    doc.h(2, "项目背景")
    doc.p(facts.background or f"{p.name}为{p.department}{p.year}年度预算项目。")
    doc.h(2, "项目绩效目标")
    doc.h(3, "总体目标")
    doc.p(facts.overall_goal or "项目未单独设定总体目标。")
    doc.h(3, "年度绩效目标")
    if facts.annual_goal:
        doc.p(facts.annual_goal)
    elif facts.annual_targets:
        doc.p("；".join(f"{t.name}{t.value}" for t in facts.annual_targets) + "。")
    else:
        doc.p("项目未单独设定年度绩效目标。")
    if "targets" in numbers:
        doc.p(f"各项年度绩效指标及目标值见表{numbers['targets']}。")
    _funds_section(doc, ev, numbers.get("breakdown", "1-1"))
    doc.h(2, "项目管理情况")
    doc.h(3, "组织架构及实施流程")
    doc.p(facts.organization or f"该项目由{p.department}组织实施。")
    doc.h(3, "项目实施情况")
    doc.p(facts.implementation or "（待补充项目实施情况。）")
    if "targets" in numbers:
        number = numbers["targets"]
        doc.p(f"项目年度绩效目标的各项指标及目标值见表{number}，可与上述实施情况对照。")
        doc.add(annual_targets_table(ev, number))


def annual_targets_table(ev: Evaluation, number: str = "1-2") -> Table:
    """表1-2 年度绩效目标表: the targets as entered on 项目信息. With their 一级/二级指标 the group cells span
    their consecutive rows (as in 表3-1); without them, a numbered list of 绩效指标 and 目标值."""
    targets = ev.facts.annual_targets
    caption = f"表{number} {ev.project.name}年度绩效目标表"
    if not any(t.level1.strip() or t.level2.strip() for t in targets):
        columns = ["序号", "绩效指标", "目标值"]
        rows: list[list[TableCell | None]] = [
            [TableCell(str(i)), TableCell(t.name), TableCell(t.value or "—")] for i, t in enumerate(targets, 1)
        ]
        widths = [1.6, 8.0, 5.4]
    else:
        columns = ["一级指标", "二级指标", "三级指标", "目标值"]
        level1 = _runs([t.level1.strip() for t in targets])
        level2 = _runs([(t.level1.strip(), t.level2.strip()) for t in targets])
        rows = [
            [
                _run_cell(t.level1.strip(), level1[i]),
                _run_cell(t.level2.strip(), level2[i]),
                TableCell(t.name),
                TableCell(t.value or "—"),
            ]
            for i, t in enumerate(targets)
        ]
        widths = [3.0, 3.4, 5.2, 3.4]
    return Table(
        caption=caption,
        unit="",
        columns=columns,
        widths=widths,
        header_rows=[[TableCell(c, bold=True) for c in columns]],
        rows=rows,
        key=number,
    )


def _runs(values: list[Any]) -> list[int | None]:
    """For each row, the length of the run of equal values it starts, or None when it continues one."""
    out: list[int | None] = []
    for i, value in enumerate(values):
        if i and values[i - 1] == value:
            out.append(None)
            continue
        length = 1
        while i + length < len(values) and values[i + length] == value:
            length += 1
        out.append(length)
    return out


def _run_cell(text: str, run: int | None) -> TableCell | None:
    return None if run is None else TableCell(text, merge_down=run - 1)


def _funds_section(doc: Doc, ev: Evaluation, number: str = "1-1") -> None:
    """（三）项目资金情况, with 表1-1 支出明细表 when the expenditure breakdown is known."""
    funds = ev.facts.funds
    doc.h(2, "项目资金情况")
    doc.h(3, "资金到位情况")
    if funds.arrival:
        doc.p(funds.arrival)
    elif funds.planned is not None and funds.received is not None and funds.planned > 0:
        doc.p(
            f"该项目计划到位资金{amount(funds.planned)}万元，实际到位{amount(funds.received)}万元，"
            f"资金到位率{percent(funds.received / funds.planned * 100)}。"
        )
    doc.h(3, "资金使用情况")
    if funds.usage:
        doc.p(funds.usage)
    elif funds.spent is not None:
        doc.p(f"该项目实际支出{amount(funds.spent)}万元。")
    if funds.breakdown:
        doc.p(f"具体支出情况见表{number}。")
        doc.add(expenditure_table_1_1(ev, number))
    doc.h(3, "资金管理情况")
    doc.p(funds.management or "未发现资金管理方面的异常情况。")


def expenditure_table_1_1(ev: Evaluation, number: str = "1-1") -> Table:
    """表1-1 支出明细表: each category's amount and share of the total, and the 合计 row."""
    items = ev.facts.funds.breakdown
    total = sum((e.amount for e in items), Decimal(0))
    rows: list[list[TableCell | None]] = []
    for e in items:
        share = e.amount / total * 100 if total else None
        rows.append([TableCell(e.category), TableCell(amount(e.amount)), TableCell(percent(share))])
    rows.append(
        [
            TableCell("合计", bold=True),
            TableCell(amount(total), bold=True),
            TableCell("100.00%" if total else "—", bold=True),
        ]
    )
    return Table(
        caption=f"表{number} {ev.project.name}支出明细表",
        unit="单位：万元",
        columns=["类别", "金额（万元）", "占比"],
        widths=[6.5, 4.0, 4.0],
        header_rows=[
            [TableCell("类别", bold=True), TableCell("金额（万元）", bold=True), TableCell("占比", bold=True)]
        ],
        rows=rows,
        key=number,
    )


def _work_section(doc: Doc, src: _Source) -> None:
    """二、评价工作开展情况: purpose, sites, stages with dates, methods, the indicator system and grades."""
    ev, d = src.ev, src.defaults
    p = ev.project
    doc.h(1, "评价工作开展情况")
    doc.h(2, "评价目的")
    doc.p(ev.report.purpose or d["purpose"])
    doc.h(2, "评价对象与选点")
    doc.p(ev.report.sites or fill(d["sites"], department=p.department_short or p.department, project=p.name))
    doc.h(2, "评价流程")
    for stage in ev.report.stages:
        doc.h(3, stage.name)
        when = month_text(stage.start)
        if stage.end and stage.end != stage.start:
            when += f"至{month_text(stage.end)}"
        text = stage.description or d["stages"].get(stage.name, "")
        doc.p(f"{when}，{text}" if when else text)
    doc.h(2, "评价方法")
    methods = ev.report.methods
    if methods:
        doc.p(fill(d["method_intro"], methods="、".join(methods)))
        for i, m in enumerate(methods, 1):
            doc.p(f"{i}. {m}。{d['methods'].get(m, '')}")
    doc.h(2, "评价指标")
    _indicator_paragraphs(doc, src)


def _indicator_paragraphs(doc: Doc, src: _Source) -> None:
    """（五）评价指标: the system's logic, its first-level groups with their weights, and the grades."""
    ev, d = src.ev, src.defaults
    system = ev.system
    logic = indicator_logic(ev, d)
    doc.p(logic)
    summary = system_summary(system, groups=not names_every_group(logic, system))
    doc.p(f"{summary}。" + fill(d["grade_intro"], count=cn_number(len(system.grades))))
    for i, text in enumerate(grade_lines(system), 1):
        doc.p(f"（{i}）{text}{'。' if i == len(system.grades) else '；'}")


def indicator_logic(ev: Evaluation, defaults: dict[str, Any]) -> str:
    """The logic of the indicator system: the text the user wrote (ReportSettings.indicator_logic), or the
    agency's default filled from this system's own first-level groups: {system} its name, {chain} the groups
    in order ("决策—过程—产出—效益"), {groups} each group with its points and what it covers."""
    if ev.report.indicator_logic.strip():
        return ev.report.indicator_logic
    system = ev.system
    return fill(
        defaults["indicator_logic"],
        system=system.name,
        chain="—".join(g.name for g in system.groups),
        groups="；".join(_group_focus(g) for g in system.groups),
    )


def _weight_label(group: Level1) -> str:
    return f"{group.name}（{number(group.weight if group.weight is not None else group.total_weight)}分）"


def _group_focus(group: Level1) -> str:
    """ "产出（30分）方面关注产出数量、产出质量、产出时效、产出成本": its second-level groups, or its indicators
    when the only second-level group repeats the first-level name."""
    covers = [g.name for g in group.groups if g.name != group.name]
    if not covers:
        covers = [ind.name for g in group.groups for ind in g.indicators]
    label = _weight_label(group)
    return f"{label}方面关注{'、'.join(covers)}" if covers else label


def names_every_group(text: str, system: IndicatorSystem) -> bool:
    """Whether a text already names every first-level group with its points ("决策（20分）"), so that the
    summary after it need not list them again."""
    return all(_weight_label(g) in text for g in system.groups)


def system_summary(system: IndicatorSystem, groups: bool = True) -> str:
    """ "指标体系总分100分，一级指标为决策（20分）、…，另设扣分项（最多扣10分）" (no final full stop); without the
    first-level groups when ``groups`` is False."""
    level1 = f"，一级指标为{'、'.join(_weight_label(g) for g in system.groups)}" if groups else ""
    extra = f"，另设扣分项（最多扣{number(system.penalties.cap)}分）" if system.penalties else ""
    return f"指标体系总分{number(system.total)}分{level1}{extra}"


def grade_lines(system: IndicatorSystem) -> list[str]:
    """Each grade with its range: "90分及以上（含90分）为优", "80分（含）至90分为良", …, "60分以下为差"."""
    grades = system.grades
    lines = []
    for i, grade in enumerate(grades):
        if i == 0:
            lines.append(f"{number(grade.min)}分及以上（含{number(grade.min)}分）为{grade.name}")
        elif i == len(grades) - 1:
            lines.append(f"{number(grades[i - 1].min)}分以下为{grade.name}")
        else:
            lines.append(f"{number(grade.min)}分（含）至{number(grades[i - 1].min)}分为{grade.name}")
    return lines


def _conclusion_section(doc: Doc, src: _Source) -> None:
    """三、评价结论: the total, the grade and 表3-1."""
    result = src.result
    doc.h(1, "评价结论")
    incomplete = "" if result.complete else f"（尚有{result.count - result.scored}项指标未评分，以下为暂定结果）"
    doc.p(
        f"根据评价指标体系，该项目评价得分为{number(result.total)}分，评价等级为“{result.grade}”{incomplete}。"
        "各项指标得分情况见表3-1。"
    )
    doc.add(score_table_3_1(src.ev, result))


def _analysis_section(doc: Doc, src: _Source) -> None:
    """四、绩效分析: per second-level group, per indicator the bold score line and the 评分过程."""
    doc.h(1, "绩效分析")
    for l1 in src.ev.system.groups:
        for g in l1.groups:
            doc.h(2, g.name)
            for ind in g.indicators:
                row = src.result.indicator(ind.code)
                doc.h(3, ind.name)
                got = f"评价得分{number(row.score)}分" if row.score is not None else "尚未评分"
                doc.p(f"指标分值{number(row.weight)}分，{got}。", bold=True)
                process = src.process_text(ind)
                if process.strip() != "尚未评分。":  # said once, in the line above
                    doc.p(process)


def _problems_and_suggestions(doc: Doc, src: _Source) -> None:
    """五、存在问题及原因分析 and 六、相关建议: the curated lists, or the findings marked for the report. With last
    year's problems on record, 五 has two parts: this year's problems, then how last year's were rectified."""
    ev = src.ev
    doc.h(1, "存在问题及原因分析")
    problems = [(prob.title, prob.text, prob.cause) for prob in ev.problems]
    if not problems:
        # no curated list yet: the findings the consultant marked for the report, in indicator order
        for _, _, ind in ev.system.indicators():
            a = src.assessments.get(ind.code)
            for f in a.inputs.findings if a is not None else []:
                if f.in_report:
                    problems.append((f"{ind.name}方面存在问题", f.text, f.cause))
    if ev.prior_problems:
        doc.h(2, "本年度评价发现的问题")
        _problem_list(doc, problems, level=3)
        doc.h(2, "上年问题整改情况")
        doc.p(rectification_summary(ev.prior_problems))
        doc.add(rectification_table(ev.prior_problems))
        unfinished = sum(1 for prob in ev.prior_problems if rectification_status(prob) != "已整改")
        if unfinished:
            doc.p(
                f"对尚未完成整改的{unfinished}个问题，被评价单位应明确整改时限和责任人，逐项落实并报送整改结果，"
                "评价机构将在下一年度评价中继续跟踪。"
            )
    else:
        _problem_list(doc, problems, level=2)
    doc.h(1, "相关建议")
    if ev.suggestions:
        for s in ev.suggestions:
            doc.h(2, s.title)
            if s.text:
                doc.p(s.text)
    else:
        doc.p("建议被评价单位继续保持现有管理做法。")


def _problem_list(doc: Doc, problems: list[tuple[str, str, str]], level: int) -> None:
    if not problems:
        doc.p("评价中未发现需要单独列示的问题。")
    for title_, text, cause in problems:
        doc.h(level, title_)
        if text:
            doc.p(text)
        if cause:
            doc.p(f"原因分析：{cause}")


def rectification_status(problem: ReportProblem) -> str:
    """整改 status of a problem: as recorded, 未整改 when nothing is."""
    return problem.rectification.status if problem.rectification is not None else "未整改"


def rectification_summary(prior: list[ReportProblem]) -> str:
    """ "2023年度评价指出问题3个，截至本次评价，已整改1个、整改中1个、未整改1个。" (the statuses with none left out)."""
    years = {p.year for p in prior if p.year is not None}
    which = f"{years.pop()}年度评价" if len(years) == 1 else "以前年度评价"
    counts = [(status, sum(1 for p in prior if rectification_status(p) == status)) for status in RECTIFICATION_STATUSES]
    said = "、".join(f"{status}{n}个" for status, n in counts if n)
    return f"{which}指出问题{len(prior)}个，截至本次评价，{said}。各问题的整改措施、责任单位、期限和状态见表5-1。"


def rectification_table(prior: list[ReportProblem]) -> Table:
    """表5-1 上年问题整改情况表: each of last year's problems with its 整改措施, 责任单位, 期限 and 状态."""
    columns = ["序号", "问题", "整改措施", "责任单位", "整改期限", "整改状态"]
    rows: list[list[TableCell | None]] = []
    for i, prob in enumerate(prior, 1):
        r = prob.rectification
        status = rectification_status(prob)
        note = r.note.strip() if r is not None else ""
        rows.append(
            [
                TableCell(str(i)),
                TableCell(prob.title, align="left"),
                TableCell((r.measure if r is not None else "") or "—", align="left"),
                TableCell((r.unit if r is not None else "") or "—"),
                TableCell(day(r.deadline if r is not None else None)),
                TableCell(f"{status}（{note}）" if note else status, align="left" if note else "center"),
            ]
        )
    return Table(
        caption="表5-1 上年问题整改情况表",
        unit="",
        columns=columns,
        widths=[1.0, 4.2, 4.0, 2.2, 2.2, 2.0],
        header_rows=[[TableCell(c, bold=True) for c in columns]],
        rows=rows,
        font_size=9,
        key="5-1",
    )


def consultation_rows(ev: Evaluation) -> list[tuple[ReportProblem, str, str, str]]:
    """Each problem the unit answered, with its opinion ("有异议：……"), the 采纳情况 (采纳 / 不采纳 / 待答复, "—"
    where the unit agreed) and the 说明 (the agency's reply, or that the unit agreed)."""
    out = []
    for prob in ev.problems:
        response = prob.response
        if response is None:
            continue
        statement = response.statement.strip()
        opinion = f"{response.stance}：{statement}" if statement else response.stance
        if response.stance == "同意":
            out.append((prob, opinion, "—", "被评价单位无异议"))
        elif prob.reply is None:
            out.append((prob, opinion, "待答复", ""))
        else:
            out.append((prob, opinion, prob.reply.decision, prob.reply.text))
    return out


def consultation_summary(ev: Evaluation) -> str:
    """How many problems the unit answered, agreed with and objected to, and how the objections were answered."""
    rows = consultation_rows(ev)
    objected = [adopted for _, opinion, adopted, _ in rows if opinion.startswith("有异议")]
    text = (
        f"报告征求意见阶段，被评价单位对{len(rows)}个问题反馈了意见，其中无异议{len(rows) - len(objected)}个、"
        f"有异议{len(objected)}个"
    )
    if objected:
        parts = [f"{what}{objected.count(what)}个" for what in ("采纳", "不采纳", "待答复") if what in objected]
        text += f"；对异议{'、'.join(parts)}"
    return text + "。逐项处理情况如下表。"


def consultation_table(ev: Evaluation) -> Table:
    """附件2 征求意见采纳情况表: 序号, 问题, 单位意见, 采纳情况, 说明."""
    columns = ["序号", "问题", "单位意见", "采纳情况", "说明"]
    rows: list[list[TableCell | None]] = [
        [
            TableCell(str(i)),
            TableCell(prob.title, align="left"),
            TableCell(opinion, align="left"),
            TableCell(adopted),
            TableCell(note, align="left"),
        ]
        for i, (prob, opinion, adopted, note) in enumerate(consultation_rows(ev), 1)
    ]
    return Table(
        caption="",
        unit="",
        columns=columns,
        widths=[1.0, 3.8, 4.6, 1.8, 4.4],
        header_rows=[[TableCell(c, bold=True) for c in columns]],
        rows=rows,
        font_size=9,
        key="附件2",
    )


def group_label(name: str, weight: Decimal | None) -> str:
    return f"{name}（{number(weight)}分）" if weight is not None else name


def indicator_rows(system: IndicatorSystem) -> Iterator[tuple[list[TableCell | None], Indicator]]:
    """Each third-level indicator with its two group cells: the group label ("通用指标（54分）", the sum of
    the indicators below it) spanning the group's rows on its first row, None (covered by the merge) on the
    others."""
    for l1 in system.groups:
        l1_count = sum(len(g.indicators) for g in l1.groups)
        l1_weight = sum((ind.weight for g in l1.groups for ind in g.indicators), Decimal(0))
        for i, g in enumerate(l1.groups):
            for j, ind in enumerate(g.indicators):
                label1 = TableCell(group_label(l1.name, l1_weight), merge_down=l1_count - 1)
                label2 = TableCell(group_label(g.name, g.total_weight), merge_down=len(g.indicators) - 1)
                yield [label1 if i == 0 and j == 0 else None, label2 if j == 0 else None], ind


def score_table_3_1(ev: Evaluation, result: EvaluationResult) -> Table:
    """表3-1 得分情况表: the one builder of it (Word report, 报告 page preview, Excel export)."""
    header: list[list[TableCell | None]] = [
        [
            TableCell("绩效评价指标", merge_right=2, bold=True),
            None,
            None,
            TableCell("指标分值", merge_down=1, bold=True),
            TableCell("得分", merge_down=1, bold=True),
            TableCell("扣分", merge_down=1, bold=True),
            TableCell("得分率", merge_down=1, bold=True),
            TableCell("扣分原因", merge_down=1, bold=True),
        ],
        [
            TableCell("一级指标", bold=True),
            TableCell("二级指标", bold=True),
            TableCell("三级指标", bold=True),
            None,
            None,
            None,
            None,
            None,
        ],
    ]
    rows: list[list[TableCell | None]] = []
    for groups, ind in indicator_rows(ev.system):
        r = result.indicator(ind.code)
        rows.append(
            [
                *groups,
                TableCell(ind.name),
                TableCell(number(r.weight)),
                TableCell(number(r.score)),
                TableCell(number(r.deduction)),
                TableCell(rate(r.rate)),
                TableCell(deduction_reason(r), align="left"),
            ]
        )
    if result.penalty_total:
        reasons = "；".join(t for pen in result.penalties for t in pen.findings)
        rows.append(
            [
                TableCell("扣分项", merge_right=2),
                None,
                None,
                TableCell("—"),
                TableCell(f"-{number(result.penalty_total)}"),
                TableCell(number(result.penalty_total)),
                TableCell("—"),
                TableCell(reasons, align="left"),
            ]
        )
    lost = result.weight_total - result.total
    total_rate = result.total / result.weight_total * 100 if result.weight_total else None
    rows.append(
        [
            TableCell("合计", merge_right=2, bold=True),
            None,
            None,
            TableCell(number(result.weight_total), bold=True),
            TableCell(number(result.total), bold=True),
            TableCell(number(lost), bold=True),
            TableCell(rate(total_rate), bold=True),
            TableCell(""),
        ]
    )
    return Table(
        caption=f"表3-1 {ev.project.name}绩效评价得分情况表",
        unit="",
        columns=["一级指标", "二级指标", "三级指标", "指标分值", "得分", "扣分", "得分率", "扣分原因"],
        widths=[2.0, 2.0, 2.4, 1.3, 1.2, 1.2, 1.6, 4.3],
        header_rows=header,
        rows=rows,
        font_size=9,
        key="3-1",
    )


def appendix_table_1(ev: Evaluation, result: EvaluationResult) -> Table:
    """附件1 指标体系: the one builder of it (Word report and Excel export)."""
    cols = [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标分值",
        "目标值",
        "指标解释",
        "评分方法",
        "评分说明",
        "评分过程",
        "得分",
    ]
    header: list[list[TableCell | None]] = [[TableCell(c, bold=True) for c in cols]]
    assessments = ev.assessments_by_code()
    rows: list[list[TableCell | None]] = []
    for groups, ind in indicator_rows(ev.system):
        r = result.indicator(ind.code)
        rows.append(
            [
                *groups,
                TableCell(ind.name),
                TableCell(number(ind.weight)),
                TableCell(ind.target or "—"),
                TableCell(ind.explanation, align="left"),
                TableCell(ind.method_label),
                TableCell(ind.rule_text or ind.rule_in_words(), align="left"),
                TableCell(report_process(ind, assessments.get(ind.code), r), align="left"),
                TableCell(number(r.score)),
            ]
        )
    items = ev.system.penalty_items()
    for i, item in enumerate(items):
        pen = next(x for x in result.penalties if x.code == item.code)
        process = process_text(assessments, item.code, pen.explanation)
        cap = ev.system.penalties.cap if ev.system.penalties else Decimal(0)
        rows.append(
            [
                TableCell(f"扣分项（{number(cap)}分）", merge_down=len(items) - 1) if i == 0 else None,
                TableCell(item.name, merge_right=1),
                None,
                TableCell("—"),
                TableCell("—"),
                TableCell(item.explanation, align="left"),
                TableCell(item.method_name),
                TableCell(item.rule_text or item.rule.method, align="left"),
                TableCell(process, align="left"),
                TableCell(f"-{number(pen.points)}" if pen.points else "0"),
            ]
        )
    rows.append(
        [
            TableCell("合计", merge_right=2, bold=True),
            None,
            None,
            TableCell(number(result.weight_total), bold=True),
            TableCell(""),
            TableCell(""),
            TableCell(""),
            TableCell(""),
            TableCell(""),
            TableCell(number(result.total), bold=True),
        ]
    )
    return Table(
        caption="",
        unit="",
        columns=cols,
        widths=[1.8, 1.8, 2.0, 1.1, 1.4, 2.8, 1.7, 5.0, 5.6, 1.0],
        header_rows=header,
        rows=rows,
        landscape=True,
        font_size=9,
        key="附件1",
    )
