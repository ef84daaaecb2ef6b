"""The pieces of the 指标体系 page: the working copy's tables and forms, each saving a draft of the system
(kept with the evaluation, so nothing typed is lost), the checks of the draft, and applying it.

The working copy is the evaluation's draft when there is one, else its system. A draft never scores;
applying it carries the evidence over (``evaluation.lifecycle.change_system``) after showing which scores
change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.auth import can
from evaluation.errors import Problem, ScoringError, WorkbenchError, listed
from evaluation.formatting import number, score_text
from evaluation.indicators.client_table import read_client_table
from evaluation.indicators.editing import (
    GRADES,
    PENALTIES,
    STRUCTURE,
    SystemEdit,
    apply_group_weights,
    apply_penalties,
    apply_settings,
    apply_structure,
    group_rows,
    penalty_rows,
    problems,
    set_rule,
    structure_rows,
)
from evaluation.indicators.rules import METHOD_NAMES, CompositeRule, Rule, describe_rule, rule_weight_problems
from evaluation.indicators.system import Indicator, IndicatorSystem
from evaluation.lifecycle import change_system
from evaluation.model import Inputs
from evaluation.scoring.engine import score_rule
from evaluation.storage.templates import save_template
from ui.access import readonly
from ui.auth import require_user
from ui.feedback import FieldError, show_error
from ui.inputs import render_inputs
from ui.resources import library
from ui.rule_forms import KINDS, rule_form
from ui.saving import action, commit, save, submit, widget_key
from ui.state import Loaded

DIGITS = {0: "取整（整数分）", 1: "保留 1 位小数", 2: "保留 2 位小数", 3: "保留 3 位小数", 4: "保留 4 位小数"}
MODES = {"half_up": "四舍五入", "down": "截断（舍去）"}


def working_copy(loaded: Loaded) -> IndicatorSystem:
    ev = loaded.evaluation
    return ev.system_draft if ev.system_draft is not None else ev.system


def save_draft(eng: Engine, loaded: Loaded, system: IndicatorSystem, message: str, form: str) -> None:
    ev = loaded.evaluation
    save(eng, loaded, ev.model_copy(update={"system_draft": system}), message, form=form)


def _saved(eng: Engine, loaded: Loaded, edit: SystemEdit, message: str, form: str) -> None:
    """Save an edit's system as the draft, or show why it cannot be (the form keeps its input)."""
    if edit.system is None or edit.problems:
        st.error(
            "未暂存，以下内容有误：\n\n"
            + "\n".join(f"- {line}" for line in listed([located(p) for p in edit.problems]))
        )
        return
    notes = "".join(f"\n\n- {n}" for n in edit.notes)
    save_draft(eng, loaded, edit.system, message + ("识别的评分规则：" + notes if notes else ""), form)


def located(p: Problem) -> str:
    return f"{p.field}：{p.message}" if p.field else p.message


def overview(system: IndicatorSystem) -> None:
    cols = st.columns(len(system.groups) + 1)
    for box, l1 in zip(cols, system.groups, strict=False):
        declared = l1.weight if l1.weight is not None else l1.total_weight
        off = None if declared == l1.total_weight else f"声明 {number(declared)} 分"
        box.metric(l1.name, f"{number(l1.total_weight)} 分", off, delta_color="off")
    total = sum((l1.weight if l1.weight is not None else l1.total_weight for l1 in system.groups), Decimal(0))
    cols[-1].metric("合计", f"{number(total)} / {number(system.total)} 分")
    rounding = f"得分{system.rounding.describe()}；等级：" + "，".join(
        f"{g.name} ≥ {number(g.min)}" for g in system.grades
    )
    st.caption(rounding)


# --------------------------------------------------------------------------- tabs


def structure_tab(eng: Engine, loaded: Loaded, work: IndicatorSystem) -> None:
    st.caption(
        "每行一个三级指标；一级、二级指标按名称归组（留空表示与上一行相同），改序号即调整顺序，可增删行。"
        "新指标或改写了“评分标准”的指标，按评分标准的文字自动识别评分规则（识别不了的按直接评分），"
        "之后可在“评分规则”中逐项调整。"
    )
    with st.form("structure"):
        frame = pd.DataFrame(structure_rows(work), columns=list(STRUCTURE))
        edited = st.data_editor(
            frame,
            num_rows="dynamic",
            width="stretch",
            key=widget_key(loaded, "structure.table"),
            column_config={
                "序号": st.column_config.NumberColumn(width="small"),
                "分值": st.column_config.NumberColumn(min_value=0.0, step=0.5),
                "编码": st.column_config.TextColumn(help="留空自动编码；已有评分记录的指标请勿改编码"),
                "指标解释": st.column_config.TextColumn(width="medium"),
                "评分标准": st.column_config.TextColumn(width="large"),
                "评分方法": st.column_config.TextColumn(disabled=True, help="按评分规则显示，在“评分规则”中修改"),
            },
            placeholder="",
        )
        submitted = submit("暂存指标", form="structure", type="primary", disabled=readonly())
    if submitted:
        _saved(eng, loaded, apply_structure(work, edited.to_dict("records")), "已暂存指标。", "structure")


