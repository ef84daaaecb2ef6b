"""The evaluation record: project facts, the indicator system snapshot, the evidence per indicator.

Pure pydantic models, no storage. An evaluation file (YAML/JSON) is exactly
``Evaluation.model_dump``; the database keeps the same data.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from evaluation.errors import Problem
from evaluation.indicators.rules import (
    AnyRule,
    BandsRule,
    ChecklistRule,
    CompositeRatioRule,
    CompositeRule,
    DeductionRule,
    Figure,
    ManualRule,
    PenaltyRule,
    Points,
    QualitativeRule,
    RatioRule,
    TimelinessRule,
)
from evaluation.indicators.system import Code, IndicatorSystem, system_problems
from evaluation.limits import CATEGORY_MAX, COUNT_MAX, FIGURE_MAX, FIGURE_PLACES, NAME_MAX, TEXT_MAX
from evaluation.text import clean_text

Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=6)]
YearMonth = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="年-月，如 2024-10")]
Count = Annotated[int, Field(ge=0, le=COUNT_MAX)]
# a name kept in a database column as well (evaluation.project_name, .department, .agency, .category)
ProjectName = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
OptionalName = Annotated[str, Field(max_length=NAME_MAX)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_max_length=TEXT_MAX)

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, v: Any) -> Any:
        return clean_text(v) if isinstance(v, str) else v


# --------------------------------------------------------------------------- evidence


class EvidenceRef(Model):
    """Where a fact was found: document name, 文号, 凭证号, page."""

    document: str = Field(min_length=1, description="文件或资料名称")
    doc_no: str = Field(default="", description="文号")
    voucher: str = Field(default="", description="凭证号")
    page: str = Field(default="", description="页码")
    note: str = ""
    attachment: str = Field(default="", description="附件在数据目录中的相对路径")
    sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$", description="附件内容的 SHA-256（上传时记录）")


class Finding(Model):
    """A problem found while scoring. It loses points and may go into 存在问题."""

    text: str = Field(min_length=1, description="问题描述")
    points: Points | None = Field(default=None, description="扣分；不填时按规则的每处扣分")
    part: str | None = Field(default=None, description="组合指标中所属部分的 key")
    evidence: list[EvidenceRef] = Field(default_factory=list)
    cause: str = Field(default="", description="原因分析")
    in_report: bool = Field(default=False, description="是否写入报告的存在问题")


class RatioInput(Model):
    actual: str | None = None
    target: str | None = None
    not_applicable: bool = False


class Inputs(Model):
    """What a rule needs; which fields apply depends on the rule's method."""

    findings: list[Finding] = Field(default_factory=list)
    actual: str | None = Field(default=None, description="实际值（原文，比率类）")
    target: str | None = Field(default=None, description="目标值（不填取指标的目标值）")
    ratios: dict[str, RatioInput] = Field(default_factory=dict, description="组合比率各部分")
    planned_duration: Annotated[Decimal, Field(ge=0, le=FIGURE_MAX, decimal_places=FIGURE_PLACES)] | None = None
    actual_duration: Annotated[Decimal, Field(ge=0, le=FIGURE_MAX, decimal_places=FIGURE_PLACES)] | None = None
    start_date: date | None = None
    planned_end: date | None = None
    actual_end: date | None = None
    answers: dict[str, bool] = Field(default_factory=dict, description="是否评分各项")
    value: str | None = Field(default=None, description="区间分档的度量值，如“25%”")
    count: Count | None = Field(default=None, description="区间分档：符合条件的个数")
    of: Count | None = Field(default=None, description="区间分档：总个数")
    band: str | None = Field(default=None, description="定性档次")
    score: Points | None = Field(default=None, description="定性或直接评分的得分")
    justification: str = Field(default="", description="直接评分的理由")
    parts: dict[str, Inputs] = Field(default_factory=dict, description="组合指标各部分的输入")


