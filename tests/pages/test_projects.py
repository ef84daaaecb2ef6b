"""评价项目 and 项目信息 pages through their widgets: list and filters, create, duplicate, delete, edit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from evaluation.auth import SYSTEM
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import list_department_summaries, list_evaluations, save_department_summary
from tests.conftest import SAMPLES
from tests.pages.support import (
    SAMPLE,
    button,
    by_label,
    edit_table,
    new_app,
    open_new_form,
    open_page,
    picker,
    stored,
    texts,
)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def test_filters_narrow_the_list(app: AppTest) -> None:
    app.run()
    assert len(app.dataframe[0].value) == 13
    by_label(app.multiselect, "年度").set_value([2023]).run()
    table = app.dataframe[0].value
    assert list(table["评价编号"]) == [SAMPLE]
    assert "筛选后显示 1 个" in app.caption[0].value
    by_label(app.multiselect, "年度").set_value([]).run()
    by_label(app.text_input, "搜索").set_value("体检").run()
    assert set(app.dataframe[0].value["项目名称"]) == {"2024年干部体检财政补贴资金"}


def test_department_reports_are_one_table_of_what_they_state(app: AppTest, tmp_path: Path) -> None:
    """评价项目 lists the 部门自评报告 as one sortable table — the figures each report states, newest year first — not
    a paragraph per report (a 财政局 holds hundreds)."""
    app.run()
    stated = yaml.safe_load((SAMPLES / "hengkou" / "department-2024.yaml").read_text(encoding="utf-8"))
    table = next(d.value for d in app.dataframe if "报告" in d.value.columns)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["主管部门"], row["年度"], row["报告"]) == (stated["department"], stated["year"], stated["title"])
    assert row["所载项目（个）"] == stated["stated"]["project_count"] == 11
    assert Decimal(row["资金（万元）"]) == Decimal(str(stated["stated"]["total_budget"]))
    assert Decimal(row["支出（万元）"]) == Decimal(str(stated["stated"]["spent"]))
    assert row["执行率"] == stated["stated"]["rate"]
    assert row["所列自评记录"] == sum(1 for p in stated["projects"] if p.get("evaluation_id"))
    engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as s:
            base = list_department_summaries(session=s)[0]
            later = base.model_copy(
                update={"id": "dongqu-2025-dept", "department": "东区财政局", "year": 2025, "title": "", "projects": []}
            )
            save_department_summary(session=s, summary=later, user=SYSTEM)
    finally:
        engine.dispose()
    app.run()
    table = next(d.value for d in app.dataframe if "报告" in d.value.columns)
    assert list(table["报告"]) == ["2025年度东区财政局自评报告", stated["title"]]
    assert list(table["所列自评记录"]) == [0, row["所列自评记录"]]
    assert any("共 2 份" in c.value for c in app.caption)


def test_a_consultant_sees_only_the_department_reports_of_their_evaluations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member of the Panzhihua evaluation only (东区经济合作局) sees no report of 招商局, the department of the
    sample report; the list and the reports are both limited to what the consultant may read."""
    at = new_app(tmp_path, monkeypatch, role="评价人员", member_of=(SAMPLE,))
    at.run()
    assert not at.exception, at.exception
    assert [list(d.value["评价编号"]) for d in at.dataframe if "评价编号" in d.value.columns] == [[SAMPLE]]
    assert not [d for d in at.dataframe if "报告" in d.value.columns]
    assert "部门自评报告" not in [h.value for h in at.subheader]


