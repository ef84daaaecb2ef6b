"""Fuzzing the data-file parsers, the indicator templates, the scoring rules and the database import: every case
is accepted, or refused with the workbench's own error (ValidationFailed, ScoringError, a Problem list) that says
in Chinese where the trouble is; nothing else escapes, an accepted record can be written back and scored, a
refused import writes nothing, and each case takes under 5 s. ``CASES`` (1 000) cases per parser, derandomized.
The tables (自评表, client indicator tables, surveys) are in test_fuzz_tables.py."""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from evaluation.auth import SYSTEM
from evaluation.errors import ScoringError, ValidationFailed, WorkbenchError
from evaluation.files.data import dump_json, parse_text, problems_from_validation
from evaluation.files.evaluations import dump_evaluation, evaluation_from_data, parse_evaluation
from evaluation.indicators.library import parse_item
from evaluation.indicators.rules import Rule
from evaluation.model import Inputs
from evaluation.scoring.engine import score, score_rule
from evaluation.storage.db import make_engine, migrate, session_scope
from evaluation.storage.imports import import_files
from evaluation.storage.tables import AssessmentRow, AuditRow, DepartmentSummaryRow, EvaluationRow
from tests.conftest import LIBRARY, SAMPLES
from tests.evaluation.support import FUZZ, chinese, junk, located, mutate_data, paths

PANZHIHUA_DATA = parse_text((SAMPLES / "panzhihua-2023-zhaoshang.yaml").read_text(encoding="utf-8"), "x")
RECORD = SAMPLES / "hengkou" / "hengkou-2024-wl-04-longteng.yaml"
RECORD_TEXT = RECORD.read_text(encoding="utf-8")
RECORD_DATA = parse_text(RECORD_TEXT, "x")
RECORD_JSON = dump_evaluation(evaluation_from_data(RECORD_DATA), "json")
DEPARTMENT_DATA = parse_text((SAMPLES / "hengkou" / "department-2024.yaml").read_text(encoding="utf-8"), "x")
TEMPLATE_TEXT = (LIBRARY / "systems" / "panzhihua_2024.yaml").read_text(encoding="utf-8")
TEMPLATE_DATA = parse_text(TEMPLATE_TEXT, "t")
ALL_PATHS = paths(PANZHIHUA_DATA)[1:]
RECORD_PATHS = paths(RECORD_DATA)[1:]
TEMPLATE_PATHS = paths(TEMPLATE_DATA)[1:]

# what breaks YAML and JSON: structure, tags, anchors, escapes, numbers out of range, deep nesting
snippets = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        [
            "[",
            "]",
            "{",
            "}",
            ":",
            ": ",
            "- ",
            "? ",
            "&a ",
            "*a",
            "*b",
            "!!binary ",
            "!!set ",
            "!!int ",
            "!!python/object/apply:os.system ['x']",
            "\t",
            "'",
            '"',
            '"\\ud800"',
            "\\u",
            "\n  ",
            "\n",
            "#",
            "|",
            ">",
            "%YAML 1.1\n---\n",
            "---\n",
            "1e400",
            "9" * 5_000,
            "0x" + "f" * 80,
            "NaN",
            "-Infinity",
            "2024-13-45",
            "[" * 3_000,
            "- " * 3_000,
            "{a: " * 40,
            "\x00",
            "\ufeff",
            "名" * 300,
            ",",
            "null",
            "true",
        ]
    ),
)


def accepted_or_located(call: Any, file: str) -> Any:
    """Run a parser: its result, or None after checking its ValidationFailed is located and in Chinese."""
    try:
        result = call()
    except ValidationFailed as e:
        event("refused")
        located(e.problems, file)
        assert len(str(e).splitlines()) <= 52  # the first 50 problems and the count of the rest
        return None
    event("accepted")
    return result