# every rule keeps the problems met while checking its indicator (``findings``, for 问题与建议); only the
# deduction rules (and a composite's deduction parts) score them
_FIELDS_BY_METHOD: dict[type, set[str]] = {
    DeductionRule: {"findings"},
    PenaltyRule: {"findings"},
    RatioRule: {"actual", "target", "findings"},
    CompositeRatioRule: {"ratios", "findings"},
    TimelinessRule: {"planned_duration", "actual_duration", "start_date", "planned_end", "actual_end", "findings"},
    ChecklistRule: {"answers", "findings"},
    BandsRule: {"value", "count", "of", "findings"},
    QualitativeRule: {"band", "score", "findings"},
    ManualRule: {"score", "justification", "findings"},
    CompositeRule: {"parts", "findings"},
}


def input_field_problems(rule: AnyRule, inputs: Inputs, code: str, path: str = "inputs") -> list[Problem]:
    """Fields filled that the rule does not read: a sign the wrong rule or field was used."""
    allowed = _FIELDS_BY_METHOD[type(rule)]
    problems = []
    for name in inputs.model_fields_set:
        value = getattr(inputs, name)
        if name not in allowed and value not in (None, [], {}, ""):
            problems.append(Problem(f"评分规则“{rule.method}”不使用该字段", None, code, f"{path}.{name}"))
    if not isinstance(rule, DeductionRule | PenaltyRule | CompositeRule):
        for f in inputs.findings:
            if f.points is not None:
                said = f"问题“{f.text[:20]}”写了扣分，但本规则不按问题扣分（问题只供报告使用）"
                problems.append(Problem(said, None, code, f"{path}.findings"))
    return problems + _part_problems(rule, inputs, code, path)


def _part_problems(rule: AnyRule, inputs: Inputs, code: str, path: str) -> list[Problem]:
    """Inputs keyed by a part, ratio or checklist item the rule does not have."""
    problems: list[Problem] = []
    if isinstance(rule, CompositeRule):
        keys = {p.key: p for p in rule.parts}
        for key, sub in inputs.parts.items():
            if key not in keys:
                problems.append(Problem(f"组合指标没有名为“{key}”的部分", None, code, f"{path}.parts.{key}"))
            else:
                problems += input_field_problems(keys[key].rule, sub, code, f"{path}.parts.{key}")
        for f in inputs.findings:
            if f.part is not None and f.part not in keys:
                problems.append(Problem(f"问题“{f.text[:20]}”所属部分“{f.part}”不存在", None, code, f"{path}.findings"))
    if isinstance(rule, CompositeRatioRule):
        keys_r = {p.key for p in rule.parts}
        for key in inputs.ratios:
            if key not in keys_r:
                problems.append(Problem(f"组合比率没有名为“{key}”的部分", None, code, f"{path}.ratios.{key}"))
    if isinstance(rule, ChecklistRule):
        keys_c = {i.key for i in rule.items}
        for key in inputs.answers:
            if key not in keys_c:
                problems.append(Problem(f"是否评分没有名为“{key}”的项", None, code, f"{path}.answers.{key}"))
    return problems


class Override(Model):
    """A score set by hand over the rule's result; the reason is mandatory."""

    score: Points
    reason: str = Field(min_length=2, description="调整理由")

    @field_validator("reason", mode="before")
    @classmethod
    def _reason_written(cls, v: object) -> object:
        # before the length check: an empty or one-character reason gets this message too, and spaces
        # around one character do not make it two
        if isinstance(v, str) and len(v.strip()) < 2:
            raise ValueError("调整得分必须写明理由")
        return v


class StatedRow(Model):
    """What a document states for one indicator, kept beside what the workbench computes."""

    score: Figure | None = Field(default=None, description="表中所列得分")
    deduction: Figure | None = Field(default=None, description="表中所列扣分")
    rate: str | None = Field(default=None, description="表中所列得分率（原文）")
    reason: str = Field(default="", description="表中所列扣分原因")
    narrative_score: Figure | None = Field(default=None, description="正文“评价得分 X 分”所述得分")
    weight: Figure | None = Field(default=None, description="表中所列分值（与体系不同时）")
    actual: str | None = Field(default=None, description="表中所列实际完成值（原文）")
    note: str = Field(default="", description="偏差原因分析及改进措施等原文")


