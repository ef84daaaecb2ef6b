"""Machine scoring rules: a closed registry, declared as data, discriminated on ``method``.

No formula is ever evaluated from a file: a template picks one of these rule kinds and fills
in its parameters; the engine (``evaluation.scoring.engine``) knows how to score each kind.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evaluation.formatting import number
from evaluation.limits import FIGURE_MAX, FIGURE_PLACES, SCORE_MAX, TEXT_MAX
from evaluation.text import clean_text

Points = Annotated[Decimal, Field(ge=0, le=SCORE_MAX, max_digits=12, decimal_places=4)]
PositivePoints = Annotated[Decimal, Field(gt=0, le=SCORE_MAX, max_digits=12, decimal_places=4)]
# a figure a document states or a threshold (not a weight): any sign, bounded, never an absurd exponent
Figure = Annotated[Decimal, Field(ge=-FIGURE_MAX, le=FIGURE_MAX, decimal_places=FIGURE_PLACES)]


class Strict(BaseModel):
    """Base of every indicator-library model: unknown keys are errors, values are immutable, text is
    cleaned of control characters and at most :data:`~evaluation.limits.TEXT_MAX` characters."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=TEXT_MAX)

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        # a model validator, not a field validator: the discriminator ``method`` must stay a plain field
        if isinstance(data, dict):
            return {k: clean_text(v) if isinstance(v, str) else v for k, v in data.items()}
        return data


class DeductionRule(Strict):
    """缺（错）项扣分法: start from the weight, subtract points per finding, floor at 0."""

    method: Literal["deduction"]
    points_per_finding: PositivePoints


class RatioDirection(StrEnum):
    positive = "positive"  # 正向：实际/目标
    reverse = "reverse"  # 反向：目标 ≥ 实际为好（成本类）
    equal = "equal"  # 等值：实际等于目标才得分
    auto = "auto"  # 按目标值的比较符判断：≥/以上 正向，≤/以内 反向，无比较符按正向


class ReverseVariant(StrEnum):
    target_over_actual = "target_over_actual"  # 得分 = 分值 × 目标/实际
    overrun_linear = "overrun_linear"  # 不超目标得满分，超出部分线性扣减，超出 100% 得 0


class RatioRule(Strict):
    """比率分值法: 得分 = 分值 × 完成率, capped at the weight.

    With ``points_per_percent`` the rule is the one many client tables state instead: full marks when the
    target is met, and that many points off for each 1 % of shortfall (positive) or overrun (reverse),
    floored at 0 ("每低于1个百分点扣0.5分", "每超出1%扣1分，扣完为止").
    """

    method: Literal["ratio"]
    direction: RatioDirection = RatioDirection.positive
    reverse_variant: ReverseVariant = ReverseVariant.target_over_actual
    points_per_percent: PositivePoints | None = Field(default=None, description="每差 1% 扣的分数")

    @model_validator(mode="after")
    def _points_need_a_direction(self) -> RatioRule:
        if self.points_per_percent is not None and self.direction == RatioDirection.equal:
            raise ValueError("“每差 1% 扣分”须用于正向或反向比率，不能用于等值")
        return self


class RatioPart(Strict):
    key: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    name: str = Field(min_length=1)
    weight: PositivePoints


class CompositeRatioRule(Strict):
    """Weighted sub-ratios, e.g. 预算执行 = 财政资金拨付率 × 3 + 单位资金使用率 × 3."""

    method: Literal["composite_ratio"]
    parts: list[RatioPart] = Field(min_length=1)
    redistribute_not_applicable: bool = True

    @model_validator(mode="after")
    def _unique_keys(self) -> CompositeRatioRule:
        _require_unique([p.key for p in self.parts], "parts.key")
        return self


class TimelinessRule(Strict):
    """(1 − (实际 − 计划)/计划) × 分值; full marks when on time, 0 when late by 100 % or more.

    With ``points_per_unit``: full marks when on time, that many points off per 天/月/年 late ("每延期
    1个月扣1分"), floored at 0.
    """

    method: Literal["timeliness"]
    unit: Literal["天", "月", "年"] = "天"
    points_per_unit: PositivePoints | None = Field(default=None, description="每延期一个单位扣的分数")


class ChecklistItem(Strict):
    key: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    text: str = Field(min_length=1)
    points: PositivePoints


