"""Target quality (规划论证): every declared target is counted once, and the share of unusable targets
says which set it counts (the indicators' 目标值 or the 年度绩效目标表) and names the unusable ones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.review.base import CheckFinding
from evaluation.review.funds import budget_indicator
from tests.conftest import SAMPLES
from tests.factories import checked, evaluation, indicator, system

HENGKOU = SAMPLES / "hengkou"
ANBEISI = HENGKOU / "hengkou-2024-zsj-06-anbeisi.yaml"
PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"


def shares(found: list[CheckFinding]) -> list[CheckFinding]:
    return [f for f in found if f.code == "TARGET_SHARE"]


def unusable(found: list[CheckFinding]) -> list[CheckFinding]:
    return [f for f in found if f.code in ("TARGET_QUALITATIVE", "TARGET_IMPLAUSIBLE", "TARGET_MISSING")]


def indicator_targets(ev: Evaluation) -> list[dict[str, Any]]:
    """The 年度绩效目标表 a consultant fills in from the 自评表: one row per indicator, as the table states it."""
    skip = budget_indicator(ev.system)
    return [
        {"name": ind.name, "value": ind.target}
        for _, _, ind in ev.system.indicators()
        if skip is None or ind.code != skip.code
    ]


def with_annual_targets(ev: Evaluation, targets: list[dict[str, Any]]) -> Evaluation:
    facts = ev.facts.model_dump(mode="python") | {"annual_targets": targets}
    return Evaluation.model_validate(ev.model_dump(mode="python") | {"facts": facts})


def test_a_self_evaluation_with_its_targets_also_in_the_annual_table_counts_each_once() -> None:
    # 安贝斯: nine indicators besides 预算执行, five of them with qualitative targets (符合, 有效提升 …)
    ev = load_evaluation(ANBEISI)
    doubled = with_annual_targets(ev, indicator_targets(ev))
    found = checked(doubled)
    (share,) = shares(found)
    assert "9 个" in share.message and "5 个" in share.message
    assert "18" not in share.message and "10 个" not in share.message
    assert share.computed == "55.56%"
    # each unusable target is reported once, at its indicator
    assert len(unusable(found)) == 5
    assert {f.location.indicator for f in unusable(found)} == {
        "CC.ZL.01",
        "XY.JJ.01",
        "XY.SH.01",
        "XY.ST.01",
        "XY.KC.01",
    }


def test_the_share_names_its_set_and_the_unusable_targets() -> None:
    ev = load_evaluation(ANBEISI)
    (share,) = shares(checked(ev))
    assert "指标" in share.message and "目标值" in share.message
    assert "年度绩效目标表" not in share.message
    for name in ("符合相关奖补规定", "促进项目建设", "项目建设促进就业", "建设符合环保要求", "按照相关政策"):
        assert f"“{name}”" in share.message
    # the quantified ones are not named
    assert "“奖补企业”" not in share.message


def test_the_annual_table_of_a_third_party_report_is_its_own_set() -> None:
    ev = load_evaluation(PANZHIHUA)
    targets = [t.model_dump(mode="python") for t in ev.facts.annual_targets]
    vague = with_annual_targets(ev, [*targets, {"name": "营商环境", "value": "有效提升"}])
    (share,) = shares(checked(vague))
    assert share.location.row == "年度绩效目标表"
    assert "年度绩效目标表" in share.message and "4 个" in share.message and "1 个" in share.message
    assert "“营商环境”" in share.message and "“招商引资项目新增实际投资”" not in share.message
    assert share.computed == "25.00%"


def test_annual_rows_that_are_not_indicator_targets_are_counted_in_their_own_set() -> None:
    ev = load_evaluation(ANBEISI)
    extra = [{"name": "带动就业", "value": "良好"}, {"name": "新增税收", "value": "≥100万元"}]
    found = checked(with_annual_targets(ev, [*indicator_targets(ev), *extra]))
    by_set = {f.location.row: f for f in shares(found)}
    assert set(by_set) == {"指标目标值", "年度绩效目标表"}
    assert by_set["指标目标值"].computed == "55.56%"  # 5 of 9, as without the annual table
    annual = by_set["年度绩效目标表"]
    assert annual.computed == "50.00%"  # 1 of the 2 rows that are not an indicator's target
    assert "“带动就业”" in annual.message and "9 行与指标目标值相同" in annual.message  # said, not counted
    assert len(unusable(found)) == 6


def test_a_repeated_row_with_another_value_is_a_target_of_the_annual_table() -> None:
    from evaluation.review.targets import target_sets

    ev = load_evaluation(ANBEISI)
    rows = indicator_targets(ev)
    rows[0] = {**rows[0], "value": "良好"}  # 奖补企业: quantified in the 自评表, qualitative here
    sets = {s.row: s for s in target_sets(with_annual_targets(ev, rows))}
    assert len(sets["指标目标值"].targets) == 9
    assert [(t.name, t.value) for t in sets["年度绩效目标表"].targets] == [(rows[0]["name"], "良好")]
    assert sets["年度绩效目标表"].repeated == 8


def test_a_row_written_twice_in_the_annual_table_is_one_target() -> None:
    ev = load_evaluation(PANZHIHUA)
    targets = [t.model_dump(mode="python") for t in ev.facts.annual_targets]
    vague = {"name": "营商环境", "value": "有效提升"}
    found = checked(with_annual_targets(ev, [*targets, vague, vague]))
    (share,) = shares(found)
    assert share.computed == "25.00%" and "1 行与表中前面的行相同" in share.message
    assert len(unusable(found)) == 1


def test_a_row_repeated_with_other_spacing_is_still_the_same_target() -> None:
    inds = [indicator("CC.1.01", 10, {"method": "manual"}, "良好", name="项目建设 促进就业")]
    manual = {"code": "CC.1.01", "inputs": {"score": Decimal(10), "justification": "按表"}}
    ev = evaluation(
        system(*inds),
        manual,
        kind="self_evaluation",
        self_evaluation={"budget_rows": []},
        facts={"annual_targets": [{"name": "项目建设促进就业", "value": " 良好 "}]},
    )
    (share,) = shares(checked(ev))
    assert share.location.row == "指标目标值" and share.computed == "100.00%"
    assert len(unusable(checked(ev))) == 1


@pytest.mark.parametrize(
    "path", sorted(p for p in HENGKOU.glob("*.yaml") if "department" not in p.name), ids=lambda p: p.stem
)
def test_on_every_sample_the_share_counts_each_indicator_once(path: Path) -> None:
    ev = load_evaluation(path)
    found = checked(with_annual_targets(ev, indicator_targets(ev)))
    bad = unusable(found)
    assert len({f.location.row for f in bad}) == len(bad)  # no target reported twice
    for share in shares(found):
        assert share.location.row == "指标目标值"
        assert f"{len(indicator_targets(ev))} 个" in share.message
        assert f"其中 {len(bad)} 个" in share.message