class Assessment(Model):
    """The evidence and inputs for one indicator (or one 扣分项)."""

    code: Code
    status: Literal["已评", "已复核"] = "已评"
    inputs: Inputs = Field(default_factory=Inputs)
    narrative: str = Field(default="", description="评分过程")
    evidence: list[EvidenceRef] = Field(default_factory=list)
    override: Override | None = None
    stated: StatedRow | None = None


# --------------------------------------------------------------------------- project facts


class ExpenseItem(Model):
    category: str = Field(min_length=1, description="支出类别")
    amount: Amount = Field(description="金额（万元）")


class Funds(Model):
    """项目资金情况, all amounts in 万元."""

    planned: Amount | None = Field(default=None, description="计划到位资金")
    received: Amount | None = Field(default=None, description="实际到位资金")
    initial_budget: Amount | None = Field(default=None, description="年初预算")
    adjusted_budget: Amount | None = Field(default=None, description="调整后预算（全年预算）")
    spent: Amount | None = Field(default=None, description="实际支出")
    breakdown: list[ExpenseItem] = Field(default_factory=list, description="支出明细")
    arrival: str = Field(default="", description="资金到位情况说明")
    usage: str = Field(default="", description="资金使用情况说明")
    management: str = Field(default="", description="资金管理情况说明")


class PerformanceTarget(Model):
    """A 年度绩效目标 row as the department declared it."""

    name: str = Field(min_length=1)
    value: str = Field(default="", description="目标值（原文）")
    level1: str = ""
    level2: str = ""


class Project(Model):
    name: ProjectName = Field(description="项目名称")
    department: ProjectName = Field(description="主管部门")
    implementing_unit: OptionalName = Field(default="", description="实施单位")
    commissioner: OptionalName = Field(default="", description="委托单位")
    agency: OptionalName = Field(default="", description="评价机构")
    year: int = Field(ge=2000, le=2100, description="预算年度")
    category: str = Field(default="", max_length=CATEGORY_MAX, description="项目类别")
    department_short: OptionalName = Field(default="", description="主管部门简称，如“区经合局”")
    notice: str = Field(default="", description="委托依据（通知名称）")
    period_start: YearMonth | None = Field(default=None, description="评价工作开始年月")
    period_end: YearMonth | None = Field(default=None, description="评价工作结束年月")
    report_month: YearMonth | None = Field(default=None, description="报告年月")
    doc_no: str = Field(default="", description="预算资金文号")


class Facts(Model):
    """一、评价项目情况: background, goals, funds, organisation, implementation."""

    background: str = ""
    overall_goal: str = Field(default="", description="总体目标")
    annual_goal: str = Field(default="", description="年度绩效目标（概述）")
    annual_targets: list[PerformanceTarget] = Field(default_factory=list)
    funds: Funds = Field(default_factory=Funds)
    organization: str = Field(default="", description="组织架构及实施流程")
    implementation: str = Field(default="", description="项目实施情况")


class Stage(Model):
    name: str = Field(min_length=1)
    start: YearMonth
    end: YearMonth | None = None
    description: str = ""


class TeamMember(Model):
    """One person of the evaluation team, for the 评价方案's 人员分工."""

    name: str = Field(min_length=1, description="姓名")
    role: str = Field(default="", description="职务或角色，如项目负责人、评价人员、行业专家")
    duty: str = Field(default="", description="分工")


class ReportSettings(Model):
    purpose: str = Field(default="", description="评价目的（留空用机构默认文字）")
    basis: str = Field(default="", description="评价依据（留空用机构默认文字）")
    sites: str = Field(default="", description="评价对象与选点")
    stages: list[Stage] = Field(default_factory=list)
    methods: list[str] = Field(default_factory=list, description="所用评价方法")
    indicator_logic: str = Field(default="", description="评价指标思路")
    team: list[TeamMember] = Field(default_factory=list, description="评价组人员分工")


