"""Reading and writing the project's data files (YAML or JSON) without float noise.

YAML is parsed by libyaml where available, with the same constructors; YAML floats are read as Decimal
from their text; duplicate keys are an error; pydantic errors are translated into Chinese problems that
name the file, the indicator code and the field. What a file may hold is bounded (``evaluation.limits``):
its size and lines, the nesting of its lists and maps (checked before the YAML is composed, which recurses
once per level), the number of its keys and items, the digits of its numbers; text that cannot be written
back as UTF-8 (a lone surrogate from a ``\\ud800`` escape) is refused with its place. YAML's and pydantic's
own messages are said in Chinese.
"""

from __future__ import annotations

import gc
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from evaluation.errors import Problem, ValidationFailed
from evaluation.indicators.rules import METHOD_NAMES
from evaluation.limits import (
    DATA_DEPTH,
    DATA_FILE_BYTES,
    DATA_FILE_LINES,
    DATA_INTEGER_DIGITS,
    DATA_NODES,
    megabytes,
)

M = TypeVar("M", bound=BaseModel)


try:  # libyaml's parser (about nine times faster), with the same constructors, where PyYAML was built with it
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    pass


def _refuse(node: yaml.Node, message: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, message, node.start_mark)


def _shown(text: str) -> str:
    return text if len(text) <= 20 else f"{text[:20]}…（共 {len(text)} 个字符）"


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lower() in {".nan", ".inf", "-.inf", "+.inf"}:
        raise _refuse(node, f"不支持的数值 {text}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _refuse(node, f"“{_shown(text)}”不是数字") from None
    if not value.is_finite() or abs(value.adjusted()) > DATA_INTEGER_DIGITS:
        raise _refuse(node, f"数值“{_shown(text)}”过大或过小（最多 {DATA_INTEGER_DIGITS} 位）")
    return value


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if len(text.replace("_", "").lstrip("+-")) > DATA_INTEGER_DIGITS:
        raise _refuse(node, f"整数“{_shown(text)}”位数过多（最多 {DATA_INTEGER_DIGITS} 位）")
    try:
        return int(yaml.constructor.SafeConstructor.construct_yaml_int(loader, node))
    except ValueError:
        raise _refuse(node, f"“{_shown(text)}”不是整数") from None


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    text = str(loader.construct_scalar(node))
    if text.lower() not in loader.bool_values:
        raise _refuse(node, f"“{_shown(text)}”不是“是/否”（true/false）")
    return bool(loader.bool_values[text.lower()])


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node))
    if loader.timestamp_regexp.match(text) is None:
        raise _refuse(node, f"“{_shown(text)}”不是日期，应写成 2024-08-01")
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise _refuse(node, f"日期“{_shown(text)}”不存在") from None


def _construct_unsupported(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    raise _refuse(node, f"不支持的 YAML 标签“{node.tag.rsplit(':', 1)[-1]}”")


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.Node) -> dict[Any, Any]:
    if not isinstance(node, yaml.MappingNode):
        raise _refuse(node, "标签 !!map 只能用于键值表")
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, list | dict | set | bytes):
            raise _refuse(key_node, "键只能是文字或数字，不能是列表或键值表")
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"键“{key}”重复出现（第 {key_node.start_mark.line + 1} 行）", key_node.start_mark
            )
        keys.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node))


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _construct_unsupported)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a value shared by two fields is written twice, never as an anchor and alias


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_enum(dumper: yaml.SafeDumper, value: Enum) -> yaml.Node:
    return dumper.represent_str(str(value.value))


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_multi_representer(Enum, _represent_enum)
_Dumper.add_representer(str, _represent_str)


