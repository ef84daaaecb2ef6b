"""Two people at once in chromium, with different roles: each sees only what the role allows, and the
review workflow moves the evaluation between them (Playwright + Debian's chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    pick_option,
    screenshot_dir,
    sign_in,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser
SAMPLE = "panzhihua-2023-zhaoshang"
ACCOUNTS = {
    "admin": ("管理员", ()),
    "consultant": ("评价人员", (SAMPLE,)),
    "reviewer": ("复核人员", (SAMPLE,)),
    "manager": ("管理者", ()),
}


def nav(page: Any) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [t.strip().split("\n")[-1] for t in links.all_inner_texts()]  # the icon's ligature name comes first


def go(page: Any, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_idle(page)
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=30000)
    page.wait_for_timeout(500)
    wait_idle(page)


def test_two_roles_see_only_what_they_may(browser: Any, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    with streamlit_server(tmp_path, accounts=ACCOUNTS) as url:
        consultant = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        manager = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        reviewer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        sign_in(consultant, url, "consultant")
        sign_in(manager, f"{url}/evidence", "manager")  # a page the manager may not open: the list instead

        assert "证据与评分" in nav(consultant) and "系统管理" not in nav(consultant)
        assert nav(manager) == ["评价项目", "报告", "修改历史", "对比分析", "指标库"]
        manager.get_by_role("heading", name="评价项目").wait_for(timeout=30000)
        assert manager.get_by_text("新建评价").count() == 0  # managers read; they do not create
        manager.screenshot(path=str(shots / "team-manager.png"), full_page=True)

        # the consultant submits the evaluation they are a member of
        pick_option(
            consultant,
            consultant.locator('[data-testid="stSelectbox"]').filter(has_text="查看得分情况"),
            "招商引资工作经费（2023，第三方评价）",
        )
        go(consultant, "复核与流程")
        consultant.get_by_text("流程状态：草稿").wait_for(timeout=30000)
        consultant.get_by_role("button", name="提交复核").click()
        consultant.get_by_text("流程状态：已提交复核").wait_for(timeout=30000)
        go(consultant, "项目信息")
        consultant.get_by_text("已提交复核").first.wait_for(timeout=30000)  # the read-only notice
        save = consultant.get_by_role("button", name="保存").first
        assert save.is_disabled()
        consultant.screenshot(path=str(shots / "team-consultant-locked.png"), full_page=True)

        # the reviewer (a member too) returns it with a comment; the consultant can edit again
        sign_in(reviewer, f"{url}/review", "reviewer")
        reviewer.get_by_role("heading", name="复核与流程").wait_for(timeout=30000)
        pick_option(
            reviewer,
            reviewer.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]'),
            "招商引资工作经费（2023，第三方评价）",
        )
        reviewer.get_by_text("流程状态：已提交复核").wait_for(timeout=30000)
        reviewer.get_by_label("意见（退回修改时必填）").fill("请补充外商直接投资的统计口径")
        reviewer.get_by_role("button", name="退回修改").click()
        reviewer.get_by_text("流程状态：退回修改").wait_for(timeout=30000)
        reviewer.screenshot(path=str(shots / "team-reviewer.png"), full_page=True)
        assert "系统管理" not in nav(reviewer) and "自评表" not in nav(reviewer)

        go(consultant, "复核与流程")
        consultant.get_by_text("请补充外商直接投资的统计口径").first.wait_for(timeout=30000)
        go(consultant, "项目信息")
        assert not consultant.get_by_role("button", name="保存").first.is_disabled()

        # a reload is a new Streamlit session: it resumes the sign-in; after signing out it does not
        manager.reload()
        wait_idle(manager)
        manager.get_by_role("button", name="退出登录").wait_for(timeout=30000)
        manager.get_by_role("button", name="退出登录").click()
        manager.get_by_text("您已退出登录").wait_for(timeout=30000)
        manager.reload()
        wait_idle(manager)
        manager.get_by_role("heading", name="登录").wait_for(timeout=30000)
        assert manager.get_by_role("button", name="退出登录").count() == 0


def test_the_administrator_downloads_a_backup_and_the_audit_log(browser: Any, tmp_path: Path) -> None:
    import io
    import json
    import zipfile

    with streamlit_server(tmp_path) as url:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
        sign_in(page, f"{url}/admin")
        page.get_by_role("heading", name="系统管理").wait_for(timeout=30000)
        page.get_by_role("tab", name="备份").click()
        with page.expect_download(timeout=60000) as info:
            page.get_by_role("button", name="下载备份").click()
        archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["tables"]["evaluation"]["rows"] == 13 and manifest["tables"]["app_user"]["rows"] == 1
        page.get_by_role("tab", name="审计日志").click()
        with page.expect_download(timeout=60000) as info:
            page.get_by_role("button", name="导出审计日志（CSV）").click()
        text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
        assert text.startswith("时间,操作人,操作,评价,对象,原值,新值") and "新建账户" in text
