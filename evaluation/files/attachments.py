"""Evidence attachments, kept in an attachment store (``evaluation.files.stores``: the data folder's
``attachments`` by default, or the database or an S3 bucket when several servers share them).

Files are limited in size and type, and stored as ``<评价编号>/<指标编码>/<安全文件名>``: a name can
never leave that folder (no separators, no ``..``, no control or direction-changing characters, at most
:data:`NAME_BYTES` bytes so the file system accepts it), and an existing file is never overwritten. The
type is checked by content as well as by name: a file named .pdf must begin as a PDF does, an .xlsx must be
an Office zip holding a workbook, a .txt must be text and not a web page. The size is checked here, on the
server, whatever the browser was told.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from evaluation.errors import WorkbenchError
from evaluation.files.stores import AttachmentStore, DiskStore, StoreError
from evaluation.limits import ATTACHMENT_BYTES, megabytes
from evaluation.model import EvidenceRef

Where = Path | AttachmentStore  # a folder on this machine's disk, or any store

MAX_BYTES = ATTACHMENT_BYTES
NAME_BYTES = 200  # a stored name in UTF-8, with room for "（12）" (file systems allow 255 bytes)
ALLOWED_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".csv")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .doc and .xls
_MARKUP = re.compile(rb"^(\xef\xbb\xbf)?\s*<(!doctype|html|head|body|script|svg|iframe|\?xml)", re.IGNORECASE)


class AttachmentError(WorkbenchError):
    """An upload that cannot be stored (type, size, name)."""


def _visible(name: str) -> str:
    """Without control and format characters (right-to-left override and the other direction marks,
    zero-width characters): what the name shows is what it is."""
    return "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))


def _fit(name: str, limit: int = NAME_BYTES) -> str:
    """The name cut (in its stem, the suffix kept) to at most ``limit`` bytes of UTF-8."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, dot, suffix = name, "", ""
    room = limit - len((dot + suffix).encode("utf-8"))
    while len(stem.encode("utf-8")) > room:
        stem = stem[:-1]
    return stem + dot + suffix


def safe_name(filename: str) -> str:
    """The last path component of an uploaded name, with unsafe characters removed, cut to fit."""
    name = unicodedata.normalize("NFC", _visible(filename)).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".").strip()
    if not name or name in {".", ".."}:
        raise AttachmentError(f"文件名“{_visible(filename)[:60]}”不可用，请改名后再上传")
    if len(name) > 120:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 120 - len(suffix) - 1] + dot + suffix) if dot else name[:120]
    return _fit(name)


def check_upload(filename: str, size: int) -> str:
    """The safe name of an acceptable upload, or :class:`AttachmentError` with the reason."""
    name = safe_name(filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = "、".join(s.lstrip(".") for s in ALLOWED_SUFFIXES)
        raise AttachmentError(f"文件“{name}”：不支持的文件类型“{suffix or '无扩展名'}”，可上传：{allowed}")
    if size <= 0:
        raise AttachmentError(f"文件“{name}”是空文件")
    if size > MAX_BYTES:
        raise AttachmentError(f"文件“{name}”大小 {megabytes(size)} MB，超过上限 {megabytes(MAX_BYTES)} MB")
    return name


def _office_part(data: bytes, part: str) -> bool:
    """Whether ``data`` is an Office zip container holding ``part`` (word/document.xml, xl/workbook.xml)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        return False
    return "[Content_Types].xml" in names and part in names


def _text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gbk"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


_KINDS: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".pdf": ("PDF", lambda d: b"%PDF-" in d[:1024]),
    ".doc": ("Word 97-2003 文档", lambda d: d.startswith(_OLE)),
    ".xls": ("Excel 97-2003 工作簿", lambda d: d.startswith(_OLE)),
    ".docx": ("Word 文档", lambda d: _office_part(d, "word/document.xml")),
    ".xlsx": ("Excel 工作簿", lambda d: _office_part(d, "xl/workbook.xml")),
    ".jpg": ("JPEG 图片", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("JPEG 图片", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".png": ("PNG 图片", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    ".txt": ("文本文件", _text),
    ".csv": ("CSV 文本文件", _text),
}


def check_content(name: str, data: bytes) -> None:
    """Refuse content that is not what the name's suffix says (an HTML page named .pdf, a program named
    .docx): :class:`AttachmentError` naming the file and the type expected."""
    suffix = PurePosixPath(name).suffix.lower()
    kind, matches = _KINDS[suffix]
    if _MARKUP.match(data[:1024]):
        raise AttachmentError(f"文件“{name}”的内容是网页或标记文件，不是{kind}，不能作为附件上传")
    if not matches(data):
        raise AttachmentError(f"文件“{name}”的内容不是{kind}（与扩展名不符），文件可能已损坏或被改了扩展名")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def as_store(where: Where) -> AttachmentStore:
    """A folder is a :class:`DiskStore`; a store is itself."""
    return DiskStore(where) if isinstance(where, Path) else where


def store_attachment(*, root: Where, evaluation_id: str, code: str, filename: str, data: bytes) -> str:
    """Store the upload at once; return its key ``<评价编号>/<指标编码>/<文件名>`` (kept in the evidence
    reference, with ``content_hash(data)``). The same content uploaded again for the indicator reuses its file;
    another file of the same name gets a numbered name, never the other's place."""
    return put_attachment(root=root, evaluation_id=evaluation_id, code=code, filename=filename, data=data).key