def read_data(path: Path) -> Any:
    """Raw data of a .yaml/.yml/.json file; raises ValidationFailed with a located message."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > DATA_FILE_BYTES:
            raise ValidationFailed([_too_big(size, name)], "无法读取")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ValidationFailed([Problem("文件不存在", name)], "无法读取") from e
    except UnicodeDecodeError as e:
        raise ValidationFailed([Problem("文件不是 UTF-8 编码的文本", name)], "无法读取") from e
    return parse_text(text, name, json_format=path.suffix.lower() == ".json")


def _too_big(size: int, name: str) -> Problem:
    return Problem(f"文件大小 {megabytes(size)} MB，超过上限 {megabytes(DATA_FILE_BYTES)} MB", name)


def parse_text(text: str, name: str, *, json_format: bool = False) -> Any:
    """The data of a YAML or JSON text, or :class:`ValidationFailed` naming the line and column (or the
    field) of what is wrong: its syntax, its size, its nesting, a number too long, text that cannot be
    written back."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > DATA_FILE_BYTES:
        raise ValidationFailed([_too_big(size, name)], "无法读取")
    lines = text.count("\n") + 1
    if lines > DATA_FILE_LINES:
        raise ValidationFailed([Problem(f"文件有 {lines} 行，超过上限 {DATA_FILE_LINES} 行", name)], "无法读取")
    lone = _SURROGATE.search(text)
    if lone is not None:  # only a str handed over directly can hold one: a decoded file cannot
        line, column = _line_column(text, lone.start())
        said = f"第 {line} 行第 {column} 列有无法编码的字符（U+{ord(lone.group()):04X}，不成对的代理码位）"
        raise ValidationFailed([Problem(said, name)], "无法读取")
    data = _parse_json(text, name) if json_format else _parse_yaml(text, name)
    problems = data_problems(data, name)
    if problems:
        raise ValidationFailed(problems, "无法读取")
    return data


class _BadNumber(ValueError):
    """A JSON number the workbench does not read (too many digits, NaN, Infinity)."""


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > DATA_INTEGER_DIGITS:
        raise _BadNumber(f"整数“{_shown(text)}”位数过多（最多 {DATA_INTEGER_DIGITS} 位）")
    return int(text)


def _json_decimal(text: str) -> Decimal:
    value = Decimal(text)
    if abs(value.adjusted()) > DATA_INTEGER_DIGITS:
        raise _BadNumber(f"数值“{_shown(text)}”过大或过小（最多 {DATA_INTEGER_DIGITS} 位）")
    return value


def _json_constant(text: str) -> Any:
    raise _BadNumber(f"不支持的数值 {text}")


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_float=_json_decimal, parse_int=_json_int, parse_constant=_json_constant)
    except json.JSONDecodeError as e:
        problem = Problem(f"JSON 格式错误：第 {e.lineno} 行第 {e.colno} 列，{_json_message(e.msg)}", name)
        raise ValidationFailed([problem], "无法读取") from e
    except _BadNumber as e:
        raise ValidationFailed([Problem(f"JSON 格式错误：{e}", name)], "无法读取") from e
    except RecursionError as e:
        raise ValidationFailed([_too_deep(name)], "无法读取") from e


def _too_deep(name: str | None, mark: str = "", field: str | None = None) -> Problem:
    return Problem(f"{mark}列表与键值表嵌套过深（最多 {DATA_DEPTH} 层）", name, None, field)


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character of ``text``."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


