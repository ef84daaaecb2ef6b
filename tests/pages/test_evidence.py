"""证据与评分 through its widgets: each rule kind's input, refused input, override, evidence, narrative,
the conflict message when someone else saved first, the save made in the button's callback (one run), and the
edited table that callback reads."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.auth import SYSTEM
from evaluation.model import Assessment, Finding
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.repo import save_assessment
from tests.pages.support import SAMPLE, button, by_label, edit_table, new_app, open_new_form, open_page, stored, texts
from ui.tables import read_table


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def pick(at: AppTest, code: str, evaluation: str = SAMPLE) -> AppTest:
    at.selectbox(key=f"wb_pick_indicator@{evaluation}").set_value(code).run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, form: str) -> AppTest:
    next(b for b in at.form_submit_button if b.form_id.startswith(form)).click().run()
    assert not at.exception, at.exception
    return at


def score_of(tmp_path: Path, code: str, key: str = SAMPLE) -> Decimal | None:
    from evaluation.scoring.engine import score

    return score(stored(tmp_path, key)).indicator(code).score


def total(at: AppTest) -> str:
    return next(m.value for m in at.sidebar.markdown if "得分" in m.value)


def test_deduction_finding_with_evidence_lowers_the_score(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    assert "得分 88 分" in total(app)
    edit_table(
        app,
        f"ev@{SAMPLE}@TY.JC.01@inputs.findings",
        added=[
            {"问题描述": "项目调整未经集体研究", "证据文件": "党组会议纪要", "文号": "东经合〔2023〕5号", "页码": "3"}
        ],
    )
    submit(app, "inputs@")
    assert score_of(tmp_path, "TY.JC.01") == 3
    a = stored(tmp_path).assessment("TY.JC.01")
    assert a is not None and a.inputs.findings[0].evidence[0].doc_no == "东经合〔2023〕5号"
    assert "发现 1 处问题" in texts(app) and "得分 85 分" in total(app)


def test_ratio_shows_the_reading_and_refuses_an_ambiguous_actual(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "GX.JJ.02")
    by_label(app.text_input, "实际值").set_value("新签约5亿元以上项目5个")
    submit(app, "inputs@")
    assert "包含多个数值（5、5）" in texts(app)
    assert by_label(app.text_input, "实际值").value == "新签约5亿元以上项目5个"
    assert score_of(tmp_path, "GX.JJ.02") == 8
    by_label(app.text_input, "实际值").set_value("5个")
    submit(app, "inputs@")
    assert score_of(tmp_path, "GX.JJ.02") == Decimal("5.71")
    assert any("解析：读作数值 5个" in c.value for c in app.caption)
    assert "实际 5个 / 目标 7 = 71.43%" in texts(app)


def test_composite_ratio_timeliness_and_a_zero_target(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.SS.01")
    inputs = [t for t in app.text_input if t.label == "实际值"]
    inputs[0].set_value("198万元")
    submit(app, "inputs@")
    assert score_of(tmp_path, "TY.SS.01") == Decimal("5.70")
    targets = [t for t in app.text_input if t.label == "目标值"]
    targets[1].set_value("0")
    submit(app, "inputs@")
    assert "单位资金使用率的目标值为 0，无法计算比率" in texts(app)
    assert score_of(tmp_path, "TY.SS.01") == Decimal("5.70")
    pick(app, "TY.JG.02")
    by_label(app.date_input, "实际完成日期").set_value(date(2024, 1, 30))
    submit(app, "inputs@")
    assert score_of(tmp_path, "TY.JG.02") == Decimal("2.75")
    assert "超时 30天（8.24%）" in texts(app)


def test_checklist_bands_and_composite(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.03")
    by_label(app.radio, "聚焦重大任务").set_value("否")
    submit(app, "inputs@")
    assert score_of(tmp_path, "TY.JC.03") == 3
    # 规划论证: checklist part + bands part (count of badly set targets); the stored override stays
    pick(app, "TY.JC.02")
    by_label(app.text_input, "个数").set_value("1")
    submit(app, "inputs@")
    a = stored(tmp_path).assessment("TY.JC.02")
    assert a is not None and (a.inputs.parts["targets"].count, a.inputs.parts["targets"].of) == (1, 12)
    from evaluation.scoring.engine import score

    row = score(stored(tmp_path)).indicator("TY.JC.02")
    assert row.computed == 6 and row.score == 3  # the override from the report is kept
    by_label(app.text_input, "个数").set_value("13")
    submit(app, "inputs@")
    assert "个数 13 大于总个数 12" in texts(app)


def test_bands_by_count_or_by_value_one_at_a_time(app: AppTest, tmp_path: Path) -> None:
    """偏离度/个数: a count once saved can be emptied again to score by the value instead; both filled, or a count
    that is not a whole number, is refused by name and nothing is written."""
    open_page(app, "evidence")
    pick(app, "TY.JC.02")
    count = by_label(app.text_input, "个数")
    stored_part = stored(tmp_path).assessment("TY.JC.02").inputs.parts["targets"]  # type: ignore[union-attr]
    assert (count.value, by_label(app.text_input, "总个数").value) == (str(stored_part.count), str(stored_part.of))
    before = stored(tmp_path).assessment("TY.JC.02")
    for typed, said in (("两个", "“个数”：请填写整数（如 3），不能是“两个”"), ("-1", "“个数”：不能为负数")):
        by_label(app.text_input, "个数").set_value(typed)
        submit(app, "inputs@")
        assert said in texts(app), texts(app)
        assert stored(tmp_path).assessment("TY.JC.02") == before
    by_label(app.text_input, "个数").set_value("2")
    value = next(w for w in app.text_input if str(w.label).endswith("（如 25%）"))
    value.set_value("20%")
    submit(app, "inputs@")
    assert "只填一种" in texts(app) and stored(tmp_path).assessment("TY.JC.02") == before
    by_label(app.text_input, "个数").set_value("")
    by_label(app.text_input, "总个数").set_value("")
    submit(app, "inputs@")
    assert not app.error, [e.value for e in app.error]
    part = stored(tmp_path).assessment("TY.JC.02").inputs.parts["targets"]  # type: ignore[union-attr]
    assert (part.value, part.count, part.of) == ("20%", None, None)
    assert (by_label(app.text_input, "个数").value, by_label(app.text_input, "总个数").value) == ("", "")


def test_qualitative_band_refuses_a_score_outside_it(app: AppTest, tmp_path: Path) -> None:
    key = "hengkou-2024-zsj-10-tijian"
    open_page(app, "evidence", key)
    pick(app, "XY.SH.01", key)
    by_label(app.selectbox, "档次").set_value("部分达成")
    by_label(app.text_input, "得分").set_value("14")
    submit(app, "inputs@")
    assert "得分 14 不在“部分达成”档的区间 [9, 12) 内" in texts(app)
    by_label(app.text_input, "得分").set_value("10.5")
    submit(app, "inputs@")
    assert score_of(tmp_path, "XY.SH.01", key) == Decimal("10.5")


def test_manual_score_needs_a_justification(app: AppTest, tmp_path: Path) -> None:
    open_new_form(app)
    by_label(app.text_input, "项目名称").set_value("办公经费")
    by_label(app.text_input, "主管部门").set_value("某局")
    by_label(app.selectbox, "专用指标包").set_value("pack-xingzheng-yunzhuan")
    button(app, "新建").click().run()
    app.switch_page("pages/evidence.py").run()
    pick(app, "GX.01.01", "eval-2024-1")
    by_label(app.text_input, "得分").set_value("12")
    submit(app, "inputs@")
    assert "直接评分须写明理由" in texts(app)
    by_label(app.text_area, "评分理由").set_value("个性目标大部分完成")
    by_label(app.text_input, "得分").set_value("17")
    submit(app, "inputs@")
    assert "不能超过分值 16" in texts(app)
    by_label(app.text_input, "得分").set_value("12")
    submit(app, "inputs@")
    assert score_of(tmp_path, "GX.01.01", "eval-2024-1") == 12


def test_override_needs_a_reason_and_can_be_cleared(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.03")
    by_label(app.text_input, "调整得分").set_value("4")
    submit(app, "override@")
    assert "调整得分必须写明理由" in texts(app)
    assert score_of(tmp_path, "TY.JC.03") == 6
    by_label(app.text_input, "调整理由").set_value("资金存在少量交叉使用，酌情扣分")
    submit(app, "override@")
    a = stored(tmp_path).assessment("TY.JC.03")
    assert a is not None and a.override is not None and a.override.reason == "资金存在少量交叉使用，酌情扣分"
    assert score_of(tmp_path, "TY.JC.03") == 4 and "得分 86 分" in total(app)
    next(b for b in app.form_submit_button if b.label.startswith("取消调整")).click().run()
    assert score_of(tmp_path, "TY.JC.03") == 6
    assert by_label(app.text_input, "调整得分").value == "" and by_label(app.text_input, "调整理由").value == ""
    by_label(app.text_input, "调整得分").set_value("7")  # above the indicator's 6 points: said by the field's name
    by_label(app.text_input, "调整理由").set_value("复核后认为应加分")
    submit(app, "override@")
    said = texts(app)
    assert "未保存：“调整得分”：不能超过分值 6" in said and "assessments[" not in said


def test_penalty_item_lowers_the_total(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "KF.01")
    edit_table(app, f"ev@{SAMPLE}@KF.01@inputs.findings", added=[{"问题描述": "未按时报送绩效自评报告"}])
    submit(app, "inputs@")
    from evaluation.scoring.engine import score

    assert score(stored(tmp_path)).total == 87
    assert "得分 87 分" in total(app)


def test_evidence_references_and_attachments(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    edit_table(
        app,
        f"ev@{SAMPLE}@TY.JC.01@refs.table",
        added=[{"文件名称": "项目申报书", "文号": "东财〔2023〕1号", "页码": "2"}],
    )
    app.file_uploader[0].set_value([("../../纪要.pdf", b"%PDF-1.4 test", "application/pdf")])
    submit(app, "evidence@")
    a = stored(tmp_path).assessment("TY.JC.01")
    assert a is not None
    docs = [(e.document, e.doc_no, e.attachment) for e in a.evidence]
    assert ("项目申报书", "东财〔2023〕1号", "") in docs
    attached = [e.attachment for e in a.evidence if e.attachment]
    assert attached == [f"{SAMPLE}/TY.JC.01/纪要.pdf"]
    assert (tmp_path / "attachments" / SAMPLE / "TY.JC.01" / "纪要.pdf").read_bytes() == b"%PDF-1.4 test"
    assert any("下载 纪要.pdf" in b.label for b in app.get("download_button"))
    recorded = [e.sha256 for e in a.evidence if e.attachment]
    assert recorded == [hashlib.sha256(b"%PDF-1.4 test").hexdigest()]
    # a file changed behind the workbench's back is flagged
    (tmp_path / "attachments" / SAMPLE / "TY.JC.01" / "纪要.pdf").write_bytes(b"%PDF-1.4 altered")
    app.run()
    assert "与上传时记录的 SHA-256 不符" in texts(app)


def test_a_refused_evidence_save_leaves_no_file_behind(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    other = stored(tmp_path).assessment("TY.JC.01")
    assert other is not None
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as session:  # someone else saves the indicator first
        save_assessment(
            session=session,
            ref=SAMPLE,
            assessment=other.model_copy(update={"narrative": "他人修改"}),
            expected_version=1,
            user=SYSTEM,
        )
    engine.dispose()
    app.file_uploader[0].set_value([("会议纪要.pdf", b"%PDF-1.4 minutes", "application/pdf")])
    submit(app, "evidence@")
    assert "已被他人修改" in texts(app)
    folder = tmp_path / "attachments" / SAMPLE / "TY.JC.01"
    assert not folder.exists() or not any(folder.iterdir())


def test_attachment_of_a_forbidden_type_is_refused(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    app.file_uploader[0].set_value([("run.exe", b"MZ", "application/octet-stream")])
    submit(app, "evidence@")
    assert "不支持的文件类型“.exe”" in texts(app)
    assert not (tmp_path / "attachments").exists()


def test_narrative_is_drafted_from_inputs_and_saved(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JG.02")
    next(b for b in app.form_submit_button if b.label == "按输入和得分起草").click().run()
    draft = by_label(app.text_area, "评分过程").value
    # the draft is unsaved input: the page marks the form again (its draft button had marked it saved)
    assert any("wb-refused-" in str(h.proto.body) for h in app.get("html")), "draft not marked unsaved"
    # full marks: one sentence of what was checked and met
    assert "按时完成（计划2023-12-31完成，实际2023-12-31完成）" in draft and draft.endswith("得满分。")
    by_label(app.checkbox, "已复核").check()
    submit(app, "narrative@")
    a = stored(tmp_path).assessment("TY.JG.02")
    assert a is not None and a.narrative == draft and a.status == "已复核"


def test_someone_elses_save_is_not_overwritten(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as session:
        other = Assessment(code="TY.JC.01", inputs={"findings": [Finding(text="他人记录的问题")]})  # type: ignore[arg-type]
        save_assessment(session=session, ref=SAMPLE, assessment=other, expected_version=1, user=SYSTEM)
    engine.dispose()
    edit_table(app, f"ev@{SAMPLE}@TY.JC.01@inputs.findings", added=[{"问题描述": "我的问题"}])
    submit(app, "inputs@")
    assert "在您编辑期间已被他人修改" in texts(app)
    a = stored(tmp_path).assessment("TY.JC.01")
    assert a is not None and [f.text for f in a.inputs.findings] == ["他人记录的问题"]
    button(app, "载入最新内容").click().run()
    assert "发现 1 处问题：他人记录的问题" in texts(app)


def test_reading_follows_the_text_typed_when_the_save_is_refused(app: AppTest) -> None:
    open_page(app, "evidence")
    pick(app, "GX.JJ.02")
    stored_reading = [c.value for c in app.caption if c.value.startswith("解析：")]
    assert not any("含多个数值" in c for c in stored_reading)
    by_label(app.text_input, "实际值").set_value("新签约5亿元以上项目5个")
    by_label(app.text_input, "目标值").set_value("9个")
    submit(app, "inputs@")
    assert "包含多个数值（5、5）" in texts(app)
    readings = [c.value for c in app.caption if c.value.startswith("解析：")]
    assert readings[:2] == [
        "解析：含多个数值（5、5），请只保留用于计算的那一个",
        "解析：读作数值 9个（数 9，单位 个）",
    ], readings


def test_an_attachment_over_the_size_limit_is_refused_on_the_server(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    before = stored(tmp_path).assessment("TY.JC.01")
    big = b"%PDF-1.4 " + b"\0" * (21 * 1024 * 1024)
    app.file_uploader[0].set_value([("大文件.pdf", big, "application/pdf")])
    submit(app, "evidence@")
    said = texts(app)
    assert "超过上限 20 MB" in said and "已保存证据" not in said
    assert stored(tmp_path).assessment("TY.JC.01") == before and not (tmp_path / "attachments").exists()


def test_a_web_page_named_pdf_is_refused(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    app.file_uploader[0].set_value([("报告.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")])
    submit(app, "evidence@")
    assert "是网页或标记文件，不是PDF" in texts(app) and not (tmp_path / "attachments").exists()


def test_the_same_file_attached_twice_is_kept_once(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    minutes = b"%PDF-1.4 minutes"
    app.file_uploader[0].set_value(
        [("纪要.pdf", minutes, "application/pdf"), ("纪要副本.pdf", minutes, "application/pdf")]
    )
    submit(app, "evidence@")
    assert "新上传的附件：纪要.pdf" in texts(app)
    app.file_uploader[0].set_value([("再传一次.pdf", minutes, "application/pdf")])
    submit(app, "evidence@")
    a = stored(tmp_path).assessment("TY.JC.01")
    assert a is not None
    assert [e.attachment for e in a.evidence if e.attachment] == [f"{SAMPLE}/TY.JC.01/纪要.pdf"]
    assert [p.name for p in (tmp_path / "attachments" / SAMPLE / "TY.JC.01").iterdir()] == ["纪要.pdf"]


def test_an_actual_of_ten_to_the_thirty_is_refused_by_name(app: AppTest, tmp_path: Path) -> None:
    open_page(app, "evidence")
    pick(app, "GX.JJ.02")
    by_label(app.text_input, "实际值").set_value("1" + "0" * 30 + "个")
    submit(app, "inputs@")  # asserts no exception reached the page
    assert "数值过大（整数部分最多 18 位）" in texts(app)
    assert score_of(tmp_path, "GX.JJ.02") == 8


def test_a_refused_form_value_is_said_in_chinese(app: AppTest, tmp_path: Path) -> None:
    # pydantic's "Input should be less than or equal to 10000" reached the page before
    open_page(app, "evidence")
    pick(app, "TY.JC.03")
    by_label(app.text_input, "调整得分").set_value("20000")
    by_label(app.text_input, "调整理由").set_value("测试很大的得分")
    submit(app, "override@")
    said = texts(app)  # the form checks the indicator's weight before the model's own bound (10000) is reached
    assert "“调整得分”：不能超过分值 6" in said and "Input should" not in said
    assert score_of(tmp_path, "TY.JC.03") == 6
    assert by_label(app.text_input, "调整得分").value == "20000"  # the form keeps what was typed
    app.run()  # the reason is said once, below the form, in the run after the click
    assert "不能超过分值 6" not in texts(app)


def test_a_save_draws_the_page_once_with_the_new_score(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form saves in its button's callback: the click is followed by one run of the page (not a run that saves
    and a second that redraws), and that run already shows the new score, the message and an emptied form."""
    import ui.guard

    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    runs: list[str] = []
    real_entered = ui.guard.entered_page

    def counted(stem: str) -> None:  # the guard calls it once per page run, after its checks
        runs.append(stem)
        real_entered(stem)

    monkeypatch.setattr(ui.guard, "entered_page", counted)
    key = f"ev@{SAMPLE}@TY.JC.01@inputs.findings"
    edit_table(app, key, added=[{"问题描述": "支出凭证缺少审批签字"}])
    submit(app, "inputs@")
    assert runs == ["evidence"]
    assert score_of(tmp_path, "TY.JC.01") == 3  # 6 分 less 3 for the one finding (the sample file's rule)
    assert "已保存评分输入并重新计算得分" in texts(app) and "得分 85 分" in total(app)
    assert "发现 1 处问题：支出凭证缺少审批签字" in texts(app)
    assert not app.session_state[key]["added_rows"]  # the table is drawn from the database, not from the edits