def test_create_from_the_panzhihua_template(app: AppTest, tmp_path: Path) -> None:
    open_new_form(app)
    by_label(app.text_input, "项目名称").set_value("2025年招商推介活动经费")
    by_label(app.text_input, "主管部门").set_value("东区经济合作局")
    by_label(app.number_input, "预算年度").set_value(2025)
    by_label(app.selectbox, "专用指标包").set_value("pack-zhaoshang-yinzi")
    by_label(app.multiselect, "个性指标示例").set_value(["personal-zhaoshang"])
    button(app, "新建").click().run()
    assert not app.exception, app.exception
    assert "已新建评价“2025年招商推介活动经费”（编号 eval-2025-1）" in texts(app)
    ev = stored(tmp_path, "eval-2025-1")
    assert ev.project.category == "招商引资工作"
    assert [g.code for g in ev.system.groups] == ["TY", "ZY", "GX"]
    assert ev.system.groups[1].groups[0].code == "ZY.ZSGZ"
    assert sum(i.weight for _, _, i in ev.system.indicators()) == 100
    assert app.dataframe[0].value.iloc[0]["评价编号"] == "eval-2025-1"
    # the new evaluation is now the current one on every page
    assert app.session_state["wb_current_evaluation"] == "eval-2025-1"
    # 查看得分情况 names the new one, whose figures are those of an evaluation not scored yet (not 0 / 差)
    assert picker(app, "home_pick").value == "eval-2025-1"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"评价得分": "未评", "等级": "未完成", "已评指标": "0/18"}
    listed = app.dataframe[0].value.iloc[0]
    assert (listed["等级"], listed["进度"]) == ("未完成", "0/18") and listed.isna()["得分"]
    # and the form is empty again, so a second click does not create it twice
    assert by_label(app.text_input, "项目名称").value == ""


def test_create_without_personal_examples_gets_a_placeholder(app: AppTest, tmp_path: Path) -> None:
    open_new_form(app)
    by_label(app.text_input, "项目名称").set_value("办公经费")
    by_label(app.text_input, "主管部门").set_value("某局")
    by_label(app.selectbox, "专用指标包").set_value("pack-xingzheng-yunzhuan")
    button(app, "新建").click().run()
    ev = stored(tmp_path, "eval-2024-1")
    personal = ev.system.groups[2].groups[0].indicators
    assert [(i.name, i.weight, i.rule.method) for i in personal] == [("个性指标（待设置）", 16, "manual")]


def test_create_refuses_missing_fields_and_writes_nothing(app: AppTest) -> None:
    open_new_form(app)
    by_label(app.selectbox, "专用指标包").set_value("pack-zhaoshang-yinzi")
    button(app, "新建").click().run()
    assert "名称：不能为空" in texts(app)
    assert len(app.dataframe[0].value) == 13
    # without a pack the 专用 slot cannot be filled: the message names it
    by_label(app.text_input, "项目名称").set_value("办公经费")
    by_label(app.text_input, "主管部门").set_value("某局")
    by_label(app.selectbox, "专用指标包").set_value(None)
    button(app, "新建").click().run()
    assert "一级指标“专用指标”需要选择一个专用指标包" in texts(app)
    assert len(app.dataframe[0].value) == 13


def test_duplicate_for_next_year_and_delete_with_confirmation(app: AppTest, tmp_path: Path) -> None:
    app.run()
    button(app, "复制").click().run()
    assert not app.exception, app.exception
    copy = stored(tmp_path, "eval-2024-1")
    assert copy.project.year == 2024 and copy.project.name == "招商引资工作经费"
    assert copy.assessments == [] and copy.problems == []
    assert [e.category for e in copy.facts.funds.breakdown][:2] == ["办公费", "印刷费"]
    assert copy.facts.funds.spent is None
    assert len(app.dataframe[0].value) == 14
    # delete: the button stays disabled until the key is typed
    assert app.session_state["wb_current_evaluation"] == "eval-2024-1"
    assert button(app, "确认删除").disabled
    app.text_input(key="delete_confirm").set_value("eval-2024-1").run()
    button(app, "确认删除").click().run()
    assert "已删除评价" in texts(app)
    assert len(app.dataframe[0].value) == 13


def test_project_form_saves_funds_with_totals_and_warns_on_mismatch(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "project")
    key = f"funds.breakdown@{SAMPLE}"
    edit_table(app, key, edited={0: {"金额（万元）": 3.12}}, added=[{"支出类别": "培训费", "金额（万元）": 1.5}])
    by_label(app.text_input, "实际支出").set_value("220")
    funds_button = next(b for b in app.form_submit_button if b.form_id == "funds")
    funds_button.click().run()
    assert not app.exception, app.exception
    ev = stored(tmp_path)
    items = {e.category: e.amount for e in ev.facts.funds.breakdown}
    assert items["办公费"] == Decimal("3.12") and items["培训费"] == Decimal("1.5")
    assert "已保存资金情况" in texts(app)
    # 合计 is 220 + 1 + 1.5 = 222.50, which no longer matches 实际支出 220
    assert "支出明细合计 222.50 万元与实际支出 220.00 万元不一致（相差 2.50 万元）" in texts(app)
    table = next(d.value for d in app.dataframe if "占比" in d.value.columns)
    assert table.iloc[-1].to_dict() == {"支出类别": "合计", "金额（万元）": "222.50", "占比": "100.00%"}
    assert table[table["支出类别"] == "劳务费"].iloc[0]["占比"] == "36.46%"


