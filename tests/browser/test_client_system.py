"""Browser journey: a consultant sets up a client's own indicator system and carries it to the documents.

From 空白体系, the client's 12-indicator table (an .xlsx as clients send them) is read into the draft on
指标体系, one 评分标准 is reworded in the table editor, the draft is applied, every indicator is scored on
证据与评分, and both the 评价方案 and the report are downloaded from 报告 and opened."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import Workbook

from tests.browser.support import (
    choose,
    fill_inputs,
    go,
    no_error,
    no_exception,
    open_new_evaluation,
    require_chromium,
    sign_in,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser

NAME = "2019年农村人居环境整治项目"
ROWS = [
    ["决策（20分）", "项目立项（8分）", "立项依据充分性", "4", "", "①符合发展规划，得2分；②经集体决策，得2分"],
    [None, None, "立项程序规范性", "4", "", "每发现一处不规范扣1分，扣完为止"],
    [None, "绩效目标（12分）", "绩效目标合理性", "6", "", "①目标与任务匹配，得3分；②目标量化，得3分"],
    [None, None, "资金分配合理性", "6", "", "每发现一处不合理扣2分，扣完为止"],
    ["过程（20分）", "资金管理（20分）", "预算执行率", "10", "≥95%", "预算执行率×分值"],
    [None, None, "财务制度执行", "10", "", "①制度健全，得5分；②执行有效，得5分"],
    ["产出（40分）", "产出数量（20分）", "整治村庄数", "10", "≥20个", "实际完成数/计划数×分值"],
    [None, None, "改厕户数", "10", "≥500户", "实际完成数/计划数×分值"],
    [None, "产出质量（10分）", "验收合格率", "10", "", "合格率≥95%得10分；90%（含）-95%得6分；90%以下不得分"],
    [None, "产出时效（10分）", "完成及时性", "10", "", "得分=(1-(实际完成时间-计划完成时间)/计划完成时间)×分值"],
    ["效益（20分）", "社会效益（10分）", "人居环境改善", "10", "≥90%", "实际/目标×分值"],
    [None, "满意度（10分）", "群众满意度", "10", "", "满意度≥90%得10分；80%（含）-90%得6分；80%以下不得分"],
]


def client_table() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "指标体系"
    ws.append(["某区2019年农村人居环境整治项目绩效评价指标体系"])
    ws.append(["一级指标", "二级指标", "三级指标", "分值", "指标值", "评分标准"])
    for row in ROWS:
        ws.append(row)
    ws.append(["合计", None, None, "100"])
    for merge in ("A3:A6", "B3:B4", "B5:B6", "A7:A8", "B7:B8", "A9:A12", "B9:B10", "A13:A14"):
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    accounts = {"admin": ("管理员", ()), "consultant": ("评价人员", ())}
    with streamlit_server(tmp_path_factory.mktemp("client"), accounts=accounts) as url:
        yield url


def fill_report_month(page: Any) -> None:
    """The cover needs 报告年月 before the report can be built."""
    go(page, "项目信息")
    page.get_by_role("textbox", name="报告年月（如 2024-10）", exact=True).fill("2020-06")
    page.get_by_role("button", name="保存").first.click()
    wait_idle(page)
    no_error(page)


def download(page: Any, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_bytes()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    return "\n".join(p.text for p in doc.paragraphs) + "\n" + cells


def test_a_client_system_from_a_blank_start_to_plan_and_report(
    server: str, browser: Any, shots: Path, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    sign_in(page, server, "consultant")
    page.get_by_role("heading", name="评价项目").wait_for(timeout=30000)

    open_new_evaluation(page)
    choose(page, "指标体系模板 *", "空白体系")
    wait_idle(page)
    page.get_by_role("textbox", name="项目名称 *", exact=True).fill(NAME)
    page.get_by_role("textbox", name="主管部门 *", exact=True).fill("某区农业农村局")
    page.get_by_role("textbox", name="实施单位", exact=True).fill("某区农业农村局")
    page.get_by_role("textbox", name="委托单位", exact=True).fill("某区财政局")
    page.get_by_role("textbox", name="评价机构", exact=True).fill("某咨询公司")
    page.get_by_role("button", name="新建").click()
    wait_idle(page)
    page.get_by_text("已新建评价").wait_for(timeout=20000)

    go(page, "指标体系")
    page.get_by_role("tab", name="导入客户指标表").click()
    table = tmp_path / "客户指标体系.xlsx"
    table.write_bytes(client_table())
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(table))
    wait_idle(page)
    page.get_by_text("读入 12 个指标，合计 100 分").wait_for(timeout=30000)
    page.screenshot(path=str(shots / "client-1-read.png"), full_page=True)
    page.get_by_role("button", name="用读入的体系替换草稿").click()
    wait_idle(page)
    page.get_by_text("指标体系完整").wait_for(timeout=30000)
    assert page.get_by_text("草稿").count() >= 1
    page.screenshot(path=str(shots / "client-2-draft.png"), full_page=True)
    no_error(page)
    page.get_by_role("button", name="应用到本评价").click()
    wait_idle(page)
    page.get_by_text("已应用新的指标体系").wait_for(timeout=30000)
    no_exception(page)

    go(page, "证据与评分")
    fill_inputs(page)
    for _ in range(15):
        nxt = page.get_by_role("button", name="下一未评")
        if nxt.is_disabled():
            break
        nxt.click()
        wait_idle(page)
        fill_inputs(page)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "已评 12/12 项" in sidebar, sidebar
    page.screenshot(path=str(shots / "client-3-scored.png"), full_page=True)

    fill_report_month(page)

    go(page, "报告")
    plan = docx_text(download(page, "下载评价方案（Word）"))
    assert f"{NAME}绩效评价方案" in plan and "群众满意度" in plan and "五、评价指标体系" in plan
    confirm = page.get_by_text("仍然生成报告")
    if confirm.count():
        confirm.click()
        wait_idle(page)
    page.get_by_role("button", name="生成 Word 报告").click()
    wait_idle(page)
    page.get_by_text("报告已生成").wait_for(timeout=60000)
    report = docx_text(download(page, "下载 Word 报告（.docx）"))
    assert NAME in report and "群众满意度" in report and "表3-1" in report
    page.screenshot(path=str(shots / "client-4-report.png"), full_page=True)
    page.close()
