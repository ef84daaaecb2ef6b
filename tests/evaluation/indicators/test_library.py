"""The indicator library: every shipped file loads; bad files report every problem, located, in Chinese."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.errors import ValidationFailed
from evaluation.indicators.library import Library, add_personal_group, compose, json_schema, load_library
from evaluation.indicators.system import Group
from tests.conftest import LIBRARY

D = Decimal


def test_every_shipped_file_loads(library: Library) -> None:
    files = sorted(p.name for p in LIBRARY.rglob("*.yaml"))
    assert len(library.files) == len(files)
    assert {"panzhihua-2024", "gongxing-2020", "self-eval-table"} <= set(library.systems)
    assert len(library.packs) >= 6
    assert "pack-xingzheng-yunzhuan" in library.packs
    categories = {p.category for p in library.packs.values()}
    assert {"行政运转", "招商引资工作", "基础设施建设"} <= categories


def test_every_shipped_indicator_lists_the_documents_that_evidence_it(library: Library) -> None:
    """资料清单 comes from the templates: each indicator names two to five documents, none twice, and a
    composed system keeps them."""
    indicators = [ind for s in library.systems.values() for _, _, ind in s.indicators()]
    for item in [*library.packs.values(), *library.personal.values()]:
        indicators += [ind for g in item.groups for ind in g.indicators]
    assert len(indicators) == 84
    for ind in indicators:
        assert 2 <= len(ind.documents) <= 5, ind.code
        assert len(set(ind.documents)) == len(ind.documents), ind.code
        assert all(d.strip() == d and d for d in ind.documents), ind.code
    composed = compose(
        library.system("panzhihua-2024"),
        pack=library.pack("pack-zhengfu-goumai"),
        personal=library.personal["personal-zhaoshang"].groups,
    )
    found = composed.find("ZY.GMLY.03")
    assert found is not None and found[2].documents == ["满意度调查问卷及统计表", "服务对象回访记录"]


def test_every_pack_composes_into_a_complete_panzhihua_system(library: Library) -> None:
    template = library.system("panzhihua-2024")
    personal = library.personal["personal-zhaoshang"].groups
    for pack in library.packs.values():
        system = compose(template, pack=pack, personal=personal)
        weights = sum((ind.weight for _, _, ind in system.indicators()), D(0))
        assert weights == 100, pack.id
        assert not system.open_slots()


def test_panzhihua_common_indicators_match_the_seed(library: Library) -> None:
    # DOMAIN.md / the seed's 附件1: 通用 54 = 项目决策 18 (6, 6, 6), 项目管理 18 (2, 10, 6),
    # 项目实施 9 (6, 3), 项目结果 9 (6, 3); 专用 30; 个性 16; 扣分项 up to 10.
    s = library.system("panzhihua-2024")
    ty = s.groups[0]
    assert (ty.name, ty.weight) == ("通用指标", 54)
    layout = {g.name: [(i.name, i.weight) for i in g.indicators] for g in ty.groups}
    assert layout == {
        "项目决策": [("决策程序", 6), ("规划论证", 6), ("资金投向", 6)],
        "项目管理": [("制度办法", 2), ("分配管理", 10), ("绩效监管", 6)],
        "项目实施": [("预算执行", 6), ("资金使用", 3)],
        "项目结果": [("目标完成", 6), ("完成时效", 3)],
    }
    assert [(g.name, g.weight, g.slot) for g in s.groups[1:]] == [
        ("专用指标", 30, "pack"),
        ("个性指标", 16, "personal"),
    ]
    assert s.penalties is not None and s.penalties.cap == 10
    assert [p.name for p in s.penalties.items] == ["绩效管理存在问题", "被评价部门配合度"]
    # deduction points as the seed states them: 3 for 决策程序, 1 for 资金使用
    rules = {ind.name: ind.rule for _, _, ind in s.indicators()}
    assert rules["决策程序"].points_per_finding == 3
    assert rules["资金使用"].points_per_finding == 1
    pack = library.pack("pack-xingzheng-yunzhuan")
    assert [(i.name, i.weight, i.rule.points_per_finding) for i in pack.groups[0].indicators] == [
        ("用途合规性", 10, 2),
        ("程序合规性", 10, 2),
        ("标准合规性", 10, 2),
    ]


def test_self_evaluation_template_weights(library: Library) -> None:
    s = library.system("self-eval-table")
    assert [(g.name, g.weight) for g in s.groups] == [
        ("预算执行", 10),
        ("产出指标", 50),
        ("效益指标", 30),
        ("满意度指标", 10),
    ]
    budget = s.groups[0].groups[0].indicators[0]
    assert budget.rounding is not None and (budget.rounding.digits, budget.rounding.mode) == (1, "down")


def test_national_framework_has_the_four_first_levels(library: Library) -> None:
    s = library.system("gongxing-2020")
    assert [g.name for g in s.groups] == ["决策", "过程", "产出", "效益"]
    assert sum((g.weight or 0 for g in s.groups), D(0)) == 100


BROKEN = """
kind: system
id: broken
name: 有问题的体系
total: 100
groups:
  - code: A
    name: 一级
    weight: 60
    groups:
      - code: A.1
        name: 二级
        weight: 50
        indicators:
          - {code: A.1.01, name: 甲, weight: 30, rule: {method: deduction, points_per_finding: 3}}
          - {code: A.1.01, name: 乙, weight: 15, rule: {method: formula}}
          - {code: A.1.03, name: 丙, weight: 10, colour: red,
             rule: {method: checklist, items: [{key: a, text: 是否, points: 4}]}}