def test_project_form_refuses_a_negative_amount_and_keeps_the_input(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "project")
    by_label(app.text_input, "实际到位资金").set_value("-5")
    next(b for b in app.form_submit_button if b.form_id == "funds").click().run()
    assert "“实际到位资金”：金额不能为负数" in texts(app)
    assert by_label(app.text_input, "实际到位资金").value == "-5"
    assert stored(tmp_path).facts.funds.received == Decimal(220)


def test_project_cover_edit_and_bad_month(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "project")
    by_label(app.text_input, "评价机构").set_value("某某咨询公司")
    by_label(app.text_input, "报告年月").set_value("2024年10月")
    next(b for b in app.form_submit_button if b.form_id == "cover").click().run()
    assert "报告年月：格式不对" in texts(app)
    assert stored(tmp_path).project.agency == "四川天益擎业企业管理咨询有限公司"
    by_label(app.text_input, "报告年月").set_value("2024-11")
    next(b for b in app.form_submit_button if b.form_id == "cover").click().run()
    ev = stored(tmp_path)
    assert (ev.project.agency, ev.project.report_month) == ("某某咨询公司", "2024-11")


def test_consecutive_saves_of_different_forms_follow_the_version(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "project")
    by_label(app.text_input, "实际支出").set_value("219.5")
    next(b for b in app.form_submit_button if b.form_id == "funds").click().run()
    assert stored(tmp_path).facts.funds.spent == Decimal("219.5")
    # the page now edits from version 2: the next save of another form is not taken for a conflict
    by_label(app.text_input, "评价机构").set_value("某咨询公司")
    next(b for b in app.form_submit_button if b.form_id == "cover").click().run()
    assert "已保存封面与基本信息" in texts(app)
    assert stored(tmp_path).project.agency == "某咨询公司"
    assert app.session_state["wb_doc_versions"][SAMPLE] == 3


def test_a_document_saved_by_someone_else_is_not_overwritten(app: AppTest, tmp_path: Path) -> None:
    from evaluation.storage.db import make_engine, session_scope
    from evaluation.storage.documents import load_document, save_document

    open_page(app, "project")
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as session:
        ev, version = load_document(session=session, key=SAMPLE)
        project = ev.project.model_copy(update={"agency": "他人保存的机构"})
        save_document(
            session=session,
            evaluation=ev.model_copy(update={"project": project}),
            expected_version=version,
            user=SYSTEM,
        )
    engine.dispose()
    by_label(app.text_input, "评价机构").set_value("我的机构")
    next(b for b in app.form_submit_button if b.form_id == "cover").click().run()
    assert "在您编辑期间已被他人修改并保存" in texts(app)
    assert stored(tmp_path).project.agency == "他人保存的机构"
    button(app, "载入最新内容").click().run()
    assert by_label(app.text_input, "评价机构").value == "他人保存的机构"


def test_coming_back_to_a_page_edits_from_what_is_stored_now(app: AppTest, tmp_path: Path) -> None:
    from evaluation.storage.db import make_engine, session_scope
    from evaluation.storage.documents import load_document, save_document

    open_page(app, "project")
    app.switch_page("pages/home.py").run()
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as session:
        ev, version = load_document(session=session, key=SAMPLE)
        project = ev.project.model_copy(update={"agency": "他人保存的机构"})
        save_document(
            session=session,
            evaluation=ev.model_copy(update={"project": project}),
            expected_version=version,
            user=SYSTEM,
        )
    engine.dispose()
    app.switch_page("pages/project.py").run()
    assert by_label(app.text_input, "评价机构").value == "他人保存的机构"
    by_label(app.text_input, "委托单位").set_value("东区财政局")
    next(b for b in app.form_submit_button if b.form_id == "cover").click().run()
    assert "已保存封面与基本信息" in texts(app), texts(app)
    ev = stored(tmp_path)
    assert (ev.project.agency, ev.project.commissioner) == ("他人保存的机构", "东区财政局")