# --------------------------------------------------------------------------- the engagement around the scores

DocumentStatus = Literal["未提供", "已提供", "不适用", "补充中"]
DOCUMENT_STATUSES: tuple[DocumentStatus, ...] = ("未提供", "已提供", "不适用", "补充中")


class ChecklistItem(Model):
    """One document the evaluated unit is asked for (资料清单), under the indicator it evidences."""

    code: str = Field(default="", description="指标编码；空为不属于某一指标的通用资料")
    document: str = Field(min_length=1, description="资料名称")
    status: DocumentStatus = "未提供"
    requested_on: date | None = Field(default=None, description="提出日期")
    received_on: date | None = Field(default=None, description="提供日期")
    note: str = Field(default="", description="说明（如补充要求、不适用的理由）")
    files: list[EvidenceRef] = Field(default_factory=list, description="按本项上传的文件（也是该指标的证据附件）")


class UnitResponse(Model):
    """The evaluated unit's answer to one problem of the draft report (征求意见)."""

    stance: Literal["同意", "有异议"]
    statement: str = Field(default="", description="意见与理由")
    files: list[EvidenceRef] = Field(default_factory=list, description="随意见提供的文件")
    by: str = ""
    at: str = Field(default="", description="提交时间（ISO 8601）")


class AgencyReply(Model):
    """The agency's answer to an objection: 采纳 (with what changed) or 不采纳 (with the reason)."""

    decision: Literal["采纳", "不采纳"]
    text: str = Field(min_length=2, description="采纳时写明如何修改，不采纳时写明理由")
    by: str = ""
    at: str = Field(default="", description="答复时间（ISO 8601）")


RectificationStatus = Literal["未整改", "整改中", "已整改"]
RECTIFICATION_STATUSES: tuple[RectificationStatus, ...] = ("未整改", "整改中", "已整改")


class Rectification(Model):
    """整改 of one problem of the final report, followed up the next year."""

    measure: str = Field(default="", description="整改措施")
    unit: str = Field(default="", description="责任单位")
    deadline: date | None = Field(default=None, description="整改期限")
    status: RectificationStatus = "未整改"
    note: str = Field(default="", description="整改情况说明")


class ReportProblem(Model):
    title: str = Field(min_length=1)
    text: str = ""
    cause: str = ""
    indicators: list[str] = Field(default_factory=list, description="相关指标编码")
    response: UnitResponse | None = Field(default=None, description="被评价单位的反馈（征求意见）")
    reply: AgencyReply | None = Field(default=None, description="评价机构对异议的答复")
    rectification: Rectification | None = None
    year: int | None = Field(default=None, description="上年问题：所属年度")


class UnitData(Model):
    """基础数据表 as the evaluated unit filled it, waiting for the consultant to accept or edit it."""

    funds: Funds = Field(default_factory=lambda: Funds())
    targets: list[PerformanceTarget] = Field(default_factory=list)
    note: str = Field(default="", description="填报说明")
    by: str = ""
    at: str = Field(default="", description="提交时间（ISO 8601）")
    status: Literal["待确认", "已采纳", "已退回"] = "待确认"
    answer: str = Field(default="", description="评价人员的处理说明")


class Suggestion(Model):
    title: str = Field(min_length=1)
    text: str = ""
    answers: list[int] = Field(default_factory=list, description="回应的问题序号（从 1 起）")


class BudgetRow(Model):
    """自评表 预算执行情况 row (万元); stated rate and score are kept as written."""

    name: str = Field(min_length=1)
    initial: Amount | None = Field(default=None, description="年初预算数")
    annual: Amount | None = Field(default=None, description="全年预算数")
    executed: Amount | None = Field(default=None, description="全年执行数")
    rate: str | None = Field(default=None, description="执行率（原文）")
    score: str | None = Field(default=None, description="得分（原文）")


