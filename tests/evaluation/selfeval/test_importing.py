"""The one 自评表 import pipeline (page and CLI): file by file, problems per file, the batch's year as fallback."""

from __future__ import annotations

from pathlib import Path

from evaluation.auth import SYSTEM
from evaluation.files.evaluations import load_evaluation
from evaluation.selfeval.importing import prepare_import
from evaluation.selfeval.write import export_self_evaluation
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.imports import store_file_imports
from evaluation.storage.repo import list_evaluations
from tests.conftest import SAMPLES

TIJIAN = SAMPLES / "hengkou" / "hengkou-2024-zsj-10-tijian.yaml"


def test_a_bad_file_is_refused_and_the_others_go_in(tmp_path: Path) -> None:
    good = export_self_evaluation(load_evaluation(TIJIAN), "xlsx")
    prepared = prepare_import(
        [("好表.xlsx", good), ("坏表.xlsx", b"not a workbook"), ("打不开.docx", "无法读取文件：权限不足")]
    )
    assert [f.file for f in prepared] == ["好表.xlsx", "坏表.xlsx", "打不开.docx"]
    ok, bad, unreadable = prepared
    assert len(ok.evaluations) == 1 and not ok.problems
    assert ok.evaluations[0].project.year == 2024  # named by the table's project name
    assert not bad.evaluations and bad.problems and "坏表.xlsx" in bad.problems[0]
    assert unreadable.problems == ["无法读取文件：权限不足"]

    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store_file_imports(engine, prepared, replace=False, user=SYSTEM)
    assert ok.imported == [ok.evaluations[0].id] and not bad.imported
    assert ok.records()[0]["project"] == "2024年干部体检财政补贴资金" and ok.records()[0]["stated_total"] == "99"

    again = prepare_import([("好表.xlsx", good)])
    store_file_imports(engine, again, replace=False, user=SYSTEM)  # the same table again: refused, nothing written
    assert not again[0].imported and any("已在数据库中" in p for p in again[0].problems)
    with session_scope(engine) as session:
        assert len(list_evaluations(session=session)) == 1