def writable(ev: Any) -> None:
    """An accepted record can be scored and written back in either format (no lone surrogate, no huge number)."""
    score(ev)
    dump_evaluation(ev, "yaml").encode("utf-8")
    dump_evaluation(ev, "json").encode("utf-8")


# --------------------------------------------------------------------------- evaluation files


@FUZZ
@given(st.sampled_from(ALL_PATHS), junk, st.booleans())
def test_mutated_evaluation_data(path: tuple[Any, ...], value: Any, delete: bool) -> None:
    ev = accepted_or_located(
        lambda: evaluation_from_data(mutate_data(PANZHIHUA_DATA, path, value, delete), "fuzz.yaml"), "fuzz.yaml"
    )
    if ev is not None:
        writable(ev)


@FUZZ
@given(st.integers(0, len(RECORD_TEXT)), st.integers(0, 40), snippets)
def test_spliced_yaml_evaluation_files(at: int, length: int, insert: str) -> None:
    text = RECORD_TEXT[:at] + insert + RECORD_TEXT[at + length :]
    ev = accepted_or_located(lambda: parse_evaluation(text, "fuzz.yaml"), "fuzz.yaml")
    if ev is not None:
        writable(ev)


@FUZZ
@given(st.integers(0, len(RECORD_JSON)), st.integers(0, 40), snippets)
def test_spliced_json_evaluation_files(at: int, length: int, insert: str) -> None:
    text = RECORD_JSON[:at] + insert + RECORD_JSON[at + length :]
    ev = accepted_or_located(lambda: parse_evaluation(text, "fuzz.json", "json"), "fuzz.json")
    if ev is not None:
        writable(ev)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)


@FUZZ
@given(st.one_of(st.text(max_size=200), json_values.map(json.dumps)), st.booleans())
def test_arbitrary_text_as_an_evaluation_file(text: str, as_json: bool) -> None:
    name = "fuzz.json" if as_json else "fuzz.yaml"
    ev = accepted_or_located(lambda: parse_evaluation(text, name, "json" if as_json else "yaml"), name)
    if ev is not None:
        writable(ev)


# --------------------------------------------------------------------------- indicator templates


def _template(data: Any) -> None:
    item, problems = parse_item(data, "fuzz.yaml")
    assert item is not None or problems
    event("template refused" if problems else "template accepted")
    if problems:
        located(problems)


@FUZZ
@given(st.sampled_from(TEMPLATE_PATHS), junk, st.booleans())
def test_mutated_templates(path: tuple[Any, ...], value: Any, delete: bool) -> None:
    _template(mutate_data(TEMPLATE_DATA, path, value, delete))


@FUZZ
@given(st.integers(0, len(TEMPLATE_TEXT)), st.integers(0, 40), snippets)
def test_spliced_template_files(at: int, length: int, insert: str) -> None:
    text = TEMPLATE_TEXT[:at] + insert + TEMPLATE_TEXT[at + length :]
    data = accepted_or_located(lambda: parse_text(text, "fuzz.yaml"), "fuzz.yaml")
    if data is not None:
        _template(data)


# --------------------------------------------------------------------------- scoring rules

points = st.one_of(
    st.sampled_from(["0", "1", "0.5", "2", "3.3333", "6", "10", "100", "10000", "0.0001"]),
    st.sampled_from(["-1", "10001", "1e400", "0.00001", "abc", "NaN"]),  # refused by the rule models
)
values = st.one_of(
    st.sampled_from(
        ["", "90%", "≥90%", "≤10万元", "0", "0%", "5个", "≥6个", "良好", "2024年12月", "5、6", "≤0", "百分之五十"]
    ),
    st.sampled_from(["1" + "0" * 30, "1" + "0" * 30 + "%", "0.000000000000000000001", "9" * 18 + "亿元", "-5", "1‰"]),
    st.text(max_size=10),
)


def _parts(draw: st.DrawFn, make: Any, prefix: str) -> list[dict[str, Any]]:
    return [make(draw, f"{prefix}{i}") for i in range(draw(st.integers(0, 3)))]


