"""资料与征求意见: the consultant's side through its widgets — the 资料清单 table, the unit's 基础数据表 accepted
into 项目信息, the answer to an objection, 整改."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.model import Funds, UnitData, UnitResponse
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.documents import load_document, save_document
from tests.pages.support import SAMPLE, button, edit_table, new_app, open_page, stored, texts

CHECKLIST = f"checklist.table@{SAMPLE}"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(new_app(tmp_path, monkeypatch), "engagement")


def reopen(app: AppTest) -> None:
    """Come back to the page (it then edits from what is stored now, the unit's change included)."""
    app.switch_page("pages/home.py").run()
    app.switch_page("pages/engagement.py").run()


def _change(tmp_path: Path, **update: object) -> None:
    """What the unit would have sent, written straight into the stored evaluation."""
    from evaluation.auth import SYSTEM

    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as s:
        ev, version = load_document(session=s, key=SAMPLE)
        save_document(session=s, evaluation=ev.model_copy(update=update), expected_version=version, user=SYSTEM)
    engine.dispose()


def test_the_checklist_is_edited_with_indicators_by_name(app: AppTest, tmp_path: Path) -> None:
    edit_table(
        app,
        CHECKLIST,
        added=[{"对应指标": "外商直接投资规模", "资料名称": "外资到位凭证"}, {"资料名称": "项目基本情况说明"}],
    )
    button(app, "保存资料清单").click().run()
    assert not app.exception, app.exception
    assert "已保存资料清单（2 项，已提供 0 项）" in texts(app)
    assert [(i.code, i.document, i.status) for i in stored(tmp_path).checklist] == [
        ("GX.JJ.01", "外资到位凭证", "未提供"),
        ("", "项目基本情况说明", "未提供"),
    ]
    edit_table(app, CHECKLIST, added=[{"对应指标": "招商工作", "资料名称": "招商台账"}])
    button(app, "保存资料清单").click().run()
    assert "“招商工作”不是本评价的指标" in texts(app) and len(stored(tmp_path).checklist) == 2


def test_the_units_basic_data_is_accepted_into_the_project(app: AppTest, tmp_path: Path) -> None:
    data = UnitData(funds=Funds(adjusted_budget=Decimal(220), spent=Decimal("218.6")), note="按决算填报", by="unit")
    _change(tmp_path, unit_data=data)
    reopen(app)
    assert "被评价单位提交的基础数据表" in " ".join(m.value for m in app.markdown)
    button(app, "退回单位").click().run()
    assert "退回时请写明处理说明" in texts(app)
    button(app, "采纳，写入项目信息").click().run()
    assert not app.exception, app.exception
    assert "已采纳基础数据表" in texts(app), texts(app)
    ev = stored(tmp_path)
    assert ev.facts.funds.spent == Decimal("218.6") and ev.unit_data is not None and ev.unit_data.status == "已采纳"


def test_an_objection_is_answered(app: AppTest, tmp_path: Path) -> None:
    ev = stored(tmp_path)
    objection = UnitResponse(stance="有异议", statement="已在实施方案中细化指标", by="unit")
    problems = [p.model_copy(update={"response": objection}) if i == 0 else p for i, p in enumerate(ev.problems)]
    _change(tmp_path, problems=problems)
    reopen(app)
    assert "其中有异议 1 个，待答复 1 个" in " ".join(c.value for c in app.caption)
    next(r for r in app.radio if r.label == "处理").set_value("不采纳")
    button(app, "保存答复").click().run()
    assert "请写明答复说明" in texts(app) and stored(tmp_path).problems[0].reply is None
    next(a for a in app.text_area if a.label.startswith("说明（采纳")).input("实施方案未量化质量目标，维持原判断")
    next(r for r in app.radio if r.label == "处理").set_value("不采纳")
    button(app, "保存答复").click().run()
    reply = stored(tmp_path).problems[0].reply
    assert reply is not None and (reply.decision, reply.by) == ("不采纳", "admin")


def test_rectification_per_problem(app: AppTest, tmp_path: Path) -> None:
    key = f"rectify_problems.table@{SAMPLE}"
    edit_table(
        app,
        key,
        edited={0: {"整改措施": "修订绩效目标", "责任单位": "区经合局", "整改期限": "2025-06-30", "状态": "整改中"}},
    )
    button(app, "保存整改情况").click().run()
    assert not app.exception, app.exception
    r = stored(tmp_path).problems[0].rectification
    assert r is not None and (r.measure, r.status, str(r.deadline)) == ("修订绩效目标", "整改中", "2025-06-30")
    edit_table(app, key, edited={1: {"整改期限": "明年六月"}})
    button(app, "保存整改情况").click().run()
    assert "“明年六月”不是日期" in texts(app)


def test_the_checklist_is_generated_from_the_system_keeping_what_was_recorded(app: AppTest, tmp_path: Path) -> None:
    from evaluation.engagement.checklist import GENERAL_DOCUMENTS
    from evaluation.model import ChecklistItem

    ev = stored(tmp_path)
    first = next(ind for _, _, ind in ev.system.indicators() if ind.documents)
    _change(
        tmp_path,
        checklist=[
            ChecklistItem(code=first.code, document=first.documents[0], status="已提供", note="6 月收到"),
        ],
    )
    reopen(app)
    button(app, "按指标体系更新资料清单").click().run()
    assert not app.exception, app.exception
    expected = len(GENERAL_DOCUMENTS) + sum(len(ind.documents) for _, _, ind in ev.system.indicators())
    items = stored(tmp_path).checklist
    assert len(items) == expected and expected > 20
    kept = [i for i in items if (i.code, i.document) == (first.code, first.documents[0])]
    assert [(i.status, i.note) for i in kept] == [("已提供", "6 月收到")]
    assert f"已按指标体系生成资料清单：共 {expected} 项（新增 {expected - 1} 项）" in texts(app)
    labels = [b.label for b in app.get("download_button")]
    assert "下载资料清单（Excel）" in labels and "下载工作底稿（Excel）" in labels and any("归档" in x for x in labels)
