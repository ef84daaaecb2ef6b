"""Backup and restore: the whole database and the attachments folder in one .zip archive.

The archive holds ``manifest.json`` (format, schema revision, row counts, file hashes), one JSON file
per table (every column, ids included; Decimals as text, datetimes in ISO form, binary as base64) and the files under
``attachments/``. Restore goes into an empty database only, in one transaction, after checking the
archive's hashes; PostgreSQL sequences are moved past the restored ids.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import io
import json
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, LargeBinary, Numeric, String, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlmodel import SQLModel

from evaluation.auth import User, require
from evaluation.errors import Problem, ValidationFailed
from evaluation.files.attachments import Where, as_store
from evaluation.files.office import ZIP_ERRORS
from evaluation.files.stores import AttachmentStore, StoreError
from evaluation.limits import BACKUP_BYTES, megabytes
from evaluation.storage import tables  # noqa: F401  (registers every table)
from evaluation.storage.repo import forget_kept

FORMAT = "pingjia-workbench-backup-1"
# a cache rebuilt on demand; sign-ins a restore must not revive; attachment files kept in the database, which the
# archive carries as attachments/ like any store; the access clock (a restore's own writes move it)
SKIP = {"evaluation_result", "login_session", "attachment_blob", "change_clock"}


def _tables() -> list[Any]:
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in SKIP]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def create_backup(engine: Engine, *, user: User, attachments: Where | None = None) -> bytes:
    """The archive of every table and every attachment, read in one transaction (administrators only)."""
    require(user.role, "backup")
    out = io.BytesIO()
    manifest: dict[str, Any] = {"format": FORMAT, "revision": _revision(engine), "tables": {}, "files": {}}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z, engine.connect() as conn:
        for table in _tables():
            rows = [{k: _plain(v) for k, v in row._mapping.items()} for row in conn.execute(select(table))]
            payload = json.dumps(rows, ensure_ascii=False, indent=1).encode()
            z.writestr(f"tables/{table.name}.json", payload)
            manifest["tables"][table.name] = {"rows": len(rows), "sha256": hashlib.sha256(payload).hexdigest()}
        store = as_store(attachments) if attachments is not None else None
        for rel in store.keys() if store is not None else ():
            data = store.read(rel) if store is not None else None
            if data is not None:
                z.writestr(f"attachments/{rel}", data)
                manifest["files"][rel] = hashlib.sha256(data).hexdigest()
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return out.getvalue()


_UNREADABLE: tuple[type[Exception], ...] = (*ZIP_ERRORS, ValueError)  # ValueError: bad JSON or text
_INT32 = 2**31  # PostgreSQL's INTEGER; SQLite would keep a larger one that PostgreSQL then refuses
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text_problem(value: str, length: int | None) -> str | None:
    """What PostgreSQL would refuse in a text column that SQLite keeps."""
    if length is not None and len(value) > length:
        return f"有 {len(value)} 个字符，超过该列的 {length} 个"
    if "\x00" in value:
        return "含有空字符（NUL）"
    if _SURROGATE.search(value):
        return "含有无法编码的字符（不成对的代理码位）"
    return None


def _json_problem(value: Any) -> str | None:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str) and _SURROGATE.search(node):
            return "含有无法编码的字符（不成对的代理码位）"
        if isinstance(node, dict):
            stack += [*node.keys(), *node.values()]
        elif isinstance(node, list):
            stack += node
    return None


def _column_value(column: Any, value: Any) -> tuple[Any, str | None]:
    """A stored value of the archive converted for ``column``, or what is wrong with it (a value PostgreSQL
    refuses is refused on SQLite too: a restore succeeds on both or on neither)."""
    kind = getattr(column.type, "impl", column.type)  # sqlmodel wraps DateTime and String in TypeDecorators
    if value is None:
        return None, None if column.nullable or column.primary_key else "不能为空"
    try:
        if isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(kind, Numeric):
            value = Decimal(value)
            limit = Decimal(10) ** ((kind.precision or 28) - (kind.scale or 0))
            if not value.is_finite() or abs(value) >= limit:
                return None, f"数值 {value} 超出该列的范围"
        elif isinstance(kind, LargeBinary):
            value = base64.b64decode(value, validate=True)
    except (TypeError, ValueError, ArithmeticError, binascii.Error):
        return None, f"“{str(value)[:40]}”不是该列的类型"
    if isinstance(kind, Boolean):
        return value, None if isinstance(value, bool) else f"“{str(value)[:40]}”不是是/否"
    if isinstance(kind, Integer):
        ok = isinstance(value, int) and not isinstance(value, bool) and -_INT32 <= value < _INT32
        return value, None if ok else f"“{str(value)[:40]}”不是该列可保存的整数"
    if isinstance(kind, String):  # Text too
        if not isinstance(value, str):
            return None, f"“{str(value)[:40]}”不是文字"
        return value, _text_problem(value, kind.length)
    if isinstance(kind, JSON):
        return value, _json_problem(value)
    return value, None


def _convert(table: Any, row: Any, index: int) -> tuple[dict[str, Any], list[Problem]]:
    """One archived row as the table's columns, with a problem for each value the table cannot hold."""
    where = f"数据表 {table.name} 第 {index + 1} 行"
    if not isinstance(row, dict):
        return {}, [Problem("应为键值表", None, None, where)]
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in table.columns:
        value, wrong = _column_value(column, row.get(column.name))
        if wrong is not None:
            problems.append(Problem(wrong, None, None, f"{where} {column.name}"))
        out[column.name] = value
    return out, problems


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts


