"""Every workbench page renders without exception for every sample evaluation (AppTest), its tables showing an
empty cell as blank."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.files.evaluations import load_evaluations
from evaluation.storage.imports import data_files
from tests.conftest import SAMPLES
from tests.pages.support import new_app, picker

PAGES = ["project", "indicators", "evidence", "problems", "report", "library", "home"]
KEYS = sorted(ev.id for ev in load_evaluations([p for p in data_files(SAMPLES) if "department" not in p.name]))


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return new_app(tmp_path, monkeypatch)


def test_the_samples_are_all_here() -> None:
    assert len(KEYS) == 13 and "panzhihua-2023-zhaoshang" in KEYS


@pytest.mark.parametrize("key", KEYS)
def test_every_page_renders_for_the_sample(app: AppTest, key: str) -> None:
    app.run()
    app.session_state["wb_current_evaluation"] = key
    for page in PAGES:
        app.switch_page(f"pages/{page}.py").run()
        assert not app.exception, (page, app.exception)
        assert app.title, page
        blank_when_empty(app, page)
        if page not in ("home", "library"):
            assert any(key in c.value for c in app.caption), (page, [c.value for c in app.caption][:3])
            assert not app.error or page == "report", (page, [e.value for e in app.error])
    assert picker(app, "home_pick").value == key


def blank_when_empty(app: AppTest, page: str) -> None:
    """Every table (``st.dataframe``, ``st.data_editor``) shows an empty cell as blank: Streamlit's default is a grey
    “None”, an English word in the middle of a consultant's table (an unfilled 扣分, an unscored evaluation)."""
    for table in app.dataframe:
        assert table.proto.HasField("placeholder") and table.proto.placeholder == "", (page, table.proto.id)
