"""指标库: the shipped templates, 专用指标包 and 个性指标示例, and the agency's own templates, each with its
rules in words and its downloads; a client's indicator table read in and kept as an agency template; an
uploaded template file validated with every problem listed."""

import streamlit as st

from evaluation.errors import ValidationFailed, listed
from evaluation.files.data import parse_text
from evaluation.indicators.library import parse_item
from evaluation.indicators.system import IndicatorSystem, Pack, PersonalSet
from evaluation.limits import PROBLEMS_LISTED
from evaluation.storage.db import session_scope
from evaluation.storage.templates import list_templates
from ui.guard import page_setup
from ui.library import client_table_import, delete_button, downloads, show_item
from ui.resources import library
from ui.state import show_flash

eng = page_setup()
st.title("指标库")
show_flash()
lib = library()
with session_scope(eng) as session:
    own = {t.key: t.system for t in list_templates(session=session)}
st.caption(
    f"指标体系 {len(lib.systems)} 个，专用指标包 {len(lib.packs)} 个，个性指标示例 {len(lib.personal)} 个，"
    f"机构模板 {len(own)} 个。新建评价时从这里选择；评价保存自己的指标体系快照，修改评价不会改动指标库。"
)
kind = st.segmented_control(
    "类别", ["指标体系", "机构模板", "专用指标包", "个性指标示例"], default="指标体系", key="lib_kind"
)
sources: dict[str, dict[str, IndicatorSystem] | dict[str, Pack] | dict[str, PersonalSet]] = {
    "指标体系": lib.systems,
    "机构模板": own,
    "专用指标包": lib.packs,
    "个性指标示例": lib.personal,
}
catalogue: dict[str, IndicatorSystem | Pack | PersonalSet] = dict(sources.get(str(kind), lib.systems))
if not catalogue:
    st.info("机构模板库还是空的：可在下方导入客户的指标体系表，或在某个评价的“指标体系”页把它的体系存为机构模板。")
item_id = st.selectbox("选择", list(catalogue), format_func=lambda k: f"{catalogue[k].name}（{k}）", key="lib_item")
if item_id is not None and item_id in catalogue:
    item = catalogue[item_id]
    show_item(item)
    if isinstance(item, IndicatorSystem):
        downloads(eng, item, f"lib.{item_id}")
    if kind == "机构模板":
        delete_button(eng, item_id, item.name)

st.subheader("导入客户指标体系表")
client_table_import(eng, lib)

st.subheader("校验指标模板文件")
st.caption("上传 YAML 或 JSON 格式的指标体系、专用指标包或个性指标示例，列出全部问题（不会写入指标库）。")
upload = st.file_uploader("模板文件（不超过 5 MB）", type=["yaml", "yml", "json"], key="lib_upload")
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
            + "\n".join(f"{i}. {p}" for i, p in enumerate(problems[:PROBLEMS_LISTED], 1))
            + "".join(f"\n\n{line}" for line in listed(problems)[PROBLEMS_LISTED:])
        )
    elif parsed is not None:
        kind_label = {"system": "指标体系", "pack": "专用指标包", "personal": "个性指标示例"}[parsed.kind]
        st.success(f"“{upload.name}”校验通过：{kind_label}“{parsed.name}”（{parsed.id}）。")
