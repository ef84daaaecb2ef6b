"""Attachment stores shared by several servers: the database (``attachment_blob``) or an S3 bucket, and the
setting that chooses the store.

``WORKBENCH_ATTACHMENTS``: ``disk`` (default) keeps files under ``WORKBENCH_DATA_DIR/attachments``;
``database`` keeps them in the ``attachment_blob`` table of the database every server already shares;
``s3://bucket/prefix`` keeps them in an S3-compatible bucket (``WORKBENCH_S3_ENDPOINT`` for MinIO or another
provider; credentials as boto3 reads them). Several application servers need one of the last two: a file
uploaded through one server must open on another.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from evaluation.config import get_settings
from evaluation.files.stores import AttachmentStore, DiskStore, StoreError, check_key
from evaluation.storage.tables import AttachmentBlobRow

BLOBS = AttachmentBlobRow.__table__  # type: ignore[attr-defined]  # SQLModel declares it at class creation


class DatabaseStore:
    """Files in the ``attachment_blob`` table of the workbench's database (SQLite or PostgreSQL)."""

    name = "数据库"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, key: str, data: bytes) -> bool:
        row = {"key": check_key(key), "content": data, "size": len(data), "created_at": datetime.now(UTC)}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(BLOBS).values(**row))
        except IntegrityError:
            return False
        return True

    def read(self, key: str) -> bytes | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(BLOBS.c.content).where(BLOBS.c.key == key)).scalar_one_or_none()
        return None if found is None else bytes(found)

    def remove(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(BLOBS).where(BLOBS.c.key == key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        query = select(BLOBS.c.key).order_by(BLOBS.c.key)
        if prefix:  # keys may hold % and _: escaped for LIKE
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(BLOBS.c.key.like(escaped + "%", escape="\\"))
        with self.engine.connect() as conn:
            return iter([k for k in conn.execute(query).scalars() if k.startswith(prefix)])


class S3Store:
    """Files in an S3-compatible bucket under a prefix (boto3; the endpoint from ``WORKBENCH_S3_ENDPOINT``)."""

    name = "S3"

    def __init__(self, bucket: str, prefix: str = "", *, endpoint: str | None = None, client: Any = None) -> None:
        import boto3  # only when the setting asks for S3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", endpoint_url=endpoint or None)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def add(self, key: str, data: bytes) -> bool:
        try:  # a conditional write: refused when the key exists (S3 and MinIO honour If-None-Match)
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*")
        except self.client.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise StoreError(f"附件无法写入存储桶 {self.bucket}：{e}") from e
        return True

    def read(self, key: str) -> bytes | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            return None
        return bytes(body.read())

    def remove(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        found: list[str] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        for page in pages:
            found += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        return iter(sorted(found))


def store_from_setting(setting: str, *, data_dir: Path, engine: Engine | None = None) -> AttachmentStore:
    """The store ``WORKBENCH_ATTACHMENTS`` names: ``disk`` (default), ``database`` or ``s3://bucket/prefix``."""
    value = setting.strip()
    if value in ("", "disk"):
        return DiskStore(data_dir / "attachments")
    if value == "database":
        if engine is None:
            raise StoreError("附件存放在数据库中时须提供数据库连接")
        return DatabaseStore(engine)
    if value.startswith("s3://"):
        bucket, _, prefix = value.removeprefix("s3://").partition("/")
        if not bucket:
            raise StoreError("WORKBENCH_ATTACHMENTS 的 S3 地址缺少存储桶名，应写成 s3://存储桶/前缀")
        return S3Store(bucket, prefix, endpoint=os.environ.get("WORKBENCH_S3_ENDPOINT"))
    raise StoreError(f"WORKBENCH_ATTACHMENTS 的值“{value}”无效：应为 disk、database 或 s3://存储桶/前缀")


_stores: dict[tuple[str, Path, int], AttachmentStore] = {}


def attachment_store(engine: Engine | None = None) -> AttachmentStore:
    """The store the settings name (kept per setting and engine: an S3 client is made once)."""
    settings = get_settings()
    key = (settings.attachments, settings.data_dir, id(engine))
    if key not in _stores:
        _stores[key] = store_from_setting(settings.attachments, data_dir=settings.data_dir, engine=engine)
    return _stores[key]