def groups_tab(eng: Engine, loaded: Loaded, work: IndicatorSystem) -> None:
    st.caption("声明分值即客户表格中“产出指标（50分）”这样的标注；留空表示取下级之和。声明与下级合计不符时下方会列出。")
    with st.form("groups"):
        edited = st.data_editor(
            pd.DataFrame(group_rows(work)),
            width="stretch",
            key=widget_key(loaded, "groups.table"),
            disabled=["层级", "一级指标", "二级指标", "下级合计"],
            column_config={"声明分值": st.column_config.NumberColumn(min_value=0.0, step=0.5)},
            placeholder="",
        )
        submitted = submit("暂存分组分值", form="groups", type="primary", disabled=readonly())
    if submitted:
        _saved(eng, loaded, apply_group_weights(work, edited.to_dict("records")), "已暂存分组分值。", "groups")


def penalties_tab(eng: Engine, loaded: Loaded, work: IndicatorSystem) -> None:
    st.caption(
        "扣分项从总分中扣除：每发现一个问题扣几分，本项最多扣几分，全部扣分项合计最多扣几分。没有扣分项时删去所有行。"
    )
    with st.form("penalties"):
        edited = st.data_editor(
            pd.DataFrame(penalty_rows(work), columns=list(PENALTIES)),
            num_rows="dynamic",
            width="stretch",
            key=widget_key(loaded, "penalties.table"),
            column_config={
                "编码": st.column_config.TextColumn(help="留空自动编码"),
                "评分说明": st.column_config.TextColumn(width="large"),
            },
            placeholder="",
        )
        cap = work.penalties.cap if work.penalties is not None else None
        total_cap = st.text_input(
            "扣分项合计最多扣（分）", "" if cap is None else number(cap), key=widget_key(loaded, "penalties.cap")
        )
        submitted = submit("暂存扣分项", form="penalties", type="primary", disabled=readonly())
    if submitted:
        _saved(eng, loaded, apply_penalties(work, edited.to_dict("records"), total_cap), "已暂存扣分项。", "penalties")


def settings_tab(eng: Engine, loaded: Loaded, work: IndicatorSystem) -> None:
    st.caption("取舍规则用于每个指标的得分（总分为各指标得分之和）；评分、报告、Excel 与复核都按这里的设置。")
    with st.form("settings"):
        c1, c2 = st.columns([3, 1])
        name = c1.text_input("指标体系名称", work.name, key=widget_key(loaded, "settings.name"))
        total = c2.text_input("总分", number(work.total), key=widget_key(loaded, "settings.total"))
        c1, c2 = st.columns(2)
        digits = c1.selectbox(
            "得分保留位数",
            list(DIGITS),
            index=work.rounding.digits,
            format_func=lambda k: DIGITS[k],
            key=widget_key(loaded, "settings.digits"),
        )
        mode = c2.radio(
            "取舍方式",
            list(MODES),
            index=list(MODES).index(work.rounding.mode),
            format_func=lambda k: MODES[k],
            horizontal=True,
            key=widget_key(loaded, "settings.mode"),
        )
        grades = st.data_editor(
            pd.DataFrame([{"等级": g.name, "最低分": float(g.min)} for g in work.grades], columns=list(GRADES)),
            num_rows="dynamic",
            key=widget_key(loaded, "settings.grades"),
            placeholder="",
        )
        submitted = submit("暂存取舍与等级", form="settings", type="primary", disabled=readonly())
    if submitted:
        edit = apply_settings(
            work, name=name, total=total, digits=int(digits or 0), mode=str(mode), grades=grades.to_dict("records")
        )
        _saved(eng, loaded, edit, "已暂存取舍与等级。", "settings")


