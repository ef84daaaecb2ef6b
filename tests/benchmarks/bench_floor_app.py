"""The floor app of the page benchmarks (see ``bench_floor``): run by AppTest, never on its own."""

from tests.benchmarks.bench_floor import run

run()
