"""Evidence attachments stored under the data folder (``WORKBENCH_DATA_DIR/attachments``).

Files are limited in size and type, and stored as ``<评价编号>/<指标编码>/<安全文件名>``: a name can
never leave that folder (no separators, no ``..``, no control characters), and an existing file is
never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from pathlib import Path, PurePosixPath

from evaluation.errors import WorkbenchError

MAX_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".csv")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")


class AttachmentError(WorkbenchError):
    """An upload that cannot be stored (type, size, name)."""


def safe_name(filename: str) -> str:
    """The last path component of an uploaded name, with unsafe characters removed."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".").strip()
    if not name or name in {".", ".."}:
        raise AttachmentError(f"文件名“{filename}”不可用，请改名后再上传")
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 120 - len(suffix) - 1] + dot + suffix) if dot else name[:120]
    return name


def check_upload(filename: str, size: int) -> str:
    """The safe name of an acceptable upload, or :class:`AttachmentError` with the reason."""
    name = safe_name(filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = "、".join(s.lstrip(".") for s in ALLOWED_SUFFIXES)
        raise AttachmentError(f"不支持的文件类型“{suffix or '无扩展名'}”，可上传：{allowed}")
    if size <= 0:
        raise AttachmentError(f"文件“{name}”是空文件")
    if size > MAX_BYTES:
        raise AttachmentError(f"文件“{name}”大小 {size / 1024 / 1024:.1f} MB，超过上限 {MAX_BYTES // 1024 // 1024} MB")
    return name


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_attachment(*, root: Path, evaluation_id: str, code: str, filename: str, data: bytes) -> str:
    """Write the upload at once; return its path relative to ``root`` (kept in the evidence reference,
    with ``content_hash(data)``). The same content uploaded again for the indicator reuses its file."""
    for part in (evaluation_id, code):
        if not _CODE.match(part) or set(part) == {"."}:
            raise AttachmentError(f"编码“{part}”不能用作附件目录名")
    name = check_upload(filename, len(data))
    folder = (root / evaluation_id / code).resolve()
    if not folder.is_relative_to(root.resolve()):
        raise AttachmentError("附件目录不在数据目录内")
    folder.mkdir(parents=True, exist_ok=True)
    digest = content_hash(data)
    for existing in sorted(folder.iterdir()):
        if (
            existing.is_file()
            and existing.stat().st_size == len(data)
            and content_hash(existing.read_bytes()) == digest
        ):
            return existing.relative_to(root.resolve()).as_posix()
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stem}（{n}）{suffix}"
    with target.open("xb") as fh:
        fh.write(data)
    return target.relative_to(root.resolve()).as_posix()


def remove_attachment(*, root: Path, relative: str) -> None:
    """Delete a file written for a save that was then refused (nothing else refers to it yet)."""
    with contextlib.suppress(AttachmentError, OSError):
        attachment_path(root=root, relative=relative).unlink()


def intact(path: Path, sha256: str) -> bool:
    """Whether a stored file still has the content recorded at upload (True when none was recorded)."""
    return not sha256 or content_hash(path.read_bytes()) == sha256


def attachment_path(*, root: Path, relative: str) -> Path:
    """The stored file for a relative path from an evidence reference; refuses paths outside ``root``."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise AttachmentError(f"附件“{relative}”不存在")
    return path
