"""A 自评 record's figure of record is the department's own row scores; the rules' score stands beside it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.scoring.engine import score
from evaluation.scoring.stated import figure_label, record_result, stated_result
from tests import factories as f
from tests.conftest import SAMPLES

HENGKOU = SAMPLES / "hengkou"


def _row_scores(path: Path) -> Decimal:
    """The department's row scores added up from the raw file, independently of the model."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return sum(
        (
            Decimal(str(a["stated"]["score"]))
            for a in data["assessments"]
            if (a.get("stated") or {}).get("score") is not None
        ),
        Decimal(0),
    )


def _self_records() -> list[Path]:
    return sorted(p for p in HENGKOU.glob("hengkou-*.yaml"))


@pytest.mark.parametrize("path", _self_records(), ids=lambda p: p.stem)
def test_every_self_record_is_scored_by_its_own_rows(path: Path) -> None:
    ev = load_evaluation(path)
    own = stated_result(ev)
    assert own.total == _row_scores(path)
    assert own.complete and own.grade == ev.system.grade_for(own.total)
    assert record_result(ev, score(ev)) == own
    assert figure_label(ev) == "自评得分"


def test_the_departments_figure_not_the_rules() -> None:
    ev = load_evaluation(HENGKOU / "hengkou-2024-zsj-01-renyuan.yaml")
    # the table states 90.6 and its rows add up to 90.6; the rules recompute 96.6 from the same evidence
    assert ev.stated is not None and ev.stated.total == Decimal("90.6")
    assert stated_result(ev).total == Decimal("90.6")
    assert score(ev).total == Decimal("96.6")


def test_a_wrong_stated_total_gives_way_to_the_row_sum() -> None:
    ev = load_evaluation(HENGKOU / "hengkou-2024-zsj-10-tijian.yaml")
    # 干部体检: the table's 总分 says 99, its seven rows add up to 89 (an arithmetic error in the table)
    assert ev.stated is not None and ev.stated.total == Decimal("99")
    own = stated_result(ev)
    assert own.total == Decimal("89") and own.grade == "良"


def test_groups_and_rates_follow_the_rows() -> None:
    ev = load_evaluation(HENGKOU / "hengkou-2024-zsj-01-renyuan.yaml")
    own = stated_result(ev)
    for g in own.groups:
        rows = [r for r in own.indicators if (r.level1_code if g.level == 1 else r.level2_code) == g.code]
        assert g.score == sum((r.score or Decimal(0) for r in rows), Decimal(0))
    budget = own.indicator("YS.1.01")
    assert budget.score == Decimal("9.6") and budget.rate == Decimal("96.00")


def _self(*rows: tuple[str, int, dict[str, object] | None]) -> Evaluation:
    sys = f.system(*(f.indicator(code, weight, {"method": "manual"}) for code, weight, _ in rows))
    return f.evaluation(
        sys,
        *({"code": code, "stated": stated} for code, _, stated in rows if stated is not None),
        kind="self_evaluation",
        self_evaluation={},
    )


def test_a_row_with_only_its_deduction_written() -> None:
    own = stated_result(_self(("A", 10, {"deduction": 2}), ("B", 5, {"score": 5})))
    assert own.indicator("A").score == Decimal(8) and own.total == Decimal(13)


def test_a_blank_row_leaves_the_record_unfinished_and_a_zero_weight_row_scores_nothing() -> None:
    own = stated_result(_self(("A", 10, {"score": 7}), ("B", 5, None), ("C", 0, None)))
    assert own.indicator("B").score is None and own.indicator("C").score == Decimal(0)
    assert (own.scored, own.count, own.complete) == (2, 3, False)
    assert own.total == Decimal(7)


def test_a_third_party_evaluation_keeps_the_rules_score() -> None:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    result = score(ev)
    assert record_result(ev, result) is result and figure_label(ev) == "评价得分"
