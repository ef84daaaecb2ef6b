"""Storage on SQLite and on a real PostgreSQL: the same code, identical Decimals, no partial writes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from evaluation.auth import SYSTEM
from evaluation.errors import ConflictError, NotFound, ScoringError, ValidationFailed
from evaluation.files.evaluations import dump_evaluation, load_evaluation
from evaluation.indicators.library import Library
from evaluation.lifecycle import new_evaluation
from evaluation.model import Assessment, DepartmentSummary, Override, Project
from evaluation.scoring.engine import score
from evaluation.storage import imports, repo
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from tests.conftest import SAMPLES, add_to_narrative, another_server, calls_of, database_url, statements_run

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    yield eng
    eng.dispose()


def test_schema_comes_from_the_migrations(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"evaluation", "assessment", "department_summary", "alembic_version"} <= tables
    open_database(engine.url.render_as_string(hide_password=False)).dispose()  # a second start is a no-op


def test_samples_load_once_and_list_with_scores(engine: Engine) -> None:
    assert ensure_samples(engine, SAMPLES) == (13, 1)
    assert ensure_samples(engine, SAMPLES) == (0, 0)
    with session_scope(engine) as s:
        items = repo.list_evaluations(session=s)
        departments = repo.list_department_summaries(session=s)
    assert len(items) == 13 and len(departments) == 1
    pzh = next(i for i in items if i.key == "panzhihua-2023-zhaoshang")
    assert (pzh.total_score, pzh.grade, pzh.scored, pzh.indicator_count) == (Decimal("88.00"), "良", 15, 15)
    assert sum(1 for i in items if i.kind == "self_evaluation") == 12
    assert pzh.review_score is None  # a third-party evaluation has one figure


def test_the_list_reads_the_summary_columns_and_never_the_documents(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    with statements_run(engine) as statements, session_scope(engine) as s:
        items = repo.list_evaluations(session=s)
    assert len(items) == 13
    listed = [x for x in statements if "FROM evaluation" in x]
    assert listed, statements
    assert all("document" not in x for x in listed), listed
    assert [i.year for i in items] == sorted((i.year for i in items), reverse=True)


def test_a_self_record_lists_the_departments_figure_and_the_rules_beside_it(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    with session_scope(engine) as s:
        items = {i.key: i for i in repo.list_evaluations(session=s)}
    renyuan = items["hengkou-2024-zsj-01-renyuan"]
    assert (renyuan.total_score, renyuan.review_score, renyuan.grade) == (Decimal("90.60"), Decimal("96.60"), "优")
    tijian = items["hengkou-2024-zsj-10-tijian"]  # the table's 总分 says 99; its rows add up to 89
    assert (tijian.total_score, tijian.grade) == (Decimal("89.00"), "良")


def _create_unscored(engine: Engine, library: Library) -> None:
    """A new evaluation ``eval-2024-1`` from the 共性 template, nothing scored yet."""
    ev = new_evaluation(
        id="eval-2024-1",
        project=Project(name="新项目", department="某局", year=2024),
        template=library.systems["gongxing-2020"],
    )
    with session_scope(engine) as s:
        repo.create_evaluation(session=s, evaluation=ev, user=SYSTEM)


def test_an_unscored_evaluation_has_no_total_and_no_grade(engine: Engine, library: Library) -> None:
    _create_unscored(engine, library)
    with session_scope(engine) as s:
        item = next(i for i in repo.list_evaluations(session=s) if i.key == "eval-2024-1")
    assert (item.total_score, item.grade, item.scored, item.complete) == (None, "", 0, False)
    # one indicator scored: a partial total, still no grade (未完成, not 差)
    answers = {"policy": True, "duty": True, "public": True, "overlap": False}
    one = Assessment.model_validate({"code": "JC.LX.01", "inputs": {"answers": answers}})
    with session_scope(engine) as s:
        repo.save_assessment(session=s, ref="eval-2024-1", assessment=one, expected_version=None, user=SYSTEM)
        item = next(i for i in repo.list_evaluations(session=s) if i.key == "eval-2024-1")
    assert item.scored == 1 and item.total_score is not None and item.grade == "" and not item.complete


def test_round_trip_through_the_database_is_lossless(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    for path in sorted(SAMPLES.rglob("*.yaml")):
        if "department" in path.name:
            continue
        original = load_evaluation(path)
        with session_scope(engine) as s:
            stored = repo.get_evaluation(session=s, ref=original.id)
        assert stored == original, path.name
        assert dump_evaluation(stored) == dump_evaluation(original)
        assert score(stored).total == score(original).total


def test_decimals_read_back_identical(engine: Engine) -> None:
    ev = load_evaluation(PANZHIHUA)
    funds = ev.facts.funds.model_copy(update={"spent": Decimal("2.675"), "received": Decimal("0.000001")})
    ev = ev.model_copy(update={"id": "decimal-check", "facts": ev.facts.model_copy(update={"funds": funds})})
    with session_scope(engine) as s:
        repo.create_evaluation(session=s, evaluation=ev, user=SYSTEM)
    with session_scope(engine) as s:
        back = repo.get_evaluation(session=s, ref="decimal-check")
    assert back.facts.funds.spent == Decimal("2.675") and str(back.facts.funds.spent) == "2.675"
    assert str(back.facts.funds.received) == "0.000001"
    assert [str(e.amount) for e in back.facts.funds.breakdown] == [str(e.amount) for e in ev.facts.funds.breakdown]


def test_saving_an_assessment_updates_the_total_and_locks_optimistically(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    with session_scope(engine) as s:
        ev = repo.get_evaluation(session=s, ref=key)
        version = repo.get_assessment_version(session=s, ref=key, code="GX.JJ.01")
    assert version == 1
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        assert repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM) == 2
    with session_scope(engine) as s:
        items = {i.key: i for i in repo.list_evaluations(session=s)}
    assert items[key].total_score == Decimal("92.00")  # 88 + 8 × 50 %
    # a second person who loaded version 1 is refused, and nothing changes
    stale = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "0万美元", "target": "100万美元"}})
    with pytest.raises(ConflictError, match="已被他人修改"), session_scope(engine) as s:
        repo.save_assessment(session=s, ref=key, assessment=stale, expected_version=1, user=SYSTEM)
    with session_scope(engine) as s:
        after = repo.get_evaluation(session=s, ref=key)
    assert after.assessment("GX.JJ.01") == better
    del ev


def test_an_assessment_saved_again_unchanged_writes_nothing(engine: Engine) -> None:
    """A form saved twice as it was (a double click, 保存 with nothing changed) keeps the version and adds no
    history entry; a real change after it is saved and recorded as usual; the unchanged save over a stale version
    is still refused."""
    from evaluation.storage import audit

    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    with session_scope(engine) as s:
        same = repo.get_evaluation(session=s, ref=key).assessment("GX.JJ.01")
        entries = len(audit.history(session=s, evaluation_key=key))
    assert same is not None
    with session_scope(engine) as s:
        assert repo.save_assessment(session=s, ref=key, assessment=same, expected_version=1, user=SYSTEM) == 1
    with session_scope(engine) as s:
        assert len(audit.history(session=s, evaluation_key=key)) == entries
        assert repo.get_assessment_version(session=s, ref=key, code="GX.JJ.01") == 1
    noted = same.model_copy(update={"narrative": same.narrative + "（已核对合同）"})
    with session_scope(engine) as s:
        assert repo.save_assessment(session=s, ref=key, assessment=noted, expected_version=1, user=SYSTEM) == 2
    with session_scope(engine) as s:
        trail = audit.history(session=s, evaluation_key=key)
    assert len(trail) == entries + 1 and trail[-1].target == "GX.JJ.01"
    with pytest.raises(ConflictError), session_scope(engine) as s:
        repo.save_assessment(session=s, ref=key, assessment=noted, expected_version=1, user=SYSTEM)


def test_an_invalid_assessment_changes_nothing(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    with session_scope(engine) as s:
        before = repo.get_evaluation(session=s, ref=key)
    wrong = Assessment.model_validate({"code": "TY.JG.01", "inputs": {"answers": {"x": True}}})
    with pytest.raises(ValidationFailed, match="不使用该字段"), session_scope(engine) as s:
        repo.save_assessment(session=s, ref=key, assessment=wrong, expected_version=1, user=SYSTEM)
    with session_scope(engine) as s:
        assert repo.get_evaluation(session=s, ref=key) == before
        assert repo.get_assessment_version(session=s, ref=key, code="TY.JG.01") == 1


def test_new_inputs_must_score_but_old_ones_do_not_block_other_edits(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    with session_scope(engine) as s:
        before = repo.get_evaluation(session=s, ref=key)
    ambiguous = Assessment.model_validate({"code": "GX.JJ.02", "inputs": {"actual": "新签约5亿元以上项目5个"}})
    with pytest.raises(ScoringError, match="多个数值"), session_scope(engine) as s:
        repo.save_assessment(session=s, ref=key, assessment=ambiguous, expected_version=1, user=SYSTEM)
    with session_scope(engine) as s:
        assert repo.get_evaluation(session=s, ref=key) == before
    # an evaluation imported with inputs its rule cannot score: its narrative can still be saved
    others = [a for a in before.assessments if a.code != ambiguous.code]
    broken = before.model_copy(update={"id": "broken-inputs", "assessments": [*others, ambiguous]})
    with session_scope(engine) as s:
        repo.create_evaluation(session=s, evaluation=broken, user=SYSTEM)
    noted = ambiguous.model_copy(update={"narrative": "实际值待与单位核实后补录。"})
    with session_scope(engine) as s:
        repo.save_assessment(session=s, ref="broken-inputs", assessment=noted, expected_version=1, user=SYSTEM)
        assert repo.get_evaluation(session=s, ref="broken-inputs").assessment("GX.JJ.02") == noted


def test_import_is_all_or_nothing(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        PANZHIHUA.read_text(encoding="utf-8").replace("id: panzhihua-2023-zhaoshang", "id: other\nunknown_field: 1"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed, match="unknown_field"), session_scope(engine) as s:
        imports.import_files(session=s, paths=[PANZHIHUA, bad], user=SYSTEM)
    with session_scope(engine) as s:
        assert repo.count_evaluations(session=s) == 0
    with session_scope(engine) as s:
        imports.import_files(session=s, paths=[PANZHIHUA], user=SYSTEM)
    with pytest.raises(ValidationFailed, match="已在数据库中"), session_scope(engine) as s:
        imports.import_files(session=s, paths=[PANZHIHUA], user=SYSTEM)
    with session_scope(engine) as s:
        assert imports.import_files(session=s, paths=[PANZHIHUA], replace=True, user=SYSTEM) == [
            "panzhihua-2023-zhaoshang"
        ]
        assert repo.count_evaluations(session=s) == 1


def test_an_import_reads_each_file_once_and_reports_every_bad_one(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = imports.data_files(SAMPLES)
    with calls_of(monkeypatch, imports, "read_data", lambda path: path) as read, session_scope(engine) as s:
        written = imports.import_files(session=s, paths=files, user=SYSTEM)
    assert len(written) == 14 and sorted(read) == sorted(files)  # 13 evaluations and a department summary
    unreadable, invalid = tmp_path / "unreadable.yaml", tmp_path / "invalid.yaml"
    unreadable.write_text("id: [unclosed\n", encoding="utf-8")
    invalid.write_text(PANZHIHUA.read_text(encoding="utf-8").replace("year: 2023", "year: 1900"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as e, session_scope(engine) as s:
        imports.import_files(session=s, paths=[unreadable, invalid], user=SYSTEM)
    assert {p.file for p in e.value.problems} >= {str(unreadable), str(invalid)}


def test_many_files_are_parsed_by_several_processes_with_the_same_outcome(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From PARALLEL_FILES files on, an import parses them in forked worker processes: the data, the order, the
    located problems and the all-or-nothing rule are those of parsing them one by one."""
    pools: list[int] = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(imports, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(imports, "_may_fork", lambda: True)  # the test runner may have threads of its own
    text = PANZHIHUA.read_text(encoding="utf-8")
    paths = []
    for n in range(imports.PARALLEL_FILES + 6):
        path = tmp_path / f"copy-{n:03d}.yaml"
        path.write_text(text.replace("id: panzhihua-2023-zhaoshang", f"id: copy-{n:03d}"), encoding="utf-8")
        paths.append(path)
    paths.append(SAMPLES / "hengkou" / "department-2024.yaml")  # a department summary among them
    unreadable, invalid = paths[17], paths[40]
    unreadable.write_text("id: [unclosed\n", encoding="utf-8")
    invalid.write_text(invalid.read_text(encoding="utf-8").replace("year: 2023", "year: 1900"), encoding="utf-8")

    shared = imports._read_all(paths)
    with monkeypatch.context() as serial:
        serial.setattr(imports, "PARALLEL_FILES", 10**9)
        one_by_one = imports._read_all(paths)
    assert shared == one_by_one  # evaluations, summaries, problems: equal and in order
    if (os.cpu_count() or 1) > 1:
        assert pools == [1]  # the first read was shared among processes, the second was not
    with pytest.raises(ValidationFailed) as e, session_scope(engine) as s:
        imports.import_files(session=s, paths=paths, user=SYSTEM)
    assert {p.file for p in e.value.problems} == {str(unreadable), str(invalid)}  # each bad file, and only they
    assert any("第 2 行第 1 列" in p.message for p in e.value.problems if p.file == str(unreadable))
    with session_scope(engine) as s:
        assert repo.count_evaluations(session=s) == 0  # nothing written
    good = [p for p in paths if p not in (unreadable, invalid)]
    with session_scope(engine) as s:
        written = imports.import_files(session=s, paths=good, user=SYSTEM)
    assert written == [f"copy-{n:03d}" for n in range(imports.PARALLEL_FILES + 6) if n not in (17, 40)] + [
        "hengkou-2024-zsj-department"
    ]


def test_a_process_with_other_threads_does_not_fork_to_parse() -> None:
    """A server (threads of its own) parses an import's files itself: a fork copies only the calling thread, and a
    lock held by another thread at that moment would stay held in the child for ever."""
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        assert not imports._may_fork()
    finally:
        release.set()
        waiting.join()


def test_delete_and_missing(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    with session_scope(engine) as s:
        repo.delete_evaluation(session=s, ref="panzhihua-2023-zhaoshang", user=SYSTEM)
    with pytest.raises(NotFound, match="找不到评价"), session_scope(engine) as s:
        repo.get_evaluation(session=s, ref="panzhihua-2023-zhaoshang")


def test_a_key_made_of_digits_names_its_own_evaluation_not_the_row_with_that_id(engine: Engine) -> None:
    """Clients number their projects: an evaluation may be keyed "1" while another one is row 1. A string is a key,
    always (a page whose current evaluation was deleted must not open whichever row has that number); a number typed
    on the command line (评价编号或序号) is the key when one has it, else the row id."""
    ensure_samples(engine, SAMPLES)
    first = repo_list(engine)[0]
    digits = str(first.id)
    other = next(i for i in repo_list(engine) if i.id != first.id)
    with session_scope(engine) as s:
        ev = repo.get_evaluation(session=s, ref=other.key)
        project = ev.project.model_copy(update={"name": "编号为数字的项目"})
        repo.create_evaluation(
            session=s, evaluation=ev.model_copy(update={"id": digits, "project": project}), user=SYSTEM
        )
    with session_scope(engine) as s:
        assert repo.get_evaluation(session=s, ref=digits).project.name == "编号为数字的项目"
        assert repo.get_evaluation_with_versions(session=s, ref=digits)[0].id == digits
        assert repo.get_evaluation(session=s, ref=first.id).id == first.key  # an int is a row id
        assert repo.typed_ref(s, digits) == digits  # typed: the key wins
        assert repo.typed_ref(s, str(other.id)) == other.id  # no such key: the 序号
        assert repo.typed_ref(s, "１２") == "１２"  # full-width digits are no 序号
        repo.delete_evaluation(session=s, ref=digits, user=SYSTEM)
    with session_scope(engine) as s:
        assert repo.get_evaluation(session=s, ref=first.id).id == first.key  # the other one is still there
        with pytest.raises(NotFound, match=f"找不到评价“{digits}”"):  # deleted: not the row with that id
            repo.get_evaluation(session=s, ref=digits)
        with pytest.raises(NotFound, match="找不到评价“99999”"):
            repo.get_evaluation(session=s, ref=repo.typed_ref(s, "99999"))


def test_the_kept_list_follows_every_change_made_through_another_connection(db_url: str) -> None:
    """The list is kept between page runs; a save, a new evaluation and a deletion made by another server
    process (here: another engine on the same database) show in the next listing."""
    mine, other = open_database(db_url), open_database(db_url)
    ensure_samples(mine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"

    def listed() -> dict[str, repo.EvaluationSummary]:
        with session_scope(mine) as s:
            return {i.key: i for i in repo.list_evaluations(session=s)}

    before = listed()
    assert listed() == before and before[key].total_score == Decimal("88.00")
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with another_server(), session_scope(other) as s:
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
    assert listed()[key].total_score == Decimal("92.00")
    with another_server(), session_scope(other) as s:
        copy = repo.get_evaluation(session=s, ref=key).model_copy(update={"id": "panzhihua-2024-copy"})
        repo.create_evaluation(session=s, evaluation=copy, user=SYSTEM)
    assert "panzhihua-2024-copy" in listed()
    with another_server(), session_scope(other) as s:
        repo.delete_evaluation(session=s, ref="panzhihua-2024-copy", user=SYSTEM)
    assert set(listed()) == set(before)
    mine.dispose()
    other.dispose()


def test_a_kept_evaluation_is_read_again_after_every_kind_of_change(db_url: str) -> None:
    """Every page run reads the current evaluation: the validated evaluation is kept while its stamp stands
    (the same object comes back), and any change through another connection — an assessment, the document,
    an indicator's assessment removed, a deletion and a new evaluation under the same key — is read at the next run."""
    from evaluation.storage.documents import load_with_versions, save_document

    mine, other = open_database(db_url), open_database(db_url)
    ensure_samples(mine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"

    def read() -> tuple[object, int, dict[str, int]]:
        with session_scope(mine) as s:
            by_row = repo.get_evaluation_with_versions(session=s, ref=key)
            by_key = load_with_versions(session=s, key=key)  # the pages' path: the kept one by its key's stamp
        assert by_key[0] is by_row[0] and by_key[1:] == by_row[1:]
        return by_row

    first, version, versions = read()
    again = read()
    assert again[0] is first and again[1] == version and again[2] == versions
    again[2]["GX.JJ.01"] = 99  # the versions handed out are the caller's own
    assert read()[2] == versions

    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with another_server(), session_scope(other) as s:
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
    ev, _, versions = read()
    assert ev is not first and versions["GX.JJ.01"] == 2
    assert ev.assessment("GX.JJ.01") == better and score(ev).total == Decimal("92.00")

    renamed = ev.model_copy(update={"project": ev.project.model_copy(update={"name": "改名后的项目"})})
    with another_server(), session_scope(other) as s:
        save_document(session=s, evaluation=renamed, expected_version=version, user=SYSTEM)
    ev, version, _ = read()
    assert ev.project.name == "改名后的项目"

    fewer = ev.model_copy(update={"assessments": ev.assessments[:-1]})
    with another_server(), session_scope(other) as s:
        save_document(session=s, evaluation=fewer, expected_version=version, user=SYSTEM, sync_assessments=True)
    ev, version, versions = read()
    assert [a.code for a in ev.assessments] == [a.code for a in fewer.assessments] == list(versions)

    with another_server(), session_scope(other) as s:
        repo.delete_evaluation(session=s, ref=key, user=SYSTEM)
        repo.create_evaluation(session=s, evaluation=load_evaluation(PANZHIHUA), user=SYSTEM)
    ev, version, versions = read()
    assert ev.project.name != "改名后的项目" and set(versions.values()) == {1}
    assert ev == load_evaluation(PANZHIHUA)
    mine.dispose()
    other.dispose()


def test_the_kept_list_follows_a_save_from_a_server_whose_clock_is_behind(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two servers, one clock an hour slow: its save writes an older update time than the newest one, yet the
    other server's list moves (the revision, not the clock, says something changed), and reads only that row."""
    from datetime import timedelta

    from evaluation.storage.tables import utcnow

    mine, other = open_database(db_url), open_database(db_url)
    ensure_samples(mine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"

    def listed() -> list[repo.EvaluationSummary]:
        with session_scope(mine) as s:
            return repo.list_evaluations(session=s)

    before = listed()
    monkeypatch.setattr(repo, "utcnow", lambda: utcnow() - timedelta(hours=1))
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with another_server(), session_scope(other) as s:
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
    with statements_run(mine) as statements:
        now = listed()
    assert next(i for i in now if i.key == key).total_score == Decimal("92.00")
    summary_reads = [s for s in statements if "evaluation.project_name" in s]
    # the rows marked since the list was read (the saved row only), not the whole table nor every row's marks
    assert len(summary_reads) == 1 and "WHERE evaluation.change_mark > " in summary_reads[0]
    assert len(statements) == 2, statements  # with the table's stamp
    repo.forget_kept()
    assert listed() == now and [i.key for i in now] == [i.key for i in before]
    mine.dispose()
    other.dispose()


@contextmanager
def racing(db_url: str, moment: str) -> Iterator[tuple[Engine, Engine, Callable[[Callable[[str], bool]], list[str]]]]:
    """This server's engine and another server's on a database holding the samples, nothing kept (with ``moment``
    "refresh": listed once, and the other has created an evaluation since), and a way to have the other create
    "race-0001" just before this server runs the first statement a predicate picks (what fired is returned)."""
    mine, other = open_database(db_url), open_database(db_url)
    ensure_samples(mine, SAMPLES)
    repo.forget_kept()
    with session_scope(mine) as s:
        base = repo.get_evaluation(session=s, ref="panzhihua-2023-zhaoshang")

    def create(key: str) -> None:
        with another_server(), session_scope(other) as s:
            repo.create_evaluation(session=s, evaluation=base.model_copy(update={"id": key}), user=SYSTEM)

    if moment == "refresh":
        repo_list(mine)
        create("first-0001")  # something to refresh

    def before(picks: Callable[[str], bool]) -> list[str]:
        fired: list[str] = []

        def create_in_between(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if not fired and picks(statement):
                fired.append(statement)
                create("race-0001")

        event.listen(mine, "before_cursor_execute", create_in_between)
        return fired

    try:
        yield mine, other, before
    finally:
        mine.dispose()
        other.dispose()


@pytest.mark.parametrize("moment", ["first read", "refresh"])
def test_an_evaluation_created_while_the_list_is_read_shows_once(db_url: str, moment: str) -> None:
    """Another user's new evaluation committing between the list's statements: it is in the list exactly once,
    at once or at the next run, and stays so (the rows are read with the marks they are compared by)."""
    with racing(db_url, moment) as (mine, _other, before):
        fired = before(lambda statement: "evaluation.project_name" in statement)  # right before the summary columns
        repo_list(mine)
        assert fired
        for _ in range(2):
            with session_scope(mine) as s:
                keys = [i.key for i in repo.list_evaluations(session=s)]
                stored = repo.count_evaluations(session=s)
            assert keys.count("race-0001") == 1 and len(keys) == len(set(keys)) == stored


@pytest.mark.parametrize("moment", ["first read", "refresh"])
def test_an_evaluation_created_while_the_list_is_read_and_deleted_at_once_is_not_listed(
    db_url: str, moment: str
) -> None:
    """Another user's new evaluation commits between the list's stamp and its rows, and is deleted again before the
    next run: the table's stamp is then back to what it was before the creation, yet the list drops the row (the
    kept stamp is that of the rows read, not of the moment before they were read)."""
    with racing(db_url, moment) as (mine, other, before):
        fired = before(lambda statement: "evaluation.revision" in statement and "sum(" not in statement)  # the rows
        listed = repo_list(mine)
        assert fired and "race-0001" in [i.key for i in listed]
        with another_server(), session_scope(other) as s:
            repo.delete_evaluation(session=s, ref="race-0001", user=SYSTEM)
        keys = [i.key for i in repo_list(mine)]
        assert "race-0001" not in keys and keys == [i.key for i in _fresh(mine, "panzhihua-2023-zhaoshang")[0]]


def repo_list(engine: Engine) -> list[repo.EvaluationSummary]:
    with session_scope(engine) as s:
        return repo.list_evaluations(session=s)


def _fresh(engine: Engine, key: str) -> tuple[list[repo.EvaluationSummary], tuple[object, int, dict[str, int]]]:
    """The list and the evaluation as a server that keeps nothing reads them."""
    with another_server(), session_scope(engine) as s:
        return repo.list_evaluations(session=s), repo.get_evaluation_with_versions(session=s, ref=key)


def test_a_list_that_differs_by_one_saved_row_says_so_and_nothing_else_does(engine: Engine) -> None:
    """A save of one evaluation — in this process or another server — gives a list that names the list it replaced
    and that row before and after (every other row the same object, in the same place), so what pages derived from
    the old list can be checked against that row alone; a new evaluation, two rows changed or a row that moves gives
    no such note. Rows saved elsewhere are replaced where they stand; a row that moves has the list sorted again."""
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    first = repo_list(engine)
    assert repo.replaced_row(first) is None  # read whole

    def one_row_replaced(old: list[repo.EvaluationSummary], new: list[repo.EvaluationSummary]) -> None:
        replaced = repo.replaced_row(new)
        assert replaced is not None
        was, before, after = replaced
        assert was is old and before.key == after.key == key and before is not after
        assert before in old and after in new
        assert [i for i in new if i is not after] == [i for i in old if i is not before]
        assert all(a is b for a, b in zip(old, new, strict=True) if a.key != key)
        assert new == _fresh(engine, key)[0]  # what a server that keeps nothing reads

    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with session_scope(engine) as s:  # this process's own save: the kept list is patched
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
    second = repo_list(engine)
    one_row_replaced(first, second)
    assert next(i for i in second if i.key == key).total_score == Decimal("92.00")

    with another_server(), session_scope(engine) as s:  # another server's save: found among the rows' marks
        add_to_narrative(s, key, "（复核后补充）")
    third = repo_list(engine)
    one_row_replaced(second, third)

    with another_server(), session_scope(engine) as s:  # a new evaluation: more than one row differs
        copy = repo.get_evaluation(session=s, ref=key).model_copy(update={"id": "panzhihua-2024-copy"})
        repo.create_evaluation(session=s, evaluation=copy, user=SYSTEM)
    fourth = repo_list(engine)
    assert repo.replaced_row(fourth) is None and len(fourth) == len(third) + 1

    others = [i.key for i in fourth if i.key != key][:2]
    with another_server():
        for other in others:  # two evaluations saved before this process lists again
            with session_scope(engine) as s:
                add_to_narrative(s, other, "（补）")
    fifth = repo_list(engine)
    assert repo.replaced_row(fifth) is None
    assert fifth == _fresh(engine, key)[0]  # both rows replaced where they stand, the rest as kept
    assert sum(1 for a, b in zip(fourth, fifth, strict=True) if a is not b) == 2

    from evaluation.storage.documents import load_document, save_document

    with another_server(), session_scope(engine) as s:  # another server moves a row: the list is sorted again
        ev, version = load_document(session=s, key=others[0])
        project = ev.project.model_copy(update={"year": 2031})
        save_document(
            session=s, evaluation=ev.model_copy(update={"project": project}), expected_version=version, user=SYSTEM
        )
    sixth = repo_list(engine)
    assert sixth[0].key == others[0] and sixth == _fresh(engine, key)[0]
    assert repo.replaced_row(sixth) is None


def test_a_save_keeps_what_it_stored_for_the_next_page_run(engine: Engine, library: Library) -> None:
    """After a save in this process the next page run reads neither the list's rows nor the evaluation's document
    again, and what it gets is exactly what a server that keeps nothing reads from the database: the new total in
    the list, the saved assessment (validated, in its stored place), the new versions — for a changed assessment
    and for an indicator's first one."""
    ensure_samples(engine, SAMPLES)
    _create_unscored(engine, library)
    answers = {"policy": True, "duty": True, "public": True, "overlap": False}
    saves = [
        ("panzhihua-2023-zhaoshang", {"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}}, 1),
        ("panzhihua-2023-zhaoshang", {"code": "GX.JJ.01", "narrative": "  按合同金额核对。 "}, 2),
        # the same number spelt another way: equal as Decimals, stored as typed (the kept copy must say it so too)
        ("panzhihua-2023-zhaoshang", {"code": "GX.JJ.01", "override": {"score": "4.50", "reason": "按合同核定"}}, 3),
        ("panzhihua-2023-zhaoshang", {"code": "GX.JJ.01", "override": {"score": "4.5", "reason": "按合同核定"}}, 4),
        ("eval-2024-1", {"code": "JC.LX.01", "inputs": {"answers": answers}}, None),
    ]
    totals = []  # 招商引资工作经费's total after each save
    for key, saved, version in saves:
        with session_scope(engine) as s:  # the page run before the save: list and evaluation kept
            repo.list_evaluations(session=s)
            before = repo.get_evaluation_with_versions(session=s, ref=key)
        base = before[0].assessment(saved["code"])  # type: ignore[attr-defined]
        assessment = Assessment.model_validate({**(base.model_dump() if base else {}), **saved})
        with session_scope(engine) as s:
            new_version = repo.save_assessment(
                session=s, ref=key, assessment=assessment, expected_version=version, user=SYSTEM
            )
        with statements_run(engine) as seen, session_scope(engine) as s:  # the page run after it
            listed = repo.list_evaluations(session=s)
            ev, doc_version, versions = repo.get_evaluation_with_versions(session=s, ref=key)
        assert not [q for q in seen if "evaluation.project_name" in q or "evaluation_document" in q], seen
        if base is not None:  # the parts the save left as they were are the objects the page had (and derived from)
            now = ev.assessment(saved["code"])  # type: ignore[attr-defined]
            for part in ("inputs", "evidence", "narrative"):
                assert (getattr(now, part) is getattr(base, part)) == (part not in saved), part
            assert (now.override is base.override) == (now.override is None)  # 4.50 → 4.5: a new object
        fresh_list, (fresh_ev, fresh_doc_version, fresh_versions) = _fresh(engine, key)
        assert listed == fresh_list
        assert (ev, doc_version, versions) == (fresh_ev, fresh_doc_version, fresh_versions)
        assert ev.model_dump_json() == fresh_ev.model_dump_json()  # type: ignore[attr-defined]  # as spelt and ordered
        assert [a.code for a in ev.assessments] == [a.code for a in fresh_ev.assessments]  # type: ignore[attr-defined]
        assert versions[saved["code"]] == new_version == (version or 0) + 1
        assert repo.saved_score(ev) == score(fresh_ev)  # the save's own score, for the page drawn after it
        assert repo.saved_score(fresh_ev) is None  # an object no save of this process kept
        item = next(i for i in listed if i.key == key)
        assert item.total_score == (score(ev).total.quantize(Decimal("0.01")) if score(ev).scored else None)
        totals.append(next(i for i in fresh_list if i.key == "panzhihua-2023-zhaoshang").total_score)
    assert next(i for i in listed if i.key == "eval-2024-1").scored == 1
    # GX.JJ.01 at 50万 of 100万美元 takes 92.00 in all; set by hand to 4.5, half a point above what its rule gave
    assert totals == [Decimal(t) for t in ("92.00", "92.00", "92.50", "92.50", "92.50")]


def test_a_save_rolled_back_leaves_nothing_kept(engine: Engine) -> None:
    """A save whose transaction is rolled back keeps nothing: the same session's next save, committed, is what the
    list and the evaluation show — not the abandoned one's total."""
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    with session_scope(engine) as s:
        repo.list_evaluations(session=s)
        ev = repo.get_evaluation(session=s, ref=key)
    base = ev.assessment("GX.JJ.01")
    assert base is not None
    better = base.model_copy(update={"inputs": base.inputs.model_copy(update={"actual": "50万美元"})})
    noted = base.model_copy(update={"narrative": "只改了评分过程"})
    with Session(engine, expire_on_commit=False) as s:
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
        s.rollback()
        repo.save_assessment(session=s, ref=key, assessment=noted, expected_version=1, user=SYSTEM)
        s.commit()
    with session_scope(engine) as s:
        listed = {i.key: i for i in repo.list_evaluations(session=s)}
        ev = repo.get_evaluation(session=s, ref=key)
    assert listed[key].total_score == Decimal("88.00")
    assert ev.assessment("GX.JJ.01") == noted
    kept_score = repo.saved_score(ev)
    assert kept_score is not None and kept_score == score(ev) and kept_score.total == Decimal(88)
    fresh_list, fresh = _fresh(engine, key)
    assert list(listed.values()) == fresh_list and ev == fresh[0]


def test_a_save_committed_by_another_server_during_mine_is_read_not_lost(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """PostgreSQL lets another server commit a save of another evaluation while mine runs (SQLite lets one writer
    at a time, so this is PostgreSQL's case): my save then does not bring the kept list up to date itself — its
    stamps moved by more than my row — and the next run reads both changes."""
    with database_url(request, tmp_path, "postgresql") as url:
        mine, other = open_database(url), open_database(url)
        ensure_samples(mine, SAMPLES)
        key = "panzhihua-2023-zhaoshang"
        with session_scope(mine) as s:
            repo.list_evaluations(session=s)
            keys = [i.key for i in repo.list_evaluations(session=s) if i.key != key]
            theirs = repo.get_evaluation_with_versions(session=s, ref=keys[0])
        code = theirs[0].assessments[0].code
        changed = (
            theirs[0].assessments[0].model_copy(update={"override": Override(score=0, reason="另一台服务器上调整")})
        )
        their_total = next(i for i in repo_list(mine) if i.key == keys[0]).review_score  # a 自评 record: the rules'
        fired: list[str] = []

        def save_elsewhere(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if not fired and statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG"):  # mine has written
                fired.append(statement)
                with another_server(), session_scope(other) as s:
                    repo.save_assessment(
                        session=s, ref=keys[0], assessment=changed, expected_version=theirs[2][code], user=SYSTEM
                    )

        better = Assessment.model_validate(
            {"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}}
        )
        event.listen(mine, "before_cursor_execute", save_elsewhere)
        with session_scope(mine) as s:
            repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
        event.remove(mine, "before_cursor_execute", save_elsewhere)
        assert fired
        with session_scope(mine) as s:
            listed = repo.list_evaluations(session=s)
        assert listed == _fresh(mine, key)[0]
        assert next(i for i in listed if i.key == key).total_score == Decimal("92.00")
        assert next(i for i in listed if i.key == keys[0]).review_score != their_total  # their save, listed
        with session_scope(mine) as s:
            assert repo.get_evaluation(session=s, ref=keys[0]).assessment(code) == changed
        mine.dispose()
        other.dispose()


def test_a_save_under_sqlites_lock_works_out_the_tables_stamp_instead_of_reading_it(engine: Engine) -> None:
    """The aggregate over every evaluation row (the list's stamp) is read once by a save on SQLite — before its
    write, under the lock — and worked out after it; on PostgreSQL, where other servers commit meanwhile, read again.
    The next list read then costs that one aggregate (test_a_save_keeps_what_it_stored_for_the_next_page_run)."""
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    repo_list(engine)
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with statements_run(engine) as seen, session_scope(engine) as s:
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
    aggregates = [q for q in seen if "sum(evaluation.revision)" in q]
    assert len(aggregates) == (1 if engine.dialect.name == "sqlite" else 2), seen
    with session_scope(engine) as s:
        assert repo._listed[repo._database(s)].stamp == repo.table_stamp(session=s)


def test_a_document_save_keeps_the_lists_row_in_its_new_place(engine: Engine) -> None:
    """A save of the document (here the project's name and year, which the list sorts by) brings the kept list up
    to date without reading its rows again; the list is what a fresh read gives, in the fresh read's order."""
    from evaluation.storage.documents import load_document, save_document

    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    with session_scope(engine) as s:
        first = [i.key for i in repo.list_evaluations(session=s)]
        ev, version = load_document(session=s, key=key)
    project = ev.project.model_copy(update={"name": "招商引资工作经费（复评）", "year": 2025})
    with session_scope(engine) as s:
        save_document(
            session=s, evaluation=ev.model_copy(update={"project": project}), expected_version=version, user=SYSTEM
        )
    with statements_run(engine) as seen:
        listed = repo_list(engine)
    assert not [q for q in seen if "evaluation.project_name" in q], seen
    assert listed == _fresh(engine, key)[0]
    moved = [i.key for i in listed]
    assert moved[0] == key and first.index(key) != 0  # the newest year now: first
    assert next(i for i in listed if i.key == key).project_name == "招商引资工作经费（复评）"


def test_a_failure_to_keep_what_a_save_stored_does_not_fail_the_committed_save(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Keeping is a cache: when it fails after the commit, the save still reports success (it is stored) and the
    next run reads the database."""
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    repo_list(engine)

    def broken(*_args: object) -> None:
        raise RuntimeError("kept list unavailable")

    monkeypatch.setattr(repo, "_patch_list", broken)
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        assert repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM) == 2
    assert "保存后更新进程内缓存失败" in caplog.text
    assert next(i for i in repo_list(engine) if i.key == key).total_score == Decimal("92.00")


def test_every_write_of_an_evaluation_row_marks_it_above_every_other(engine: Engine) -> None:
    """A new evaluation, a save of one indicator and a save of the document each give the row written a change mark
    above every mark stored: the rows changed since a mark are an index range."""
    from evaluation.storage.documents import load_document, save_document
    from evaluation.storage.tables import EvaluationRow

    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"

    def marks() -> dict[str, int]:
        with session_scope(engine) as s:
            return {r.key: r.change_mark for r in s.exec(select(EvaluationRow))}

    first = marks()
    assert sorted(first.values()) == list(range(1, len(first) + 1))  # one each, as the samples were created
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
    second = marks()
    assert second[key] == max(first.values()) + 1 and {k: v for k, v in second.items() if k != key} == {
        k: v for k, v in first.items() if k != key
    }
    with session_scope(engine) as s:
        ev, version = load_document(session=s, key=key)
        save_document(
            session=s,
            evaluation=ev.model_copy(update={"project": ev.project.model_copy(update={"agency": "另一家机构"})}),
            expected_version=version,
            user=SYSTEM,
        )
    assert marks()[key] == second[key] + 1
    with session_scope(engine) as s:
        copy = repo.get_evaluation(session=s, ref=key).model_copy(update={"id": "panzhihua-2024-copy"})
        repo.create_evaluation(session=s, evaluation=copy, user=SYSTEM)
    assert marks()["panzhihua-2024-copy"] == second[key] + 2


def test_a_change_the_marks_do_not_account_for_is_found_by_comparing_every_row(db_url: str) -> None:
    """The rows marked since the list was read are trusted only when they account for the whole move of the table's
    stamp. A write that moved a revision without a mark (an older server, a hand-made fix) and a deletion are found
    by comparing every row's marks: the list is what a fresh read gives."""
    from sqlalchemy import text

    mine, other = open_database(db_url), open_database(db_url)
    ensure_samples(mine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    saved, gone = "hengkou-2024-zsj-01-renyuan", "hengkou-2024-wl-05-richang"

    def save_elsewhere(text: str) -> None:  # a save that marks its row, on another server
        with another_server(), session_scope(other) as s:
            add_to_narrative(s, saved, text)

    before = repo_list(mine)
    for unmarked in (False, True):  # alone (nothing marked since), and beside a marked save
        name = f"没有改动标记的改名{int(unmarked)}"
        with other.begin() as conn:
            conn.execute(
                text("UPDATE evaluation SET project_name = :name, revision = revision + 1 WHERE key = :key"),
                {"name": name, "key": key},
            )
        if unmarked:
            save_elsewhere("另一台服务器的保存")
        with statements_run(mine) as seen:
            after = repo_list(mine)
        assert next(i for i in after if i.key == key).project_name == name
        assert any("change_mark > " in q for q in seen) and any(" IN " in q for q in seen), seen  # marked, compared
        assert after == _fresh(mine, key)[0] and len(after) == len(before)
    save_elsewhere("再次保存")
    with another_server(), session_scope(other) as s:
        repo.delete_evaluation(session=s, ref=gone, user=SYSTEM)
    after = repo_list(mine)
    assert gone not in {i.key for i in after} and after == _fresh(mine, key)[0] and len(after) == len(before) - 1
    mine.dispose()
    other.dispose()


def test_two_saves_that_commit_out_of_the_order_of_their_marks_are_both_listed(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """PostgreSQL: two servers save two evaluations at once; both take the same mark, and the later one commits
    first, so this server lists it and has seen that mark before the earlier one commits. The earlier save is not in
    the rows marked since, but the stamp says a save is missing: every row's marks are compared and it is listed.
    (SQLite lets one writer at a time: its marks follow the commits.)"""
    with database_url(request, tmp_path, "postgresql") as url:
        mine, first, second = open_database(url), open_database(url), open_database(url)
        ensure_samples(mine, SAMPLES)
        a, b = "panzhihua-2023-zhaoshang", "hengkou-2024-zsj-01-renyuan"
        repo_list(mine)

        with another_server():
            slow = Session(first, expire_on_commit=False)
            add_to_narrative(slow, a, "先开始、后提交")  # its mark taken, not committed
            with session_scope(second) as s:
                add_to_narrative(s, b, "后开始、先提交")
        listed = repo_list(mine)
        assert listed == _fresh(mine, a)[0]
        slow.commit()
        slow.close()
        with another_server(), session_scope(second) as s:  # and a third save, marked above both
            add_to_narrative(s, "hengkou-2024-wl-04-longteng", "第三次保存")
        with statements_run(mine) as seen:
            listed = repo_list(mine)
        assert listed == _fresh(mine, a)[0]
        assert any(" IN " in q for q in seen), seen  # the third save alone does not account for the stamp's move
        with session_scope(mine) as s:
            marks = {r[0]: r[1] for r in s.execute(text_marks())}
        assert marks[a] == marks[b]  # the same mark: neither saw the other's
        for engine in (mine, first, second):
            engine.dispose()


def text_marks() -> Any:
    from sqlalchemy import text

    return text("SELECT key, change_mark FROM evaluation")


def test_a_save_in_a_savepoint_is_kept_only_when_the_whole_transaction_commits(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A SAVEPOINT released is not a commit: a save inside one whose transaction then rolls back keeps nothing, even
    when another server's later save gives the row the revision the abandoned one had. (PostgreSQL: with SQLite's
    Python driver a SAVEPOINT opened outside a transaction is itself the transaction, committed when released.)"""
    with database_url(request, tmp_path, "postgresql") as url:
        engine = open_database(url)
        _savepoint_then_rollback(engine)
        engine.dispose()


def _savepoint_then_rollback(engine: Engine) -> None:
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"
    repo_list(engine)
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        with s.begin_nested():
            repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
        raise RuntimeError("the rest of the action failed")
    with session_scope(engine) as s:
        noted = repo.get_evaluation(session=s, ref=key).assessment("GX.JJ.01")
    assert noted is not None
    with another_server(), session_scope(engine) as s:
        repo.save_assessment(
            session=s,
            ref=key,
            assessment=noted.model_copy(update={"narrative": "另一台服务器"}),
            expected_version=1,
            user=SYSTEM,
        )
    assert next(i for i in repo_list(engine) if i.key == key).total_score == Decimal("88.00")
    assert repo_list(engine) == _fresh(engine, key)[0]


def test_an_unchanged_list_costs_one_aggregate_query_after_every_kind_of_read(engine: Engine) -> None:
    """After a full read, after a refresh (another server's save) and after this process's own save, listing again
    while nothing changed asks only the table's stamp: the kept stamp equals what the database answers, on SQLite
    and PostgreSQL alike (the times as each driver gives them)."""
    ensure_samples(engine, SAMPLES)
    key = "panzhihua-2023-zhaoshang"

    def statements_of_a_second_listing() -> list[str]:
        repo_list(engine)
        with statements_run(engine) as seen:
            repo_list(engine)
        return seen

    assert len(statements_of_a_second_listing()) == 1
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with another_server(), session_scope(engine) as s:
        repo.save_assessment(session=s, ref=key, assessment=better, expected_version=1, user=SYSTEM)
    assert len(statements_of_a_second_listing()) == 1
    with session_scope(engine) as s:
        repo.save_assessment(
            session=s,
            ref=key,
            assessment=better.model_copy(update={"narrative": "本进程"}),
            expected_version=2,
            user=SYSTEM,
        )
    with statements_run(engine) as seen:
        listed = repo_list(engine)
    assert len(seen) == 1 and listed == _fresh(engine, key)[0]


def test_department_reports_are_kept_while_unchanged_and_follow_every_write(db_url: str) -> None:
    """Pages read the department reports on every run: while none changed that costs one aggregate query (no
    document read, the same report objects), and an overwrite — here by another server — or a new report is read at
    the next run."""
    mine, other = open_database(db_url), open_database(db_url)
    ensure_samples(mine, SAMPLES)

    def reports(engine: Engine = mine) -> list[DepartmentSummary]:
        with session_scope(engine) as s:
            return repo.list_department_summaries(session=s)

    first = reports()
    assert len(first) == 1
    with statements_run(mine) as seen:
        again = reports()
    assert again[0] is first[0] and len(seen) == 1 and "document" not in seen[0]
    renamed = first[0].model_copy(update={"department": "横口招商局（更名）"})
    with another_server(), session_scope(other) as s:
        repo.save_department_summary(session=s, summary=renamed, user=SYSTEM)
    assert [d.department for d in reports()] == ["横口招商局（更名）"]
    second = first[0].model_copy(update={"id": "hengkou-2025-department", "year": 2025})
    with another_server(), session_scope(other) as s:
        repo.save_department_summary(session=s, summary=second, user=SYSTEM)
    now = reports()
    assert [d.id for d in now] == [d.id for d in reports(other)] and len(now) == 2
    with another_server():
        assert reports() == now  # what a server that keeps nothing reads
    mine.dispose()
    other.dispose()


def test_an_assessments_save_stores_every_figure_of_the_evaluation_row(engine: Engine) -> None:
    """The save writes the row's figures with a prebuilt statement: every figure ``score_columns`` gives is stored
    (a 第三方 evaluation's total and grade, a 自评 record's 复核得分), as a server that keeps nothing reads them."""
    from evaluation.storage.tables import EvaluationRow

    ensure_samples(engine, SAMPLES)
    self_key = next(i.key for i in repo_list(engine) if i.kind == "self_evaluation")
    with session_scope(engine) as s:
        record, _, versions = repo.get_evaluation_with_versions(session=s, ref=self_key)
    first = record.assessments[0]
    lowered = first.model_copy(update={"override": Override(score=Decimal("0.5"), reason="复核时核减")})
    saves = [
        (
            "panzhihua-2023-zhaoshang",
            Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}}),
            1,
        ),
        (self_key, lowered, versions[first.code]),
    ]
    for key, assessment, version in saves:
        with session_scope(engine) as s:
            before = s.exec(select(EvaluationRow).where(EvaluationRow.key == key)).one().model_dump()
            repo.save_assessment(session=s, ref=key, assessment=assessment, expected_version=version, user=SYSTEM)
        _, (fresh, _, _) = _fresh(engine, key)
        expected = repo.score_columns(fresh, score(fresh))  # type: ignore[arg-type]
        with session_scope(engine) as s:
            row = s.exec(select(EvaluationRow).where(EvaluationRow.key == key)).one()
            assert {name: getattr(row, name) for name in expected} == expected
            assert expected != {name: before[name] for name in expected}  # the save changed a figure
            assert row.revision == before["revision"] + 1 and row.change_mark > before["change_mark"]
