"""Editing an evaluation's indicator system as the 指标体系 page's tables and forms produce it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.editing import (
    apply_group_weights,
    apply_penalties,
    apply_settings,
    apply_structure,
    blank_system,
    group_rows,
    penalty_rows,
    problems,
    set_rule,
    structure_rows,
)
from evaluation.indicators.rules import BandsRule, DeductionRule
from evaluation.indicators.system import IndicatorSystem
from tests.conftest import SAMPLES

D = Decimal


@pytest.fixture
def system() -> IndicatorSystem:
    return load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml").system


def test_the_table_round_trips_to_the_same_system(system: IndicatorSystem) -> None:
    edit = apply_structure(system, structure_rows(system))
    assert edit.ok and edit.system == system and edit.notes == ()


def test_a_new_row_derives_its_rule_from_its_wording_and_gets_a_code(system: IndicatorSystem) -> None:
    rows = structure_rows(system)
    rows[-1]["分值"] = 4.0  # 招商引资规模 8 → 4 and a new 4-point indicator in the same group
    rows.append(
        {
            "一级指标": rows[-1]["一级指标"],
            "二级指标": rows[-1]["二级指标"],
            "三级指标": "签约项目落地率",
            "分值": 4,
            "评分标准": "落地率≥80%得4分；60%（含）-80%得2分；60%以下不得分",
        }
    )
    edit = apply_structure(system, rows)
    assert edit.ok, edit.problems
    assert edit.system is not None
    found = [ind for _, _, ind in edit.system.indicators() if ind.name == "签约项目落地率"]
    assert len(found) == 1 and isinstance(found[0].rule, BandsRule) and found[0].code == "N1"
    assert edit.notes and "“签约项目落地率”：区间分档法" in edit.notes[0]
    assert problems(edit.system) == []  # 8 points in the group as before


def test_groups_come_from_names_blank_cells_carry_down_and_order_follows_the_number() -> None:
    base = blank_system()
    rows: list[dict[str, Any]] = [
        {"序号": 3, "一级指标": "效益", "二级指标": "满意度", "三级指标": "群众满意度", "分值": 40},
        {"序号": 1, "一级指标": "产出", "二级指标": "数量", "三级指标": "完成户数", "分值": 30},
        {"序号": 2, "一级指标": "", "二级指标": "", "三级指标": "完成村数", "分值": 30},
    ]
    edit = apply_structure(base, rows)
    assert edit.ok and edit.system is not None
    assert [(g.name, [x.name for x in g.groups]) for g in edit.system.groups] == [
        ("产出", ["数量"]),
        ("效益", ["满意度"]),
    ]
    assert [ind.name for _, _, ind in edit.system.indicators()] == ["完成户数", "完成村数", "群众满意度"]
    assert problems(edit.system) == []


def test_sums_that_do_not_add_up_are_named_with_their_place(system: IndicatorSystem) -> None:
    rows = structure_rows(system)
    rows[0]["分值"] = 7.0  # 决策程序 6 → 7
    edit = apply_structure(system, rows)
    assert edit.ok and edit.system is not None
    assert [str(p) for p in problems(edit.system)] == ["二级指标“项目决策”分值 18 不等于其三级指标分值之和 19"]
    rows[1]["分值"] = 5.0  # 规划论证 6 → 5: the group adds up again, but its own parts still make 6
    fixed = apply_structure(system, rows)
    assert fixed.system is not None
    assert [str(p) for p in problems(fixed.system)] == [
        "字段 三级指标“规划论证”：组合评分各部分分值之和 6 不等于指标分值 5"
    ]


def test_bad_rows_are_located_and_nothing_else_is_lost(system: IndicatorSystem) -> None:
    rows = structure_rows(system)
    rows[1]["分值"] = "六分半"
    rows[2]["三级指标"] = ""
    rows[3]["编码"] = rows[0]["编码"]
    rows[4]["编码"] = "坏 编码"
    edit = apply_structure(system, rows)
    messages = [str(p) for p in edit.problems]
    assert any("指标表第 2 行" in m and "“六分半”不是数字" in m for m in messages), messages
    assert any("指标表第 3 行" in m and "缺少三级指标" in m for m in messages), messages
    assert any("重复" in m for m in messages) and any("只能由字母" in m for m in messages)


def test_group_weights_are_declared_or_summed(system: IndicatorSystem) -> None:
    rows = group_rows(system)
    assert rows[0] == {"层级": "一级", "一级指标": "通用指标", "二级指标": "", "声明分值": 54.0, "下级合计": 54.0}
    rows[0]["声明分值"] = 50
    edit = apply_group_weights(system, rows)
    assert edit.ok and edit.system is not None
    assert any("分值 50 不等于其二级指标分值之和 54" in str(p) for p in problems(edit.system))
    rows[0]["声明分值"] = None  # blank: the sum of its groups
    summed = apply_group_weights(system, rows)
    assert summed.system is not None and summed.system.groups[0].weight is None and problems(summed.system) == []
    rows[0]["声明分值"] = "五十"
    assert "“五十”不是数字" in str(apply_group_weights(system, rows).problems[0])


def test_penalties_settings_and_one_rule(system: IndicatorSystem) -> None:
    rows = penalty_rows(system)
    assert [r["扣分项"] for r in rows] == ["绩效管理存在问题", "被评价部门配合度"]
    rows.append({"扣分项": "资料造假", "每个问题扣分": 5, "本项上限": 5})
    edit = apply_penalties(system, rows, 10)
    assert edit.ok and edit.system is not None and len(edit.system.penalty_items()) == 3
    assert "合计最多扣几分" in str(apply_penalties(system, rows, "").problems[0])
    none = apply_penalties(system, [], "")
    assert none.ok and none.system is not None and none.system.penalties is None

    grades = [{"等级": "优秀", "最低分": 85}, {"等级": "合格", "最低分": 60}, {"等级": "不合格", "最低分": 0}]
    s = apply_settings(system, name="客户体系", total=100, digits=0, mode="half_up", grades=grades)
    assert s.ok and s.system is not None
    assert s.system.rounding.digits == 0 and s.system.grade_for(D("85")) == "优秀" and s.system.name == "客户体系"
    bad = apply_settings(system, name="x", total=100, digits=2, mode="down", grades=[{"等级": "优", "最低分": 90}])
    assert bad.system is None and "最低等级的阈值须为 0" in str(bad.problems[0])

    changed = set_rule(system, "TY.JC.01", DeductionRule(method="deduction", points_per_finding=D(2)))
    found = changed.find("TY.JC.01")
    assert found is not None and found[2].rule == DeductionRule(method="deduction", points_per_finding=D(2))
    assert found[2].method_label == "缺（错）项扣分法"


def test_the_blank_system_is_a_valid_start() -> None:
    blank = blank_system("eval-2024-9", "某项目指标体系")
    assert problems(blank) == [] and blank.total == 100 and len(list(blank.indicators())) == 1


def test_the_documents_column_edits_the_list_and_its_absence_keeps_it(system: IndicatorSystem) -> None:
    rows = structure_rows(system)
    assert rows[0]["资料清单"] == "立项申请与批复文件；集体决策会议纪要；项目调整或延续的审批文件"
    rows[0]["资料清单"] = "立项批复\n会议纪要；；"
    edit = apply_structure(system, rows)
    assert edit.ok and edit.system is not None
    found = edit.system.find("TY.JC.01")
    assert found is not None and found[2].documents == ["立项批复", "会议纪要"]
    without = [{k: v for k, v in row.items() if k != "资料清单"} for row in structure_rows(system)]
    kept = apply_structure(system, without)
    assert kept.ok and kept.system == system