@dataclass(frozen=True)
class Stored:
    key: str
    created: bool  # False: the same content was already stored for the indicator (someone's reference may use it)


def put_attachment(*, root: Where, evaluation_id: str, code: str, filename: str, data: bytes) -> Stored:
    """:func:`store_attachment`, saying whether the file was written now: only such a file may be removed again
    when the save it was stored for is refused."""
    for part in (evaluation_id, code):
        if not _CODE.match(part) or set(part) == {"."}:
            raise AttachmentError(f"编码“{part}”不能用作附件目录名")
    name = check_upload(filename, len(data))
    check_content(name, data)
    store = as_store(root)
    folder = f"{evaluation_id}/{code}/"
    digest = content_hash(data)
    try:
        for key in store.keys(folder):
            old = store.read(key) if "/" not in key[len(folder) :] else None
            if old is not None and len(old) == len(data) and content_hash(old) == digest:
                return Stored(key, created=False)
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, dot + suffix) if dot else (name, "")
        key, n = folder + name, 1
        while not store.add(key, data):
            n += 1
            key = f"{folder}{stem}（{n}）{suffix}"
    except (OSError, StoreError) as e:  # a full disk, an unreachable bucket: nothing half-written stays behind
        raise AttachmentError(f"文件“{name}”无法保存到附件存储（{store.name}）：{_reason(e)}") from e
    return Stored(key, created=True)


def _reason(e: Exception) -> str:
    return (e.strerror or type(e).__name__) if isinstance(e, OSError) else str(e)


def with_attachment(refs: list[EvidenceRef], *, filename: str, relative: str, sha256: str) -> list[EvidenceRef]:
    """The evidence references with one for a stored file; the same content already referenced (the same
    stored file, or the same SHA-256) is kept once."""
    if any(r.attachment == relative or (sha256 and r.sha256 == sha256) for r in refs):
        return refs
    stem = safe_name(filename).rsplit(".", 1)[0]
    return [*refs, EvidenceRef(document=stem or safe_name(filename), attachment=relative, sha256=sha256)]


def remove_attachment(*, root: Where, relative: str) -> None:
    """Delete a file written for a save that was then refused (nothing else refers to it yet)."""
    with contextlib.suppress(StoreError, OSError):
        as_store(root).remove(relative)


def intact(data: bytes, sha256: str) -> bool:
    """Whether a stored file still has the content recorded at upload (True when none was recorded)."""
    return not sha256 or content_hash(data) == sha256


def read_attachment(*, root: Where, relative: str) -> bytes:
    """The stored file of an evidence reference; :class:`AttachmentError` when it is not there (or the path
    would leave the store)."""
    try:
        data = as_store(root).read(relative)
    except (StoreError, OSError):
        data = None
    if data is None:
        raise AttachmentError(f"附件“{relative}”不存在")
    return data
