"""Machine rules derived from the 评分标准 wording of client tables.

Two kinds of evidence: every rule text shipped in the library (written in our own words by hand, each with
a hand-made machine rule) must derive the same rule; and wordings as clients write them, each with the rule
worked out by hand below.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from evaluation.indicators.derive import derive_rule
from evaluation.indicators.library import Library
from evaluation.indicators.rules import AnyRule
from evaluation.model import Inputs
from evaluation.scoring.engine import score_rule

D = Decimal


WORDS = ("key", "text", "label", "name", "measure", "description")


def shape(rule: AnyRule) -> Any:
    """The scoring content of a rule: keys, item texts, labels, descriptions and measure names left out."""

    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            return {
                k: strip(v) for k, v in x.items() if k not in ("key", "text", "label", "name", "measure", "description")
            }
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    return strip(rule.model_dump(mode="json"))


# the one shipped text that offers alternatives ("因素法…各 2 分；项目法…各 2 分"): no single rule states it
NOT_DERIVABLE = {"TY.GL.02"}


def test_every_shipped_rule_text_derives_its_hand_made_rule(library: Library) -> None:
    groups = [g for s in library.systems.values() for l1 in s.groups for g in l1.groups]
    groups += [g for p in [*library.packs.values(), *library.personal.values()] for g in p.groups]
    indicators = [ind for g in groups for ind in g.indicators]
    assert len(indicators) >= 80
    for ind in indicators:
        derived = derive_rule(ind.rule_text, ind.weight)
        if ind.code in NOT_DERIVABLE:
            assert derived.rule.method == "manual" and "不等于指标分值" in derived.notes[0], ind.code
            continue
        assert shape(derived.rule) == shape(ind.rule), (ind.code, ind.rule_text)
        assert derived.exact, (ind.code, derived.notes)


def ratio(direction: str, per_percent: str | None = None) -> dict[str, Any]:
    return {
        "method": "ratio",
        "direction": direction,
        "reverse_variant": "target_over_actual",
        "points_per_percent": per_percent,
    }


CLIENT_WORDINGS: list[tuple[str, int, dict[str, Any]]] = [
    (
        "①项目符合发展规划，得1分；②资金投向合理，得1分；③聚焦重点领域，得2分。否则该项不得分。",
        4,
        {"method": "checklist", "items": [{"points": "1"}, {"points": "1"}, {"points": "2"}]},
    ),
    ("制度健全、执行有效得2分；否则不得分", 2, {"method": "checklist", "items": [{"points": "2"}]}),
    ("按时完成得3分，否则不得分。", 3, {"method": "checklist", "items": [{"points": "3"}]}),
    ("存在问题的，每发现一处扣0.5分，扣完为止", 3, {"method": "deduction", "points_per_finding": "0.5"}),
    (
        "实际完成数/计划数×分值",
        10,
        {
            "method": "ratio",
            "direction": "positive",
            "reverse_variant": "target_over_actual",
            "points_per_percent": None,
        },
    ),
    (
        "得分=完成率×分值，最高不超过分值",
        5,
        {
            "method": "ratio",
            "direction": "positive",
            "reverse_variant": "target_over_actual",
            "points_per_percent": None,
        },
    ),
    (
        "标准成本/实际成本×分值",
        10,
        {
            "method": "ratio",
            "direction": "reverse",
            "reverse_variant": "target_over_actual",
            "points_per_percent": None,
        },
    ),
    (
        "实际成本控制在预算内得满分，每超出1%扣1分，扣完为止",
        10,
        ratio("reverse", "1"),
    ),
    (
        "完成率100%得满分，每低于1个百分点扣0.5分",
        10,
        {
            "method": "ratio",
            "direction": "positive",
            "reverse_variant": "target_over_actual",
            "points_per_percent": "0.5",
        },
    ),
    (
        "得分=项目开工率×100%×4+资金拨付率×100%×2",
        6,
        {"method": "composite_ratio", "parts": [{"weight": "4"}, {"weight": "2"}], "redistribute_not_applicable": True},
    ),
    (
        "完成率≥90%得10分；80%（含）-90%得8分；70%（含）-80%得6分；70%以下不得分",
        10,
        {
            "method": "bands",
            "unit": "%",
            "compare": "at_least",
            "bands": [
                {"limit": "90", "points": "10"},
                {"limit": "80", "points": "8"},
                {"limit": "70", "points": "6"},
                {"limit": None, "points": "0"},
            ],
        },
    ),
    (
        "偏离度≤15%得2分，15%-30%得1分，>30%不得分",
        2,
        {
            "method": "bands",
            "unit": "%",
            "compare": "at_most",
            "bands": [{"limit": "15", "points": "2"}, {"limit": "30", "points": "1"}, {"limit": None, "points": "0"}],
        },
    ),
    (
        "按时完成得3分，每延期1个月扣1分，扣完为止",
        3,
        {"method": "timeliness", "unit": "月", "points_per_unit": "1"},
    ),
    (
        "得分=(1-(实际完成时间-计划完成时间)/计划完成时间)×分值",
        3,
        {"method": "timeliness", "unit": "天", "points_per_unit": None},
    ),
    (
        "好（8-10分）、较好（5-7分）、差（0-4分）",
        10,
        {
            "method": "qualitative",
            "bands": [{"low": "80", "high": "100"}, {"low": "50", "high": "80"}, {"low": "0", "high": "50"}],
        },
    ),
]


@pytest.mark.parametrize(("text", "weight", "expected"), CLIENT_WORDINGS, ids=[c[0][:12] for c in CLIENT_WORDINGS])
def test_client_wordings(text: str, weight: int, expected: dict[str, Any]) -> None:
    derived = derive_rule(text, D(weight))
    assert derived.exact, derived.notes
    assert shape(derived.rule) == expected
    assert derived.words  # the rule in words, for the import report


def test_full_width_and_messy_spacing_read_the_same() -> None:
    plain = derive_rule("完成率≥90%得10分；80%-90%得8分；80%以下不得分", D(10))
    messy = derive_rule("完成率 ≥ ９０％ 得 １０ 分；８０％－９０％得８分；\n８０％以下不得分", D(10))
    assert shape(messy.rule) == shape(plain.rule)


def test_derived_bands_score_at_their_edges() -> None:
    rule = derive_rule("完成率≥90%得10分；80%（含）-90%得8分；70%（含）-80%得6分；70%以下不得分", D(10)).rule

    def at(value: str) -> Decimal:
        return score_rule(rule, D(10), Inputs(value=value), code="X").score

    assert (at("90%"), at("89.99%"), at("80%"), at("79%"), at("70%"), at("69.9%")) == (10, 8, 8, 6, 6, 0)


def test_points_that_do_not_add_up_become_direct_scoring_with_the_reason() -> None:
    derived = derive_rule("①制度健全，得1分；②执行有效，得1分", D(5))
    assert derived.rule.method == "manual" and not derived.exact
    assert "各项分值之和 2 不等于指标分值 5" in derived.notes[0]


def test_unknown_wording_is_kept_as_direct_scoring() -> None:
    derived = derive_rule("由评价组根据现场核查情况综合评定", D(8))
    assert derived.rule.method == "manual" and derived.method == "直接评分"
    assert "未能识别" in derived.notes[0]
    assert derive_rule("", D(8)).notes == ("评分标准为空，按直接评分处理",)


def test_a_composite_of_a_checklist_and_bands() -> None:
    text = (
        "1.项目规划与上级决策部署相符，得1分；立项经充分论证，得3分。"
        "2.偏离度不超过15%得2分，超过15%但不超过30%得1分，超过30%不得分。"
    )
    derived = derive_rule(text, D(6))
    assert derived.exact
    assert shape(derived.rule) == {
        "method": "composite",
        "parts": [
            {"weight": "4", "rule": {"method": "checklist", "items": [{"points": "1"}, {"points": "3"}]}},
            {
                "weight": "2",
                "rule": {
                    "method": "bands",
                    "unit": "%",
                    "compare": "at_most",
                    "bands": [
                        {"limit": "15", "points": "2"},
                        {"limit": "30", "points": "1"},
                        {"limit": None, "points": "0"},
                    ],
                },
            },
        ],
    }


def test_penalty_items_take_their_cap_from_the_text_or_the_row() -> None:
    stated = derive_rule("每发现一个问题扣1分，最多扣5分", D(-10), penalty=True)
    assert shape(stated.rule) == {"method": "penalty", "points_per_problem": "1", "cap": "5"}
    from_row = derive_rule("被评价单位不配合的，每次扣2分", D(-4), penalty=True)
    assert shape(from_row.rule) == {"method": "penalty", "points_per_problem": "2", "cap": "4"}
    unsaid = derive_rule("存在违规问题的酌情扣分", D(-3), penalty=True)
    assert unsaid.notes and shape(unsaid.rule) == {"method": "penalty", "points_per_problem": "1", "cap": "3"}
