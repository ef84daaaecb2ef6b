"""One name per indicator: wherever the review names an indicator (a finding's place, the subject of its
message, the page's heading for it, the batch review's score lines) it uses the name the evaluation's
system snapshot gives it — 预算执行率 for YS.1.01, never the 年度资金总额 row it is computed from."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.library import Library
from evaluation.model import Evaluation
from evaluation.review.base import CheckFinding, indicator_names, place_label
from evaluation.review.batch import review_batch
from evaluation.selfeval.table import evaluation_from_table, table_from_evaluation
from tests.conftest import SAMPLES
from tests.factories import checked

SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*.yaml") if "department" not in p.name)
_SUBJECT = re.compile(r"^“([^”]+)”")


def disturbed(ev: Evaluation) -> Evaluation:
    """The sample with the slips review has to name a place for: a 自评表's 预算执行情况 rows that do not
    add up or follow the rule, and a narrative quoting the expenditure table with another figure."""
    data: dict[str, Any] = ev.model_dump(mode="python")
    se = data.get("self_evaluation")
    if se and se["budget_rows"]:
        first = se["budget_rows"][0]
        first.update(rate="1.00%", score="1")
        se["budget_rows"].append({"name": "其他资金", "annual": Decimal(1), "executed": Decimal(2), "rate": "1%"})
    breakdown = data["facts"]["funds"]["breakdown"]
    if breakdown and data["assessments"]:
        category = breakdown[0]["category"]
        a = data["assessments"][0]
        a["narrative"] = f"{a.get('narrative', '')}其中{category} 9999 万元（99.99%）。"
    return Evaluation.model_validate(data)


def named(found: list[CheckFinding], ev: Evaluation) -> list[CheckFinding]:
    names = indicator_names(ev.system)
    return [f for f in found if f.location.indicator in names]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_every_finding_names_its_indicator_by_the_system_name(path: Path) -> None:
    ev = disturbed(load_evaluation(path))
    names = indicator_names(ev.system)
    found = named(checked(ev), ev)
    assert found
    for f in found:
        name = names[f.location.indicator]
        assert f.location.row == name, (f.code, f.location)
        assert name in f.location.describe()
        assert place_label(f, names) == f"{name}（{f.location.indicator}）"
        subject = _SUBJECT.match(f.message)
        if subject is not None and f.code != "GROUP_LABEL":  # a group label is quoted as the table writes it
            assert subject.group(1) == name, (f.code, f.message)


@pytest.mark.parametrize("path", [p for p in SAMPLE_FILES if "hengkou" in p.parts], ids=lambda p: p.stem)
def test_the_budget_indicator_is_never_called_by_its_row(path: Path) -> None:
    ev = disturbed(load_evaluation(path))
    found = checked(ev)
    budget = [f for f in found if f.code.startswith("BUDGET")]
    assert {f.code for f in budget} == {"BUDGET_RATE", "BUDGET_SCORE", "BUDGET_SUM"}
    for f in budget:
        if f.location.indicator == "YS.1.01":
            assert f.location.row == "预算执行率"
            assert not f.message.startswith("“年度资金总额”")
        else:  # a row of the 预算执行情况 table that no indicator is computed from
            assert f.location.indicator == "" and f.location.table == "预算执行情况"
    labels = {place_label(f, indicator_names(ev.system)) for f in budget}
    assert "预算执行率（YS.1.01）" in labels
    assert not any(label.startswith("年度资金总额（") for label in labels)


def test_the_batch_review_lines_carry_the_system_names() -> None:
    evs = [disturbed(load_evaluation(p)) for p in SAMPLE_FILES if "hengkou" in p.parts]
    review = review_batch(evs)
    for p in review.projects:
        names = indicator_names(p.evaluation.system)
        assert all(line.name == names[line.code] for line in p.lines)


def test_the_table_reader_and_the_template_give_the_budget_indicator_one_name(library: Library) -> None:
    template = library.systems["self-eval-table"]
    found = template.find("YS.1.01")
    assert found is not None
    name = found[2].name
    for path in SAMPLE_FILES:
        ev = load_evaluation(path)
        if ev.kind != "self_evaluation":
            continue
        own = ev.system.find("YS.1.01")
        assert own is not None and own[2].name == name, path.name
        rebuilt = evaluation_from_table(table_from_evaluation(ev), id=ev.id, year=ev.project.year)
        again = rebuilt.system.find("YS.1.01")
        assert again is not None and again[2].name == name


def test_a_share_quoted_in_a_narrative_is_filed_under_that_indicator() -> None:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    data: dict[str, Any] = ev.model_dump(mode="python")
    a = next(x for x in data["assessments"] if x["code"] == "TY.SS.02")
    a["narrative"] += "其中办公费 2.12 万元（1.00%）。"  # 2.12 of 220 万元 is 0.96 %
    changed = Evaluation.model_validate(data)
    names = indicator_names(changed.system)
    (f,) = [f for f in checked(changed) if f.code == "SHARE"]
    assert (f.location.table, f.location.row, f.location.field) == ("评分过程", names["TY.SS.02"], "办公费占比")
    assert f.message.startswith(f"“{names['TY.SS.02']}”的评分过程写办公费占比 1%")
    assert place_label(f, names) == f"{names['TY.SS.02']}（TY.SS.02）"
