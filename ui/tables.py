"""Reading a table the user edited (``st.data_editor``): blank rows skipped, every cell as cleaned text,
each row with the number the user sees, and a refusal that names the table and the row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from evaluation.files.grids import cell_text
from ui.feedback import FieldError


@dataclass(frozen=True)
class TableRow:
    """One filled row of a table: its number (1-based, blank rows counted) and its cells as text."""

    table: str
    number: int
    cells: dict[str, str]
    raw: dict[str, Any]  # the editor's values, for hidden bookkeeping columns

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def error(self, message: str, *, label: str | None = None) -> FieldError:
        """A refusal naming the table (or ``label``) and this row: “表”：第 n 行……"""
        return FieldError(label or self.table, f"第 {self.number} 行{message}")

    def required(self, column: str) -> str:
        """The cell's text; a row without it is refused (“第 n 行缺少<column>”)."""
        if not self.cells[column]:
            raise self.error(f"缺少{column}")
        return self.cells[column]


def read_table(
    edited: pd.DataFrame | Iterable[dict[str, Any]], table: str, *, filled_by: Sequence[str] = ()
) -> list[TableRow]:
    """The filled rows of ``edited``. A row is blank, and skipped, when every cell of ``filled_by`` (by default
    every column) is empty; row numbers still count it, as the user sees the table."""
    records = edited.to_dict("records") if isinstance(edited, pd.DataFrame) else list(edited)
    rows: list[TableRow] = []
    for number, record in enumerate(records, 1):
        cells = {str(k): cell_text(v) for k, v in record.items()}
        if not any(cells[c] for c in (filled_by or cells)):
            continue
        rows.append(TableRow(table, number, cells, {str(k): v for k, v in record.items()}))
    return rows


def edited_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], key: str) -> list[dict[str, Any]]:
    """The rows ``st.data_editor`` returns for a table drawn from ``rows`` (records with ``columns``), worked out
    from the edits the editor keeps in the session state under ``key``, so that a submit button's callback (which
    runs before the editor is drawn again) reads the table as the user left it: cell edits first, then the deleted
    rows (numbered as in ``rows``), then the added rows, in the order Streamlit applies them. Columns an added row
    leaves out are empty (None). Plain records, for :func:`read_table`: no pandas frame is built for the save."""
    state = st.session_state.get(key)
    edits = state if isinstance(state, dict) else {}
    out = [dict(r) for r in rows]
    for row, changes in (edits.get("edited_rows") or {}).items():
        if 0 <= int(row) < len(out):
            out[int(row)].update(changes)
    gone = {int(i) for i in edits.get("deleted_rows") or ()}
    kept = [r for i, r in enumerate(out) if i not in gone]
    return kept + [{c: added.get(c) for c in columns} for added in edits.get("added_rows") or ()]
