"""One length per field: a model field that fills a database column is declared with the column's length (from
``evaluation.limits``), so what validates is what every database keeps; over-long or out-of-range values are
refused by the models with a Chinese message naming the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel
from sqlmodel import SQLModel

from evaluation.errors import ValidationFailed
from evaluation.files.data import validate_model
from evaluation.indicators.system import GradeLevel, Indicator, IndicatorSystem
from evaluation.limits import CATEGORY_MAX, NAME_MAX, SCORE_MAX, TEXT_MAX, USERNAME_MAX
from evaluation.model import Assessment, DepartmentSummary, Evaluation, Facts, Inputs, Project, StatedRow
from evaluation.storage import tables

# database column ← the model field that fills it
FILLED_BY: dict[tuple[str, str], tuple[type[BaseModel], str]] = {
    ("evaluation", "key"): (Evaluation, "id"),
    ("evaluation", "project_name"): (Project, "name"),
    ("evaluation", "department"): (Project, "department"),
    ("evaluation", "agency"): (Project, "agency"),
    ("evaluation", "category"): (Project, "category"),
    ("evaluation", "template_id"): (IndicatorSystem, "id"),
    ("evaluation", "grade"): (GradeLevel, "name"),
    ("assessment", "code"): (Assessment, "code"),
    ("department_summary", "key"): (DepartmentSummary, "id"),
    ("department_summary", "department"): (DepartmentSummary, "department"),
    ("agency_template", "key"): (IndicatorSystem, "id"),
    ("agency_template", "name"): (IndicatorSystem, "name"),
}


def max_length(model: type[BaseModel], field: str) -> int | None:
    info = model.model_fields[field]
    lengths = [m.max_length for m in info.metadata if isinstance(m, MaxLen)]
    return lengths[0] if lengths else None


@pytest.mark.parametrize(("column", "source"), FILLED_BY.items(), ids=[".".join(c) for c in FILLED_BY])
def test_a_model_field_has_the_length_of_the_column_it_fills(column: tuple[str, str], source: Any) -> None:
    table = SQLModel.metadata.tables[column[0]]
    assert tables.EvaluationRow  # the tables are registered
    assert table.columns[column[1]].type.length == max_length(*source)


def test_every_user_name_column_has_the_one_user_name_length() -> None:
    names = [("app_user", "username"), ("app_user", "display_name"), ("audit_log", "actor"), ("workflow", "updated_by")]
    assert {SQLModel.metadata.tables[t].columns[c].type.length for t, c in names} == {USERNAME_MAX}


def refused(model: type[BaseModel], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationFailed) as e:
        validate_model(model, data, "x.yaml")
    return str(e.value)


PROJECT = {"name": "项目", "department": "局", "year": 2024}


@pytest.mark.parametrize(
    ("field", "length", "said"),
    [
        ("name", NAME_MAX + 1, f"字段 name：文字过长（最多 {NAME_MAX} 个字）"),
        ("department", NAME_MAX + 1, "字段 department：文字过长"),
        ("agency", NAME_MAX + 1, "字段 agency：文字过长"),
        ("category", CATEGORY_MAX + 1, f"字段 category：文字过长（最多 {CATEGORY_MAX} 个字）"),
    ],
)
def test_a_name_longer_than_its_column_is_refused(field: str, length: int, said: str) -> None:
    assert said in refused(Project, {**PROJECT, field: "名" * length})
    assert getattr(Project.model_validate({**PROJECT, field: "名" * (length - 1)}), field) == "名" * (length - 1)


def test_any_text_is_bounded() -> None:
    assert f"文字过长（最多 {TEXT_MAX} 个字）" in refused(Facts, {"background": "字" * (TEXT_MAX + 1)})
    rule = {"method": "deduction", "points_per_finding": 1}
    data = {"code": "A", "name": "甲", "weight": 1, "rule": rule, "explanation": "释" * (TEXT_MAX + 1)}
    assert "字段 explanation：文字过长" in refused(Indicator, data)


def test_control_characters_are_removed_from_indicator_names_too() -> None:
    rule = {"method": "deduction", "points_per_finding": 1}
    indicator = Indicator.model_validate({"code": "A", "name": "甲\x00乙\ud800", "weight": 1, "rule": rule})
    assert indicator.name == "甲乙"


@pytest.mark.parametrize(
    ("model", "data", "said"),
    [
        (
            Indicator,
            {"code": "A", "name": "甲", "weight": SCORE_MAX + 1, "rule": {"method": "manual"}},
            "应不大于 10000",
        ),
        (StatedRow, {"score": "1e13"}, "应不大于"),
        (StatedRow, {"weight": "1E-40"}, "小数位数过多"),
        (Inputs, {"planned_duration": "1e400"}, "应不大于"),
        (Inputs, {"count": 10**10}, "应不大于 1000000000"),
        (StatedRow, {"score": "NaN"}, "不能是 NaN"),
    ],
)
def test_numbers_are_bounded_with_a_chinese_message(model: type[BaseModel], data: dict[str, Any], said: str) -> None:
    assert said in refused(model, data)


def test_the_largest_values_still_validate() -> None:
    assert StatedRow.model_validate({"score": "999999999999", "weight": "0.000000000000000001"}).score == Decimal(
        "999999999999"
    )
