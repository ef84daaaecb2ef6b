"""Backup and restore: the whole database and the attachments folder in one .zip archive.

The archive holds ``manifest.json`` (format, schema revision, row counts, file hashes), one JSON file
per table (every column, ids included; Decimals as text, datetimes in ISO form, binary as base64) and the files under
``attachments/``. Restore goes into an empty database only, in one transaction, after checking the
archive's hashes; PostgreSQL sequences are moved past the restored ids.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import DateTime, LargeBinary, Numeric, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from evaluation.auth import User, require
from evaluation.errors import Problem, ValidationFailed
from evaluation.storage import tables  # noqa: F401  (registers every table)

FORMAT = "pingjia-workbench-backup-1"
SKIP = {"evaluation_result", "login_session"}  # a cache rebuilt on demand; sign-ins that a restore must not revive


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


def create_backup(engine: Engine, *, user: User, attachments: Path | None = None) -> bytes:
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
        if attachments is not None and attachments.is_dir():
            for path in sorted(p for p in attachments.rglob("*") if p.is_file()):
                rel = path.relative_to(attachments).as_posix()
                data = path.read_bytes()
                z.writestr(f"attachments/{rel}", data)
                manifest["files"][rel] = hashlib.sha256(data).hexdigest()
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return out.getvalue()


def _convert(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for column in table.columns:
        value = row.get(column.name)
        kind = getattr(column.type, "impl", column.type)  # sqlmodel wraps DateTime in a TypeDecorator
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Numeric):
            value = Decimal(value)
        elif value is not None and isinstance(kind, LargeBinary):
            value = base64.b64decode(value)
        out[column.name] = value
    return out


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts


def _open_archive(archive: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """The archive and its manifest; a ValidationFailed when it is no backup at all."""
    try:
        z = zipfile.ZipFile(io.BytesIO(archive))
        manifest = json.loads(z.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as e:
        raise ValidationFailed([Problem("不是工作台的备份文件（缺少或无法读取 manifest.json）")], "无法恢复") from e
    return z, manifest


def _version_problems(engine: Engine, manifest: dict[str, Any]) -> list[Problem]:
    """The archive's format and schema revision against this workbench's."""
    problems: list[Problem] = []
    if manifest.get("format") != FORMAT:
        problems.append(Problem(f"备份格式“{manifest.get('format')}”不受支持"))
    if manifest.get("revision") != _revision(engine):
        problems.append(Problem(f"备份的数据库版本 {manifest.get('revision')} 与当前版本 {_revision(engine)} 不同"))
    return problems


def _load_tables(
    z: zipfile.ZipFile, manifest: dict[str, Any], problems: list[Problem]
) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows from the archive (none for a table the manifest does not list), hashes checked."""
    loaded: dict[str, list[dict[str, Any]]] = {}
    for table in _tables():
        info = manifest.get("tables", {}).get(table.name)
        if info is None:
            loaded[table.name] = []
            continue
        payload = z.read(f"tables/{table.name}.json")
        if hashlib.sha256(payload).hexdigest() != info["sha256"]:
            problems.append(Problem(f"数据表 {table.name} 的内容与校验值不符，备份可能已损坏"))
            continue
        loaded[table.name] = json.loads(payload)
    return loaded


def _attachment_problems(z: zipfile.ZipFile, manifest: dict[str, Any]) -> list[Problem]:
    """Attachments whose path leaves the folder or whose content does not match its hash."""
    problems: list[Problem] = []
    for rel, digest in manifest.get("files", {}).items():
        if not _safe_member(rel):
            problems.append(Problem(f"附件路径“{rel}”不安全"))
        elif hashlib.sha256(z.read(f"attachments/{rel}")).hexdigest() != digest:
            problems.append(Problem(f"附件“{rel}”与校验值不符"))
    return problems


def _occupied_problems(engine: Engine) -> list[Problem]:
    with engine.connect() as conn:
        occupied = [t.name for t in _tables() if conn.execute(select(t).limit(1)).first() is not None]
    if occupied:
        return [Problem(f"目标数据库不是空的（{'、'.join(occupied)} 已有数据），只能恢复到空数据库")]
    return []


def _insert_tables(engine: Engine, loaded: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Every table's rows in one transaction (PostgreSQL sequences moved past the restored ids); rows per table."""
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in _tables():
            rows = [_convert(table, r) for r in loaded[table.name]]
            if rows:
                conn.execute(table.insert(), rows)
            counts[table.name] = len(rows)
            if conn.dialect.name == "postgresql" and rows and "id" in table.columns:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"
                    )
                )
    return counts


def _write_attachments(z: zipfile.ZipFile, manifest: dict[str, Any], attachments: Path) -> None:
    for rel in manifest.get("files", {}):
        target = attachments / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(z.read(f"attachments/{rel}"))


def restore_backup(engine: Engine, archive: bytes, *, user: User, attachments: Path | None = None) -> dict[str, int]:
    """Restore an archive into an empty, migrated database; nothing is written when anything is wrong."""
    require(user.role, "backup")
    z, manifest = _open_archive(archive)
    problems = _version_problems(engine, manifest)
    loaded = _load_tables(z, manifest, problems)
    problems += _attachment_problems(z, manifest)
    problems += _occupied_problems(engine)
    if problems:
        raise ValidationFailed(problems, "备份未恢复，未写入任何内容")
    counts = _insert_tables(engine, loaded)
    if attachments is not None:
        _write_attachments(z, manifest, attachments)
    return counts
