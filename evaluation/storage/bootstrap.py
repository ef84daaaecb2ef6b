"""Opening the database the way every entry point does: migrate, then load samples on first start."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from evaluation.config import get_settings
from evaluation.storage.db import make_engine, migrate, session_scope
from evaluation.storage.imports import load_samples
from evaluation.storage.repo import count_evaluations


def open_database(url: str | None = None) -> Engine:
    engine = make_engine(url or get_settings().database_url)
    migrate(engine)
    return engine


def ensure_samples(engine: Engine, folder: Path | None = None) -> tuple[int, int]:
    """Load the sample evaluations when the database holds no evaluation yet."""
    with session_scope(engine) as session:
        if count_evaluations(session=session) > 0:
            return 0, 0
        return load_samples(session=session, folder=folder or get_settings().samples_dir)