class ChecklistRule(Strict):
    """是否评分法: yes/no items, each with its points (one item is plain yes/no)."""

    method: Literal["checklist"]
    items: list[ChecklistItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> ChecklistRule:
        _require_unique([i.key for i in self.items], "items.key")
        return self


class Band(Strict):
    limit: Figure | None = Field(default=None, description="阈值；最后一档可省略，表示其余情形")
    points: Points
    label: str = ""


class BandsRule(Strict):
    """A measured value mapped to points by thresholds, checked in order."""

    method: Literal["bands"]
    measure: str = Field(min_length=1, description="被度量的量，如“偏离度”")
    unit: Literal["%", ""] = "%"
    compare: Literal["at_most", "at_least"] = Field(
        default="at_most", description="at_most：值 ≤ 阈值即落入该档；at_least：值 ≥ 阈值即落入该档"
    )
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> BandsRule:
        limits = [b.limit for b in self.bands]
        if any(limit is None for limit in limits[:-1]):
            raise ValueError("只有最后一档可以不写阈值（limit）")
        given = [limit for limit in limits if limit is not None]
        ordered = sorted(given) if self.compare == "at_most" else sorted(given, reverse=True)
        if given != ordered:
            raise ValueError("各档阈值须按检查顺序排列：at_most 由小到大，at_least 由大到小")
        return self


class QualitativeBand(Strict):
    name: str = Field(min_length=1)
    low: Annotated[Decimal, Field(ge=0, le=100)]
    high: Annotated[Decimal, Field(ge=0, le=100)]
    description: str = ""


def _default_quality_bands() -> list[QualitativeBand]:
    return [
        QualitativeBand(name="达成", low=Decimal(80), high=Decimal(100), description="达成预期指标"),
        QualitativeBand(
            name="部分达成", low=Decimal(60), high=Decimal(80), description="部分达成预期指标并具有一定效果"
        ),
        QualitativeBand(name="未达成", low=Decimal(0), high=Decimal(60), description="未达成预期指标且效果较差"),
    ]


class QualitativeRule(Strict):
    """定性分档: the evaluator picks a band (percent of the weight) and a score inside it.

    Lower bounds are inclusive (100–80 %（含）, 80–60 %（含）, 60–0 %); the top band's upper bound
    is inclusive as well.
    """

    method: Literal["qualitative"]
    bands: list[QualitativeBand] = Field(default_factory=_default_quality_bands, min_length=1)

    @model_validator(mode="after")
    def _bands_ok(self) -> QualitativeRule:
        _require_unique([b.name for b in self.bands], "bands.name")
        for b in self.bands:
            if b.low > b.high:
                raise ValueError(f"档次“{b.name}”的下限 {b.low}% 高于上限 {b.high}%")
        return self


class PenaltyRule(Strict):
    """扣分项: points per problem found, up to a cap, subtracted from the total."""

    method: Literal["penalty"]
    points_per_problem: PositivePoints = Decimal(1)
    cap: Points | None = None


class ManualRule(Strict):
    """A directly entered score that must carry a written justification."""

    method: Literal["manual"]


PartRule = Annotated[
    DeductionRule
    | RatioRule
    | CompositeRatioRule
    | TimelinessRule
    | ChecklistRule
    | BandsRule
    | QualitativeRule
    | ManualRule,
    Field(discriminator="method"),
]


class CompositePart(Strict):
    key: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_]+$")
    name: str = Field(min_length=1)
    weight: PositivePoints
    rule: PartRule


class CompositeRule(Strict):
    """An indicator made of parts of the kinds above (规划论证 = 是否 1 + 3 + 区间 2)."""

    method: Literal["composite"]
    parts: list[CompositePart] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_keys(self) -> CompositeRule:
        _require_unique([p.key for p in self.parts], "parts.key")
        return self


Rule = Annotated[
    DeductionRule
    | RatioRule
    | CompositeRatioRule
    | TimelinessRule
    | ChecklistRule
    | BandsRule
    | QualitativeRule
    | CompositeRule
    | ManualRule,
    Field(discriminator="method"),
]

AnyRule = (
    DeductionRule
    | RatioRule
    | CompositeRatioRule
    | TimelinessRule
    | ChecklistRule
    | BandsRule
    | QualitativeRule
    | CompositeRule
    | ManualRule
    | PenaltyRule
)

METHOD_NAMES: dict[str, str] = {
    "deduction": "缺（错）项扣分法",
    "ratio": "比率分值法",
    "composite_ratio": "比率分值法（组合）",
    "timeliness": "比率分值法（时效）",
    "checklist": "是否评分法",
    "bands": "区间分档法",
    "qualitative": "定性分档法",
    "composite": "组合评分",
    "penalty": "扣分项",
    "manual": "直接评分",
}


def _require_unique(keys: list[str], field: str) -> None:
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise ValueError(f"{field} 重复：{k}")
        seen.add(k)


def rule_weight_problems(rule: AnyRule, weight: Decimal) -> list[str]:
    """Consistency of a rule's own points with the indicator's weight (分值)."""
    problems: list[str] = []
    if isinstance(rule, CompositeRatioRule):
        total = sum((p.weight for p in rule.parts), Decimal(0))
        if total != weight:
            problems.append(f"组合比率各部分分值之和 {total} 不等于指标分值 {weight}")
    elif isinstance(rule, ChecklistRule):
        total = sum((i.points for i in rule.items), Decimal(0))
        if total != weight:
            problems.append(f"是否评分各项分值之和 {total} 不等于指标分值 {weight}")
    elif isinstance(rule, BandsRule):
        top = max(b.points for b in rule.bands)
        if top != weight:
            problems.append(f"区间分档的最高档 {top} 分不等于指标分值 {weight}")
    elif isinstance(rule, CompositeRule):
        total = sum((p.weight for p in rule.parts), Decimal(0))
        if total != weight:
            problems.append(f"组合评分各部分分值之和 {total} 不等于指标分值 {weight}")
        for part in rule.parts:
            problems += [f"部分“{part.name}”：{p}" for p in rule_weight_problems(part.rule, part.weight)]
    return problems


