"""Where attachment files are kept: what the workbench needs of a store, and the data folder's disk.

The database and S3 stores are in ``evaluation.storage.blobs``; one setting (``WORKBENCH_ATTACHMENTS``)
chooses among them.

A store knows keys (``<评价编号>/<指标编码>/<文件名>``, made safe by ``evaluation.files.attachments``) and
bytes; it never overwrites a key (:meth:`AttachmentStore.add` returns False when the key is taken).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Protocol

from evaluation.errors import WorkbenchError


class StoreError(WorkbenchError):
    """The attachment store cannot be used (a bad setting, an unreachable bucket)."""


class AttachmentStore(Protocol):
    """What the workbench needs of a place for attachment files."""

    name: str  # said in messages and the README: 本地磁盘, 数据库, S3

    def add(self, key: str, data: bytes) -> bool:
        """Store ``data`` at ``key`` unless the key is taken (then False and nothing is written)."""
        ...

    def read(self, key: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""
        ...

    def remove(self, key: str) -> None:
        """Remove the file (no error when it is already gone)."""
        ...

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with ``prefix``, sorted."""
        ...


def check_key(key: str) -> str:
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise StoreError(f"附件路径“{key}”无效")
    return key


class DiskStore:
    """Files under a folder (one machine's disk)."""

    name = "本地磁盘"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        target = (self.root / check_key(key)).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise StoreError(f"附件路径“{key}”超出附件目录")
        return target

    def add(self, key: str, data: bytes) -> bool:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("xb") as f:  # never overwrite: a taken name is reported, not replaced
                f.write(data)
        except FileExistsError:
            return False
        return True

    def read(self, key: str) -> bytes | None:
        target = self.path(key)
        return target.read_bytes() if target.is_file() else None

    def remove(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        folder = self.root / prefix.rpartition("/")[0] if "/" in prefix else self.root
        if not folder.resolve().is_relative_to(self.root.resolve()) or not folder.is_dir():
            return iter(())
        found = (p.relative_to(self.root).as_posix() for p in folder.rglob("*") if p.is_file())
        return iter(sorted(k for k in found if k.startswith(prefix)))