def test_a_save_after_the_sign_in_ended_writes_nothing(app: AppTest, tmp_path: Path) -> None:
    """The callback runs before the page's guard, so it checks the sign-in itself: a sign-out in another tab
    between drawing the form and clicking 保存 leaves the database as it was and asks for a sign-in."""
    from evaluation.storage.sessions import end_session

    open_page(app, "evidence")
    pick(app, "TY.JG.02")
    before = stored(tmp_path).assessment("TY.JG.02")
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as session:
        end_session(session=session, token=app.session_state["wb_token"])
    engine.dispose()
    by_label(app.text_area, "评分过程").set_value("登录失效后写的评分过程")
    submit(app, "narrative@")
    assert stored(tmp_path).assessment("TY.JG.02") == before
    assert "wb_user" not in app.session_state
    assert not any("已保存" in str(t.value) for t in app.toast)


def test_a_refused_evidence_save_keeps_a_colleagues_file_of_the_same_content(app: AppTest, tmp_path: Path) -> None:
    """A colleague saved the same file for the indicator after this form was drawn: the upload finds it stored, the
    save is refused as stale, and the colleague's file stays (only files this save wrote are removed)."""
    from evaluation.files.attachments import content_hash, store_attachment
    from evaluation.model import EvidenceRef

    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    minutes = b"%PDF-1.4 minutes of the party group meeting"
    root = tmp_path / "attachments"
    theirs = store_attachment(root=root, evaluation_id=SAMPLE, code="TY.JC.01", filename="纪要.pdf", data=minutes)
    other = stored(tmp_path).assessment("TY.JC.01")
    assert other is not None
    ref = EvidenceRef(document="党组会议纪要", attachment=theirs, sha256=content_hash(minutes))
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as session:
        save_assessment(
            session=session,
            ref=SAMPLE,
            assessment=other.model_copy(update={"evidence": [*other.evidence, ref]}),
            expected_version=1,
            user=SYSTEM,
        )
    engine.dispose()
    app.file_uploader[0].set_value([("会议纪要.pdf", minutes, "application/pdf")])
    submit(app, "evidence@")
    assert "已被他人修改" in texts(app)
    assert (root / theirs).read_bytes() == minutes
    saved = stored(tmp_path).assessment("TY.JC.01")
    assert saved is not None and ref in saved.evidence