def _open_archive(archive: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """The archive and its manifest; a ValidationFailed when it is no backup at all."""
    refused = ValidationFailed([Problem("不是工作台的备份文件（缺少或无法读取 manifest.json）")], "无法恢复")
    try:
        z = zipfile.ZipFile(io.BytesIO(archive))
        manifest = json.loads(z.read("manifest.json"))
    except _UNREADABLE as e:
        raise refused from e
    if not isinstance(manifest, dict):
        raise refused
    return z, manifest


def _manifest_problems(manifest: dict[str, Any]) -> list[Problem]:
    """The manifest's shape: tables each with a row count and a SHA-256, files each with a SHA-256."""
    where = "manifest.json"
    tables_ = manifest.get("tables", {})
    files = manifest.get("files", {})
    if not isinstance(tables_, dict) or not all(
        isinstance(info, dict) and isinstance(info.get("sha256"), str) for info in tables_.values()
    ):
        return [Problem("tables 应为“数据表 → {rows, sha256}”", None, None, where)]
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return [Problem("files 应为“附件路径 → sha256”", None, None, where)]
    return []


def _version_problems(engine: Engine, manifest: dict[str, Any]) -> list[Problem]:
    """The archive's format and schema revision against this workbench's."""
    problems: list[Problem] = []
    if manifest.get("format") != FORMAT:
        problems.append(Problem(f"备份格式“{str(manifest.get('format'))[:60]}”不受支持"))
    if manifest.get("revision") != _revision(engine):
        shown = str(manifest.get("revision"))[:40]
        problems.append(Problem(f"备份的数据库版本 {shown} 与当前版本 {_revision(engine)} 不同"))
    return problems


def _member(z: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return z.read(name)
    except ZIP_ERRORS:
        return None


def _load_tables(
    z: zipfile.ZipFile, manifest: dict[str, Any], problems: list[Problem]
) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows from the archive (none for a table the manifest does not list), hashes checked and
    every value checked against its column."""
    loaded: dict[str, list[dict[str, Any]]] = {}
    for table in _tables():
        info = manifest["tables"].get(table.name)
        loaded[table.name] = []
        if info is None:
            continue
        payload = _member(z, f"tables/{table.name}.json")
        if payload is None:
            problems.append(Problem(f"备份中缺少数据表 {table.name}", None, None, f"tables/{table.name}.json"))
            continue
        if hashlib.sha256(payload).hexdigest() != info["sha256"]:
            problems.append(Problem(f"数据表 {table.name} 的内容与校验值不符，备份可能已损坏"))
            continue
        try:
            rows = json.loads(payload)
        except ValueError:
            rows = None
        if not isinstance(rows, list):
            problems.append(Problem("应为数据行的列表", None, None, f"tables/{table.name}.json"))
            continue
        for i, row in enumerate(rows):
            converted, wrong = _convert(table, row, i)
            problems += wrong
            loaded[table.name].append(converted)
    return loaded


def _attachment_problems(z: zipfile.ZipFile, manifest: dict[str, Any]) -> list[Problem]:
    """Attachments whose path leaves the folder, that are missing, or whose content does not match its hash."""
    problems: list[Problem] = []
    for rel, digest in manifest["files"].items():
        if not _safe_member(rel):
            problems.append(Problem(f"附件路径“{rel[:100]}”不安全"))
            continue
        content = _member(z, f"attachments/{rel}")
        if content is None:
            problems.append(Problem(f"备份中缺少附件“{rel[:100]}”"))
        elif hashlib.sha256(content).hexdigest() != digest:
            problems.append(Problem(f"附件“{rel[:100]}”与校验值不符"))
    return problems


def _occupied_problems(engine: Engine) -> list[Problem]:
    with engine.connect() as conn:
        occupied = [t.name for t in _tables() if conn.execute(select(t).limit(1)).first() is not None]
    if occupied:
        return [Problem(f"目标数据库不是空的（{'、'.join(occupied)} 已有数据），只能恢复到空数据库")]
    return []


def _insert_tables(conn: Connection, loaded: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Every table's rows (PostgreSQL sequences moved past the restored ids); rows per table. Rows that do
    not fit together (a repeated key, a reference to a missing row) are refused naming the table."""
    counts: dict[str, int] = {}
    for table in _tables():
        rows = loaded[table.name]
        if rows:
            try:
                conn.execute(table.insert(), rows)
            except IntegrityError as e:
                said = "备份中的数据前后不一致（编号重复，或引用了不存在的记录）"
                raise ValidationFailed([Problem(said, None, None, f"数据表 {table.name}")], "备份未恢复") from e
            except DataError as e:
                said = "备份中的数据不能写入该表（类型或长度不符）"
                raise ValidationFailed([Problem(said, None, None, f"数据表 {table.name}")], "备份未恢复") from e
        counts[table.name] = len(rows)
        if conn.dialect.name == "postgresql" and rows and "id" in table.columns:
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT MAX(id) FROM {table.name}))")
            )
    return counts


