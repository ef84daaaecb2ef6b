"""报告 page: missing items listed with where to fill them, outline and 表3-1 preview, Word report built
by the report builder, Excel export of 表3-1 and 附件1."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from evaluation.report.xlsx import export_xlsx
from evaluation.scoring.engine import score
from tests.pages.support import SAMPLE, button, by_label, new_app, open_new_form, open_page, stored, texts


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def test_preview_of_outline_and_table_3_1(app: AppTest) -> None:
    open_page(app, "report")
    table = app.dataframe[0].value
    assert list(table.columns) == ["一级指标", "二级指标", "三级指标", "指标分值", "得分", "扣分", "得分率", "扣分原因"]
    assert table.iloc[-1].tolist()[:7] == ["合计", "", "", "100", "88", "12", "88%"]
    gx = table[table["三级指标"] == "外商直接投资规模"].iloc[0]
    assert (gx["得分"], gx["扣分"], gx["得分率"]) == ("0", "8", "0%")
    outline = "\n".join(m.value for m in app.markdown)
    assert "五、存在问题及原因分析" in outline and "（一）绩效指标设置不够规范" in outline
    assert [m.value for m in app.metric][:2] == ["88", "良"]


def test_missing_items_name_what_and_where(app: AppTest) -> None:
    open_new_form(app)
    by_label(app.text_input, "项目名称").set_value("办公经费")
    by_label(app.text_input, "主管部门").set_value("某局")
    by_label(app.selectbox, "专用指标包").set_value("pack-xingzheng-yunzhuan")
    button(app, "新建").click().run()
    app.switch_page("pages/report.py").run()
    assert not app.exception
    message = texts(app)
    assert "**委托单位** —— 在“项目信息 › 封面与基本信息”填写" in message
    assert "项指标未评分或输入有误" in message and "在“证据与评分”填写" in message
    assert "支出明细表（表1-1） —— “项目信息 › 资金情况”" in message
    assert button(app, "生成 Word 报告").disabled


def test_word_report_is_built_for_a_complete_evaluation(app: AppTest) -> None:
    open_page(app, "report")
    # the sample still has the report's own slips (合计 89 vs 88 …): export waits for an explicit confirmation
    assert any("复核发现 7 处“错误”尚未处理" in w.value for w in app.warning)
    assert button(app, "生成 Word 报告").disabled
    app.checkbox(key="confirm_open_errors.panzhihua-2023-zhaoshang").check().run()
    assert not button(app, "生成 Word 报告").disabled
    button(app, "生成 Word 报告").click().run()
    assert not app.exception, app.exception
    assert any("下载 Word 报告" in b.label for b in app.get("download_button"))
    data = app.session_state["wb_report_docx"][1]
    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(data)).paragraphs)
    assert "招商引资工作经费" in text


def test_excel_export_of_table_3_1_and_appendix_1(tmp_path: Path, app: AppTest) -> None:
    app.run()
    ev = stored(tmp_path, SAMPLE)
    wb = load_workbook(BytesIO(export_xlsx(ev, score(ev))))
    assert wb.sheetnames == ["表3-1", "附件1"]
    ws = wb["表3-1"]
    assert ws.cell(1, 1).value == "表3-1 招商引资工作经费得分情况表"
    last = [c.value for c in ws[ws.max_row]]
    assert last[:7] == ["合计", None, None, "100", "88", "12", "88%"]
    assert "A3:A12" in {str(r) for r in ws.merged_cells.ranges}  # 通用指标 spans its ten rows
    appendix = wb["附件1"]
    header = [c.value for c in appendix[2]]
    assert header == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标分值",
        "目标值",
        "指标解释",
        "评分方法",
        "评分说明",
        "评分过程",
        "得分",
    ]
    assert appendix.max_row == 2 + 15 + 2 + 1


def test_the_open_errors_shown_are_those_of_the_evaluation_shown(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count of open errors is kept while nothing is written. Another server saving after the page read the
    evaluation and before it counts its errors must not leave the old version's count kept as the new one's."""
    from evaluation.auth import SYSTEM
    from evaluation.model import Evaluation
    from evaluation.storage import decisions, repo, unchanged
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope
    from tests.conftest import another_server

    marker = "（另一服务器补充）"
    counted: list[bool] = []
    real_count, real_unchanged = decisions.count_open_errors, unchanged.unchanged

    def save_elsewhere() -> None:
        engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
        try:
            with another_server(), session_scope(engine) as s:
                ev, _, versions = repo.get_evaluation_with_versions(session=s, ref=SAMPLE)
                first = ev.assessments[0]
                repo.save_assessment(
                    session=s,
                    ref=SAMPLE,
                    assessment=first.model_copy(update={"narrative": first.narrative + marker}),
                    expected_version=versions[first.code],
                    user=SYSTEM,
                )
        finally:
            engine.dispose()

    def kept(engine: object, what: object, read: object, **options: bool) -> object:
        if isinstance(what, tuple) and what[0] == "open-errors" and not counted:
            save_elsewhere()  # between this run's read of the evaluation and its count
        return real_unchanged(engine, what, read, **options)  # type: ignore[arg-type]

    def count(*, evaluation: Evaluation, **rest: object) -> int:
        seen = any(marker in a.narrative for a in evaluation.assessments)
        counted.append(seen)
        return real_count(evaluation=evaluation, **rest) + (100 if seen else 0)  # type: ignore[arg-type]

    monkeypatch.setattr(unchanged, "unchanged", kept)
    monkeypatch.setattr(decisions, "count_open_errors", count)
    open_page(app, "report")
    assert counted[-1] is False
    assert not any("复核发现 10" in w.value for w in app.warning)
    app.run()  # the page now shows the other server's version, and that version's count
    assert counted[-1] is True
    assert any("复核发现 10" in w.value for w in app.warning), [w.value for w in app.warning]