class SelfEvaluation(Model):
    """Parts of the 项目支出绩效自评表 that are not indicators."""

    scope: Literal["项目", "部门整体"] = "项目"
    table_title: str = Field(default="", description="表格标题（原文）")
    budget_rows: list[BudgetRow] = Field(default_factory=list)
    expected_goal: str = Field(default="", description="年度总体目标：预期目标")
    actual_outcome: str = Field(default="", description="年度总体目标：实际完成情况")
    deviation_analysis: str = Field(default="", description="偏差大或目标未完成原因分析")
    improvement: str = Field(default="", description="改进措施及结果应用方案")


class Stated(Model):
    """Totals a document states (表3-1 合计, 自评表 总分, …)."""

    total: Figure | None = None
    deduction: Figure | None = None
    rate: str | None = None
    grade: str | None = None
    weight_total: Figure | None = Field(default=None, description="合计行的指标分值")
    group_labels: dict[str, Figure] = Field(
        default_factory=dict, description="分组标签所写分值，如 产出指标（50分）→ {编码: 50}"
    )
    notes: list[str] = Field(default_factory=list, description="复核时需要知道的原文情况")


class Evaluation(Model):
    """One evaluation: a commissioned third-party evaluation or one self-evaluation table."""

    format_version: Literal[1] = 1
    id: Code = Field(description="评价编号，在工作台内唯一")
    kind: Literal["third_party", "self_evaluation"] = "third_party"
    source: str = Field(default="", description="数据来源说明（样例数据注明所依据的文件）")
    project: Project
    facts: Facts = Field(default_factory=Facts)
    system: IndicatorSystem
    system_draft: IndicatorSystem | None = Field(
        default=None, description="指标体系的草稿：在“指标体系”页编辑、尚未应用到本评价（不参与评分）"
    )
    assessments: list[Assessment] = Field(default_factory=list)
    problems: list[ReportProblem] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
    report: ReportSettings = Field(default_factory=ReportSettings)
    self_evaluation: SelfEvaluation | None = None
    stated: Stated | None = None
    checklist: list[ChecklistItem] = Field(default_factory=list, description="资料清单")
    unit_data: UnitData | None = Field(default=None, description="被评价单位填报的基础数据表")
    prior_problems: list[ReportProblem] = Field(default_factory=list, description="上年问题及其整改情况")

    @model_validator(mode="after")
    def _kind_matches(self) -> Evaluation:
        if self.kind == "self_evaluation" and self.self_evaluation is None:
            raise ValueError("自评记录须包含 self_evaluation（预算执行情况等）")
        return self

    def assessment(self, code: str) -> Assessment | None:
        """One indicator's assessment (a scan: in a loop over indicators use ``assessments_by_code``)."""
        return next((a for a in self.assessments if a.code == code), None)

    def evidence_for(self, code: str) -> list[EvidenceRef]:
        """An indicator's evidence: what its assessment records, then the files the 资料清单 items of that
        indicator received that the assessment does not list yet."""
        a = self.assessment(code)
        refs = list(a.evidence) if a is not None else []
        known = {r.attachment for r in refs if r.attachment}
        for item in self.checklist:
            if item.code == code:
                refs += [f for f in item.files if f.attachment not in known]
                known |= {f.attachment for f in item.files}
        return refs

    def assessments_by_code(self) -> dict[str, Assessment]:
        """Every assessment by indicator code, built once for a loop over the indicators."""
        return {a.code: a for a in self.assessments}

    @property
    def kind_label(self) -> str:
        return "第三方评价" if self.kind == "third_party" else "绩效自评"


