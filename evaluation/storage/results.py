"""Cached score summaries, so the dashboard reads thousands of evaluations without rescoring them.

Each evaluation's summary (totals, first-level groups, indicators — see
``evaluation.dashboard.portfolio.result_summary``) is stored by every save with a stamp of what it was
computed from (``evaluation.storage.summaries``). Whoever saved the evaluation, a stale or missing summary is
recomputed on the next read.

:class:`PortfolioCache` keeps the dashboard's frames in memory between page runs: a read asks the database
only for the evaluations' stamps and reads (or recomputes) just the summaries that changed since the last
read, in this process or any other.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from evaluation.dashboard.portfolio import Frames, frames_from_summaries, merge_frames, restrict
from evaluation.dashboard.summary import result_summary
from evaluation.scoring.engine import score
from evaluation.storage.repo import get_evaluation
from evaluation.storage.summaries import CHUNK, current_stamps, put_summary
from evaluation.storage.tables import EvaluationResultRow


def _cached(session: Session, ids: list[int] | None) -> dict[int, tuple[str, Any]]:
    """evaluation id → (stamp, summary) as cached, for ``ids`` (None: every cached summary, in one query)."""
    query = sa_select(
        col(EvaluationResultRow.evaluation_id), col(EvaluationResultRow.stamp), col(EvaluationResultRow.data)
    )
    if ids is None:
        return {int(r[0]): (str(r[1]), r[2]) for r in session.execute(query).all()}
    out: dict[int, tuple[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = session.execute(query.where(col(EvaluationResultRow.evaluation_id).in_(chunk))).all()
        out |= {int(r[0]): (str(r[1]), r[2]) for r in rows}
    return out


def _summaries_of(
    session: Session, stamps: Mapping[int, tuple[str, str]], ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """The summaries of ``ids`` (in id order), read from the cache where their stamp matches, else recomputed
    and cached."""
    wanted = sorted(ids)
    cached = _cached(session, None if len(wanted) == len(stamps) else wanted)
    out: dict[int, dict[str, Any]] = {}
    for eval_id in wanted:
        key, stamp = stamps[eval_id]
        hit = cached.get(eval_id)
        if hit is not None and hit[0] == stamp:
            out[eval_id] = hit[1]
            continue
        ev = get_evaluation(session=session, ref=key)
        data = result_summary(ev, score(ev))
        put_summary(session=session, evaluation_id=eval_id, stamp=stamp, data=data)
        out[eval_id] = data
    session.flush()
    return out


def load_summaries(*, session: Session) -> list[dict[str, Any]]:
    """The summary of every stored evaluation (in id order), recomputing (and caching) the stale ones."""
    stamps = current_stamps(session=session)
    return list(_summaries_of(session, stamps, stamps).values())


@dataclass(frozen=True)
class Portfolio:
    """Every stored evaluation's summary as the dashboard's frames, and the stamps they were read at."""

    key: str  # changes whenever any evaluation is saved, added or deleted
    frames: Frames
    stamps: Mapping[int, tuple[str, str]] = field(repr=False)

    def __len__(self) -> int:
        return len(self.stamps)

    def only(self, keys: Collection[str]) -> Portfolio:
        """The evaluations ``keys`` of the portfolio (one user's share of it)."""
        wanted = set(keys)
        stamps = {i: v for i, v in self.stamps.items() if v[0] in wanted}
        return Portfolio(_key(stamps), restrict(self.frames, wanted), stamps)


def _key(stamps: Mapping[int, tuple[str, str]]) -> str:
    digest = hashlib.sha1()
    for eval_id, (key, stamp) in stamps.items():
        digest.update(f"{eval_id}\x1f{key}\x1f{stamp}\x1e".encode())
    return digest.hexdigest()


class PortfolioCache:
    """The portfolio of one database, kept between reads (one per server process and database; thread-safe).

    Each :meth:`read` runs one query over the evaluation rows' stamps; when nothing changed it returns the same
    :class:`Portfolio`, otherwise it reads the summaries of the evaluations saved, added or deleted since and
    merges them into new frames (the frames handed out before are never changed)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Portfolio | None = None

    def read(self, *, session: Session) -> Portfolio:
        stamps = current_stamps(session=session)
        with self._lock:
            current = self._current
            if current is not None and current.stamps == stamps:
                return current
            old = current.stamps if current is not None else {}
            changed = [i for i, s in stamps.items() if old.get(i) != s]
            rebuild = current is None or len(changed) > len(stamps) // 2
            fresh = _summaries_of(session, stamps, stamps if rebuild else changed)
            if current is None or rebuild:
                frames = frames_from_summaries(sorted(fresh.values(), key=lambda s: str(s["id"])))
            else:
                dropped = {key for i, (key, s) in old.items() if stamps.get(i) != (key, s)}
                frames = merge_frames(current.frames, dropped, frames_from_summaries(fresh.values()))
            self._current = Portfolio(_key(stamps), frames, dict(stamps))
            return self._current

    def clear(self) -> None:
        with self._lock:
            self._current = None
