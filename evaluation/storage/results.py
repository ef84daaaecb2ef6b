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
import json
import os
import struct
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from evaluation.dashboard.portfolio import Frames, frames_from_summaries, merge_frames, restrict
from evaluation.dashboard.summary import result_summary
from evaluation.scoring.engine import score
from evaluation.storage.repo import get_evaluation, table_stamp
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

    Each :meth:`read` runs one aggregate query over the evaluation table (``repo.table_stamp``) and, when that
    moved, one query over the evaluation rows' stamps; when nothing changed it returns the same
    :class:`Portfolio`, otherwise it reads the summaries of the evaluations saved, added or deleted since and
    merges them into new frames (the frames handed out before are never changed).

    With a ``snapshot`` file, a freshly started process begins from the frames the last one wrote there (read in
    milliseconds, see :func:`read_snapshot`) instead of decoding every summary: only the evaluations changed
    since are read. The file is written after a full build and after every ``SNAPSHOT_EVERY`` changes; a file
    that is missing, unreadable or of another format is ignored (it is a cache: the database decides)."""

    SNAPSHOT_EVERY = 500  # changes merged into the frames before the snapshot is written again

    def __init__(self, snapshot: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._current: Portfolio | None = None
        self._snapshot = snapshot
        self._unwritten = 0  # changes merged since the snapshot was written
        self._table: tuple[Any, ...] = ()  # the evaluation table's stamp at the last read (repo.table_stamp)

    def read(self, *, session: Session) -> Portfolio:
        table = table_stamp(session=session)
        with self._lock:
            if self._current is not None and self._table == table:
                return self._current  # nothing saved, added or deleted since the last read
        stamps = current_stamps(session=session)
        with self._lock:
            current = self._current
            if current is None and self._snapshot is not None:
                current = read_snapshot(self._snapshot)
                self._current = current
            self._table = table
            if current is not None and current.stamps == stamps:
                return current
            old = current.stamps if current is not None else {}
            changed = [i for i, s in stamps.items() if old.get(i) != s]
            dropped = {key for i, (key, s) in old.items() if stamps.get(i) != (key, s)}
            rebuild = current is None or len(changed) > len(stamps) // 2
            fresh = _summaries_of(session, stamps, stamps if rebuild else changed)
            if current is None or rebuild:
                frames = frames_from_summaries(sorted(fresh.values(), key=lambda s: str(s["id"])))
            else:
                frames = merge_frames(current.frames, dropped, frames_from_summaries(fresh.values()))
            self._current = Portfolio(_key(stamps), frames, dict(stamps))
            self._unwritten = len(stamps) if rebuild else self._unwritten + len(changed) + len(dropped)
            if self._snapshot is not None and (rebuild or self._unwritten >= self.SNAPSHOT_EVERY):
                write_snapshot(self._snapshot, self._current)
                self._unwritten = 0
            return self._current

    def clear(self) -> None:
        with self._lock:
            self._current = None
            self._table = ()


# --------------------------------------------------------------------------- the snapshot file

SNAPSHOT_MAGIC = b"WBPORTFOLIO"
SNAPSHOT_FORMAT = 1  # raised whenever the frames' columns or the file's layout change


def engine_snapshot(folder: Path, engine: Engine) -> Path:
    """:func:`snapshot_path` of ``engine``'s database (named by its full URL, as the server names it)."""
    return snapshot_path(folder, engine.url.render_as_string(hide_password=False))


def prepare_snapshot(engine: Engine, folder: Path) -> int:
    """Bring the snapshot in ``folder`` up to date with the database now (after ``workbench import`` or
    ``restore`` changed many evaluations), so the first 对比分析 of the next server process starts from it
    instead of decoding every summary; the number of evaluations in it. A few changes are left to that first
    read (the snapshot is rewritten only after a full build or ``PortfolioCache.SNAPSHOT_EVERY`` changes)."""
    from evaluation.storage.db import session_scope

    with session_scope(engine) as session:
        return len(PortfolioCache(engine_snapshot(folder, engine)).read(session=session).stamps)


def snapshot_path(folder: Path, database_url: str) -> Path:
    """Where the snapshot of one database's portfolio lives in the data folder (one file per database)."""
    name = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
    return folder / "cache" / f"portfolio-{name}.arrow"


def write_snapshot(path: Path, portfolio: Portfolio) -> None:
    """The portfolio's stamps and frames in one file (Arrow IPC streams, LZ4-compressed), written beside and then
    moved over the old one, so a reader finds the old file or the new one, never half of one. A failure to
    write is not an error (the next process reads the summaries instead)."""
    import pyarrow as pa

    f = portfolio.frames
    try:
        streams = [_ipc(df) for df in (f.projects, f.groups, f.indicators)]
        header = json.dumps(
            {
                "format": SNAPSHOT_FORMAT,
                "stamps": [[i, key, stamp] for i, (key, stamp) in portfolio.stamps.items()],
                "sizes": [len(b) for b in streams],
            },
            ensure_ascii=False,
        ).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
        with open(partial, "wb") as out:
            out.write(SNAPSHOT_MAGIC + struct.pack("<I", len(header)) + header)
            for b in streams:
                out.write(b)
        os.replace(partial, path)
    except (OSError, pa.ArrowException):
        return


def read_snapshot(path: Path) -> Portfolio | None:
    """The portfolio written by :func:`write_snapshot`, or None when there is none of this format."""
    import pyarrow as pa  # here, not at the top: every command imports this module, few read a snapshot

    try:
        data = path.read_bytes()
        if not data.startswith(SNAPSHOT_MAGIC):
            return None
        at = len(SNAPSHOT_MAGIC)
        (length,) = struct.unpack_from("<I", data, at)
        header = json.loads(data[at + 4 : at + 4 + length])
        if header.get("format") != SNAPSHOT_FORMAT:
            return None
        at += 4 + length
        frames = []
        for size in header["sizes"]:
            frames.append(pa.ipc.open_stream(pa.py_buffer(data[at : at + size])).read_all().to_pandas())
            at += size
        if at != len(data) or len(frames) != 3:
            return None
        stamps = {int(i): (str(key), str(stamp)) for i, key, stamp in header["stamps"]}
    except (OSError, ValueError, KeyError, TypeError, struct.error, pa.ArrowException):
        return None
    return Portfolio(_key(stamps), Frames(frames[0], frames[1], frames[2]), stamps)


def _ipc(df: pd.DataFrame) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="lz4")) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())