def rules_tab(eng: Engine, loaded: Loaded, work: IndicatorSystem) -> None:
    inds = {ind.code: ind for _, _, ind in work.indicators()}
    code = st.selectbox(
        "指标",
        list(inds),
        format_func=lambda c: f"{inds[c].name}（{number(inds[c].weight)} 分，{c}）",
        key=f"rules.pick@{loaded.evaluation.id}",
    )
    ind = inds[code]
    st.markdown(f"**评分标准原文**：{ind.rule_text or '（无）'}")
    st.markdown(f"**现行规则**：{ind.rule_in_words()}")
    for p in rule_weight_problems(ind.rule, ind.weight):
        st.warning(p)
    kind = (
        st.selectbox(
            "评分方法",
            list(KINDS),
            index=list(KINDS).index(ind.rule.method),
            format_func=lambda k: KINDS[k],
            key=f"rules.kind@{loaded.evaluation.id}@{code}",
        )
        or ind.rule.method
    )
    form = f"rule{code.replace('.', '_')}"
    with st.form(form):
        build = rule_form(kind, ind.rule, ind.weight, lambda name: widget_key(loaded, f"{form}.{name}"))
        submitted = submit("暂存规则", form=form, type="primary", disabled=readonly())
    if submitted:
        try:
            rule: Any = _validate_rule(build())
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            save_draft(
                eng,
                loaded,
                set_rule(work, code, rule),
                f"已暂存“{ind.name}”的评分规则：{rule_in_words(rule, ind)}",
                form,
            )
    if isinstance(ind.rule, CompositeRule):
        composite_parts(eng, loaded, work, ind)
    trial(loaded, ind)


RULE: TypeAdapter[Any] = TypeAdapter(Rule)


def _validate_rule(data: dict[str, Any]) -> Any:
    return RULE.validate_python(data)


def rule_in_words(rule: Any, ind: Indicator) -> str:
    return describe_rule(rule, ind.weight)


def composite_parts(eng: Engine, loaded: Loaded, work: IndicatorSystem, ind: Indicator) -> None:
    """One part of a 组合评分 at a time: its own rule kind and parameters."""
    assert isinstance(ind.rule, CompositeRule)
    st.markdown("**组合评分的部分**")
    parts = {p.key: p for p in ind.rule.parts}
    key = st.selectbox(
        "部分",
        list(parts),
        format_func=lambda k: f"{parts[k].name}（{number(parts[k].weight)} 分）",
        key=f"rules.part@{loaded.evaluation.id}@{ind.code}",
    )
    part = parts[key]
    kind = part.rule.method  # chosen in the parts table above
    form = f"part{ind.code.replace('.', '_')}_{key}"
    with st.form(form):
        build = rule_form(kind, part.rule, part.weight, lambda name: widget_key(loaded, f"{form}.{name}"))
        submitted = submit("暂存这一部分的规则", form=form, disabled=readonly())
    if submitted:
        try:
            data = ind.rule.model_dump(mode="python")
            for p in data["parts"]:
                if p["key"] == key:
                    p["rule"] = build()
            rule = _validate_rule(data)
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            save_draft(
                eng, loaded, set_rule(work, ind.code, rule), f"已暂存“{ind.name}”部分“{part.name}”的规则。", form
            )


def trial(loaded: Loaded, ind: Indicator) -> None:
    """Score an example input under the rule as it stands now (nothing is saved)."""
    st.markdown("**试算**：填一组示例输入，看这条规则给几分。")
    with st.form(f"trial{ind.code.replace('.', '_')}"):
        collect = render_inputs(ind.rule, ind.weight, ind.target, Inputs(), f"trial@{loaded.evaluation.id}@{ind.code}@")
        tried = st.form_submit_button("试算")
    if tried:
        try:
            outcome = score_rule(ind.rule, ind.weight, collect(), code=ind.code, target_text=ind.target)
        except ScoringError as e:
            st.error(f"无法计算：{e.detail}")
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            st.success(f"试算得分 {number(outcome.score)} 分：{outcome.explanation}")