def test_funds_totals_follow_the_table_before_saving(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "project")
    key = f"funds.breakdown@{SAMPLE}"
    # change 办公费 from 2.12 to 12.12 without saving: 合计 and the mismatch warning follow at once
    app.session_state[key] = {"edited_rows": {0: {"金额（万元）": 12.12}}, "added_rows": [], "deleted_rows": []}
    app.run()
    frames = [d.value for d in app.dataframe]
    shown = [df for df in frames if "支出类别" in df.columns and "合计" in list(df["支出类别"])]
    assert shown and shown[0].iloc[-1]["金额（万元）"] == "230.00"
    assert any("230" in w.value for w in app.warning)  # 合计 230.00 against 实际支出 220
    assert stored(tmp_path).facts.funds.breakdown[0].amount == Decimal("2.12")  # nothing written yet


def test_new_from_a_template_without_slots_or_from_the_blank_system(app: AppTest, tmp_path: Path) -> None:
    open_new_form(app)
    app.selectbox(key="new.template").set_value("gongxing-2020").run()
    labels = [str(w.label) for w in [*app.selectbox, *app.multiselect]]
    assert not any(label.startswith(("专用指标包", "个性指标示例")) for label in labels)  # nothing to fill
    app.selectbox(key="new.template").set_value("__blank__").run()
    app.text_input(key="new.name#0").set_value("客户项目")
    app.text_input(key="new.department#0").set_value("某局")
    next(b for b in app.form_submit_button if b.label == "新建").click().run()
    assert not app.exception and "已新建评价“客户项目”" in texts(app)
    created = stored(tmp_path, "eval-2024-1")
    assert [ind.name for _, _, ind in created.system.indicators()] == ["指标1"] and created.system.total == 100


def test_a_template_with_a_pack_slot_asks_for_the_pack(app: AppTest, tmp_path: Path) -> None:
    open_new_form(app)
    app.text_input(key="new.name#0").set_value("缺少指标包的项目")
    app.text_input(key="new.department#0").set_value("某局")
    next(b for b in app.form_submit_button if b.label == "新建").click().run()
    assert "需要选择一个专用指标包" in texts(app)


def test_project_limits_are_said_on_the_page_and_nothing_is_saved(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "project")
    # an amount of 10^30 万元 in the expense table: said with its row, the page goes on
    edit_table(app, f"funds.breakdown@{SAMPLE}", edited={0: {"金额（万元）": 1e30}})
    app.run()
    assert not app.exception, app.exception
    next(b for b in app.form_submit_button if b.form_id == "funds").click().run()
    assert "支出明细第 1 行“办公费”：数字位数过多" in texts(app)
    # a project name longer than the database column: refused by name, on SQLite as on PostgreSQL
    by_label(app.text_input, "项目名称").set_value("名" * 201)
    next(b for b in app.form_submit_button if b.form_id == "cover").click().run()
    assert "名称：文字过长（最多 200 个字）" in texts(app)
    assert stored(tmp_path).project.name != "名" * 201


# A double click: the second click's run starts while the first click's save still runs (Streamlit starts it at
# once, beside the first), draws the form as it was, and reaches the save after the first one. The saves take the
# session's lock in turn; ``other_click_saves_first`` makes the first click's save happen at that moment, as the
# core and the session would have it, then lets the second click's save go on.


def other_click_saves_first(monkeypatch: pytest.MonkeyPatch, first: Any) -> list[str]:
    """Run ``first()`` (the other click's save) when the next save takes the session's lock; returns what ran."""
    import ui.saving

    ran: list[str] = []
    real = ui.saving.save_lock

    @contextmanager
    def lock() -> Iterator[object]:
        if not ran:
            ran.append("first")
            first()
        with real() as held:
            yield held

    monkeypatch.setattr(ui.saving, "save_lock", lock)
    return ran


def evaluation_count(tmp_path: Path) -> int:
    engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            return len(list_evaluations(session=session))
    finally:
        engine.dispose()