def test_a_database_failure_is_said_in_chinese_and_the_upload_removed(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database that cannot take the write (locked, gone) is a refusal below the form, not a traceback in place of
    the page; the file stored for the save is removed and nothing is written."""
    from sqlalchemy.exc import OperationalError

    import evaluation.storage.repo

    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    before = stored(tmp_path).assessment("TY.JC.01")

    def locked(**_: object) -> int:
        raise OperationalError("UPDATE assessment", {}, Exception("database is locked"))

    monkeypatch.setattr(evaluation.storage.repo, "save_assessment", locked)
    app.file_uploader[0].set_value([("凭证.pdf", b"%PDF-1.4 voucher", "application/pdf")])
    submit(app, "evidence@")
    assert "未保存：数据库暂时无法完成保存（OperationalError）" in texts(app)
    folder = tmp_path / "attachments" / SAMPLE / "TY.JC.01"
    assert not folder.exists() or not any(folder.iterdir())
    monkeypatch.undo()
    assert stored(tmp_path).assessment("TY.JC.01") == before


def test_a_member_removed_after_the_form_was_drawn_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The callback checks the right to edit before it stores an upload (the page's guard has not run yet)."""
    from evaluation.storage.users import remove_member

    at = new_app(tmp_path, monkeypatch, role="评价人员", member_of=(SAMPLE,))
    open_page(at, "evidence")
    pick(at, "TY.JC.01")
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with session_scope(engine) as session:
        user_id = at.session_state["wb_user"]["id"]
        assert remove_member(session=session, actor=SYSTEM, user_id=user_id, evaluation_key=SAMPLE)
    engine.dispose()
    at.file_uploader[0].set_value([("纪要.pdf", b"%PDF-1.4 minutes", "application/pdf")])
    next(b for b in at.form_submit_button if b.form_id.startswith("evidence@")).click().run()
    assert not (tmp_path / "attachments").exists()  # not even written and removed again
    assert "您还没有参与任何评价" in texts(at)


def _versions_page() -> None:
    import streamlit as st

    from ui.state import assessment_version, remember_assessment_version, saved_since, version_book

    st.session_state["answers"] = [saved_since("e1", "TY.JC.01", 1)]  # nothing shown yet
    assessment_version("e1", "TY.JC.01", 1)  # the form drawn at version 1
    st.session_state["answers"].append(saved_since("e1", "TY.JC.01", 1))
    remember_assessment_version("e1", "TY.JC.01", 2, version_book())  # this session saved it
    st.session_state["answers"] += [saved_since("e1", "TY.JC.01", 1), saved_since("e1", "TY.JC.01", 2)]
    st.session_state["answers"].append(saved_since("e1", "TY.JC.02", None))


def test_a_second_click_on_a_form_saved_since_it_was_drawn_is_told_apart() -> None:
    """A second click that reaches the server before the page is drawn again carries the version the form was drawn
    at; this session's own save since then makes it stale, and the callback saves nothing more (no false
    "someone else changed it")."""
    at = AppTest.from_function(_versions_page).run()
    assert not at.exception, at.exception
    assert at.session_state["answers"] == [False, False, True, False, False]


# ``ui.tables.edited_rows``: the table a submit button's callback reads must be the one ``st.data_editor`` itself
# returns for the same edits (the page saves in the callback, before the editor is drawn again).


def _editor_page() -> None:
    import pandas as pd
    import streamlit as st

    from ui.tables import edited_rows

    df = pd.DataFrame(
        {
            "问题描述": ["合同未备案", "验收单缺签字", "支出超预算"],
            "扣分": [1.0, None, 2.5],
            "证据文件": ["合同", "", "凭证"],
            "_i": [0, 1, 2],
        }
    )
    config = {"扣分": st.column_config.NumberColumn(min_value=0.0), "_i": None}
    shown = st.data_editor(df, num_rows="dynamic", key="t", column_config=config)
    st.session_state["by_streamlit"] = shown
    st.session_state["by_callback"] = edited_rows(df.to_dict("records"), list(df.columns), "t")


EDITS: list[dict[str, Any]] = [
    {},
    {"edited_rows": {1: {"扣分": 2, "证据文件": "验收单"}}},
    {"deleted_rows": [0, 2]},
    {"added_rows": [{"问题描述": "新增问题"}, {"问题描述": "另一处", "扣分": 0.5, "证据文件": "纪要"}]},
    {  # all three at once, an edited row deleted and rows added after the deletion
        "edited_rows": {0: {"问题描述": "合同未按期备案"}, 2: {"扣分": None}},
        "deleted_rows": [0],
        "added_rows": [{"问题描述": "补充的问题", "扣分": 3}],
    },
    {"edited_rows": {2: {"问题描述": ""}}, "added_rows": [{}]},  # a row emptied and a blank row added
]


def _rows(frame: Any) -> list[tuple[int, dict[str, str]]]:
    return [(r.number, r.cells) for r in read_table(frame, "发现的问题")]


@pytest.mark.parametrize("edits", EDITS)
def test_the_callback_reads_the_table_the_editor_returns(edits: dict[str, Any]) -> None:
    at = AppTest.from_function(_editor_page)
    if edits:
        at.session_state["t"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    at.run()
    assert not at.exception, at.exception
    by_streamlit, by_callback = at.session_state["by_streamlit"], at.session_state["by_callback"]
    assert all(list(r) == list(by_streamlit.columns) for r in by_callback)
    assert _rows(by_callback) == _rows(by_streamlit)
    assert len(by_callback) == len(by_streamlit)


def test_no_edits_read_as_the_table_drawn() -> None:
    at = AppTest.from_function(_editor_page).run()
    assert [c["问题描述"] for _, c in _rows(at.session_state["by_callback"])] == [
        "合同未备案",
        "验收单缺签字",
        "支出超预算",
    ]


def test_a_new_row_of_findings_or_evidence_starts_with_empty_text_not_none(app: AppTest) -> None:
    """Streamlit shows a missing cell of a new row as a grey "None": the text columns of the two tables a consultant
    adds rows to all day give new rows "" instead, and a deduction of 2 points reads "2", not "2.0"."""
    import json

    open_page(app, "evidence")
    at = pick(app, "TY.JC.01")
    editors = {}
    for element in at.dataframe:
        columns = json.loads(element.proto.columns or "{}")
        editors[frozenset(columns)] = columns
    findings = next(c for names, c in editors.items() if "问题描述" in names)
    references = next(c for names, c in editors.items() if "文件名称" in names)
    for name in ("问题描述", "证据文件", "文号", "凭证号", "页码"):
        assert findings[name]["default"] == "", name
    for name in ("文件名称", "文号", "凭证号", "页码", "说明"):
        assert references[name]["default"] == "", name
    assert findings["扣分"]["type_config"]["format"] == "%g"


def test_the_indicators_history_is_read_only_while_open(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """本指标修改历史 is drawn (and its trail read) only while the user keeps it open: a save with it closed reads
    no trail; opened, it lists the save; it stays open for the next indicator."""
    import ui.history

    reads: list[str | None] = []
    real = ui.history.read_history

    def counted(**kwargs: Any) -> Any:
        reads.append(kwargs.get("target"))
        return real(**kwargs)

    monkeypatch.setattr(ui.history, "read_history", counted)
    open_page(app, "evidence")
    pick(app, "TY.JC.01")
    edit_table(app, f"ev@{SAMPLE}@TY.JC.01@inputs.findings", added=[{"问题描述": "支出凭证缺少审批签字"}])
    submit(app, "inputs@")
    assert "已保存评分输入并重新计算得分" in texts(app)
    assert reads == [] and not any("条记录" in c.value for c in app.caption)

    app.session_state["ev_history"] = True  # the user opens it (Streamlit reruns)
    app.run()
    assert reads == ["TY.JC.01"]
    shown = next(c.value for c in app.caption if "条记录" in c.value)
    assert shown.startswith("共 1 条记录"), shown  # the save just made
    pick(app, "TY.JC.02")  # still open for the next indicator: its own (empty) trail
    assert reads[-1] == "TY.JC.02" and "还没有修改记录。" in [c.value for c in app.caption]