def _simple_rule(draw: st.DrawFn) -> dict[str, Any]:
    method = draw(
        st.sampled_from(["deduction", "ratio", "composite_ratio", "timeliness", "checklist", "bands", "qualitative"])
        | st.sampled_from(["manual", "penalty", "formula", ""])
    )
    rule: dict[str, Any] = {"method": method}
    if method == "deduction":
        rule["points_per_finding"] = draw(points)
    elif method == "ratio":
        rule["direction"] = draw(st.sampled_from(["positive", "reverse", "equal", "auto", "sideways"]))
        rule["reverse_variant"] = draw(st.sampled_from(["target_over_actual", "overrun_linear"]))
        rule["points_per_percent"] = draw(st.none() | points)
    elif method == "composite_ratio":
        rule["parts"] = _parts(draw, lambda d, k: {"key": k, "name": "部分", "weight": d(points)}, "p")
        rule["redistribute_not_applicable"] = draw(st.booleans())
    elif method == "timeliness":
        rule["unit"] = draw(st.sampled_from(["天", "月", "年"]))
        rule["points_per_unit"] = draw(st.none() | points)
    elif method == "checklist":
        rule["items"] = _parts(draw, lambda d, k: {"key": k, "text": "项", "points": d(points)}, "i")
    elif method == "bands":
        limits = sorted(Decimal(draw(st.sampled_from(["0", "5", "15", "60", "100", "-3", "1e12"]))) for _ in range(3))
        compare = draw(st.sampled_from(["at_most", "at_least"]))
        ordered = limits if compare == "at_most" else limits[::-1]
        last = draw(st.booleans())
        rule |= {
            "measure": "偏离度",
            "unit": draw(st.sampled_from(["%", ""])),
            "compare": compare,
            "bands": [
                {"limit": None if last and i == 2 else str(x), "points": draw(points)} for i, x in enumerate(ordered)
            ],
        }
    return rule


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 5)) == 0:
        parts = [{"key": f"c{i}", "name": "部", "weight": draw(points), "rule": _simple_rule(draw)} for i in range(2)]
        return {"method": "composite", "parts": parts}
    return _simple_rule(draw)


@st.composite
def inputs(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    dates = st.sampled_from([None, "2024-01-01", "2024-06-30", "2024-12-31", "0001-01-01", "9999-12-31"])
    amounts = st.none() | st.sampled_from(["0", "1", "12", "365", "1e12", "0.5"])
    data: dict[str, Any] = {
        "findings": [{"text": "问题", "points": draw(st.none() | points)} for _ in range(draw(st.integers(0, 2)))],
        "actual": draw(st.none() | values),
        "target": draw(st.none() | values),
        "ratios": {
            f"p{i}": {"actual": draw(values), "target": draw(values), "not_applicable": draw(st.booleans())}
            for i in range(draw(st.integers(0, 3)))
        },
        "planned_duration": draw(amounts),
        "actual_duration": draw(amounts),
        "start_date": draw(dates),
        "planned_end": draw(dates),
        "actual_end": draw(dates),
        "answers": {f"i{i}": draw(st.booleans()) for i in range(draw(st.integers(0, 3)))},
        "value": draw(st.none() | values),
        "count": draw(st.none() | st.sampled_from([0, 1, 5, 10, 10**9])),
        "of": draw(st.none() | st.sampled_from([0, 1, 5, 10, 10**9])),
        "band": draw(st.none() | st.sampled_from(["达成", "部分达成", "未达成", "x"])),
        "score": draw(st.none() | points),
        "justification": draw(st.sampled_from(["", "理由充分"])),
    }
    if depth == 0:
        data["parts"] = {f"c{i}": draw(inputs(depth=1)) for i in range(draw(st.integers(0, 2)))}
    return data


RULE: TypeAdapter[Any] = TypeAdapter(Rule)


@FUZZ
@given(rules(), inputs(), points, values)
def test_score_rule_with_random_rules_and_inputs(
    rule_data: dict[str, Any], input_data: dict[str, Any], weight_text: str, target: str
) -> None:
    try:
        rule = RULE.validate_python(rule_data)
        inputs_ = Inputs.model_validate(input_data)
        weight = Decimal(weight_text)
    except ValidationError as e:  # the rule or inputs refused: said as the data files say it
        event("rule or inputs refused")
        located(problems_from_validation(e, rule_data, "fuzz.yaml"))
        return
    except ArithmeticError:  # the weight is no number: the models never hand such a weight over
        return
    if not weight.is_finite() or not 0 <= weight <= 10_000:
        return
    try:
        out = score_rule(rule, weight, inputs_, code="FZ.01", target_text=target)
    except ScoringError as e:
        event("scoring error")
        assert str(e).startswith("指标 FZ.01：") and chinese(e.detail), str(e)
        return
    event("scored")
    assert 0 <= out.score <= weight and out.explanation


# --------------------------------------------------------------------------- the database import


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    migrate(eng)
    return eng


def _counts(eng: Engine) -> tuple[int, ...]:
    with eng.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (EvaluationRow, AssessmentRow, DepartmentSummaryRow, AuditRow)
        )


