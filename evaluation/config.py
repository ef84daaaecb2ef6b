"""Settings from the environment, with defaults that work in a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    library_dir: Path
    samples_dir: Path
    database_url: str
    # one-person offices only: let whoever submitted an evaluation also approve and finalise it
    allow_self_approval: bool = False
    # where attachment files are kept: disk (default), database, or s3://bucket/prefix (several servers)
    attachments: str = "disk"

    @property
    def attachments_dir(self) -> Path:
        return self.data_dir / "attachments"


def get_settings() -> Settings:
    """``WORKBENCH_DATA_DIR`` (default ``data/``), ``WORKBENCH_LIBRARY``, ``DATABASE_URL`` and
    ``WORKBENCH_ATTACHMENTS`` (disk, database or s3://bucket/prefix)."""
    data_dir = Path(os.environ.get("WORKBENCH_DATA_DIR") or REPO_ROOT / "data").resolve()
    library_dir = Path(os.environ.get("WORKBENCH_LIBRARY") or REPO_ROOT / "indicator_library").resolve()
    samples_dir = Path(os.environ.get("WORKBENCH_SAMPLES") or REPO_ROOT / "data" / "samples").resolve()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'workbench.db'}"
    self_approval = os.environ.get("WORKBENCH_ALLOW_SELF_APPROVAL", "").strip().lower() in ("1", "true", "yes")
    return Settings(
        data_dir=data_dir,
        library_dir=library_dir,
        samples_dir=samples_dir,
        database_url=url,
        allow_self_approval=self_approval,
        attachments=os.environ.get("WORKBENCH_ATTACHMENTS", "").strip() or "disk",
    )
