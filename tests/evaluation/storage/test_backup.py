"""Backup and restore: SQLite → PostgreSQL and back, attachments included, nothing written on a bad archive."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from evaluation.auth import SYSTEM
from evaluation.errors import ValidationFailed
from evaluation.files.evaluations import dump_evaluation
from evaluation.storage import repo, users, workflow
from evaluation.storage.backup import create_backup, restore_backup
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from tests.conftest import SAMPLES


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
    again = run(dst, "restore", str(archive))
    assert again.returncode == 1 and "只能恢复到空数据库" in again.stderr
    assert _dumps(src) == _dumps(dst)
