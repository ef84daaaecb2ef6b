"""资料与反馈: the evaluated unit's page through its widgets — only its own evaluation, no scores before the
draft, uploads against the 资料清单, the 基础数据表, answers while the draft is out."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.auth import SYSTEM
from evaluation.model import ChecklistItem
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.documents import load_document, save_document
from evaluation.storage.workflow import transition
from tests.pages.support import SAMPLE, add_account, button, by_label, new_app, stored, texts


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = new_app(tmp_path, monkeypatch, role="被评价单位", member_of=(SAMPLE,))
    at.run()
    assert not at.exception, at.exception
    return at


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_engine(f"sqlite:///{tmp_path / 'app.db'}")


def _approved_then(tmp_path: Path, state: str) -> None:
    """The sample submitted by its consultant, approved by its reviewer, then moved to ``state`` (征求意见中 by
    the consultant, 已定稿 by the reviewer with a final report)."""
    consultant = add_account(tmp_path, "c1", "评价人员", (SAMPLE,))
    reviewer = add_account(tmp_path, "r1", "复核人员", (SAMPLE,))
    engine = _engine(tmp_path)
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=SAMPLE, to="已提交复核", user=consultant)
        transition(session=s, evaluation_key=SAMPLE, to="已通过", user=reviewer)
        if state == "已定稿":
            transition(session=s, evaluation_key=SAMPLE, to=state, user=reviewer, final_report=b"report")
        else:
            transition(session=s, evaluation_key=SAMPLE, to=state, user=consultant)
    engine.dispose()


def _checklist(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with session_scope(engine) as s:
        ev, version = load_document(session=s, key=SAMPLE)
        items = [ChecklistItem(code="TY.JC.01", document="立项批复文件"), ChecklistItem(document="项目基本情况说明")]
        save_document(
            session=s, evaluation=ev.model_copy(update={"checklist": items}), expected_version=version, user=SYSTEM
        )
    engine.dispose()


def test_the_unit_sees_its_page_and_nothing_of_the_scores(app: AppTest) -> None:
    assert app.title[0].value == "资料与反馈"
    assert "评价机构还没有发出资料清单" in texts(app)
    shown = texts(app) + " ".join(str(m.value) for m in app.markdown) + " ".join(c.value for c in app.caption)
    assert "得分" not in shown and not app.metric
    with pytest.raises(ValueError, match=r"Known pages: .*unit.py'\]"):  # its navigation has this page only
        app.switch_page("pages/home.py")


@pytest.mark.parametrize("page", ["home", "report", "evidence", "analysis", "history"])
def test_the_agencys_pages_refuse_the_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    at = new_app(tmp_path, monkeypatch, role="被评价单位", member_of=(SAMPLE,), script=f"pages/{page}.py")
    at.run()
    assert "无权打开" in texts(at) and not at.dataframe and not at.metric


def test_a_unit_without_an_evaluation_is_told_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_app(tmp_path, monkeypatch, role="被评价单位")
    at.run()
    assert "还没有关联任何评价" in texts(at)


def test_uploading_against_an_item(app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    _checklist(tmp_path)
    app.run()
    assert list(app.dataframe[0].value["资料名称"]) == ["立项批复文件", "项目基本情况说明"]
    by_label(app.selectbox, "上传到哪一项").set_value(0)
    app.file_uploader[0].set_value(("批复.pdf", b"%PDF-1.4 approval", "application/pdf"))
    button(app, "上传").click().run()
    assert not app.exception, app.exception
    assert "已上传“批复.pdf”到“立项批复文件”" in texts(app)
    item = stored(tmp_path).checklist[0]
    assert item.status == "已提供" and [f.document for f in item.files] == ["批复"]
    assert (tmp_path / "attachments" / item.files[0].attachment).read_bytes() == b"%PDF-1.4 approval"


def test_the_basic_data_table(app: AppTest, tmp_path: Path) -> None:
    by_label(app.text_input, "实际支出（万元）").input("218.6")
    by_label(app.text_input, "调整后预算（万元）").input("二百二十")
    button(app, "提交基础数据表").click().run()
    assert "“二百二十”不是数字" in texts(app)
    assert stored(tmp_path).unit_data is None  # refused: nothing saved
    by_label(app.text_input, "调整后预算（万元）").input("220")
    by_label(app.text_area, "填报说明").input("按 2023 年决算填报")
    button(app, "提交基础数据表").click().run()
    data = stored(tmp_path).unit_data
    assert data is not None and (data.funds.adjusted_budget, data.funds.spent) == (Decimal(220), Decimal("218.6"))
    assert data.status == "待确认" and data.by == "unit"


def test_answering_the_draft(app: AppTest, tmp_path: Path) -> None:
    assert "发出报告初稿征求意见后" in texts(app)
    _approved_then(tmp_path, "征求意见中")
    app.run()
    assert any("问题1：绩效指标设置不够规范" in m.value for m in app.markdown)
    radios = [r for r in app.radio if r.label == "意见"]
    radios[0].set_value("有异议")
    button(app, "提交反馈").click().run()
    assert "提出异议须写明意见与理由" in texts(app)
    radios = [r for r in app.radio if r.label == "意见"]
    radios[0].set_value("有异议")
    next(a for a in app.text_area if a.label.startswith("说明")).input("质量与效益指标已在实施方案中细化，见附件")
    button(app, "提交反馈").click().run()
    assert not app.exception, app.exception
    response = stored(tmp_path).problems[0].response
    assert response is not None and (response.stance, response.by) == ("有异议", "unit")


def test_after_the_final_report_the_unit_records_its_rectification(app: AppTest, tmp_path: Path) -> None:
    assert "评价定稿后，可在这里逐条填写" in texts(app)
    _approved_then(tmp_path, "已定稿")
    app.run()
    next(a for a in app.text_area if a.label == "整改措施").input("修订绩效目标申报表，逐项量化")
    next(s for s in app.selectbox if s.label == "整改状态").set_value("整改中")
    button(app, "保存整改情况").click().run()
    assert not app.exception, app.exception
    assert "已保存问题1的整改情况" in texts(app)
    rect = stored(tmp_path).problems[0].rectification
    assert rect is not None and (rect.measure, rect.status, rect.unit) == (
        "修订绩效目标申报表，逐项量化",
        "整改中",
        "攀枝花市东区经济合作局",  # the project's department unless the unit says otherwise
    )
