"""指标库: browse the templates, 专用指标包 and 个性指标示例 with their rules in words; validate an
uploaded template file and list every problem it has."""

import pandas as pd
import streamlit as st

from evaluation.errors import ValidationFailed
from evaluation.files.data import parse_text
from evaluation.formatting import number
from evaluation.indicators.library import parse_item
from evaluation.indicators.system import Group, IndicatorSystem, Pack, PersonalSet
from ui.guard import page_setup
from ui.resources import library


def group_rows(level1: str, groups: list[Group]) -> list[dict[str, str]]:
    return [
        {
            "一级指标": level1,
            "二级指标": f"{g.name}（{number(g.total_weight)}）",
            "三级指标": ind.name,
            "编码": ind.code,
            "分值": number(ind.weight),
            "目标值": ind.target,
            "评分方法": ind.method_label,
            "规则": ind.rule_in_words(),
            "指标解释": ind.explanation,
        }
        for g in groups
        for ind in g.indicators
    ]


page_setup()
st.title("指标库")
lib = library()
st.caption(
    f"指标体系 {len(lib.systems)} 个，专用指标包 {len(lib.packs)} 个，个性指标示例 {len(lib.personal)} 个。"
    "新建评价时从这里选择；评价保存自己的指标体系快照，修改评价不会改动指标库。"
)
kind = st.segmented_control("类别", ["指标体系", "专用指标包", "个性指标示例"], default="指标体系", key="lib_kind")
catalogue: dict[str, IndicatorSystem | Pack | PersonalSet] = {}
if kind == "专用指标包":
    catalogue.update(lib.packs)
elif kind == "个性指标示例":
    catalogue.update(lib.personal)
else:
    catalogue.update(lib.systems)
item_id = st.selectbox("选择", list(catalogue), format_func=lambda k: f"{catalogue[k].name}（{k}）", key="lib_item")
if item_id is not None:
    item = catalogue[item_id]
    st.subheader(item.name)
    if item.description:
        st.write(item.description)
    rows: list[dict[str, str]] = []
    if isinstance(item, IndicatorSystem):
        st.caption(
            f"总分 {number(item.total)}；等级："
            + "，".join(f"{g.name} ≥ {number(g.min)}" for g in item.grades)
            + f"；取舍：{item.rounding.describe()}"
        )
        for l1 in item.groups:
            label = f"{l1.name}（{number(l1.weight if l1.weight is not None else l1.total_weight)}）"
            if l1.slot is not None and not l1.groups:
                filler = "由专用指标包填充" if l1.slot == "pack" else "由本评价的个性指标填充"
                rows.append({"一级指标": label, "二级指标": f"（{filler}）", "三级指标": "", "编码": l1.code})
            rows += group_rows(label, l1.groups)
        for p in item.penalty_items():
            rows.append({"一级指标": "扣分项", "三级指标": p.name, "编码": p.code, "规则": p.rule_text})
    else:
        if isinstance(item, Pack):
            st.caption(f"项目类别：{item.category}；分值 {number(item.weight)}")
        rows = group_rows(item.name, item.groups)
    table = pd.DataFrame(rows).fillna("")
    st.table(table.set_index("编码") if "编码" in table else table, border="horizontal")

st.subheader("校验指标模板文件")
st.caption("上传 YAML 或 JSON 格式的指标体系、专用指标包或个性指标示例，列出全部问题（不会写入指标库）。")
upload = st.file_uploader("模板文件", type=["yaml", "yml", "json"], key="lib_upload", max_upload_size=5)
if upload is not None:
    try:
        data = parse_text(upload.getvalue().decode("utf-8"), upload.name, json_format=upload.name.endswith(".json"))
        parsed, problems = parse_item(data, upload.name)
    except UnicodeDecodeError:
        parsed, problems = None, []
        st.error(f"文件“{upload.name}”不是 UTF-8 编码的文本")
    except ValidationFailed as e:
        parsed, problems = None, e.problems
    if problems:
        st.error(
            f"“{upload.name}”校验未通过，共 {len(problems)} 处问题：\n\n"
            + "\n".join(f"{i}. {p}" for i, p in enumerate(problems, 1))
        )
    elif parsed is not None:
        kind_label = {"system": "指标体系", "pack": "专用指标包", "personal": "个性指标示例"}[parsed.kind]
        st.success(f"“{upload.name}”校验通过：{kind_label}“{parsed.name}”（{parsed.id}）。")
