"""The team server in the pages (AppTest): first administrator, login, expiry, role navigation,
read-only views, the review workflow, history and the administration page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from evaluation.review.base import ERROR
from evaluation.storage import audit
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.decisions import findings_for_evaluation, save_decision
from evaluation.storage.setup import issue_setup_code
from evaluation.storage.tables import LoginSessionRow
from evaluation.storage.users import list_users, memberships, update_user
from evaluation.storage.workflow import final_report, state_of
from tests.conftest import statements_run
from tests.pages.support import PASSWORD, SAMPLE, add_account, button, by_label, new_app, open_page, texts


def _db(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_engine(f"sqlite:///{tmp_path / 'app.db'}")


def test_first_start_asks_for_the_first_administrator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_app(tmp_path, monkeypatch, role=None)
    at.run()
    assert not at.exception, at.exception
    assert any("首次启动" in s.value for s in at.subheader)
    assert not [t for t in at.title if t.value == "评价项目"]  # nothing of the workbench before an account exists
    by_label(at.text_input, "用户名").input("chen")
    by_label(at.text_input, "密码").input("Chen-2024-pw")
    by_label(at.text_input, "再次输入密码").input("Chen-2024-pw")
    button(at, "创建并登录").click().run()  # an anonymous visitor without the server's set-up code
    assert "还没有生成设置码" in texts(at) and at.subheader[0].value.startswith("首次启动")
    engine = _db(tmp_path)
    with session_scope(engine) as s:
        code = issue_setup_code(session=s)  # what `workbench init` prints in the server's terminal
    engine.dispose()
    assert code is not None
    by_label(at.text_input, "首次设置码").input("WRONG-CODE1")
    button(at, "创建并登录").click().run()
    assert "设置码不正确" in texts(at)
    by_label(at.text_input, "首次设置码").input(code)
    by_label(at.text_input, "密码").input("12345678")
    by_label(at.text_input, "再次输入密码").input("12345678")
    button(at, "创建并登录").click().run()
    assert "不能全是数字" in texts(at)
    by_label(at.text_input, "密码").input("Chen-2024-pw")
    by_label(at.text_input, "再次输入密码").input("Chen-2024-px")
    button(at, "创建并登录").click().run()
    assert "两次输入的密码不一致" in texts(at)
    by_label(at.text_input, "再次输入密码").input("Chen-2024-pw")
    button(at, "创建并登录").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "评价项目"
    engine = _db(tmp_path)
    with session_scope(engine) as s:
        assert [(u.username, u.role) for u in list_users(session=s)] == [("chen", "管理员")]
    engine.dispose()


def test_login_refuses_a_wrong_password_and_opens_the_workbench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(tmp_path, "admin", "管理员")
    at = new_app(tmp_path, monkeypatch, role=None)
    at.run()
    assert any(s.value == "登录" for s in at.subheader)
    by_label(at.text_input, "用户名").input("admin")
    by_label(at.text_input, "密码").input("wrong password")
    button(at, "登录").click().run()
    assert "用户名或密码不正确" in texts(at)
    assert not [t for t in at.title if t.value == "评价项目"]
    by_label(at.text_input, "密码").input(PASSWORD)
    button(at, "登录").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "评价项目"
    assert "当前用户：admin（管理员）" in [c.value for c in at.sidebar.caption]
    button(at, "退出登录").click().run()
    assert "您已退出登录" in texts(at) and not [t for t in at.title if t.value == "评价项目"]


@pytest.mark.parametrize(
    ("since", "seen", "message"),
    [(timedelta(hours=9), timedelta(minutes=1), "超过 8 小时"), (timedelta(hours=2), timedelta(hours=2), "没有操作")],
)
def test_sessions_expire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, since: timedelta, seen: timedelta, message: str
) -> None:
    at = new_app(tmp_path, monkeypatch)
    at.run()
    assert at.title[0].value == "评价项目"
    now = datetime.now(UTC)
    engine = _db(tmp_path)
    with session_scope(engine) as s:  # the sign-in session as it would be after that much time
        row = s.exec(select(LoginSessionRow)).one()
        row.created_at, row.last_seen = now - since, now - seen
        s.add(row)
    engine.dispose()
    at.run()
    assert not at.exception, at.exception
    assert message in texts(at)
    assert not [t for t in at.title if t.value == "评价项目"]


def test_a_disabled_account_is_signed_out_at_its_next_click(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_app(tmp_path, monkeypatch, role="评价人员")
    at.run()
    assert at.title[0].value == "评价项目"
    engine = _db(tmp_path)
    with session_scope(engine) as s:
        admin, consultant = sorted(list_users(session=s), key=lambda u: u.role != "管理员")
        update_user(session=s, actor=admin, user_id=consultant.id, active=False)
    engine.dispose()
    at.run()
    assert "已停用" in texts(at) and not [t for t in at.title if t.value == "评价项目"]


def test_a_run_checks_the_sign_in_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """app.py checks the sign-in session and the page of the same run takes that check over: at most one read of
    the session per click, none while nothing at all was written since the last check, and no write within a
    minute of the last one."""
    from sqlalchemy.engine import Engine

    at = new_app(tmp_path, monkeypatch, role="评价人员", member_of=(SAMPLE,))
    at.run()
    assert at.title[0].value == "评价项目"
    with statements_run(Engine) as statements:
        at.run()
    assert not at.exception and at.title[0].value == "评价项目"
    assert not [s for s in statements if "login_session" in s], statements
    add_account(tmp_path, "someone", "评价人员")  # a write (here, by another server): the next click asks again
    with statements_run(Engine) as statements:
        at.run()
    assert not at.exception and at.title[0].value == "评价项目"
    sessions = [s for s in statements if "login_session" in s]
    assert len(sessions) == 1 and sessions[0].lstrip().upper().startswith("SELECT"), sessions


def test_a_page_the_role_may_not_open_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = new_app(tmp_path, monkeypatch, role="评价人员", script="pages/admin.py")
    at.run()
    assert "角色“评价人员”无权打开“系统管理”页" in texts(at)
    assert not at.tabs  # nothing of the page ran
    manager = new_app(tmp_path / "m", monkeypatch, role="管理者", script="pages/evidence.py")
    (tmp_path / "m").mkdir(exist_ok=True)
    manager.run()
    assert "无权打开“证据与评分”页" in texts(manager)


@pytest.mark.parametrize(
    ("role", "member_of", "reason"),
    [
        ("管理者", (), "无权编辑评价"),
        ("复核人员", (SAMPLE,), "无权编辑评价"),
    ],
)
def test_who_may_not_edit_sees_the_page_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str, member_of: tuple[str, ...], reason: str
) -> None:
    at = new_app(tmp_path, monkeypatch, role=role, member_of=member_of)
    if role == "管理者":  # managers have no project page; the report page's settings are read-only for them
        open_page(at, "report")
        assert button(at, "保存").disabled
        return
    open_page(at, "project")
    assert any(reason in i.value and "只读" in i.value for i in at.info)
    assert all(b.disabled for b in at.form_submit_button if b.label == "保存")


def test_a_consultant_reads_only_the_evaluations_they_belong_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outsider = new_app(tmp_path, monkeypatch, role="评价人员")
    outsider.run()
    assert not outsider.exception and "您还没有参与任何评价" in texts(outsider)
    assert not outsider.dataframe  # no list of other people's evaluations
    outsider.query_params["eval"] = SAMPLE  # naming it in the URL opens nothing either
    outsider.session_state["wb_current_evaluation"] = SAMPLE
    outsider.switch_page("pages/project.py").run()
    assert "您还没有参与任何评价" in texts(outsider) and not outsider.form_submit_button

    member = new_app(tmp_path / "m", monkeypatch, role="评价人员", member_of=("hengkou-2024-zsj-01-renyuan",))
    member.run()
    assert list(member.dataframe[0].value["评价编号"]) == ["hengkou-2024-zsj-01-renyuan"]
    assert "您参与的共 1 个评价" in member.caption[0].value


def test_a_member_consultant_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(new_app(tmp_path, monkeypatch, role="评价人员", member_of=(SAMPLE,)), "project")
    assert not any("只读" in i.value for i in at.info)
    assert not any(b.disabled for b in at.form_submit_button if b.label == "保存")


def _review_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str) -> AppTest:
    return open_page(new_app(tmp_path, monkeypatch, role=role, member_of=(SAMPLE,)), "review")


def test_the_review_workflow_through_the_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    consultant = _review_page(tmp_path, monkeypatch, "评价人员")
    assert "流程状态：草稿" in consultant.markdown[0].value or any(
        "流程状态：草稿" in m.value for m in consultant.markdown
    )
    assert not [b for b in consultant.button if b.label.startswith("复核通过")]  # not a consultant's step
    button(consultant, "提交复核").click().run()
    assert not consultant.exception, consultant.exception
    engine = _db(tmp_path)
    with session_scope(engine) as s:
        assert state_of(session=s, evaluation_key=SAMPLE).state == "已提交复核"
    # the consultant's pages are now read-only
    open_page(consultant, "project")
    assert any("已提交复核" in i.value for i in consultant.info)

    reviewer = open_page(new_app(tmp_path, monkeypatch, role="复核人员", member_of=(SAMPLE,)), "review")
    button(reviewer, "退回修改").click().run()
    assert "须写明复核意见" in texts(reviewer)
    by_label(reviewer.text_area, "意见").input("外商直接投资的实际值请附统计口径")
    button(reviewer, "退回修改").click().run()
    with session_scope(engine) as s:
        current = state_of(session=s, evaluation_key=SAMPLE)
    assert current.state == "退回修改" and current.comments[-1]["text"] == "外商直接投资的实际值请附统计口径"

    open_page(consultant, "review")
    assert any("外商直接投资的实际值请附统计口径" in m.value for m in consultant.markdown)
    button(consultant, "提交复核").click().run()
    open_page(reviewer, "review")
    button(reviewer, "复核通过").click().run()
    open_page(reviewer, "review")
    assert button(reviewer, "定稿").disabled  # the sample's 复核 errors are not decided yet
    assert "处理复核发现的 7 处“错误”" in texts(reviewer)
    with session_scope(engine) as s:  # the reviewer accepts each error with a reason (as on the page)
        reviewer_user = next(u for u in list_users(session=s) if u.username == "reviewer")
        for finding in findings_for_evaluation(session=s, ref=SAMPLE)[1]:
            if finding.severity == ERROR:
                save_decision(
                    session=s, subject=SAMPLE, finding=finding, decision="接受", reason="原报告如此", user=reviewer_user
                )
    open_page(reviewer, "review")
    button(reviewer, "定稿").click().run()
    assert not reviewer.exception, reviewer.exception
    open_page(reviewer, "review")  # final: the decision forms are gone (the core would refuse them)
    assert not [b for b in reviewer.form_submit_button if b.label == "保存处理结果"]
    with session_scope(engine) as s:
        assert state_of(session=s, evaluation_key=SAMPLE).state == "已定稿"
        kept = final_report(session=s, evaluation_key=SAMPLE)
        steps = [(e.actor, e.new) for e in audit.history(session=s, evaluation_key=SAMPLE, target="流程")]
    engine.dispose()
    assert kept is not None and kept[1][:2] == b"PK"  # a .docx (zip) kept with its hash
    assert steps == [
        ("consultant", "已提交复核"),
        ("reviewer", "退回修改"),
        ("consultant", "已提交复核"),
        ("reviewer", "已通过"),
        ("reviewer", "已定稿"),
    ]


def test_history_shows_who_changed_what(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(new_app(tmp_path, monkeypatch, role="评价人员", member_of=(SAMPLE,)), "project")
    by_label(at.text_input, "项目名称").input("招商引资工作经费（复核稿）")
    next(b for b in at.form_submit_button if b.label == "保存" and b.form_id.startswith("cover")).click().run()
    assert not at.exception, at.exception
    open_page(at, "history")
    table = at.dataframe[0].value
    first = table.iloc[0]
    assert (first["操作人"], first["对象"], first["字段"]) == ("consultant", "项目信息", "project.name")
    assert (first["原值"], first["新值"]) == ("招商引资工作经费", "招商引资工作经费（复核稿）")


def test_administrator_adds_a_user_and_a_member(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(new_app(tmp_path, monkeypatch), "admin", evaluation=None)
    by_label(at.text_input, "用户名").input("liu")
    by_label(at.text_input, "姓名").input("刘评")
    by_label(at.text_input, "初始密码").input("Liu-2024-pw")
    button(at, "新建账户").click().run()
    assert not at.exception, at.exception
    engine = _db(tmp_path)
    with session_scope(engine) as s:
        liu = next(u for u in list_users(session=s) if u.username == "liu")
    assert liu.role == "评价人员" and liu.display_name == "刘评"
    # (AppTest cannot pick an option shown through a format_func: seed the widgets' states instead)
    at.session_state["admin_members.evaluation"] = SAMPLE
    at.run()
    at.session_state["admin_members.add#0"] = [liu.id]
    button(at, "加入").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        assert memberships(session=s, user_id=liu.id) == [SAMPLE]
    engine.dispose()
    assert [b for b in at.get("download_button") if "审计日志" in str(b.proto.label)]
    assert [b for b in at.get("download_button") if "下载备份" in str(b.proto.label)]


@pytest.mark.parametrize("role", ["管理员", "评价人员", "复核人员", "管理者"])
def test_every_page_of_every_role_renders_and_the_others_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    from ui.guard import PAGES

    for spec in PAGES:
        folder = tmp_path / spec.stem
        folder.mkdir()
        if role in spec.roles:  # through the app's navigation, as in the browser
            at = open_page(new_app(folder, monkeypatch, role=role, member_of=(SAMPLE,)), spec.stem)
            assert [t.value for t in at.title][:1] == [spec.title], (role, spec.stem)
        else:  # not in the role's navigation: even run directly, the page refuses
            at = new_app(folder, monkeypatch, role=role, script=f"pages/{spec.stem}.py")
            at.run()
            assert f"角色“{role}”无权打开“{spec.title}”页" in texts(at), (role, spec.stem)
            assert not at.title, (role, spec.stem)
        assert not at.exception, (role, spec.stem, at.exception)


def test_a_double_click_on_remove_removes_one_member(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second click of a double click on 移出 lands on the next member's row, moved up under the pointer: it
    removes nobody (every row's button counts as one form, within a second of its save)."""
    import ui.saving

    engine = _db(tmp_path)
    at = open_page(new_app(tmp_path, monkeypatch), "admin", evaluation=None)
    monkeypatch.setattr(ui.saving, "REPEAT_SECONDS", 1.0)
    now = [50.0]
    monkeypatch.setattr(ui.saving, "monotonic", lambda: now[0])
    ids = [add_account(tmp_path, name, "评价人员", (SAMPLE,)).id for name in ("zhao", "qian", "sun")]
    at.session_state["admin_members.evaluation"] = SAMPLE
    at.run()
    removes = [b for b in at.button if b.label == "移出"]
    assert len(removes) == 3
    removes[0].click().run()
    now[0] += 0.3
    next(b for b in at.button if b.label == "移出").click().run()  # the row that moved up
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        left = [i for i in ids if memberships(session=s, user_id=i) == [SAMPLE]]
    assert len(left) == 2 and ids[0] not in left
    now[0] += 1.0
    next(b for b in at.button if b.label == "移出").click().run()  # a second removal, later on
    with session_scope(engine) as s:
        assert [i for i in ids if memberships(session=s, user_id=i) == [SAMPLE]] == ids[2:]
    engine.dispose()


def test_saving_an_accounts_role_keeps_that_account_in_the_picker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """修改账户: after a save the form still shows the account just changed (it switched to the first account,
    whose fields a next save would then change)."""
    at = open_page(new_app(tmp_path, monkeypatch), "admin", evaluation=None)
    zhou = add_account(tmp_path, "zhou", "评价人员")
    at.run()
    at.session_state["admin_pick_user"] = zhou.id  # (a format_func's option is picked through its state)
    at.run()
    assert by_label(at.selectbox, "账户").value == zhou.id
    role = next(w for w in at.selectbox if w.key and w.key.startswith(f"admin_edit.role@{zhou.id}"))
    role.set_value("复核人员")
    button(at, "保存修改").click().run()
    assert not at.exception, at.exception
    assert "已保存账户“zhou”" in texts(at)
    assert by_label(at.selectbox, "账户").value == zhou.id  # still the account just changed
    role = next(w for w in at.selectbox if w.key and w.key.startswith(f"admin_edit.role@{zhou.id}"))
    assert role.value == "复核人员"
