"""AppTest of the 自评表 page: batch upload (one bad file) and a survey written into an indicator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.files.evaluations import load_evaluation
from evaluation.selfeval.write import export_self_evaluation
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import get_evaluation, list_evaluations
from tests.conftest import SAMPLES
from tests.pages.support import new_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, samples: bool) -> tuple[AppTest, str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    if not samples:
        (tmp_path / "empty").mkdir()
        monkeypatch.setenv("WORKBENCH_SAMPLES", str(tmp_path / "empty"))
    return new_app(tmp_path, monkeypatch, script="pages/selfeval.py"), url


def test_batch_upload_imports_the_good_file_and_refuses_the_bad_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, url = _app(tmp_path, monkeypatch, samples=False)
    app.run()
    assert not app.exception, app.exception
    good = export_self_evaluation(load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-zsj-10-tijian.yaml"), "xlsx")
    app.get("file_uploader")[0].set_value([("体检.xlsx", good, XLSX), ("坏.xlsx", b"garbage", XLSX)])  # type: ignore[attr-defined]
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert any(
        "体检.xlsx：已导入“2024年干部体检财政补贴资金”（2024 年度，6 项指标，表中总分 99）" in s.value
        for s in app.success
    )
    assert any("坏.xlsx：未导入" in e.value and "无法作为 Excel 文件打开" in e.value for e in app.error)
    eng = open_database(url)
    with session_scope(eng) as s:
        assert [e.project_name for e in list_evaluations(session=s)] == ["2024年干部体检财政补贴资金"]
    eng.dispose()


def test_survey_rate_is_written_into_the_satisfaction_indicator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, url = _app(tmp_path, monkeypatch, samples=True)
    app.run()
    csv = "满意度\n" + "\n".join(["满意"] * 28 + ["不满意"] * 4)
    app.get("file_uploader")[1].set_value(("问卷.csv", csv.encode(), "text/csv")).run()  # type: ignore[attr-defined]
    app.multiselect(key="survey_questions").set_value(["满意度"]).run()
    assert not app.exception, app.exception
    assert app.metric[0].value == "87.50%"
    app.selectbox(key="survey_eval").set_value("hengkou-2024-zsj-10-tijian").run()
    app.selectbox(key="survey_indicator").set_value("MY.FW.01").run()
    next(b for b in app.button if "写入该指标" in b.label).click().run()
    assert not app.exception, app.exception
    assert any("已将满意度 87.50% 写入" in t.value for t in app.toast)
    eng = open_database(url)
    with session_scope(eng) as s:
        a = get_evaluation(session=s, ref="hengkou-2024-zsj-10-tijian").assessment("MY.FW.01")
    eng.dispose()
    assert a is not None and a.inputs.actual == "87.50%" and a.narrative.count("共回收问卷 32 份") == 1


def test_batch_review_tab_on_the_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = _app(tmp_path, monkeypatch, samples=True)
    app.run()
    assert not app.exception, app.exception
    assert app.selectbox(key="review_group").value == ("summary", "hengkou-2024-zsj-department", 2024)
    summary = app.dataframe[0].value
    row = summary[summary["项目"] == "预算执行率"].iloc[0]
    assert (row["据各表计算"], row["部门报告所载"]) == ("96.62%", "96.62%")
    assert any("95.9" in e.value for e in app.error)  # 红星: the report's 95.9 against the table's 93.8
    projects = app.dataframe[1].value
    assert len(projects) == 12  # the 11 projects the report lists and the 部门整体 table


def test_a_double_click_on_import_imports_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second click's run starts while the first one imports and reaches the import after it: it imports
    nothing (no "已存在" refusal of the file the first click has just imported), under the session's lock."""
    from time import monotonic

    import ui.saving
    from ui.state import Round, round_book

    app, url = _app(tmp_path, monkeypatch, samples=False)
    app.run()
    good = export_self_evaluation(load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-zsj-10-tijian.yaml"), "xlsx")
    app.get("file_uploader")[0].set_value([("体检.xlsx", good, XLSX)])  # type: ignore[attr-defined]
    real = ui.saving.save_lock
    first: list[str] = []

    @contextmanager
    def lock() -> Iterator[object]:  # the first click's run imports first, then this run takes the lock
        if not first:
            first.append("imported")
            round_book()["selfeval_import"] = Round(1, lambda: None, monotonic(), pending=False)
        with real() as held:
            yield held

    monkeypatch.setattr(ui.saving, "save_lock", lock)
    app.button[0].click().run()
    assert first == ["imported"] and not app.exception, app.exception
    assert not app.error and not app.success  # this run imported nothing and said nothing
    eng = open_database(url)
    with session_scope(eng) as s:
        assert list_evaluations(session=s) == []
    eng.dispose()
    monkeypatch.setattr(ui.saving, "save_lock", real)
    app.run()
    app.button[0].click().run()  # a later click on the button drawn anew imports
    assert any("体检.xlsx：已导入" in s.value for s in app.success)
