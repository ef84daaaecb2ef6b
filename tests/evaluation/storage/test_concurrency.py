"""Concurrent writers through the core: no lost update, every conflict reported, on SQLite and PostgreSQL.

Twenty threads each add their own findings to indicators (several share the same indicator) with
read–modify–write through ``save_assessment`` and its optimistic lock. An accepted write always
contains every finding accepted before it, so the final list must hold exactly the accepted writes.
"""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import User
from evaluation.errors import ConflictError
from evaluation.model import Finding
from evaluation.scoring.engine import score
from evaluation.storage import repo, users
from evaluation.storage.db import session_scope

KEY = "panzhihua-2023-zhaoshang"
CODES = ["TY.JC.01", "TY.GL.03", "TY.SS.02", "ZY.XZ.01"]  # deduction indicators
WRITERS = 20
WRITES_EACH = 4


@pytest.fixture
def engine(sample_engine: Engine) -> Engine:
    return sample_engine


def _writers(engine: Engine) -> list[User]:
    """Three real accounts: an administrator and two consultants who are members of the evaluation."""
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="admin-password-1", role="管理员")
        team = [
            users.create_user(session=s, username=name, password="consultant-pw-1", role="评价人员", actor=admin)
            for name in ("zhang", "li")
        ]
        for member in team:
            users.add_member(session=s, actor=admin, user_id=member.id, evaluation_key=KEY)
    return [admin, *team]


def test_twenty_concurrent_writers_lose_nothing(engine: Engine) -> None:
    writers = _writers(engine)
    accepted: Counter[str] = Counter()
    conflicts: Counter[str] = Counter()
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        code = CODES[n % len(CODES)]  # five writers per indicator: the same and different indicators at once
        try:
            start.wait()
            done = 0
            while done < WRITES_EACH:
                with session_scope(engine) as s:
                    ev, _, versions = repo.get_evaluation_with_versions(session=s, ref=KEY)
                version = versions.get(code)
                current = ev.assessment(code)
                assert current is not None
                finding = Finding(text=f"写入者{n}-第{done}次", points=Decimal("0.01"))  # every write moves the total
                new = current.model_copy(
                    update={
                        "inputs": current.inputs.model_copy(update={"findings": [*current.inputs.findings, finding]})
                    }
                )
                try:
                    with session_scope(engine) as s:
                        repo.save_assessment(
                            session=s, ref=KEY, assessment=new, expected_version=version, user=writers[n % 3]
                        )
                except ConflictError as e:
                    assert "已被他人修改" in str(e)
                    with lock:
                        conflicts[code] += 1
                    continue
                with lock:
                    accepted[code] += 1
                done += 1
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not failures, failures[:3]
    assert sum(accepted.values()) == WRITERS * WRITES_EACH
    with session_scope(engine) as s:
        ev = repo.get_evaluation(session=s, ref=KEY)
        versions = {code: repo.get_assessment_version(session=s, ref=KEY, code=code) for code in CODES}
    for code in CODES:
        texts = [f.text for f in ev.assessment(code).inputs.findings]  # type: ignore[union-attr]
        assert len(texts) == accepted[code] == len(set(texts)), code  # nothing lost, nothing doubled
        assert versions[code] == 1 + accepted[code]
    assert sum(conflicts.values()) > 0  # the race really happened, and was refused, not overwritten
    # the stored total follows the final state: each indicator floored at 0 after so many findings
    with session_scope(engine) as s:
        items = {i.key: i for i in repo.list_evaluations(session=s)}
    # the stored total (written by whichever save came last) is the total of the final state
    assert items[KEY].total_score == score(ev).total.quantize(Decimal("0.01"))
    assert items[KEY].total_score == Decimal("88.00") - Decimal("0.01") * WRITERS * WRITES_EACH