"""


def test_a_file_with_several_errors_reports_all_of_them(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        load_library(tmp_path)
    problems = e.value.problems
    text = str(e.value)
    # the unknown method and the unknown field come from pydantic, located on their indicator
    assert any(p.code == "A.1.01" and "未知的评分方法“formula”" in p.message for p in problems), text
    assert any(
        p.code == "A.1.03" and p.field and p.field.endswith("colour") and "不允许的字段" in p.message for p in problems
    ), text
    assert all(p.file == "broken.yaml" for p in problems)


def test_structural_errors_are_all_reported(tmp_path: Path) -> None:
    fixed_methods = BROKEN.replace("{method: formula}", "{method: deduction, points_per_finding: 1}").replace(
        ", colour: red", ""
    )
    (tmp_path / "broken.yaml").write_text(fixed_methods, encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        load_library(tmp_path)
    messages = [(p.code, p.message) for p in e.value.problems]
    assert ("A.1.01", "编码重复，同一体系内每个指标的编码必须唯一") in messages
    assert any(code == "A.1" and "分值 50 不等于其三级指标分值之和 55" in m for code, m in messages)
    assert any(code == "A" and "分值 60 不等于其二级指标分值之和 50" in m for code, m in messages)
    assert any(code == "A.1.03" and "各项分值之和 4 不等于指标分值 10" in m for code, m in messages)
    assert any(code is None and "之和 60 不等于体系总分 100" in m for code, m in messages)


def test_duplicate_yaml_keys_and_bad_yaml_are_reported(tmp_path: Path) -> None:
    (tmp_path / "dup.yaml").write_text("kind: pack\nid: a\nid: b\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        load_library(tmp_path)
    text = str(e.value)
    assert "dup.yaml" in text and "键“id”重复" in text
    assert "bad.yaml" in text and "YAML 格式错误" in text


def test_pack_weight_must_match_its_slot(library: Library) -> None:
    pack = library.pack("pack-xingzheng-yunzhuan").model_copy(update={"weight": D(20)})
    with pytest.raises(ValidationFailed, match="分值 20 与“专用指标”的分值 30 不一致"):
        compose(
            library.system("panzhihua-2024"),
            pack=pack,
            personal=library.personal["personal-zhaoshang"].groups,
        )


def test_personal_indicators_are_added_to_one_snapshot_only(library: Library) -> None:
    template = library.system("panzhihua-2024")
    half = Group.model_validate(
        {
            "code": "GX.A",
            "name": "社会效益",
            "indicators": [
                {
                    "code": "GX.A.01",
                    "name": "受益人数",
                    "weight": 8,
                    "target": "≥100人",
                    "rule": {"method": "ratio", "direction": "positive"},
                }
            ],
        }
    )
    other = half.model_copy(
        update={"code": "GX.B", "indicators": [half.indicators[0].model_copy(update={"code": "GX.B.01"})]}
    )
    with pytest.raises(ValidationFailed, match=r"个性指标.*16 不等于其二级指标分值之和 8"):
        compose(template, pack=library.pack("pack-xingzheng-yunzhuan"), personal=[half])
    system2 = compose(template, pack=library.pack("pack-xingzheng-yunzhuan"), personal=[half, other])
    assert system2.find("GX.B.01") is not None
    again = load_library(LIBRARY).system("panzhihua-2024")
    assert again.groups[2].groups == []  # the library template is untouched
    with pytest.raises(ValidationFailed, match="分值 16 不等于其二级指标分值之和 24"):
        add_personal_group(
            system2,
            other.model_copy(
                update={
                    "code": "GX.C",
                    "indicators": [half.indicators[0].model_copy(update={"code": "GX.C.01"})],
                }
            ),
        )


def test_json_schema_is_generated_and_shipped_copy_is_current() -> None:
    schema = json_schema()
    assert "discriminator" in json.dumps(schema)
    shipped = json.loads((LIBRARY / "schema.json").read_text(encoding="utf-8"))
    assert shipped == schema, (
        "indicator_library/schema.json 已过期：运行 workbench templates --schema indicator_library/schema.json"
    )
