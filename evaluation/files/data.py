"""Reading and writing the project's data files (YAML or JSON) without float noise.

YAML is parsed by libyaml where available; floats are read as Decimal from their text; duplicate keys are an
error; pydantic errors are translated into Chinese problems that name the file, the indicator code and
the field.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from evaluation.errors import Problem, ValidationFailed
from evaluation.indicators.rules import METHOD_NAMES

M = TypeVar("M", bound=BaseModel)


try:  # libyaml's parser (about nine times faster), with the same constructors, where PyYAML was built with it
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    pass


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lower() in {".nan", ".inf", "-.inf", "+.inf"}:
        raise yaml.constructor.ConstructorError(None, None, f"不支持的数值 {text}", node.start_mark)
    return Decimal(text)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"键“{key}”重复出现（第 {key_node.start_mark.line + 1} 行）", key_node.start_mark
            )
        keys.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node))


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

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


def _load_yaml(text: str) -> Any:
    with _collector_paused():
        return yaml.load(text, Loader=_Loader)


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
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ValidationFailed([Problem("文件不存在", name)], "无法读取") from e
    except UnicodeDecodeError as e:
        raise ValidationFailed([Problem("文件不是 UTF-8 编码的文本", name)], "无法读取") from e
    return parse_text(text, name, json_format=path.suffix.lower() == ".json")


def parse_text(text: str, name: str, *, json_format: bool = False) -> Any:
    try:
        if json_format:
            return json.loads(text, parse_float=Decimal)
        return _load_yaml(text)
    except json.JSONDecodeError as e:
        raise ValidationFailed(
            [Problem(f"JSON 格式错误：第 {e.lineno} 行第 {e.colno} 列，{e.msg}", name)], "无法读取"
        ) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列，" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise ValidationFailed([Problem(f"YAML 格式错误：{where}{problem}", name)], "无法读取") from e


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
    "string_too_long": "文字过长",
    "too_short": "至少需要 {min_length} 项",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_places": "小数位数过多",
    "decimal_max_digits": "数字位数过多",
    "bool_type": "应为“是/否”（true/false）",
    "bool_parsing": "应为“是/否”（true/false）",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "model_attributes_type": "应为键值表",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "literal_error": "取值应为 {expected}",
    "enum": "取值应为 {expected}",
    "string_pattern_mismatch": "格式不符合要求",
    "date_from_datetime_parsing": "应为日期，如 2024-08-01",
    "date_parsing": "应为日期，如 2024-08-01",
    "date_type": "应为日期，如 2024-08-01",
    "union_tag_not_found": "缺少评分方法字段 {discriminator}",
    "frozen_instance": "不可修改",
}


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "union_tag_invalid":
        return f"未知的评分方法“{ctx.get('tag')}”，可选：{'、'.join(f'{k}（{v}）' for k, v in METHOD_NAMES.items())}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "assertion_error":
        return str(err["msg"])
    template = _MESSAGES.get(kind)
    if template is None:
        return str(err["msg"])
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
                path.append(("." if path else "") + str(part))
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
