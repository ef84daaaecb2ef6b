"""YAML and JSON data files: what no file may hold is refused with its line and column (or field), in
Chinese, and YAML's and pydantic's own wordings never reach the user."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from evaluation.errors import Problem, ValidationFailed
from evaluation.files.data import _nesting_bound, parse_text, read_data, validate_model
from evaluation.limits import DATA_DEPTH, DATA_FILE_BYTES, DATA_FILE_LINES, DATA_NODES, PROBLEMS_LISTED
from evaluation.model import Project

ENGLISH = re.compile(r"[A-Za-z]{4,}")  # a word of English (field names such as project.name are allowed)


def refused(text: str, *, json_format: bool = False) -> str:
    with pytest.raises(ValidationFailed) as e:
        parse_text(text, "x.json" if json_format else "x.yaml", json_format=json_format)
    return str(e.value)


def said(message: str) -> str:
    """The message without the file name, field paths and the names of formats: what remains must be Chinese."""
    return re.sub(r"(文件|字段) [^，：\s]+|YAML|JSON|UTF-8|Tab|true|false|NaN", "", message)


@pytest.mark.parametrize("depth", [DATA_DEPTH + 1, 1_000, 5_000, 200_000])
def test_deep_flow_nesting_is_refused_with_its_place(depth: int) -> None:
    message = refused("[" * depth + "]" * depth)
    assert f"第 1 行第 {DATA_DEPTH + 1} 列" in message and f"嵌套过深（最多 {DATA_DEPTH} 层）" in message


@pytest.mark.parametrize("depth", [DATA_DEPTH + 1, 1_200])
def test_deep_block_nesting_is_refused(depth: int) -> None:
    text = "".join("  " * i + "a:\n" for i in range(depth))
    assert "嵌套过深" in refused(text)


def test_compact_sequences_nested_on_one_line_are_refused() -> None:
    assert "嵌套过深" in refused("- " * 100_000 + "x")


@pytest.mark.parametrize("depth", [DATA_DEPTH + 1, 5_000, 100_000])
def test_deep_json_is_refused(depth: int) -> None:
    assert "嵌套过深" in refused("[" * depth + "]" * depth, json_format=True)


def test_a_yaml_alias_that_contains_itself_is_refused() -> None:
    assert "嵌套过深" in refused("a: &x [*x]")


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _nested(rng: random.Random, depth: int) -> object:
    """A deep spine with short branches beside it (a few hundred values at most)."""
    if depth == 0 or rng.random() < 0.05:
        return rng.choice(["值", 1, "a-b: c", "[x]", None])
    children = [_nested(rng, depth - 1)] + [_nested(rng, min(depth - 1, 2)) for _ in range(rng.randint(0, 2))]
    rng.shuffle(children)
    return children if rng.random() < 0.5 else {f"k{i}": c for i, c in enumerate(children)}


@pytest.mark.parametrize("seed", range(300))
def test_the_quick_nesting_bound_is_never_below_the_real_depth(seed: int) -> None:
    """Files whose bound is within the limit skip the event-by-event check: the bound must never be lower than
    the real nesting, for block and flow styles and several indentations (PyYAML writes a mapping's sequences
    compactly, at the indentation of their key)."""
    rng = random.Random(seed)
    data = _nested(rng, rng.randint(1, DATA_DEPTH + 8))
    text = yaml.safe_dump(
        data, allow_unicode=True, default_flow_style=rng.choice([False, True, None]), indent=rng.choice([2, 3, 4])
    )
    assert _nesting_bound(text) >= _depth(yaml.safe_load(text))


def test_nesting_up_to_the_limit_is_read() -> None:
    assert parse_text("[" * DATA_DEPTH + "]" * DATA_DEPTH, "x.yaml") == eval("[" * DATA_DEPTH + "]" * DATA_DEPTH)


@pytest.mark.parametrize(
    ("text", "json_format"),
    [("a: " + "9" * 5_000, False), ('{"a": ' + "9" * 5_000 + "}", True), ("a: 0x" + "f" * 100, False)],
)
def test_integers_with_thousands_of_digits_are_refused(text: str, json_format: bool) -> None:
    message = refused(text, json_format=json_format)
    assert "位数过多（最多 30 位）" in message and "共" in message  # shown cut short, with its length


@pytest.mark.parametrize(
    ("text", "json_format"), [("a: !!float 1e400", False), ('{"a": 1e400}', True), ('{"a": NaN}', True)]
)
def test_numbers_out_of_range_or_not_finite_are_refused(text: str, json_format: bool) -> None:
    message = refused(text, json_format=json_format)
    assert "过大或过小" in message or "不支持的数值" in message


@pytest.mark.parametrize(("text", "json_format"), [('a: "x\\ud800y"', False), ('{"a": ["\\udfff"]}', True)])
def test_a_lone_surrogate_is_refused_with_its_field(text: str, json_format: bool) -> None:
    message = refused(text, json_format=json_format)
    # PyYAML reads the escape and the field is named; libyaml refuses the escape itself, at its line
    assert ("无法编码的字符" in message and "字段 a" in message) or "不是有效的字符" in message


def test_a_lone_surrogate_in_the_text_itself_is_refused_with_its_line() -> None:
    assert "第 2 行第 4 列有无法编码的字符（U+D800" in refused("a: 1\nb: \ud800")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 2024-13-45", "日期“2024-13-45”不存在"),
        ("a: !!int abc", "“abc”不是整数"),
        ("a: !!float abc", "“abc”不是数字"),
        ("a: !!bool x", "不是“是/否”"),
        ("a: !!timestamp x", "不是日期"),
        ("a: !!binary aGVsbG8=", "不支持的 YAML 标签“binary”"),
        ("a: !!set {x}", "不支持的 YAML 标签“set”"),
        ("? [1]\n: x", "键只能是文字或数字"),
        ("a: !!map [1]", "只能用于键值表"),
    ],
)
def test_tags_and_scalars_the_constructors_cannot_build_are_located(text: str, expected: str) -> None:
    message = refused(text)
    assert expected in message and "第 1 行" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n\tb: 1", "第 2 行第 1 列，不能用制表符"),
        ("a: 1\nb", "找不到应有的冒号"),
        ("a: b: c", "不能出现“键: 值”"),
        ("a: [1, 2", "方括号列表"),
        ("a: {b", "花括号"),
        ('a: "x', "引号或括号没有闭合"),
        ("a: *x", "没有定义的锚点"),
        ("- a\nb: 1", "缩进不一致"),
        ('a: "\\q"', "未知的转义字符"),
        ('a: "\\uZZZZ"', "四位十六进制数"),
        ("--- a\n--- b", "只能包含一个 YAML 文档"),
        ("@a", "字符“@”不能出现在这里"),
        ("a: \x00", "不允许的字符（U+0000）"),
        ("a: !x!y z", "标签"),
        ("<<: 1", "不支持的 YAML 标签"),
    ],
)
def test_yaml_syntax_errors_are_said_in_chinese_with_line_and_column(text: str, expected: str) -> None:
    message = refused(text)
    assert expected in message and "行" in message
    assert not ENGLISH.search(said(message)), message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("[", "此处缺少值"), ('{"a": 1,}', "双引号"), ('{"a": "x', "引号没有闭合"), ("[1] x", "多余的字符")],
)
def test_json_syntax_errors_are_said_in_chinese(text: str, expected: str) -> None:
    message = refused(text, json_format=True)
    assert expected in message and "第 1 行" in message
    assert not ENGLISH.search(said(message)), message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (DATA_FILE_BYTES + 1))
    with pytest.raises(ValidationFailed, match="超过上限 5 MB"):
        read_data(path)


def test_too_many_lines_or_keys_are_refused() -> None:
    assert f"超过上限 {DATA_FILE_LINES} 行" in refused("a: 1\n" * DATA_FILE_LINES + "b: 2")
    many = "{" + ",".join(f'"k{i}": 1' for i in range(DATA_NODES)) + "}"
    assert f"超过 {DATA_NODES} 个" in refused(many, json_format=True)


def test_a_problem_list_names_the_first_problems_and_counts_the_rest() -> None:
    error = ValidationFailed([Problem(f"问题{i}", "x.yaml") for i in range(PROBLEMS_LISTED + 150)])
    lines = str(error).splitlines()
    assert len(lines) == PROBLEMS_LISTED + 2  # the title, the problems listed, the count of the rest
    assert lines[-1].strip() == "另有 150 处问题未列出" and len(error.problems) == PROBLEMS_LISTED + 150


class _Figures(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = ""
    amount: Decimal = Decimal(0)
    count: int = 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"amount": "nan"}, "不能是 NaN 或无穷大"),
        ({"text": b"\xff\xfe"}, "应为文字"),
        ({"count": 1.5}, "不能有小数"),
        ({"count": "x"}, "应为整数"),
    ],
)
def test_pydantic_messages_are_said_in_chinese(data: dict[str, object], expected: str) -> None:
    with pytest.raises(ValidationFailed) as e:
        validate_model(_Figures, data, "x.yaml")
    assert expected in str(e.value) and not ENGLISH.search(said(str(e.value)))


def test_an_unknown_key_of_any_length_is_named_cut_short() -> None:
    with pytest.raises(ValidationFailed) as e:
        validate_model(Project, {"name": "甲", "department": "乙", "year": 2024, "k" * 10_000: 1}, "x.yaml")
    assert len(str(e.value)) < 300 and "不允许的字段" in str(e.value)
