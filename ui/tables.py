"""Reading a table the user edited (``st.data_editor``): blank rows skipped, every cell as cleaned text,
each row with the number the user sees, and a refusal that names the table and the row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

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
