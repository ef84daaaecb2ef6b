"""What the review says the workbench computed: the total "按证据" is the evidence's, overrides left out;
when scores were adjusted, the total after the adjustments is given beside it, never in its place. The
same holds for a row's score, and for the department report's lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaluation.files.data import read_data, validate_model
from evaluation.files.evaluations import load_evaluation
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.base import CheckFinding
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES
from tests.factories import checked, evaluation, indicator, system

D = Decimal
DEDUCT = {"method": "deduction", "points_per_finding": 1}
PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
HONGXING = SAMPLES / "hengkou" / "hengkou-2024-zsj-07-hongxing.yaml"


def one(found: list[CheckFinding], code: str, field: str, row: str | None = None) -> CheckFinding:
    (f,) = [f for f in found if f.code == code and f.location.field == field and row in (None, f.location.row)]
    return f


def adjusted(ev: Evaluation, code: str, to: str, reason: str = "评价组复议后调整") -> Evaluation:
    """The evaluation with ``code``'s score overridden."""
    data: dict[str, Any] = ev.model_dump(mode="python")
    for a in data["assessments"]:
        if a["code"] == code:
            a["override"] = {"score": D(to), "reason": reason}
    return Evaluation.model_validate(data)


def test_workbench_total_gives_both_totals_only_when_scores_were_adjusted() -> None:
    from evaluation.review.base import workbench_total

    ev = load_evaluation(PANZHIHUA)  # 规划论证 adjusted from 4 to 3: 89 by evidence, 88 after
    assert workbench_total(score(ev)) == "按证据计算为 89 分，调整后为 88 分"
    sys_ = system(indicator("A.1.01", 10, DEDUCT))
    plain = evaluation(sys_, {"code": "A.1.01", "inputs": {"findings": [{"text": "一处"}]}})
    assert workbench_total(score(plain)) == "按证据计算为 9 分"


def test_the_wrong_total_of_the_panzhihua_table_names_the_evidence_total() -> None:
    found = checked(load_evaluation(PANZHIHUA))
    total = one(found, "ARITH_TOTAL", "得分")
    assert "按证据计算为 89 分，调整后为 88 分" in total.message
    assert "按证据计算为 88 分" not in total.message


def test_a_stated_total_against_an_adjusted_total() -> None:
    # 宁波商会: 总分 92 is the sum of its rows and what the rules give; a reviewer lowers 满意度 from 10 to 8
    ev = load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-zsj-08-ningbo.yaml")
    assert score(ev).total == D(92)
    found = checked(adjusted(ev, "MY.FW.01", "8"))
    f = one(found, "STATED_VS_COMPUTED", "得分", row="总分")
    assert (f.stated, f.computed) == ("92", "90")
    assert "按记录的证据和评分规则计算为 92 分，调整后为 90 分" in f.message
    assert "计算为 90 分" not in f.message


def test_the_grade_by_evidence_and_after_adjustment() -> None:
    ev = load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-zsj-08-ningbo.yaml")
    lowered = adjusted(ev, "MY.FW.01", "0")  # 92 − 10 = 82: 良 after the adjustment, 优 by evidence
    f = one(checked(lowered), "GRADE", "等级（按证据）")
    assert (f.stated, f.computed) == ("优", "良")
    assert "按证据计算为 92 分，调整后为 82 分" in f.message and "“良”" in f.message
    assert "按证据计算的 82 分" not in f.message


def test_a_row_whose_score_was_adjusted_says_what_the_evidence_gives() -> None:
    sys_ = system(indicator("A.1.01", 6, DEDUCT))
    a = {
        "code": "A.1.01",
        "inputs": {"findings": [{"text": "一处问题"}]},
        "narrative": "核查了资料。",
        "evidence": [{"document": "资料"}],
        "stated": {"score": D(5)},
        "override": {"score": D(3), "reason": "报告所载得分"},
    }
    f = one(checked(evaluation(sys_, a)), "STATED_VS_COMPUTED", "得分")
    assert (f.stated, f.computed) == ("5", "3")
    assert "按记录的证据和评分规则应为 3" not in f.message
    assert "调整后为 3 分" in f.message and "按记录的证据和评分规则为 5 分" in f.message
    assert "报告所载得分" in f.message


def test_the_department_line_names_the_evidence_total() -> None:
    path = SAMPLES / "hengkou" / "department-2024.yaml"
    department = validate_model(DepartmentSummary, read_data(path), str(path))
    # 红星: the report says 95.9, the table 93.8; a reviewer adjusts 满意度 from 10 to 9
    ev = adjusted(load_evaluation(HONGXING), "MY.FW.01", "9")
    f = one(checked(ev, department), "DEPT_SCORE", "自评得分")
    assert "工作台按证据计算为 96 分，调整后为 95 分" in f.message
