"""Values derived from the shared objects the storage layer keeps between page runs — the evaluation list
(``repo.list_evaluations``) and validated evaluations (``repo.evaluation_with_versions``) — computed once per
object and used again by every run of every session while the object is current.

Those objects are never changed in place (a save stores a new version, and the next read returns a new
object), so a value computed from one stays right for as long as the object is the one the storage layer
returns. Entries are keyed by the object's identity and hold the object itself, so the identity cannot be
taken over by another object while the entry lives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from evaluation.kept import KeptMap

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from pydantic import BaseModel

T = TypeVar("T")

_kept: KeptMap[tuple[int, str], tuple[object, Any]] = KeptMap(512)  # (object id, name) → (object, value)


def derived(source: object, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` (a pure function of ``source``), once per ``source`` object and ``name``."""
    key = (id(source), name)
    found = _kept.get(key)
    if found is not None and found[0] is source:
        return found[1]  # type: ignore[no-any-return]
    value = compute()
    _kept.put(key, (source, value))
    return value


def kept_value(source: object, name: str) -> Any | None:
    """What :func:`derived` keeps for ``source`` and ``name``, or None when nothing is kept (nothing is computed)."""
    found = _kept.get((id(source), name))
    return found[1] if found is not None and found[0] is source else None


def model_hash(model: BaseModel) -> int:
    """A hash of a kept model's whole content (an evaluation, a department report), once per model object: what a
    result derived from it is kept under when the object itself may be older than the stamp it is read at."""
    return derived(model, "model-hash", lambda: hash(model.model_dump_json()))


def arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """A kept table (one derived here, shared between runs and never changed) as the Arrow table ``st.dataframe``
    sends, converted once per frame: given a pandas frame, Streamlit converts it again on every run (1.4 ms for the
    2,000 rows of 评价项目), given the Arrow table it only writes it out. A frame Arrow cannot take as it is (a
    column of mixed types) is returned as it is, for Streamlit's own conversion to mend."""
    return derived(frame, "arrow", lambda: _to_arrow(frame))


def _to_arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return frame