def import_tab(eng: Engine, loaded: Loaded) -> None:
    st.caption(
        "上传客户给的指标体系表（.xlsx 或 .docx：一级/二级/三级指标、分值、指标解释、评分标准等列），"
        "读入为本评价的指标体系草稿；每个指标的评分规则按评分标准的文字识别，识别结果逐行列出。"
    )
    upload = st.file_uploader(
        "客户指标体系表（不超过 20 MB）", type=["xlsx", "docx"], key=f"import.file@{loaded.evaluation.id}"
    )
    if upload is None:
        return
    read = read_client_table(upload.name, upload.getvalue(), system_id=loaded.evaluation.system.id)
    if read.rows:
        scored = [r for r in read.rows if not r.penalty]
        manual = sum(r.method == METHOD_NAMES["manual"] for r in scored)
        total = sum((r.weight or Decimal(0) for r in scored), Decimal(0))
        st.info(
            f"读入 {len(scored)} 个指标，合计 {number(total)} 分"
            + (f"，扣分项 {len(read.rows) - len(scored)} 个" if len(read.rows) > len(scored) else "")
            + f"；{len(scored) - manual} 个已按评分标准识别出计算规则，{manual} 个为直接评分（可在“评分规则”中改）。"
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "位置": r.where,
                        "三级指标": r.name,
                        "分值": number(r.weight),
                        "识别为": r.method,
                        "规则": r.words,
                        "说明": "；".join(r.notes),
                    }
                    for r in read.rows
                ]
            ),
            hide_index=True,
            width="stretch",
            placeholder="",
        )
    for line in listed(read.problems):
        st.warning(line)
    if read.system is not None and action("用读入的体系替换草稿", form="import", disabled=readonly()):
        message = f"已读入“{read.title or upload.name}”为草稿（{len(read.rows)} 行）。"
        save_draft(eng, loaded, read.system, message, "import")


# --------------------------------------------------------------------------- checks and applying


def checks(work: IndicatorSystem) -> list[Problem]:
    found = problems(work)
    if found:
        st.error("指标体系还不能应用：\n\n" + "\n".join(f"- {located(p)}" for p in found))
    else:
        st.success("指标体系完整：各级分值相符，编码唯一，规则与分值一致。")
    return found


def apply_draft(eng: Engine, loaded: Loaded, draft: IndicatorSystem, blocked: bool) -> None:
    ev = loaded.evaluation
    change = change_system(ev, draft, loaded.result)
    st.subheader("应用草稿")
    st.write(f"应用后总分 {number(change.total_before)} → {number(change.total_after)} 分。")
    if change.changes:
        st.dataframe(
            pd.DataFrame(
                [
                    {"指标": c.name, "原得分": score_text(c.before), "新得分": score_text(c.after), "原因": c.why}
                    for c in change.changes
                ]
            ),
            hide_index=True,
            width="stretch",
            placeholder="",
        )
    with st.form("apply"):
        confirm = True
        if change.touches_evidence:
            confirm = st.checkbox(
                "我已查看上表中已评指标的得分变化"
                + (f"；{len(change.removed)} 项指标删除，其评分记录一并删除" if change.removed else "")
                + (f"；{len(change.reset)} 项评分规则改变，评分输入清空（证据与评分过程保留）" if change.reset else "")
                + "。",
                key=widget_key(loaded, "apply.confirm"),
            )
        c1, c2 = st.columns(2)
        applied = submit("应用到本评价", form="apply", where=c1, type="primary", disabled=blocked or readonly())
        dropped = submit("放弃草稿", form="apply.drop", where=c2, disabled=readonly())
    if applied and not confirm:
        st.error("未应用：请先勾选确认。")
    elif applied:
        try:
            save(eng, loaded, change.evaluation, "已应用新的指标体系。", form="apply", sync_assessments=True)
        except WorkbenchError as e:  # pragma: no cover - save shows its own errors
            show_error(e)
    if dropped:
        save(eng, loaded, ev.model_copy(update={"system_draft": None}), "已放弃草稿。", form="apply.drop")


def save_as_template(eng: Engine, loaded: Loaded) -> None:
    """Keep this evaluation's system (as applied, not the draft) as an agency template for later commissions."""
    system = loaded.evaluation.system
    if not can(require_user().role, "manage_templates"):
        return
    with st.expander("存为机构模板", icon=":material/bookmark_add:"), st.form("as_template"):
        st.caption("把本评价当前应用的指标体系存入机构模板库，以后新建评价时可直接选用（不含草稿中的修改）。")
        c1, c2 = st.columns([1, 2])
        key = c1.text_input("模板编号", system.id, key=widget_key(loaded, "as_template.id"))
        name = c2.text_input("模板名称", system.name, key=widget_key(loaded, "as_template.name"))
        replace = st.checkbox("编号已存在时覆盖", key=widget_key(loaded, "as_template.replace"))
        saved = submit("存入机构模板库", form="as_template")
    if saved:
        data = {**system.model_dump(), "id": key.strip(), "name": name.strip()}

        def write(session: Session) -> None:
            template = IndicatorSystem.model_validate(data)
            save_template(session=session, system=template, user=require_user(), library=library(), replace=replace)

        commit(eng, write, f"已存入机构模板库：“{name.strip()}”（{key.strip()}）。", form="as_template")
