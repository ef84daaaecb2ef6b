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
from typing import Any, TypeVar

from evaluation.kept import KeptMap

T = TypeVar("T")

_kept: KeptMap[tuple[int, str], tuple[object, Any]] = KeptMap(256)  # (object id, name) → (object, value)


def derived(source: object, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` (a pure function of ``source``), once per ``source`` object and ``name``."""
    key = (id(source), name)
    found = _kept.get(key)
    if found is not None and found[0] is source:
        return found[1]  # type: ignore[no-any-return]
    value = compute()
    _kept.put(key, (source, value))
    return value
