"""Indicator systems (指标体系) as validated data: 一级 → 二级 → 三级, plus 扣分项.

Templates in ``indicator_library/`` and the snapshot every evaluation keeps use the same
models. Structural checks that pydantic cannot express per field (sums of weights, unique
codes, rule points against weights) are collected by :func:`system_problems`, so a loader
can report every problem of a file at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from evaluation.errors import Problem
from evaluation.formatting import number, quantize
from evaluation.indicators.rules import (
    METHOD_NAMES,
    AnyRule,
    PenaltyRule,
    Points,
    Rule,
    Strict,
    describe_rule,
    rule_weight_problems,
)
from evaluation.limits import CODE_MAX, GRADE_MAX, NAME_MAX, SCORE_MAX

Code = Annotated[str, Field(min_length=1, max_length=CODE_MAX, pattern=r"^[A-Za-z0-9_.\-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]


class Rounding(Strict):
    """How scores are rounded: to ``digits`` decimals, half-up (四舍五入) or down (截断)."""

    digits: int = Field(default=2, ge=0, le=4)
    mode: Literal["half_up", "down"] = "half_up"

    def apply(self, value: Decimal) -> Decimal:
        return quantize(value, self.digits, ROUND_HALF_UP if self.mode == "half_up" else ROUND_DOWN)

    def describe(self) -> str:
        how = "四舍五入" if self.mode == "half_up" else "截断（舍去）"
        return f"保留 {self.digits} 位小数，{how}"


class GradeLevel(Strict):
    name: str = Field(min_length=1, max_length=GRADE_MAX)
    min: Annotated[Decimal, Field(ge=0, le=SCORE_MAX)]


def default_grades() -> list[GradeLevel]:
    return [
        GradeLevel(name="优", min=Decimal(90)),
        GradeLevel(name="良", min=Decimal(80)),
        GradeLevel(name="中", min=Decimal(60)),
        GradeLevel(name="差", min=Decimal(0)),
    ]


class Indicator(Strict):
    """A third-level indicator: the only level that is scored."""

    code: Code
    name: Name
    weight: Points = Field(description="指标分值")
    target: str = Field(default="", description="目标值（原文）")
    explanation: str = Field(default="", description="指标解释")
    method_name: str = Field(default="", description="评分方法（显示名称）")
    rule_text: str = Field(default="", description="评分说明")
    rule: Rule
    rounding: Rounding | None = Field(default=None, description="仅本指标使用的取舍规则")
    documents: list[str] = Field(default_factory=list, description="资料清单：证明本指标所需的资料")

    @property
    def method_label(self) -> str:
        return self.method_name or METHOD_NAMES[self.rule.method]

    def rule_in_words(self) -> str:
        return describe_rule(self.rule, self.weight)


class Group(Strict):
    """A second-level group of indicators."""

    code: Code
    name: Name
    weight: Points | None = Field(default=None, description="不填时取下级分值之和")
    indicators: list[Indicator] = Field(default_factory=list)

    @property
    def total_weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators), Decimal(0))


class Level1(Strict):
    """A first-level group. In the Panzhihua system the level is the indicator type."""

    code: Code
    name: Name
    type: str = Field(default="", description="通用 / 专用 / 个性 / 共性 / 自评 等")
    weight: Points | None = None
    slot: Literal["pack", "personal"] | None = Field(
        default=None, description="pack：由专用指标包填充；personal：由本次评价的个性指标填充"
    )
    groups: list[Group] = Field(default_factory=list)

    @property
    def total_weight(self) -> Decimal:
        return sum((g.weight if g.weight is not None else g.total_weight for g in self.groups), Decimal(0))


class PenaltyItem(Strict):
    code: Code
    name: Name
    explanation: str = ""
    method_name: str = "缺（错）项扣分法"
    rule_text: str = ""
    rule: PenaltyRule = Field(default_factory=lambda: PenaltyRule(method="penalty"))


class Penalties(Strict):
    cap: Points = Field(description="扣分项合计最多扣减的分数")
    items: list[PenaltyItem] = Field(default_factory=list)


class IndicatorSystem(Strict):
    """A complete indicator system (template or an evaluation's snapshot)."""

    kind: Literal["system"] = "system"
    id: Code
    name: Name
    description: str = ""
    source: str = Field(default="", description="依据文件")
    total: Points = Decimal(100)
    grades: list[GradeLevel] = Field(default_factory=default_grades, min_length=1)
    rounding: Rounding = Field(default_factory=Rounding)
    groups: list[Level1] = Field(min_length=1)
    penalties: Penalties | None = None

    @model_validator(mode="after")
    def _grades_descending(self) -> IndicatorSystem:
        mins = [g.min for g in self.grades]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("等级阈值须按从高到低排列且互不相同")
        if mins[-1] != 0:
            raise ValueError("最低等级的阈值须为 0")
        return self

    def indicators(self) -> Iterator[tuple[Level1, Group, Indicator]]:
        for l1 in self.groups:
            for g in l1.groups:
                for ind in g.indicators:
                    yield l1, g, ind

    def find(self, code: str) -> tuple[Level1, Group, Indicator] | None:
        for triple in self.indicators():
            if triple[2].code == code:
                return triple
        return None

    def penalty_items(self) -> list[PenaltyItem]:
        return list(self.penalties.items) if self.penalties else []

    def references(self) -> dict[str, str]:
        """What a person may write to name an indicator or 扣分项 → its code: the code, the name (where no
        other shares it) and 名称（编码）, the form :meth:`label` writes."""
        named = [(ind.code, ind.name) for _, _, ind in self.indicators()]
        named += [(p.code, p.name) for p in self.penalty_items()]
        count: dict[str, int] = {}
        for _, name in named:
            count[name] = count.get(name, 0) + 1
        refs = {name: code for code, name in named if count[name] == 1}
        refs |= {f"{name}（{code}）": code for code, name in named}
        refs |= {code: code for code, _ in named}
        return refs

    def label(self, code: str) -> str:
        """名称（编码） of an indicator or 扣分项; the bare code for one the system does not have."""
        found = self.find(code)
        name = found[2].name if found else next((p.name for p in self.penalty_items() if p.code == code), None)
        return f"{name}（{code}）" if name else code

    def grade_for(self, total: Decimal) -> str:
        for g in self.grades:
            if total >= g.min:
                return g.name
        return self.grades[-1].name  # pragma: no cover - the last threshold is 0

    def rounding_for(self, indicator: Indicator) -> Rounding:
        return indicator.rounding or self.rounding

    def open_slots(self) -> list[Level1]:
        return [g for g in self.groups if g.slot is not None and not g.groups]


class Pack(Strict):
    """专用指标包: second-level groups for the 专用 slot of a system, by project category."""

    kind: Literal["pack"] = "pack"
    id: Code
    name: Name
    category: str = Field(min_length=1, description="项目类别")
    description: str = ""
    weight: Points
    groups: list[Group] = Field(min_length=1)


class PersonalSet(Strict):
    """个性指标示例: groups a consultant can copy into one evaluation's 个性 slot."""

    kind: Literal["personal"] = "personal"
    id: Code
    name: Name
    category: str = ""
    description: str = ""
    groups: list[Group] = Field(min_length=1)


LibraryItem = Annotated[IndicatorSystem | Pack | PersonalSet, Field(discriminator="kind")]


# --------------------------------------------------------------------------- validation


def _group_problems(groups: list[Group], where: str, file: str | None) -> list[Problem]:
    problems: list[Problem] = []
    for g in groups:
        if not g.indicators:
            problems.append(Problem(f"{where}的二级指标“{g.name}”没有三级指标", file, g.code, "indicators"))
        if g.weight is not None and g.indicators and g.weight != g.total_weight:
            problems.append(
                Problem(
                    f"二级指标“{g.name}”分值 {number(g.weight)} 不等于其三级指标分值之和 {number(g.total_weight)}",
                    file,
                    g.code,
                    "weight",
                )
            )
        for ind in g.indicators:
            problems += [Problem(p, file, ind.code, "rule") for p in rule_weight_problems(ind.rule, ind.weight)]
    return problems


def _codes(system: IndicatorSystem) -> Iterator[str]:
    for l1 in system.groups:
        yield l1.code
        for g in l1.groups:
            yield g.code
            for ind in g.indicators:
                yield ind.code
    for p in system.penalty_items():
        yield p.code


def duplicate_code_problems(codes: Iterator[str] | list[str], file: str | None) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for code in codes:
        if code in seen:
            problems.append(Problem("编码重复，同一体系内每个指标的编码必须唯一", file, code, "code"))
        seen.add(code)
    return problems


def system_problems(system: IndicatorSystem, *, file: str | None = None, require_filled: bool = False) -> list[Problem]:
    """Every structural problem of a system. ``require_filled``: slots must hold indicators."""
    problems = duplicate_code_problems(_codes(system), file)
    total = Decimal(0)
    for l1 in system.groups:
        if l1.slot is not None and not l1.groups:
            if require_filled:
                problems.append(Problem(f"一级指标“{l1.name}”尚未填充指标", file, l1.code, "groups"))
            if l1.weight is None:
                problems.append(Problem(f"待填充的一级指标“{l1.name}”必须写明分值", file, l1.code, "weight"))
            total += l1.weight or Decimal(0)
            continue
        if not l1.groups:
            problems.append(Problem(f"一级指标“{l1.name}”没有二级指标", file, l1.code, "groups"))
        problems += _group_problems(l1.groups, f"一级指标“{l1.name}”", file)
        if l1.weight is not None and l1.groups and l1.weight != l1.total_weight:
            problems.append(
                Problem(
                    f"一级指标“{l1.name}”分值 {number(l1.weight)} 不等于其二级指标分值之和 {number(l1.total_weight)}",
                    file,
                    l1.code,
                    "weight",
                )
            )
        total += l1.weight if l1.weight is not None else l1.total_weight
    if total != system.total:
        problems.append(
            Problem(f"各一级指标分值之和 {number(total)} 不等于体系总分 {number(system.total)}", file, None, "total")
        )
    if system.penalties:
        for item in system.penalties.items:
            if item.rule.cap is not None and item.rule.cap > system.penalties.cap:
                problems.append(
                    Problem(
                        f"扣分项“{item.name}”的上限 {number(item.rule.cap)} "
                        f"超过扣分项合计上限 {number(system.penalties.cap)}",
                        file,
                        item.code,
                        "rule.cap",
                    )
                )
    return problems


def pack_problems(pack: Pack, *, file: str | None = None) -> list[Problem]:
    codes = [g.code for g in pack.groups] + [i.code for g in pack.groups for i in g.indicators]
    problems = duplicate_code_problems(codes, file)
    problems += _group_problems(pack.groups, f"指标包“{pack.name}”", file)
    total = sum((g.weight if g.weight is not None else g.total_weight for g in pack.groups), Decimal(0))
    if total != pack.weight:
        problems.append(
            Problem(
                f"指标包各二级指标分值之和 {number(total)} 不等于包的分值 {number(pack.weight)}", file, None, "weight"
            )
        )
    return problems


def personal_problems(item: PersonalSet, *, file: str | None = None) -> list[Problem]:
    codes = [g.code for g in item.groups] + [i.code for g in item.groups for i in g.indicators]
    return duplicate_code_problems(codes, file) + _group_problems(item.groups, f"个性指标“{item.name}”", file)


def iter_rules(rule: AnyRule) -> Iterator[AnyRule]:
    yield rule
    parts = getattr(rule, "parts", None)
    if parts:
        for part in parts:
            inner = getattr(part, "rule", None)
            if inner is not None:
                yield from iter_rules(inner)
