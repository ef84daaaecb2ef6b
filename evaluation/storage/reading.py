"""Reading by membership: what a signed-in user may see of the stored evaluations.

评价人员 and 复核人员 read only the evaluations they belong to (and the department summaries of those
evaluations' departments); 管理员, 管理者 and the system (CLI, sample loading) read everything. Every page,
list, chart, history, attachment and export reads through these functions, so the rule holds in the core and
not only in what the pages happen to show.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from evaluation.auth import User
from evaluation.kept import KeptMap
from evaluation.model import Evaluation
from evaluation.storage import audit
from evaluation.storage.documents import load_with_versions
from evaluation.storage.repo import (
    EvaluationSummary,
    get_evaluation,
    list_evaluations,
    list_order,
    note_replaced,
    replaced_row,
)
from evaluation.storage.results import Portfolio, PortfolioCache, load_summaries
from evaluation.storage.users import check_access, visible_keys


def readable_evaluations(*, session: Session, user: User) -> list[EvaluationSummary]:
    """The stored evaluations ``user`` may read, as list rows. Like the whole list (``repo.list_evaluations``),
    one member's share is the same object while neither the list nor the memberships changed (callers keep what
    they derive from it, and must not change it)."""
    keys = visible_keys(session=session, user=user)
    items = list_evaluations(session=session)
    if keys is None:
        return items
    wanted = (id(items), frozenset(keys))
    kept = _shares.get(wanted)
    if kept is not None and kept[0] is items:
        return kept[1]
    share = _share_after_one_row(items, wanted[1])
    if share is None:
        share = [i for i in items if i.key in keys]
    _shares.put(wanted, (items, share))
    return share


def _share_after_one_row(items: list[EvaluationSummary], keys: frozenset[str]) -> list[EvaluationSummary] | None:
    """A member's share of ``items`` worked out from the share of the list ``items`` replaced by one row (see
    ``repo.replaced_row``), when that share is kept and the row kept its place (its year, kind and key): the same
    share when the row is not in it, else the share with that row replaced (noted as such in turn). None when the
    share must be worked out over the whole list."""
    replaced = replaced_row(items)
    if replaced is None:
        return None
    old, before, after = replaced
    kept = _shares.get((id(old), keys))
    if kept is None or kept[0] is not old or list_order(before) != list_order(after):
        return None  # a row that moved (its year, kind or key changed): the share is read whole, in the new order
    share = kept[1]
    if before.key not in keys:
        return share
    at = next((n for n, i in enumerate(share) if i is before), None)
    if at is None:
        return None
    new = [*share[:at], after, *share[at + 1 :]]
    note_replaced(new, share, before, after)
    return new


# members' shares of the list kept per process: (list object, keys) → (that list, the share)
_shares: KeptMap[tuple[int, frozenset[str]], tuple[list[EvaluationSummary], list[EvaluationSummary]]] = KeptMap(256)


def read_evaluation(*, session: Session, ref: int | str, user: User) -> Evaluation:
    """One evaluation, when ``user`` may read it (PermissionDenied otherwise)."""
    ev = get_evaluation(session=session, ref=ref)
    check_access(session=session, user=user, action="read", evaluation_key=ev.id)
    return ev


def read_with_versions(*, session: Session, key: str, user: User) -> tuple[Evaluation, int, dict[str, int]]:
    """The evaluation with its document and assessment versions, when ``user`` may read it."""
    check_access(session=session, user=user, action="read", evaluation_key=key)
    return load_with_versions(session=session, key=key)


def readable_summaries(*, session: Session, user: User) -> list[dict[str, Any]]:
    """The dashboard's per-evaluation summaries of the evaluations ``user`` may read."""
    keys = visible_keys(session=session, user=user)
    summaries = load_summaries(session=session)
    return summaries if keys is None else [s for s in summaries if s["id"] in keys]


def readable_portfolio(*, session: Session, user: User, cache: PortfolioCache) -> Portfolio:
    """The dashboard's portfolio (kept in ``cache`` between reads) of the evaluations ``user`` may read."""
    keys = visible_keys(session=session, user=user)
    whole = cache.read(session=session)
    return whole if keys is None else whole.only(keys)


def read_history(
    *, session: Session, user: User, evaluation_key: str, target: str | None = None, after: int = 0
) -> list[audit.AuditEntry]:
    """An evaluation's audit trail (the entries after entry ``after``), when ``user`` may read the evaluation."""
    check_access(session=session, user=user, action="read", evaluation_key=evaluation_key)
    return audit.history(session=session, evaluation_key=evaluation_key, target=target, after=after)


def read_history_stamp(
    *, session: Session, user: User, evaluation_key: str, target: str | None = None
) -> tuple[int, int]:
    """(entries, latest entry id) of an evaluation's audit trail, when ``user`` may read the evaluation."""
    check_access(session=session, user=user, action="read", evaluation_key=evaluation_key)
    return audit.history_stamp(session=session, evaluation_key=evaluation_key, target=target)