def evaluation_problems(ev: Evaluation, *, file: str | None = None) -> list[Problem]:
    """Cross-field problems of an evaluation, all of them."""
    problems = system_problems(ev.system, file=file, require_filled=True)
    known: dict[str, AnyRule] = {ind.code: ind.rule for _, _, ind in ev.system.indicators()}
    weights = {ind.code: ind.weight for _, _, ind in ev.system.indicators()}
    known.update({p.code: p.rule for p in ev.system.penalty_items()})
    seen: set[str] = set()
    for i, a in enumerate(ev.assessments):
        where = f"assessments[{i}]"
        if a.code in seen:
            problems.append(Problem("同一指标有两条评分记录", file, a.code, where))
        seen.add(a.code)
        rule = known.get(a.code)
        if rule is None:
            problems.append(Problem("评分记录对应的指标不在本评价的指标体系中", file, a.code, where))
            continue
        problems += [
            Problem(p.message, file, p.code, f"{where}.{p.field}") for p in input_field_problems(rule, a.inputs, a.code)
        ]
        weight = weights.get(a.code)
        if a.override is not None and weight is not None and a.override.score > weight:
            problems.append(
                Problem(
                    f"调整后得分 {a.override.score} 超过指标分值 {weight}",
                    file,
                    a.code,
                    f"{where}.override",
                )
            )
    for i, s in enumerate(ev.suggestions):
        for n in s.answers:
            if not 1 <= n <= len(ev.problems):
                problems.append(
                    Problem(f"建议“{s.title}”回应的问题序号 {n} 不存在", file, None, f"suggestions[{i}].answers")
                )
    for i, item in enumerate(ev.checklist):
        if item.code and item.code not in known:
            said = "资料清单中的指标编码不在本评价的指标体系中"
            problems.append(Problem(said, file, item.code, f"checklist[{i}].code"))
    for i, p in enumerate(ev.problems):
        if p.reply is not None and (p.response is None or p.response.stance != "有异议"):
            problems.append(Problem(f"问题“{p.title}”没有异议，不应有采纳答复", file, None, f"problems[{i}].reply"))
    return problems


# --------------------------------------------------------------------------- department summary


class DepartmentProject(Model):
    """One project line of a department's 自评报告, as the report states it."""

    evaluation_id: str = Field(default="", description="对应自评记录的评价编号")
    name: str = Field(min_length=1)
    doc_no: str = Field(default="", description="预算资金文号")
    budget_source: Literal["年初预算", "年中追加", ""] = ""
    budget: Amount | None = Field(default=None, description="本级预算资金（万元）")
    spent: Amount | None = Field(default=None, description="全年支出（万元）")
    rate: str | None = Field(default=None, description="执行率（原文）")
    score: Figure | None = Field(default=None, description="自评得分（原文）")
    grade: str | None = Field(default=None, description="评价等级（原文）")


class DepartmentStated(Model):
    """Summary figures a department report states (万元)."""

    project_count: Count | None = None
    evaluated_count: Count | None = None
    coverage: str | None = None
    total_budget: Amount | None = None
    initial_count: Count | None = None
    initial_budget: Amount | None = None
    added_count: Count | None = None
    added_budget: Amount | None = None
    spent: Amount | None = None
    rate: str | None = None
    initial_spent: Amount | None = None
    initial_rate: str | None = None
    added_spent: Amount | None = None
    added_rate: str | None = None
    completed_count: Count | None = None
    unfinished_count: Count | None = None
    zero_payment_count: Count | None = None
    grade_counts: dict[str, Count] = Field(default_factory=dict)
    overall_budget: Amount | None = Field(default=None, description="部门整体支出：预算")
    overall_spent: Amount | None = None
    overall_rate: str | None = None
    overall_score: Figure | None = None


class DepartmentSummary(Model):
    """A department's self-evaluation report (自评报告): the figures it states about its projects."""

    format_version: Literal[1] = 1
    kind: Literal["department_summary"] = "department_summary"
    id: Code
    department: ProjectName
    year: int = Field(ge=2000, le=2100)
    title: str = ""
    source: str = ""
    staff: str = Field(default="", description="人员情况")
    notice: str = Field(default="", description="自评依据的通知")
    stated: DepartmentStated = Field(default_factory=DepartmentStated)
    projects: list[DepartmentProject] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="存在的问题（概述）")
    plans: list[str] = Field(default_factory=list, description="下一步工作计划（概述）")
