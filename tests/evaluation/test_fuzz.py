"""Hypothesis-driven fuzzing of every parser and importer: no crash, only located Chinese rejections."""

from __future__ import annotations

import copy
import io
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.errors import ValidationFailed
from evaluation.files.data import parse_text
from evaluation.files.evaluations import evaluation_from_data, parse_evaluation
from evaluation.indicators.library import parse_item
from evaluation.selfeval.read import parse_grid, read_file
from evaluation.selfeval.surveys import read_survey, satisfaction
from tests.conftest import SAMPLES

PANZHIHUA_TEXT = (SAMPLES / "panzhihua-2023-zhaoshang.yaml").read_text(encoding="utf-8")
PANZHIHUA_DATA = parse_text(PANZHIHUA_TEXT, "x")
TEMPLATE_DATA = parse_text(
    (SAMPLES.parent.parent / "indicator_library" / "systems" / "panzhihua_2024.yaml").read_text(encoding="utf-8"), "t"
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just("-1"),
    st.just(""),
    st.just("1e400"),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


ALL_PATHS = _paths(PANZHIHUA_DATA)[1:]
TEMPLATE_PATHS = _paths(TEMPLATE_DATA)[1:]


def _mutate(data: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def _located(problems: list[Any]) -> None:
    assert problems
    for p in problems:
        text = str(p)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # said in Chinese


@FUZZ
@given(st.sampled_from(ALL_PATHS), junk, st.booleans())
def test_mutated_evaluation_files_are_accepted_or_rejected_never_crash(
    path: tuple[Any, ...], value: Any, delete: bool
) -> None:
    data = _mutate(PANZHIHUA_DATA, path, value, delete)
    try:
        evaluation_from_data(data, "fuzz.yaml")
    except ValidationFailed as e:
        _located(e.problems)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_as_an_evaluation_file(text: str) -> None:
    try:
        parse_evaluation(text, "fuzz.yaml")
    except ValidationFailed as e:
        _located(e.problems)


@FUZZ
@given(st.integers(0, len(PANZHIHUA_TEXT) - 1), st.integers(1, 40), st.text(max_size=10))
def test_spliced_yaml_never_crashes(at: int, length: int, insert: str) -> None:
    text = PANZHIHUA_TEXT[:at] + insert + PANZHIHUA_TEXT[at + length :]
    try:
        parse_evaluation(text, "fuzz.yaml")
    except ValidationFailed as e:
        _located(e.problems)


@FUZZ
@given(st.sampled_from(TEMPLATE_PATHS), junk, st.booleans())
def test_mutated_templates_report_problems_never_crash(path: tuple[Any, ...], value: Any, delete: bool) -> None:
    data = _mutate(TEMPLATE_DATA, path, value, delete)
    item, problems = parse_item(data, "fuzz.yaml")
    assert item is not None or problems
    if problems:
        _located(problems)


cell = st.one_of(
    st.just(""),
    st.text(max_size=8),
    st.sampled_from(
        [
            "项目名称",
            "主管部门",
            "全年预算数",
            "年度资金总额",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "总分",
            "10分",
            "≥90%",
            "良好",
            "—",
            "-5",
            "1e9",
        ]
    ),
)


@FUZZ
@given(st.lists(st.lists(cell, min_size=0, max_size=10), min_size=0, max_size=25))
def test_random_grids_as_self_evaluation_tables(grid: list[list[str]]) -> None:
    table, problems = parse_grid(grid, "Sheet1", "fuzz.xlsx")
    assert (table is None) == bool(problems)
    if problems:
        _located(problems)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["a.xlsx", "a.docx", "a.pdf"]))
def test_random_bytes_as_self_evaluation_files(data: bytes, name: str) -> None:
    result = read_file(name, data)
    assert not result.tables
    _located(result.problems)


@FUZZ
@given(
    st.lists(
        st.lists(st.sampled_from(["满意", "非常满意", "不满意", "3", "5", "", "x", "6"]), min_size=2, max_size=2),
        min_size=1,
        max_size=20,
    )
)
def test_random_survey_answers(rows: list[list[str]]) -> None:
    text = "甲,乙\n" + "\n".join(",".join(r) for r in rows)
    try:
        survey = read_survey("s.csv", text.encode())
        result = satisfaction(survey, ["甲"], random.choice(["share", "weighted"]))
        assert 0 <= result.rate <= 100
    except ValidationFailed as e:
        _located(e.problems)


def test_a_real_file_still_loads_after_fuzzing_setup() -> None:
    ev = evaluation_from_data(copy.deepcopy(PANZHIHUA_DATA), "ok.yaml")
    assert ev.id == "panzhihua-2023-zhaoshang"
    assert io  # keep the import used by readers of this module