_made = iter(range(10**9))


@FUZZ
@given(
    st.sampled_from(["record", "panzhihua", "department"]),
    st.integers(0, 10**6),
    junk,
    st.booleans(),
    st.booleans(),
)
def test_a_database_import_writes_everything_or_nothing(
    engine: Engine, which: str, at: int, value: Any, delete: bool, keep_valid: bool
) -> None:
    """Two files at once: a valid record under a new id, and a mutated one (a record, a third-party evaluation
    or a department summary). Either both go in, or nothing at all does, and the refusal names the file."""
    n = next(_made)
    base, base_paths = {
        "record": (RECORD_DATA, RECORD_PATHS),
        "panzhihua": (PANZHIHUA_DATA, ALL_PATHS),
        "department": (DEPARTMENT_DATA, paths(DEPARTMENT_DATA)[1:]),
    }[which]
    mutated = mutate_data(base, base_paths[at % len(base_paths)], value, delete)
    if isinstance(mutated, dict) and keep_valid:
        mutated["id"] = f"fz-m-{n}"  # a new id, so a valid mutation is a new record
    valid = {**RECORD_DATA, "id": f"fz-v-{n}"}
    before = _counts(engine)
    with tempfile.TemporaryDirectory() as folder:
        files = [Path(folder) / "a-valid.json", Path(folder) / "b-mutated.json"]
        files[0].write_text(dump_json(valid), encoding="utf-8")
        try:
            files[1].write_text(dump_json(mutated), encoding="utf-8")
        except (ValueError, TypeError):  # junk JSON cannot hold (2**63 is fine; a set is not): write YAML text
            files[1] = files[1].with_suffix(".yaml")
            files[1].write_text(repr(mutated), encoding="utf-8")
        try:
            with session_scope(engine) as session:
                written = import_files(session=session, paths=files, user=SYSTEM)
        except ValidationFailed as e:
            event("import refused")
            assert _counts(engine) == before  # nothing at all, not even the valid file
            located(e.problems)
            assert all(p.file is None or p.file.endswith("mutated.json") or "mutated" in p.file for p in e.problems)
            return
        except WorkbenchError as e:  # any other refusal of the workbench is said in Chinese, and writes nothing
            assert _counts(engine) == before and chinese(str(e))
            return
    event("import written")
    assert f"fz-v-{n}" in written
    with engine.connect() as conn:  # everything the import said it wrote is there
        keys = set(conn.execute(select(EvaluationRow.key)).scalars())
        keys |= set(conn.execute(select(DepartmentSummaryRow.key)).scalars())
    assert set(written) <= keys and _counts(engine)[0] > before[0]
