"""``ui.tables.edited_rows``: the table a submit button's callback reads must be the one ``st.data_editor`` itself
returns for the same edits (the page saves in the callback, before the editor is drawn again)."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ui.tables import read_table


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
