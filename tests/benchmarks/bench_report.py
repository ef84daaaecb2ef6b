"""Report build benchmark (run on request):

    .venv/bin/python -m tests.benchmarks.bench_report

For the Panzhihua sample and a generated 200-indicator evaluation, prints the time to build the
styled report and the time bare python-docx takes to write the same paragraphs and table cells
without any styling, and their ratio (target: ≤ 2 at both sizes).
"""

from __future__ import annotations

import io
import time
from decimal import Decimal
from typing import Any

from docx import Document

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.report import build_docx
from evaluation.report.context import Heading, Paragraph, ReportContext, Table, build_report_context
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES


def bare(ctx: ReportContext) -> bytes:
    """The same words in the same number of paragraphs and cells, unstyled, unmerged."""
    doc = Document()
    for block in ctx.blocks:
        if isinstance(block, Heading | Paragraph):
            doc.add_paragraph(block.text)
        elif isinstance(block, Table):
            rows = block.header_rows + block.rows
            table = doc.add_table(rows=len(rows), cols=len(block.columns))
            for row, spec_row in zip(table.rows, rows, strict=True):
                for cell, spec in zip(row.cells, spec_row, strict=True):
                    if spec is not None and spec.text:
                        cell.paragraphs[0].add_run(spec.text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def big_evaluation(base: Evaluation, n: int) -> Evaluation:
    data: dict[str, Any] = base.model_dump(mode="python")
    l1 = data["system"]["groups"][0]
    template = l1["groups"][0]["indicators"][0]
    groups = []
    for g in range(n // 10):
        indicators = []
        for i in range(10):
            ind = dict(template, code=f"B.{g}.{i}", name=f"指标{g}-{i}", weight=Decimal("0.5"))
            indicators.append(ind)
        groups.append({"code": f"B.{g}", "name": f"二级指标{g}", "indicators": indicators})
    data["system"] = dict(
        data["system"],
        total=Decimal(n) / 2,
        penalties=None,
        groups=[{"code": "B", "name": "一级指标", "groups": groups}],
    )
    data["assessments"] = [
        {"code": f"B.{g}.{i}", "narrative": "评价组查阅了相关资料并核实了支出凭证，未发现问题。" * 3}
        for g in range(n // 10)
        for i in range(10)
    ]
    data["problems"] = []
    data["suggestions"] = []
    return Evaluation.model_validate(data)


def timed(fn: Any, repeat: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    pzh = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    for label, ev, repeat in [
        ("攀枝花样例（15 项指标）", pzh, 5),
        ("生成的 200 项指标评价", big_evaluation(pzh, 200), 2),
    ]:
        ctx = build_report_context(ev, score(ev))
        styled = timed(lambda ev=ev: build_docx(ev, score(ev)), repeat)
        plain = timed(lambda ctx=ctx: bare(ctx), repeat)
        print(f"{label}：完整报告 {styled:.3f} s，无样式 python-docx {plain:.3f} s，比值 {styled / plain:.2f}")


if __name__ == "__main__":
    main()
