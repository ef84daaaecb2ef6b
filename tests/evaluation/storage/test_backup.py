"""Backup and restore: SQLite → PostgreSQL and back, attachments included, nothing written on a bad archive."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.auth import SYSTEM
from evaluation.errors import ValidationFailed
from evaluation.files.evaluations import dump_evaluation, load_evaluation
from evaluation.indicators.library import Library
from evaluation.limits import CATEGORY_MAX, CODE_MAX, FILE_NAME_MAX, NAME_MAX, TEXT_MAX, USERNAME_MAX
from evaluation.model import Evaluation, StatedRow
from evaluation.storage import repo, templates, users, workflow
from evaluation.storage.backup import create_backup, restore_backup
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from tests.conftest import SAMPLES, snapshot_holds_the_database


def _dumps(url: str) -> dict[str, str]:
    eng = open_database(url)
    with session_scope(eng) as s:
        out = {
            i.key: dump_evaluation(repo.get_evaluation(session=s, ref=i.key)) for i in repo.list_evaluations(session=s)
        }
        out["部门"] = repr([d.model_dump() for d in repo.list_department_summaries(session=s)])
    eng.dispose()
    return out


def test_backup_and_restore_reproduce_the_database_and_attachments(db_url: str, tmp_path: Path) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    source = open_database(source_url)
    ensure_samples(source, SAMPLES)
    files = tmp_path / "attachments"
    (files / "panzhihua").mkdir(parents=True)
    (files / "panzhihua" / "凭证.pdf").write_bytes(b"%PDF-1.4 test")
    key = "panzhihua-2023-zhaoshang"
    final = bytes(range(256)) * 40  # binary content, as a .docx is
    with session_scope(source) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        for to in ("已提交复核", "已通过", "已定稿"):  # the submitter does not approve: the system does
            who = admin if to == "已提交复核" else SYSTEM
            workflow.transition(session=s, evaluation_key=key, to=to, user=who, final_report=final)
    archive = create_backup(source, user=SYSTEM, attachments=files)
    source.dispose()
    target = open_database(db_url)
    restored_files = tmp_path / "restored"
    counts = restore_backup(target, archive, user=SYSTEM, attachments=restored_files)
    target.dispose()
    assert counts["evaluation"] == 13 and counts["assessment"] > 100 and counts["department_summary"] == 1
    assert _dumps(db_url) == _dumps(source_url)
    assert (restored_files / "panzhihua" / "凭证.pdf").read_bytes() == b"%PDF-1.4 test"
    eng = open_database(db_url)
    with session_scope(eng) as s:  # accounts, workflow state and the kept final report came back too
        assert users.authenticate(session=s, username="admin", password="Guanli-2024").role == "管理员"
        assert workflow.state_of(session=s, evaluation_key=key).state == "已定稿"
        stored = workflow.final_report(session=s, evaluation_key=key)
        assert stored is not None and stored[1] == final
    eng.dispose()
    # new rows after a restore get fresh ids (PostgreSQL sequences were moved past the restored ids)
    eng = open_database(db_url)
    from evaluation.files.evaluations import load_evaluation

    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml").model_copy(update={"id": "after-restore"})
    with session_scope(eng) as s:
        assert repo.create_evaluation(session=s, evaluation=ev, user=SYSTEM) > 13
    # restoring again into a non-empty database is refused and changes nothing
    with pytest.raises(ValidationFailed, match="只能恢复到空数据库"):
        restore_backup(eng, archive, user=SYSTEM)
    with session_scope(eng) as s:
        assert repo.count_evaluations(session=s) == 14
    eng.dispose()


def test_a_damaged_archive_is_refused(tmp_path: Path) -> None:
    source = open_database(f"sqlite:///{tmp_path / 's.db'}")
    ensure_samples(source, SAMPLES)
    archive = create_backup(source, user=SYSTEM)
    source.dispose()
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as z, zipfile.ZipFile(damaged, "w") as out:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "tables/assessment.json":
                data = data.replace("已评".encode(), "已复核".encode(), 1)
            out.writestr(item, data)
    target = open_database(f"sqlite:///{tmp_path / 't.db'}")
    with pytest.raises(ValidationFailed, match="assessment 的内容与校验值不符"):
        restore_backup(target, damaged.getvalue(), user=SYSTEM)
    with pytest.raises(ValidationFailed, match="不是工作台的备份文件"):
        restore_backup(target, b"not a zip", user=SYSTEM)
    with session_scope(target) as s:
        assert repo.count_evaluations(session=s) == 0
    target.dispose()


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": url, "WORKBENCH_DATA_DIR": str(tmp_path)}
        return subprocess.run(
            [sys.executable, "-m", "evaluation.cli", *args], capture_output=True, text=True, env=env, timeout=120
        )

    src, dst = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    assert run(src, "init").returncode == 0
    archive = tmp_path / "备份.zip"
    done = run(src, "backup", "-o", str(archive))
    assert done.returncode == 0 and "已备份" in done.stdout
    restored = run(dst, "restore", str(archive))
    assert restored.returncode == 0 and "evaluation 13 行" in restored.stdout
    snapshot_holds_the_database(dst, tmp_path)
    again = run(dst, "restore", str(archive))
    assert again.returncode == 1 and "只能恢复到空数据库" in again.stderr
    assert _dumps(src) == _dumps(dst)


def _rewritten(archive: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The archive with members replaced (or left out, for None); the manifest's hashes are not updated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as z, zipfile.ZipFile(out, "w") as target:
        for item in z.infolist():
            data = changes.get(item.filename, z.read(item))
            if data is not None:
                target.writestr(item, data)
    return out.getvalue()


def _with_table(archive: bytes, table: str, rows: list[dict[str, object]]) -> bytes:
    """The archive with one table's rows replaced, the manifest's hash updated to match."""
    payload = json.dumps(rows, ensure_ascii=False).encode()
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        manifest = json.loads(z.read("manifest.json"))
    manifest["tables"][table] = {"rows": len(rows), "sha256": hashlib.sha256(payload).hexdigest()}
    return _rewritten(
        archive, {f"tables/{table}.json": payload, "manifest.json": json.dumps(manifest, ensure_ascii=False).encode()}
    )


@pytest.fixture(scope="module")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("archive")
    source = open_database(f"sqlite:///{folder / 's.db'}")
    ensure_samples(source, SAMPLES)
    (folder / "files" / "e").mkdir(parents=True)
    (folder / "files" / "e" / "a.pdf").write_bytes(b"%PDF-1.4 a")
    archive = create_backup(source, user=SYSTEM, attachments=folder / "files")
    source.dispose()
    return archive


def _manifest(archive: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return dict(json.loads(z.read("manifest.json")))


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda m: [m], "不是工作台的备份文件"),
        (lambda m: {**m, "tables": ["evaluation"]}, "tables 应为"),
        (lambda m: {**m, "tables": {"evaluation": {"rows": 1}}}, "tables 应为"),
        (lambda m: {**m, "files": {"e/a.pdf": 1}}, "files 应为"),
        (lambda m: {**m, "files": {"e/missing.pdf": "0" * 64}}, "备份中缺少附件“e/missing.pdf”"),
        (lambda m: {**m, "format": None, "revision": ["x"]}, "备份格式“None”不受支持"),
    ],
    ids=["a-list", "tables-a-list", "no-hash", "hash-not-text", "missing-file", "no-format"],
)
def test_a_bad_manifest_is_refused_with_a_message(
    sample_archive: bytes, tmp_path: Path, change: Callable[[dict[str, object]], object], said: str
) -> None:
    manifest = json.dumps(change(_manifest(sample_archive)), ensure_ascii=False).encode()
    target = open_database(f"sqlite:///{tmp_path / 't.db'}")
    with pytest.raises(ValidationFailed, match=said):
        restore_backup(target, _rewritten(sample_archive, {"manifest.json": manifest}), user=SYSTEM)
    with session_scope(target) as s:
        assert repo.count_evaluations(session=s) == 0
    target.dispose()


def test_a_table_missing_from_the_archive_or_not_a_list_is_refused(sample_archive: bytes, tmp_path: Path) -> None:
    target = open_database(f"sqlite:///{tmp_path / 't.db'}")
    with pytest.raises(ValidationFailed, match="备份中缺少数据表 assessment"):
        restore_backup(target, _rewritten(sample_archive, {"tables/assessment.json": None}), user=SYSTEM)
    with pytest.raises(ValidationFailed, match="应为数据行的列表"):
        restore_backup(target, _with_table(sample_archive, "audit_log", {"x": 1}), user=SYSTEM)  # type: ignore[arg-type]
    target.dispose()


def _evaluation_rows(archive: bytes) -> list[dict[str, object]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return list(json.loads(z.read("tables/evaluation.json")))


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("project_name", "名" * 201, "evaluation 第 1 行 project_name：有 201 个字符，超过该列的 200 个"),
        ("department", "局\x00", "department：含有空字符"),
        ("total_score", "1000000", "total_score：数值 1000000 超出该列的范围"),
        ("version", 2**31, "version：“2147483648”不是该列可保存的整数"),
        ("created_at", "yesterday", "created_at：“yesterday”不是该列的类型"),
        ("kind", None, "kind：不能为空"),
        ("year", "2024", "year：“2024”不是该列可保存的整数"),
    ],
)
def test_a_value_postgresql_would_refuse_is_refused_on_every_database(
    db_url: str, sample_archive: bytes, column: str, value: object, said: str
) -> None:
    rows = _evaluation_rows(sample_archive)
    rows[0] = {**rows[0], column: value}
    target = open_database(db_url)
    with pytest.raises(ValidationFailed, match=said):
        restore_backup(target, _with_table(sample_archive, "evaluation", rows), user=SYSTEM)
    with session_scope(target) as s:
        assert repo.count_evaluations(session=s) == 0
    target.dispose()


def test_rows_that_do_not_fit_together_are_refused_and_nothing_stays(
    db_url: str, sample_archive: bytes, tmp_path: Path
) -> None:
    rows = _evaluation_rows(sample_archive)
    rows[1] = {**rows[1], "key": rows[0]["key"]}  # two evaluations with one key
    target = open_database(db_url)
    files = tmp_path / "restored"
    with pytest.raises(ValidationFailed, match="数据表 evaluation：备份中的数据前后不一致"):
        restore_backup(target, _with_table(sample_archive, "evaluation", rows), user=SYSTEM, attachments=files)
    with session_scope(target) as s:
        assert repo.count_evaluations(session=s) == 0
    assert not any(files.rglob("*.pdf"))
    target.dispose()


def test_a_backup_made_on_sqlite_with_maximal_values_restores_on_every_database(db_url: str, tmp_path: Path) -> None:
    """Every text at its column's length, the highest score the columns hold, a name to its limit in every
    place it is copied to (the kept report's file name, the audit trail): what SQLite took, PostgreSQL takes."""
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    source = open_database(source_url)
    base = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    project = base.project.model_copy(
        update={
            "name": "项" * NAME_MAX,
            "department": "部" * NAME_MAX,
            "agency": "机" * NAME_MAX,
            "category": "类" * CATEGORY_MAX,
            "implementing_unit": "单" * NAME_MAX,
        }
    )
    ev = base.model_copy(update={"id": "k" * CODE_MAX, "project": project})
    ev = ev.model_copy(update={"facts": ev.facts.model_copy(update={"background": "背" * TEXT_MAX})})
    ev = Evaluation.model_validate(ev.model_dump())
    with session_scope(source) as s:
        admin = users.create_user(
            session=s,
            username="a" * USERNAME_MAX,
            password="Guanli-2024",
            role="管理员",
            display_name="管" * USERNAME_MAX,
        )
        users.create_user(
            session=s, username="b" * USERNAME_MAX, password="Pingjia-2024", role="评价人员", actor=admin
        )  # audited as “用户 bbb…”: longer than the column, cut to it
        repo.create_evaluation(session=s, evaluation=ev, user=admin)
        for to in ("已提交复核", "已通过", "已定稿"):  # the submitter does not approve: the system does
            workflow.transition(
                session=s,
                evaluation_key=ev.id,
                to=to,
                user=admin if to == "已提交复核" else SYSTEM,
                final_report=b"PK",
                file_name=f"{ev.project.name}绩效评价报告（定稿）.docx",
            )
        system = ev.system.model_copy(update={"id": "t" * CODE_MAX, "name": "模" * NAME_MAX})
        templates.save_template(session=s, system=system, user=admin, library=Library())
    archive = create_backup(source, user=SYSTEM)
    source.dispose()
    target = open_database(db_url)
    counts = restore_backup(target, archive, user=SYSTEM)
    assert counts["evaluation"] == 1 and counts["app_user"] == 2 and counts["agency_template"] == 1
    with session_scope(target) as s:
        back = repo.get_evaluation(session=s, ref=ev.id)
        assert back.project == ev.project and back.facts.background == ev.facts.background
        kept = workflow.final_report(session=s, evaluation_key=ev.id)
        assert kept is not None and len(kept[0]) == FILE_NAME_MAX and kept[0].endswith(".docx")
    target.dispose()


def test_a_total_beyond_what_the_score_column_holds_is_refused_on_every_database(db_url: str) -> None:
    base = load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-zsj-06-anbeisi.yaml")
    rows = [
        a.model_copy(update={"stated": (a.stated or StatedRow()).model_copy(update={"score": Decimal(999_999)})})
        for a in base.assessments
    ]
    ev = base.model_copy(update={"assessments": rows})
    eng = open_database(db_url)
    with session_scope(eng) as s, pytest.raises(ValidationFailed, match="超出可保存的范围（须小于 1000000）"):
        repo.create_evaluation(session=s, evaluation=ev, user=SYSTEM)
    with session_scope(eng) as s:
        assert repo.count_evaluations(session=s) == 0
    eng.dispose()
