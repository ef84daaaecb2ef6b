"""The indicator library: templates (指标体系), 专用指标包 and 个性指标示例 as YAML files.

``load_library`` reads every file under the library folder and collects every problem of
every file before failing; ``compose`` builds the snapshot an evaluation keeps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from evaluation.errors import Problem, ValidationFailed
from evaluation.files.data import dump_yaml, problems_from_validation, read_data, to_plain
from evaluation.indicators.system import (
    Group,
    IndicatorSystem,
    LibraryItem,
    Pack,
    PersonalSet,
    pack_problems,
    personal_problems,
    system_problems,
)

_ADAPTER: TypeAdapter[IndicatorSystem | Pack | PersonalSet] = TypeAdapter(LibraryItem)


@dataclass
class Library:
    systems: dict[str, IndicatorSystem] = field(default_factory=dict)
    packs: dict[str, Pack] = field(default_factory=dict)
    personal: dict[str, PersonalSet] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def system(self, id: str) -> IndicatorSystem:
        try:
            return self.systems[id]
        except KeyError:
            raise ValidationFailed([Problem(f"指标库中没有编号为“{id}”的指标体系")], "找不到模板") from None

    def pack(self, id: str) -> Pack:
        try:
            return self.packs[id]
        except KeyError:
            raise ValidationFailed([Problem(f"指标库中没有编号为“{id}”的专用指标包")], "找不到指标包") from None


def parse_item(data: Any, file: str) -> tuple[IndicatorSystem | Pack | PersonalSet | None, list[Problem]]:
    """Validate one library file's data: pydantic first, then the structural checks."""
    if not isinstance(data, dict):
        return None, [Problem("文件内容应为键值表（kind、id、name …）", file)]
    if data.get("kind") not in ("system", "pack", "personal"):
        return None, [
            Problem("kind 应为 system（指标体系）、pack（专用指标包）或 personal（个性指标）", file, None, "kind")
        ]
    from pydantic import ValidationError

    try:
        item = _ADAPTER.validate_python(data)
    except ValidationError as e:
        return None, problems_from_validation(e, data, file)
    if isinstance(item, IndicatorSystem):
        return item, system_problems(item, file=file)
    if isinstance(item, Pack):
        return item, pack_problems(item, file=file)
    return item, personal_problems(item, file=file)


def load_library(folder: Path) -> Library:
    """Load and validate every ``*.yaml`` under ``folder``; raise with all problems of all files."""
    lib = Library()
    problems: list[Problem] = []
    paths = sorted(p for p in folder.rglob("*.y*ml") if p.is_file())
    if not paths:
        raise ValidationFailed([Problem(f"指标库目录 {folder} 中没有 YAML 文件")], "指标库为空")
    for path in paths:
        rel = str(path.relative_to(folder))
        try:
            data = read_data(path)
        except ValidationFailed as e:
            problems += e.problems
            continue
        item, item_problems = parse_item(data, rel)
        problems += item_problems
        if item is None:
            continue
        if item.id in lib.files:
            problems.append(
                Problem(f"编号“{item.id}”与 {lib.files[item.id].relative_to(folder)} 重复", rel, None, "id")
            )
            continue
        lib.files[item.id] = path
        if isinstance(item, IndicatorSystem):
            lib.systems[item.id] = item
        elif isinstance(item, Pack):
            lib.packs[item.id] = item
        else:
            lib.personal[item.id] = item
    if problems:
        raise ValidationFailed(problems, "指标库校验未通过")
    return lib


def compose(
    template: IndicatorSystem,
    *,
    pack: Pack | None = None,
    personal: list[Group] | None = None,
    system_id: str | None = None,
) -> IndicatorSystem:
    """The snapshot for one evaluation: the template with its slots filled.

    The 专用 slot takes the pack's groups; the 个性 slot takes the evaluation's own groups.
    The result is validated as complete (every slot filled, weights adding up).
    """
    problems: list[Problem] = []
    groups = []
    for l1 in template.groups:
        if l1.slot == "pack":
            if pack is None:
                problems.append(Problem(f"一级指标“{l1.name}”需要选择一个专用指标包", None, l1.code))
                groups.append(l1)
                continue
            if l1.weight is not None and pack.weight != l1.weight:
                problems.append(
                    Problem(
                        f"指标包“{pack.name}”分值 {pack.weight} 与“{l1.name}”的分值 {l1.weight} 不一致",
                        None,
                        l1.code,
                    )
                )
            groups.append(l1.model_copy(update={"groups": list(pack.groups)}))
        elif l1.slot == "personal":
            groups.append(l1.model_copy(update={"groups": list(personal or [])}))
        else:
            groups.append(l1)
    data = template.model_dump(mode="python")
    data["groups"] = [g.model_dump(mode="python") for g in groups]
    if system_id:
        data["id"] = system_id
    if pack is not None:
        data["description"] = (template.description + f"（专用指标：{pack.name}）").strip()
    system = IndicatorSystem.model_validate(data)
    problems += system_problems(system, require_filled=True)
    if problems:
        raise ValidationFailed(problems, "指标体系组合未通过校验")
    return system


def add_personal_group(system: IndicatorSystem, group: Group) -> IndicatorSystem:
    """Add a 个性 group to one evaluation's snapshot (never to the library)."""
    slot = next((g for g in system.groups if g.slot == "personal"), None)
    if slot is None:
        raise ValidationFailed([Problem("该指标体系没有个性指标位置")], "无法添加个性指标")
    data = system.model_dump(mode="python")
    for l1 in data["groups"]:
        if l1["code"] == slot.code:
            l1["groups"].append(group.model_dump(mode="python"))
    new = IndicatorSystem.model_validate(data)
    problems = system_problems(new, require_filled=True)
    if problems:
        raise ValidationFailed(problems, "添加个性指标后体系未通过校验")
    return new


def template_yaml(system: IndicatorSystem) -> str:
    """A system as a ``kind: system`` template file, ready for the library folder or ``workbench templates``."""
    return dump_yaml({"kind": "system", "id": system.id, **to_plain(system)})


def json_schema() -> dict[str, Any]:
    """JSON Schema of a library file, for editor autocompletion of the YAML."""
    schema = _ADAPTER.json_schema()
    schema["title"] = "评价工作台指标库文件"
    return schema


def write_json_schema(path: Path) -> None:
    path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
