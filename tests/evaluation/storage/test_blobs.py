"""Attachment stores: the data folder's disk, the database (SQLite and PostgreSQL) and an S3 bucket (a local
moto server) keep, deduplicate, number, read and remove uploads alike; two servers on one database or bucket
see each other's files; a backup carries them from one store into another; a bad setting is said in Chinese."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.auth import SYSTEM
from evaluation.files.attachments import (
    AttachmentError,
    content_hash,
    intact,
    read_attachment,
    remove_attachment,
    store_attachment,
)
from evaluation.files.stores import AttachmentStore, DiskStore, StoreError
from evaluation.storage.backup import create_backup, restore_backup
from evaluation.storage.blobs import DatabaseStore, S3Store, store_from_setting
from evaluation.storage.bootstrap import open_database
from tests.conftest import database_url

PDF_A, PDF_B = b"%PDF-1.4 first\n%%EOF", b"%PDF-1.4 second\n%%EOF"


def _bucket(endpoint: str) -> str:
    import boto3

    name = f"wb-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["disk", "sqlite", "postgresql", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AttachmentStore]:
    if request.param == "disk":
        yield DiskStore(tmp_path / "attachments")
    elif request.param in ("sqlite", "postgresql"):
        with database_url(request, tmp_path, request.param) as url:
            engine = open_database(url)
            yield DatabaseStore(engine)
            engine.dispose()
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        yield S3Store(_bucket(endpoint), "workbench/附件", endpoint=endpoint)


def test_every_store_keeps_uploads_the_same_way(store: AttachmentStore) -> None:
    first = store_attachment(root=store, evaluation_id="e1", code="TY.JC.01", filename="会议纪要.pdf", data=PDF_A)
    other = store_attachment(root=store, evaluation_id="e1", code="TY.JC.01", filename="会议纪要.pdf", data=PDF_B)
    assert (first, other) == ("e1/TY.JC.01/会议纪要.pdf", "e1/TY.JC.01/会议纪要（2）.pdf")  # never overwritten
    again = store_attachment(root=store, evaluation_id="e1", code="TY.JC.01", filename="副本.pdf", data=PDF_B)
    assert again == other  # the same content is kept once
    store_attachment(root=store, evaluation_id="e1", code="TY.JC.010", filename="b.pdf", data=PDF_A)
    assert list(store.keys("e1/TY.JC.01/")) == [first, other]  # a prefix is a folder, not a string start
    data = read_attachment(root=store, relative=first)
    assert data == PDF_A and intact(data, content_hash(PDF_A)) and not intact(data, content_hash(PDF_B))
    remove_attachment(root=store, relative=first)
    with pytest.raises(AttachmentError, match="不存在"):
        read_attachment(root=store, relative=first)
    remove_attachment(root=store, relative=first)  # already gone: no error
    with pytest.raises(AttachmentError, match="内容是网页"):
        store_attachment(root=store, evaluation_id="e1", code="TY.JC.01", filename="x.pdf", data=b"<html></html>")
    assert sorted(store.keys()) == sorted(["e1/TY.JC.010/b.pdf", other])


def test_two_servers_on_one_database_see_each_others_files(db_url: str) -> None:
    one, two = open_database(db_url), open_database(db_url)
    try:
        key = store_attachment(
            root=DatabaseStore(one), evaluation_id="e1", code="TY.SS.01", filename="凭证.pdf", data=PDF_A
        )
        assert read_attachment(root=DatabaseStore(two), relative=key) == PDF_A
        assert not DatabaseStore(two).add(key, PDF_B)  # taken on the other server: not overwritten
        assert DatabaseStore(one).read(key) == PDF_A
    finally:
        one.dispose()
        two.dispose()


def test_a_backup_moves_the_files_from_the_database_into_a_bucket(tmp_path: Path, s3_endpoint: str) -> None:
    source = open_database(f"sqlite:///{tmp_path / 'source.db'}")
    blobs = DatabaseStore(source)
    key = store_attachment(root=blobs, evaluation_id="e1", code="TY.SS.01", filename="凭证.pdf", data=PDF_A)
    archive = create_backup(source, user=SYSTEM, attachments=blobs)
    source.dispose()
    target = open_database(f"sqlite:///{tmp_path / 'target.db'}")
    bucket = S3Store(_bucket(s3_endpoint), endpoint=s3_endpoint)
    restore_backup(target, archive, user=SYSTEM, attachments=bucket)
    assert bucket.read(key) == PDF_A and list(bucket.keys()) == [key]
    # a file of that name with other content stops the restore, and nothing is left behind
    clash = S3Store(_bucket(s3_endpoint), endpoint=s3_endpoint)
    clash.add(key, PDF_B)
    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(Exception, match="已存在且内容不同"):
        restore_backup(fresh, archive, user=SYSTEM, attachments=clash)
    assert clash.read(key) == PDF_B
    target.dispose()
    fresh.dispose()


def test_the_setting_names_the_store(tmp_path: Path) -> None:
    assert isinstance(store_from_setting("", data_dir=tmp_path), DiskStore)
    disk = store_from_setting("disk", data_dir=tmp_path)
    assert isinstance(disk, DiskStore) and disk.root == tmp_path / "attachments"
    with pytest.raises(StoreError, match="应为 disk、database 或 s3://存储桶/前缀"):
        store_from_setting("ftp://server", data_dir=tmp_path)
    with pytest.raises(StoreError, match="缺少存储桶名"):
        store_from_setting("s3://", data_dir=tmp_path)
    with pytest.raises(StoreError, match="须提供数据库连接"):
        store_from_setting("database", data_dir=tmp_path)
    with pytest.raises(StoreError, match="附件路径"):
        DiskStore(tmp_path).add("../outside.pdf", PDF_A)
