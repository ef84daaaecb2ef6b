"""ui.state's evaluation pickers past ``PICK_ALL`` evaluations: a search box and a short list instead of every label."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.storage.repo import EvaluationSummary
from tests.pages.support import new_app, picker
from ui import state
from ui.state import SHORT_LIST, evaluation_labels, short_list


def summary(n: int, name: str, department: str, year: int = 2024, key: str | None = None) -> EvaluationSummary:
    return EvaluationSummary(
        id=n,
        key=key or f"ev-{n:04d}",
        kind="third_party",
        project_name=name,
        department=department,
        agency="",
        year=year,
        category="",
        template_id="",
        total_score=Decimal(90),
        grade="优",
        scored=1,
        indicator_count=1,
        version=1,
    )


NAMES = ("道路养护", "义务教育", "乡村振兴")
DEPARTMENTS = ("交通局", "教育局", "农业农村局")
PORTFOLIO = [summary(n, f"{NAMES[n % 3]}项目{n}", DEPARTMENTS[n % 3], 2020 + n % 5) for n in range(1, 600)] + [
    summary(600, "智慧城市平台", "大数据局", 2024, key="SZ-2024-Platform")
]


def test_with_nothing_typed_the_current_then_the_recent_then_the_first_of_the_list() -> None:
    labels = evaluation_labels(PORTFOLIO)
    listed = short_list(PORTFOLIO, labels, "ev-0300", ["ev-0500", "gone-since", "ev-0300", "ev-0007"], "")
    assert listed[:3] == ["ev-0300", "ev-0500", "ev-0007"]  # an evaluation no longer readable is left out
    assert listed[3:6] == ["ev-0001", "ev-0002", "ev-0003"]
    assert len(listed) == SHORT_LIST == len(set(listed))


def test_a_query_keeps_the_evaluations_holding_every_word_in_name_department_year_or_key() -> None:
    labels = evaluation_labels(PORTFOLIO)
    listed = short_list(PORTFOLIO, labels, "ev-0001", [], "教育局  2023")
    # the current evaluation stays first (the selectbox shows it), then the matches in the list's order
    assert listed[0] == "ev-0001"
    found = [s for s in PORTFOLIO if s.key in listed[1:]]
    assert found and all(s.department == "教育局" and s.year == 2023 for s in found)
    every = [s for s in PORTFOLIO if s.department == "教育局" and s.year == 2023]
    assert [s.key for s in found] == [s.key for s in every][: SHORT_LIST - 1]
    # a key typed in another case, and a word of the name
    assert short_list(PORTFOLIO, labels, "ev-0001", [], "sz-2024-platform") == ["ev-0001", "SZ-2024-Platform"]
    assert short_list(PORTFOLIO, labels, "ev-0001", [], "智慧 城市") == ["ev-0001", "SZ-2024-Platform"]
    assert short_list(PORTFOLIO, labels, "ev-0001", [], "没有这个项目") == ["ev-0001"]


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The 13 samples, with pickers that list at most 5 of them (as 2,000 evaluations would with the defaults)."""
    monkeypatch.setattr(state, "PICK_ALL", 5)
    monkeypatch.setattr(state, "SHORT_LIST", 4)
    return new_app(tmp_path, monkeypatch)