def describe_rule(rule: AnyRule, weight: Decimal) -> str:
    """The rule in words, for the page and the 评分说明 preview."""
    describe = _DESCRIBERS.get(type(rule))
    w = number(weight)
    return describe(rule, w) if describe is not None else f"由评价人员直接给分（0–{w} 分），须写明理由。"


def _describe_deduction(rule: DeductionRule, w: str) -> str:
    return f"满分 {w} 分，每发现一处问题扣 {number(rule.points_per_finding)} 分，扣完为止。"


def _describe_ratio(rule: RatioRule, w: str) -> str:
    if rule.points_per_percent is not None:
        per = number(rule.points_per_percent)
        over = f"实际值不超过目标值得 {w} 分；每超出目标 1% 扣 {per} 分，扣完为止"
        short = f"实际值达到目标值得 {w} 分；每低于目标 1% 扣 {per} 分，扣完为止"
        if rule.direction == RatioDirection.reverse:
            return over + "。"
        if rule.direction == RatioDirection.positive:
            return short + "。"
        return f"按目标值的比较符判断：≥ 为正向（{short}），≤ 为反向（{over}）。"
    if rule.direction == RatioDirection.positive:
        return f"得分 = {w} × 实际值 ÷ 目标值，最高 {w} 分。"
    if rule.direction == RatioDirection.equal:
        return f"实际值等于目标值得 {w} 分，否则不得分。"
    rev = (
        f"得分 = {w} × 目标值 ÷ 实际值，最高 {w} 分"
        if rule.reverse_variant == ReverseVariant.target_over_actual
        else f"实际值不超过目标值得 {w} 分；超出时得分 = {w} × (1 − 超出额 ÷ 目标值)，超出一倍及以上得 0 分"
    )
    if rule.direction == RatioDirection.reverse:
        return f"反向指标：{rev}。"
    return f"按目标值的比较符判断：≥ 为正向（得分 = {w} × 实际值 ÷ 目标值），≤ 为反向（{rev}）。"


def _describe_composite_ratio(rule: CompositeRatioRule, w: str) -> str:
    parts = " + ".join(f"{p.name} × {number(p.weight)}" for p in rule.parts)
    return f"得分 = {parts}，各比率最高按 100% 计。"


def _describe_timeliness(rule: TimelinessRule, w: str) -> str:
    if rule.points_per_unit is not None:
        return f"按时或提前完成得 {w} 分；每延期 1 {rule.unit}扣 {number(rule.points_per_unit)} 分，扣完为止。"
    return (
        f"得分 = (1 − (实际完成时间 − 计划完成时间) ÷ 计划完成时间) × {w}（以{rule.unit}计）；"
        "按时完成得满分，超时一倍及以上得 0 分。"
    )


def _describe_checklist(rule: ChecklistRule, w: str) -> str:
    items = "；".join(f"{i.text}，得 {number(i.points)} 分" for i in rule.items)
    return f"{items}。否则该项不得分。"


def _describe_bands(rule: BandsRule, w: str) -> str:
    sym = "≤" if rule.compare == "at_most" else "≥"
    parts_text = []
    for b in rule.bands:
        if b.limit is None:
            parts_text.append(f"其他情形得 {number(b.points)} 分")
        else:
            parts_text.append(f"{rule.measure} {sym} {number(b.limit)}{rule.unit} 得 {number(b.points)} 分")
    return "，".join(parts_text) + "（按顺序取第一档）。"


def _describe_qualitative(rule: QualitativeRule, w: str) -> str:
    bands = "；".join(f"{b.name}：{number(b.low)}%–{number(b.high)}%" for b in rule.bands)
    return f"评价人员选择档次并在该档分值区间内给分（{bands}，下限含）。"


def _describe_composite(rule: CompositeRule, w: str) -> str:
    return " ".join(
        f"{i}. {p.name}（{number(p.weight)} 分）：{describe_rule(p.rule, p.weight)}"
        for i, p in enumerate(rule.parts, 1)
    )


def _describe_penalty(rule: PenaltyRule, w: str) -> str:
    cap = f"，本项最多扣 {number(rule.cap)} 分" if rule.cap is not None else ""
    return f"每发现一个问题扣 {number(rule.points_per_problem)} 分{cap}，从总分中扣除。"


_DESCRIBERS: dict[type, Callable[[Any, str], str]] = {
    DeductionRule: _describe_deduction,
    RatioRule: _describe_ratio,
    CompositeRatioRule: _describe_composite_ratio,
    TimelinessRule: _describe_timeliness,
    ChecklistRule: _describe_checklist,
    BandsRule: _describe_bands,
    QualitativeRule: _describe_qualitative,
    CompositeRule: _describe_composite,
    PenaltyRule: _describe_penalty,
}
