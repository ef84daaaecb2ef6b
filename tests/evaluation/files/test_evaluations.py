"""Evaluation files: lossless round trips, and bad files rejected as a whole with located messages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.errors import ValidationFailed
from evaluation.files.evaluations import dump_evaluation, load_evaluation, load_evaluations, parse_evaluation
from evaluation.model import evaluation_problems
from evaluation.scoring.engine import score
from tests import factories as f
from tests.conftest import SAMPLES

ALL = sorted(p for p in SAMPLES.rglob("*.yaml") if "department" not in p.name)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_import_export_is_identical(path: Path, fmt: str) -> None:
    ev = load_evaluation(path)
    first = dump_evaluation(ev, fmt)  # type: ignore[arg-type]
    again = parse_evaluation(first, "round-trip", fmt)  # type: ignore[arg-type]
    assert again == ev
    assert dump_evaluation(again, fmt) == first  # type: ignore[arg-type]


def test_sample_files_are_in_canonical_form() -> None:
    for path in ALL:
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        assert dump_evaluation(load_evaluation(path)).strip() == body.strip(), path.name


def _broken(tmp_path: Path) -> Path:
    text = (SAMPLES / "panzhihua-2023-zhaoshang.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "code: TY.JG.01\n  inputs:\n    actual: 5个",
        "code: TY.JG.01\n  inputs:\n    actual: 5个\n    answers:\n      x: true",
    )
    text = text.replace("  year: 2023\n", "  year: 1999\n", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_of_a_bad_file_is_reported_with_its_place(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    with pytest.raises(ValidationFailed) as e:
        load_evaluation(path)
    text = str(e.value)
    assert "project.year" in text and "应不小于 2000" in text


def test_inputs_that_the_rule_does_not_read_are_reported(tmp_path: Path) -> None:
    text = (SAMPLES / "panzhihua-2023-zhaoshang.yaml").read_text(encoding="utf-8")
    assert "code: TY.JG.01\n  inputs:\n    actual: 5个" in text
    text = text.replace(
        "code: TY.JG.01\n  inputs:\n    actual: 5个",
        "code: TY.JG.01\n  inputs:\n    answers:\n      x: true\n    actual: 5个",
    )
    head, tail = text.rsplit("- code: KF.02\n", 1)  # the assessment, not the system's penalty item
    text = head + "- code: NOPE.01\n" + tail
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        load_evaluation(path)
    problems = {(p.code, p.message) for p in e.value.problems}
    assert ("TY.JG.01", "评分规则“ratio”不使用该字段") in problems
    assert ("NOPE.01", "评分记录对应的指标不在本评价的指标体系中") in problems


def test_several_files_load_all_or_nothing(tmp_path: Path) -> None:
    bad = _broken(tmp_path)
    with pytest.raises(ValidationFailed, match="未导入任何内容"):
        load_evaluations([SAMPLES / "panzhihua-2023-zhaoshang.yaml", bad])
    with pytest.raises(ValidationFailed, match="重复"):
        load_evaluations([SAMPLES / "panzhihua-2023-zhaoshang.yaml", SAMPLES / "panzhihua-2023-zhaoshang.yaml"])


def test_floats_are_read_as_exact_decimals(tmp_path: Path) -> None:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    amounts = [str(e.amount) for e in ev.facts.funds.breakdown]
    assert "4.10" in amounts and "2.12" in amounts  # written 4.10 in the file, kept with its zero


def test_any_rule_keeps_problems_for_the_report_but_only_deductions_score_them() -> None:
    sys = f.system(f.indicator("R", 10, {"method": "ratio", "direction": "positive"}, "100个"))
    noted = f.evaluation(sys, {"code": "R", "inputs": {"actual": "80个", "findings": [{"text": "台账不全"}]}})
    assert evaluation_problems(noted) == []
    result = score(noted)
    assert result.indicator("R").score == Decimal(8)  # the problem does not change the ratio's score
    pointed = noted.model_copy(deep=True)
    pointed.assessments[0].inputs.findings[0].points = Decimal(2)
    assert [p.message for p in evaluation_problems(pointed)] == [
        "问题“台账不全”写了扣分，但本规则不按问题扣分（问题只供报告使用）"
    ]


def test_yaml_is_parsed_by_libyaml_with_the_same_rules() -> None:
    import yaml

    from evaluation.files import data

    if yaml.__with_libyaml__:
        assert issubclass(data._Loader, yaml.CSafeLoader)
    assert data.parse_text("a: 2.675\nb: [1, 0.1]\n", "x.yaml") == {"a": Decimal("2.675"), "b": [1, Decimal("0.1")]}
    for text, message in [
        ("a: 1\nb: 2\na: 3\n", "键“a”重复出现（第 3 行）"),
        ("a: .nan\n", "不支持的数值 .nan"),
        ("a: [1, 2\nb: 3\n", "YAML 格式错误：第 "),
    ]:
        with pytest.raises(ValidationFailed) as e:
            data.parse_text(text, "x.yaml")
        assert message in str(e.value.problems[0]), e.value.problems