_paused = [0, False]  # readers now parsing, whether the collector was on before the first of them
_paused_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a document is built: a large file makes hundreds of
    thousands of live objects, and the collector's repeated passes over them made reading it several times
    slower (nothing built here is garbage). Nested or concurrent readers share one pause."""
    with _paused_lock:
        if _paused[0] == 0:
            _paused[1] = gc.isenabled()
            gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused[0] -= 1
            if _paused[0] == 0 and _paused[1]:
                gc.enable()


def _parse_yaml(text: str, name: str) -> Any:
    try:
        _check_nesting(text, name)
        with _collector_paused():
            return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise ValidationFailed([Problem(f"YAML 格式错误：{yaml_message(e, text)}", name)], "无法读取") from e
    except RecursionError as e:
        raise ValidationFailed([_too_deep(name)], "无法读取") from e


# libyaml's parser keeps its own stack, so it reads any nesting; composing the nodes recurses once per level
_EVENTS: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _nesting_bound(text: str) -> int:
    """A number no smaller than the text's YAML nesting: a block collection one level down is indented
    further or opened on the same line by an indicator (``-``, ``?``, ``:``), a flow collection by ``[`` or
    ``{`` — every character that can open a level is counted (in values too, so the bound is generous)."""
    deepest = 0
    for line in text.splitlines():
        opened = len(line) - len(line.lstrip()) + line.count("-") + line.count("?") + line.count(":")
        deepest = max(deepest, opened)
    return deepest + text.count("[") + text.count("{") + 1


def _check_nesting(text: str, name: str) -> None:
    """Refuse YAML nested deeper than :data:`DATA_DEPTH` before it is composed (the C loader's composer
    recurses in C and crashes the process on a few hundred thousand levels). Syntax errors are left to
    the loader, which reports them. Text whose bound (:func:`_nesting_bound`) is within the limit is not
    walked event by event."""
    if _nesting_bound(text) <= DATA_DEPTH:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_EVENTS):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > DATA_DEPTH:
                    mark = event.start_mark
                    where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列，" if mark is not None else ""
                    raise ValidationFailed([_too_deep(name, where)], "无法读取")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return


_SURROGATE = re.compile("[\ud800-\udfff]")


def _path(parent: str, key: Any) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{parent}[{key}]"
    shown = str(key) if len(str(key)) <= 40 else f"{str(key)[:40]}…"
    return f"{parent}.{shown}" if parent else shown


def data_problems(data: Any, name: str | None) -> list[Problem]:
    """What no file may hold, each with its place: nesting deeper than :data:`DATA_DEPTH` (a YAML alias
    can even make data that contains itself), more than :data:`DATA_NODES` keys and items, text with a lone
    surrogate (it cannot be written as UTF-8)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    nodes = 0
    while stack:
        node, where, depth = stack.pop()
        nodes += 1
        if nodes > DATA_NODES:
            return [Problem(f"内容过多：键与列表项超过 {DATA_NODES} 个", name)]
        if isinstance(node, str):
            found = _SURROGATE.search(node)
            if found:
                code = f"U+{ord(found.group()):04X}"
                problems.append(
                    Problem(f"文字中有无法编码的字符（{code}，不成对的代理码位）", name, None, where or None)
                )
            continue
        if isinstance(node, dict | list) and depth > DATA_DEPTH:
            return [_too_deep(name, field=where or None)]
        children: list[tuple[Any, str, int]] = []
        if isinstance(node, dict):
            for key, value in node.items():
                children += [(key, where, depth + 1), (value, _path(where, key), depth + 1)]
        elif isinstance(node, list):
            children = [(value, _path(where, i), depth + 1) for i, value in enumerate(node)]
        stack += reversed(children)  # popped in the file's order
    return problems


# --------------------------------------------------------------------------- syntax errors in Chinese

_JSON_MESSAGES: tuple[tuple[str, str], ...] = (
    ("Expecting value", "此处缺少值"),
    ("Expecting ',' delimiter", "缺少逗号“,”"),
    ("Expecting ':' delimiter", "缺少冒号“:”"),
    ("Expecting property name enclosed in double quotes", "键须用双引号括起来（或多了一个逗号）"),
    ("Unterminated string", "引号没有闭合"),
    ("Invalid control character", "文字中有控制字符（换行请写成 \\n）"),
    ("Invalid \\uXXXX escape", "\\u 转义须为四位十六进制数"),
    ("Invalid \\escape", "未知的转义字符（反斜杠请写成 \\\\）"),
    ("Extra data", "内容结束后还有多余的字符"),
)


def _json_message(msg: str) -> str:
    return next((zh for en, zh in _JSON_MESSAGES if msg.startswith(en)), "格式不正确")


# PyYAML's and libyaml's wordings (the problem, or the context it arose in) → what to say
_YAML_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"mapping values are not allowed", "这里不能出现“键: 值”（同一行有第二个冒号？值中含“: ”时请加引号）"),
    (r"could not find expected ':'", "找不到应有的冒号“:”（键后缺少冒号，或多行文字的缩进不一致）"),
    (r"expected ',' or '\]'|find expected ',' or '\]'", "方括号列表“[…]”没有正确结束"),
    (r"expected ',' or '}'|find expected ',' or '}'", "花括号“{…}”没有正确结束"),
    (r"unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    (r"undefined alias", "引用（*名称）了没有定义的锚点"),
    (r"duplicate anchor", "锚点（&名称）重复定义"),
    (r"invalid Unicode character escape", "双引号文字中的 \\u 转义不是有效的字符（不成对的代理码位？）"),
    (r"hexadecimal numbers|hexdecimal number", "双引号文字中的 \\u 转义须为四位十六进制数"),
    (r"unknown escape character", "双引号文字中有未知的转义字符（反斜杠请写成 \\\\，或改用单引号）"),
    (
        r"block end|expected key|expected '-' indicator|block mapping|block collection",
        "缩进不一致：这一行与同级内容没有对齐",
    ),
    (r"document start|another document|single document", "文件只能包含一个 YAML 文档"),
    (r"incompatible YAML document|YAML directive", "不支持的 YAML 版本声明"),
    (r"tag handle|tag directive|while scanning a tag|while parsing a tag", "标签（!名称）的写法有误"),
    (r"unhashable key", "键只能是文字或数字，不能是列表或键值表"),
    (r"could not determine a constructor for the tag", "不支持的 YAML 标签"),
    (r"expected a (mapping|sequence|scalar)", "标签与内容的类型不符"),
    (r"control characters are not allowed", "文件中有不允许的控制字符"),
    (r"alias|anchor|alphabetic or numeric", "锚点或引用的名称只能由字母和数字组成"),
    (r"block scalar|indentation indicator|comment or a line break", "“|”或“>”多行文字的写法有误"),
    (r"simple key", "键的写法有误（键不能跨行，也不能超过 1024 个字符）"),
    (r"node content|expected the node", "此处缺少内容"),
    (r"tab", "不能用制表符（Tab）缩进，请改用空格"),
)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def yaml_message(error: yaml.YAMLError, text: str = "") -> str:
    """A YAML error in Chinese with its line and column: "第 3 行第 5 列，找不到应有的冒号“:”…"."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列，"
        index = mark.index
    elif isinstance(error, yaml.reader.ReaderError):  # a character the reader refuses: only its offset
        line, column = _line_column(text, error.position)
        where, index = f"第 {line} 行第 {column} 列，", error.position
    else:
        where, index = "", -1
    problem = str(getattr(error, "problem", None) or "")
    context = str(getattr(error, "context", None) or "")
    if _has_chinese(problem):
        return where + problem  # the workbench's own (a duplicate key, a number too long)
    if isinstance(error, yaml.reader.ReaderError):
        char = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        return where + f"文件中有不允许的字符（U+{char:04X}）"
    if 0 <= index < len(text) and text[index] == "\t":
        return where + "不能用制表符（Tab）缩进或分隔，请改用空格"
    if "cannot start any token" in problem:
        shown = text[index] if 0 <= index < len(text) else ""
        return where + f"字符“{shown}”不能出现在这里（以 @、` 等符号开头的文字请加引号）"
    for said_by_yaml in (problem, context):
        for pattern, said in _YAML_MESSAGES:
            if said_by_yaml and re.search(pattern, said_by_yaml):
                return where + said
    return where + "无法解析（请检查缩进、冒号和引号）"


def write_file(path: Path, data: bytes | str) -> None:
    """Write atomically: a failed write never leaves half a file behind (text is written as UTF-8)."""
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    tmp.replace(path)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"无法写成 JSON：{type(value).__name__}")


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def to_plain(model: BaseModel) -> dict[str, Any]:
    """Model → plain data with Decimals and dates kept, defaults left out (stable, readable files)."""
    return model.model_dump(mode="python", exclude_defaults=True)


# --------------------------------------------------------------------------- errors in Chinese

_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段（是否拼写错误？）",
    "string_too_short": "不能为空",
    "string_too_long": "文字过长（最多 {max_length} 个字）",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_type": "应为文字",
    "string_unicode": "应为文字（内容不是有效的 UTF-8 文字）",
    "string_sub_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数过大",
    "int_from_float": "应为整数，不能有小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字（不能是 NaN 或无穷大）",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_whole_digits": "整数部分位数过多（最多 {whole_digits} 位）",
    "multiple_of": "应为 {multiple_of} 的整数倍",
    "bool_type": "应为“是/否”（true/false）",
    "bool_parsing": "应为“是/否”（true/false）",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "frozen_set_type": "应为列表",
    "iterable_type": "应为列表",
    "dict_type": "应为键值表",
    "mapping_type": "应为键值表",
    "model_type": "应为键值表",
    "model_attributes_type": "应为键值表",
    "dataclass_type": "应为键值表",
    "invalid_key": "键应为文字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "literal_error": "取值应为 {expected}",
    "enum": "取值应为 {expected}",
    "string_pattern_mismatch": "格式不符合要求",
    "date_from_datetime_parsing": "应为日期，如 2024-08-01",
    "date_from_datetime_inexact": "应为日期，不带时间，如 2024-08-01",
    "date_parsing": "应为日期，如 2024-08-01",
    "date_type": "应为日期，如 2024-08-01",
    "datetime_type": "应为日期和时间",
    "datetime_parsing": "应为日期和时间",
    "union_tag_not_found": "缺少评分方法字段 {discriminator}",
    "frozen_instance": "不可修改",
    "frozen_field": "不可修改",
    "recursion_loop": "内容引用了自身（YAML 锚点循环）",
    "recursion_depth_exceeded": "嵌套过深",
    "bytes_type": "应为文字",
    "json_invalid": "不是有效的 JSON",
    "none_required": "应为空",
}


def pydantic_message(err: Any) -> str:
    """One pydantic error in Chinese (the workbench's own validators already speak Chinese)."""
    return _message(err)


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "union_tag_invalid":
        return f"未知的评分方法“{ctx.get('tag')}”，可选：{'、'.join(f'{k}（{v}）' for k, v in METHOD_NAMES.items())}"
    if kind in ("value_error", "assertion_error"):
        said = str(ctx.get("error", err["msg"])).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return said if _has_chinese(said) else "取值不符合要求"
    template = _MESSAGES.get(kind)
    if template is None:
        return "取值不符合要求"
    try:
        return template.format(**{k: v for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template


def problems_from_validation(exc: ValidationError, data: Any, file: str | None) -> list[Problem]:
    """Translate pydantic errors; the indicator code is the nearest ``code`` on the error's path."""
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        code = None
        node = data
        path: list[str] = []
        for i, part in enumerate(loc):
            if isinstance(node, dict) and isinstance(node.get("code"), str):
                code = node["code"]
            if isinstance(part, int):
                path.append(f"[{part}]")
            elif isinstance(node, dict) and part not in node and i < len(loc) - 1:
                continue  # a union's tag in pydantic's location, not a key of the data
            else:
                shown = str(part) if len(str(part)) <= 40 else f"{str(part)[:40]}…"  # a key can be any length
                path.append(("." if path else "") + shown)
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
        if isinstance(node, dict) and isinstance(node.get("code"), str):
            code = node["code"]
        problems.append(Problem(_message(err), file, code, "".join(path) or None))
    return problems


def validate_model(model: type[M], data: Any, file: str | None) -> M:
    """Validate data into a model or raise ValidationFailed listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ValidationFailed(problems_from_validation(e, data, file)) from e


def load_model(model: type[M], path: Path) -> M:
    return validate_model(model, read_data(path), str(path))