def _write_attachments(z: zipfile.ZipFile, manifest: dict[str, Any], store: AttachmentStore) -> list[str]:
    """The archive's files into the store; the keys written (removed again when the restore fails). A file
    already there with the same content is kept; one with other content stops the restore."""
    written: list[str] = []
    try:
        for rel in manifest["files"]:
            data = z.read(f"attachments/{rel}")
            if store.add(rel, data):
                written.append(rel)
            elif store.read(rel) != data:
                raise ValidationFailed([Problem(f"附件“{rel[:100]}”已存在且内容不同", store.name)], "备份未恢复")
    except (OSError, StoreError) as e:
        _remove(store, written)
        said = f"附件无法写入附件存储（{e.strerror or type(e).__name__ if isinstance(e, OSError) else e}）"
        raise ValidationFailed([Problem(said, store.name)], "备份未恢复") from e
    except ValidationFailed:
        _remove(store, written)
        raise
    return written


def _remove(store: AttachmentStore, keys: list[str]) -> None:
    for key in keys:
        with contextlib.suppress(OSError, StoreError):
            store.remove(key)


def restore_backup(engine: Engine, archive: bytes, *, user: User, attachments: Where | None = None) -> dict[str, int]:
    """Restore an archive into an empty, migrated database; nothing is written when anything is wrong (the
    tables and the attachments go in together or not at all)."""
    require(user.role, "backup")
    if len(archive) > BACKUP_BYTES:
        said = f"备份文件 {megabytes(len(archive))} MB，超过上限 {megabytes(BACKUP_BYTES)} MB"
        raise ValidationFailed([Problem(said)], "无法恢复")
    z, manifest = _open_archive(archive)
    problems = _manifest_problems(manifest)
    if problems:
        raise ValidationFailed(problems, "备份未恢复，未写入任何内容")
    problems = _version_problems(engine, manifest)
    loaded = _load_tables(z, manifest, problems)
    problems += _attachment_problems(z, manifest)
    problems += _occupied_problems(engine)
    if problems:
        raise ValidationFailed(problems, "备份未恢复，未写入任何内容")
    # the files first, in their own writes (a database store must not wait on the tables' transaction)
    store = as_store(attachments) if attachments is not None else None
    written = _write_attachments(z, manifest, store) if store is not None else []
    try:
        with engine.begin() as conn:
            counts = _insert_tables(conn, loaded)
    except (ValidationFailed, DBAPIError):
        if store is not None:
            _remove(store, written)
        raise
    forget_kept()
    return counts
