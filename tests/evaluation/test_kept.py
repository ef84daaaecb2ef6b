"""The bounded map a server process keeps things in between page runs."""

from __future__ import annotations

import threading

from evaluation.kept import KeptMap


def test_the_least_recently_used_entry_goes_first() -> None:
    kept: KeptMap[str, int] = KeptMap(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" used: "b" is now the oldest
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c"), len(kept)) == (1, None, 3, 2)
    kept.put("a", 10)  # replaced, not added
    assert kept.get("a") == 10 and len(kept) == 2
    kept.clear()
    assert kept.get("a") is None and len(kept) == 0


def test_threads_writing_and_reading_at_once_keep_it_within_its_size() -> None:
    kept: KeptMap[int, int] = KeptMap(50)
    start = threading.Barrier(8)
    wrong: list[tuple[int, int | None]] = []

    def work(n: int) -> None:
        start.wait()
        for i in range(2_000):
            kept.put(n * 10_000 + i, i)
            value = kept.get(n * 10_000 + i // 2)
            if value is not None and value != i // 2:
                wrong.append((i, value))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == [] and len(kept) == 50