def test_a_double_click_on_new_creates_one_evaluation_and_empties_the_form(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evaluation.indicators.editing import blank_system
    from evaluation.lifecycle import new_evaluation
    from evaluation.model import Project
    from evaluation.storage.repo import create_evaluation
    from ui.state import Round, round_book

    open_new_form(app)
    app.selectbox(key="new.template").set_value("__blank__").run()
    app.text_input(key="new.name#0").set_value("双击的项目")
    app.text_input(key="new.department#0").set_value("某局")
    before = evaluation_count(tmp_path)
    finished: list[str] = []

    def first() -> None:  # the first click: its evaluation created, the form's count moved, its message not yet
        engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
        try:
            with session_scope(engine) as session:
                ev = new_evaluation(
                    id="eval-2024-1",
                    project=Project(name="双击的项目", department="某局", year=2024),
                    template=blank_system(),
                )
                create_evaluation(session=session, evaluation=ev, user=SYSTEM)
        finally:
            engine.dispose()
        round_book()["new_evaluation"] = Round(1, lambda: finished.append("首次点击的收尾"), monotonic())

    ran = other_click_saves_first(monkeypatch, first)
    next(b for b in app.form_submit_button if b.label == "新建").click().run()
    assert ran == ["first"] and not app.exception, app.exception
    assert evaluation_count(tmp_path) == before + 1, texts(app)  # the second click created nothing
    assert finished == ["首次点击的收尾"]  # and finished what the first one may have left undone
    assert not app.error
    # the form is drawn anew, empty: a click that reaches the server after the redraw sends no name again
    assert app.text_input(key="new.name#1").value == ""
    assert [b.key for b in app.form_submit_button if b.label == "新建"] == ["wb_submit.new_evaluation#1"]


def test_a_single_click_on_new_creates_once_and_the_form_is_drawn_empty(app: AppTest, tmp_path: Path) -> None:
    open_new_form(app)
    app.selectbox(key="new.template").set_value("__blank__").run()
    app.text_input(key="new.name#0").set_value("单击的项目")
    app.text_input(key="new.department#0").set_value("某局")
    before = evaluation_count(tmp_path)
    next(b for b in app.form_submit_button if b.label == "新建").click().run()
    assert "已新建评价“单击的项目”" in texts(app)
    assert evaluation_count(tmp_path) == before + 1
    assert app.text_input(key="new.name#1").value == "" and app.text_input(key="new.department#1").value == ""
    # a second evaluation typed into the emptied form is created as usual
    app.text_input(key="new.name#1").set_value("第二个项目")
    app.text_input(key="new.department#1").set_value("某局")
    next(b for b in app.form_submit_button if b.label == "新建").click().run()
    assert "已新建评价“第二个项目”" in texts(app) and evaluation_count(tmp_path) == before + 2


def cover_save_by_the_first_click(tmp_path: Path, form: str, month: str) -> Any:
    """The other click's save of 项目信息: the document written over the version the page was drawn at, the new
    version and the form's count noted in this session's books (as ``ui.saving`` notes them)."""
    from evaluation.storage.documents import save_document
    from ui.state import Round, doc_version_book, round_book

    def first() -> None:
        engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
        try:
            with session_scope(engine) as session:
                ev = stored(tmp_path)
                new = ev.model_copy(update={"project": ev.project.model_copy(update={"report_month": month})})
                book = doc_version_book()
                version = save_document(session=session, evaluation=new, expected_version=book[SAMPLE], user=SYSTEM)
        finally:
            engine.dispose()
        book[SAMPLE] = version
        last = round_book().get(form)
        round_book()[form] = Round((last.number if last else 0) + 1, lambda: None, monotonic())

    return first


def test_a_double_click_on_a_project_form_saves_once_without_a_false_conflict(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_page(app, "project")
    app.text_input(key=f"cover.report_month@{SAMPLE}").set_value("2025-03")
    ran = other_click_saves_first(monkeypatch, cover_save_by_the_first_click(tmp_path, "cover", "2025-03"))
    before = document_version(tmp_path)
    assert stored(tmp_path).project.report_month != "2025-03"
    next(b for b in app.form_submit_button if b.form_id == "cover").click().run()
    assert ran == ["first"] and not app.exception, app.exception
    assert "他人已修改" not in texts(app) and not app.error, texts(app)
    assert stored(tmp_path).project.report_month == "2025-03"
    assert document_version(tmp_path) == before + 1  # the first click's save only: the second wrote nothing


def document_version(tmp_path: Path) -> int:
    engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            return next(i.version for i in list_evaluations(session=session) if i.key == SAMPLE)
    finally:
        engine.dispose()


def test_two_forms_saved_in_quick_succession_the_second_is_refused_with_its_input_kept(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first click saved 封面 (another form) of the same evaluation after this run drew the page: the second
    form was drawn from the document before that save, and writing it would undo it. It is refused, in words that
    say so, nothing is written, and what was typed stays for the next click, which saves it."""
    open_page(app, "project")
    field = next(w for w in app.text_area if w.key and w.key.startswith("facts.") and w.key.endswith(f"@{SAMPLE}"))
    field.set_value("快速连续保存时输入的文字")
    other_click_saves_first(monkeypatch, cover_save_by_the_first_click(tmp_path, "cover", "2025-04"))
    next(b for b in app.form_submit_button if b.form_id == "facts").click().run()
    assert not app.exception, app.exception
    assert "您又在本评价的另一处保存过" in texts(app) and "他人已修改" not in texts(app)
    assert stored(tmp_path).project.report_month == "2025-04"  # the first save stands
    assert app.text_area(key=field.key).value == "快速连续保存时输入的文字"  # the input is kept
    next(b for b in app.form_submit_button if b.form_id == "facts").click().run()  # the next click saves it
    assert "已保存项目情况与绩效目标" in texts(app), texts(app)
    assert stored(tmp_path).project.report_month == "2025-04"
    assert "快速连续保存时输入的文字" in stored(tmp_path).model_dump_json()


def test_a_click_within_a_second_of_the_forms_save_is_the_double_clicks_second(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person's double click lands its second click on the button drawn after the first one's save (a save and
    the redraw take less than the half second between the clicks): within a second of a form's save, a click on it
    does nothing — no second copy of the copy just made, no refusal of the emptied 新建 form — and later clicks act."""
    import ui.saving

    monkeypatch.setattr(ui.saving, "REPEAT_SECONDS", 1.0)  # the real window (the page tests' default is none)
    now = [1000.0]
    monkeypatch.setattr(ui.saving, "monotonic", lambda: now[0])
    app.run()
    count = evaluation_count(tmp_path)
    button(app, "复制").click().run()
    assert evaluation_count(tmp_path) == count + 1 and app.session_state["wb_current_evaluation"] == "eval-2024-1"
    now[0] += 0.4
    button(app, "复制").click().run()  # the second click, now on the copy's own 复制 button
    assert not app.exception and not app.error
    assert evaluation_count(tmp_path) == count + 1
    now[0] += 1.0
    button(app, "复制").click().run()  # a deliberate copy of the copy, later on
    assert evaluation_count(tmp_path) == count + 2

    open_new_form(app)
    app.selectbox(key="new.template").set_value("__blank__").run()
    app.text_input(key="new.name#0").set_value("一秒内的项目")
    app.text_input(key="new.department#0").set_value("某局")
    next(b for b in app.form_submit_button if b.label == "新建").click().run()
    assert evaluation_count(tmp_path) == count + 3
    now[0] += 0.3
    next(b for b in app.form_submit_button if b.label == "新建").click().run()  # on the emptied form
    assert not app.error, [e.value for e in app.error]  # no "名称：不能为空" after the evaluation was created
    assert evaluation_count(tmp_path) == count + 3


OTHER = "hengkou-2024-zsj-10-tijian"  # another sample evaluation


def test_what_a_stopped_save_left_undone_is_done_by_the_next_run(app: AppTest, tmp_path: Path) -> None:
    """A click that arrives while a save runs makes Streamlit stop the saving run at its next use of the session
    state — possibly after the commit, before the message and the new current evaluation. The next page run
    completes that, once."""
    from ui.state import CURRENT, Round, flash, set_current

    app.run()
    done: list[str] = []

    def finish() -> None:  # what commit() leaves to do after creating eval-2024-1 (as 新建 does)
        done.append("finish")
        set_current(OTHER)
        flash("已新建评价“停下的保存”")

    app.session_state["wb_form_rounds"] = {"new_evaluation": Round(1, finish, monotonic())}
    app.run()
    assert done == ["finish"] and "已新建评价“停下的保存”" in texts(app)
    assert app.session_state[CURRENT] == OTHER
    app.run()
    assert done == ["finish"] and "停下的保存" not in texts(app)  # done once
