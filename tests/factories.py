"""Small builders for indicator systems and evaluations used across the tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaluation.indicators.system import IndicatorSystem
from evaluation.model import Assessment, DepartmentSummary, Evaluation
from evaluation.review.base import CheckFinding
from evaluation.review.checks import check
from evaluation.scoring.engine import score


def indicator(code: str, weight: str | int, rule: dict[str, Any], target: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"指标{code}",
        "weight": Decimal(str(weight)),
        "target": target,
        "rule": rule,
        **extra,
    }


def system(*indicators: dict[str, Any], total: str | int | None = None, **extra: Any) -> IndicatorSystem:
    """One first-level and one second-level group holding the given indicators."""
    weight = sum((Decimal(str(i["weight"])) for i in indicators), Decimal(0))
    data: dict[str, Any] = {
        "id": "test-system",
        "name": "测试体系",
        "total": Decimal(str(total)) if total is not None else weight,
        "groups": [
            {
                "code": "A",
                "name": "一级",
                "groups": [{"code": "A.1", "name": "二级", "indicators": list(indicators)}],
            }
        ],
        **extra,
    }
    return IndicatorSystem.model_validate(data)


def evaluation(sys: IndicatorSystem, *assessments: dict[str, Any], **extra: Any) -> Evaluation:
    return Evaluation.model_validate(
        {
            "id": "test-eval",
            "project": {"name": "测试项目", "department": "测试局", "year": 2024},
            "system": sys.model_dump(mode="python"),
            "assessments": [Assessment.model_validate(a).model_dump(mode="python") for a in assessments],
            **extra,
        }
    )


def checked(ev: Evaluation, department: DepartmentSummary | None = None) -> list[CheckFinding]:
    """The review checks on an evaluation scored here (pages and the CLI hand their own result over)."""
    return check(ev, score(ev), department)