def test_home_finds_an_evaluation_by_typing_and_opens_it(app: AppTest) -> None:
    app.run()
    assert not app.exception, app.exception
    pick = picker(app, "home_pick")
    assert len(pick.options) == 4 and pick.value == "panzhihua-2023-zhaoshang"
    assert any("共 13 个评价，此处列出 4 个" in c.value for c in app.caption)
    app.text_input(key="home_pick_find").input("体检").run()
    pick = picker(app, "home_pick")
    assert pick.options == ["招商引资工作经费（2023，第三方评价）", "2024年干部体检财政补贴资金（2024，绩效自评）"]
    pick.set_value("hengkou-2024-zsj-10-tijian").run()
    assert not app.exception, app.exception
    assert app.session_state["wb_current_evaluation"] == "hengkou-2024-zsj-10-tijian"
    assert {m.label: m.value for m in app.metric}["自评得分"] == "89"  # the chosen evaluation's figures
    app.text_input(key="home_pick_find").input("文联 日常").run()
    picker(app, "home_pick").set_value("hengkou-2024-wl-05-richang").run()
    # cleared: the current one first, then the one opened before it in this session, then the list's first
    app.text_input(key="home_pick_find").input("").run()
    listed = picker(app, "home_pick").options
    assert listed[:2] == ["文联日常活动经费（2024，绩效自评）", "2024年干部体检财政补贴资金（2024，绩效自评）"]
    first = app.dataframe[0].value.iloc[0]  # the list's first evaluation, as the table above shows it
    assert listed[2] == f"{first['项目名称']}（{first['年度']}，{first['类型']}）"
    app.text_input(key="home_pick_find").input("没有这个项目").run()
    assert any("没有与“没有这个项目”相符的其他评价" in c.value for c in app.caption)
    assert len(picker(app, "home_pick").options) == 1


def test_the_sidebar_picker_finds_by_department_and_switches_the_page(app: AppTest) -> None:
    app.run()
    app.switch_page("pages/evidence.py").run()
    assert not app.exception, app.exception
    app.text_input(key="wb_pick_evaluation_find").input("文联 日常").run()
    pick = picker(app, "wb_pick_evaluation")
    assert pick.options[1:] == ["文联日常活动经费（2024，绩效自评）"]
    pick.set_value("hengkou-2024-wl-05-richang").run()
    assert not app.exception, app.exception
    assert app.query_params["eval"] == "hengkou-2024-wl-05-richang"
    assert any("文联日常活动经费" in c.value for c in app.caption)


def test_up_to_the_limit_every_evaluation_is_listed_without_a_search_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = new_app(tmp_path, monkeypatch)
    app.run()
    assert len(picker(app, "home_pick").options) == 13
    assert not [t for t in app.text_input if t.key == "home_pick_find"]


def test_after_a_save_the_labels_are_carried_over_only_while_the_saved_rows_label_reads_the_same() -> None:
    """A list that replaced another by one saved row (``repo.replaced_row``) takes the old list's labels and keys
    when that row's label reads the same (a new score), and works them out again when it does not (a new name, a
    new key): either way what a fresh computation gives."""
    from dataclasses import replace

    from evaluation.storage.repo import note_replaced

    def keys_of(items: list[EvaluationSummary]) -> frozenset[str]:
        return state.from_list(items, "keys", lambda: frozenset(i.key for i in items), state._key)

    def replaced(items: list[EvaluationSummary], at: int, **change: object) -> list[EvaluationSummary]:
        row = replace(items[at], **change)
        new = [*items[:at], row, *items[at + 1 :]]
        note_replaced(new, items, items[at], row)
        return new

    old = list(PORTFOLIO)
    labels, keys = evaluation_labels(old), keys_of(old)
    rescored = replaced(old, 41, total_score=Decimal(70), grade="中")
    assert evaluation_labels(rescored) is labels and keys_of(rescored) is keys  # carried over
    assert evaluation_labels(rescored) == state._labels(rescored)

    renamed = replaced(rescored, 41, project_name="道路养护项目（更名）")
    assert evaluation_labels(renamed) is not labels and keys_of(renamed) is keys
    assert evaluation_labels(renamed) == state._labels(renamed)
    assert evaluation_labels(renamed)[renamed[41].key].startswith("道路养护项目（更名）（")

    rekeyed = replaced(renamed, 41, key="ev-renamed")
    assert keys_of(rekeyed) == frozenset(i.key for i in rekeyed) != keys
    assert evaluation_labels(rekeyed) == state._labels(rekeyed) and "ev-renamed" in evaluation_labels(rekeyed)

    twin = list(old)  # equal, but not noted as a replacement: worked out whole
    assert evaluation_labels(twin) is not labels and evaluation_labels(twin) == labels
