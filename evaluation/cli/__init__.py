"""The ``workbench`` command line: one module per command group (scores, files, report, engagement, selfeval,
check, admin), registered on one parser whose usage errors are said in Chinese.

Every command validates its input and reports problems in Chinese with the place they concern;
exit codes: 0 ok, 1 the input has problems (or scoring found errors), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from evaluation.cli import admin, check, engagement, files, report, scores, selfeval, templates
from evaluation.errors import WorkbenchError

_ARGPARSE_ZH = [
    ("the following arguments are required", "缺少必需的参数"),
    ("invalid choice", "无效的选项"),
    ("unrecognized arguments", "无法识别的参数"),
    ("expected one argument", "该选项需要一个值"),
    ("choose from", "可选"),
]


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors said in Chinese."""

    def error(self, message: str) -> NoReturn:
        for en, zh in _ARGPARSE_ZH:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="workbench", description="评价工作台命令行")
    commands = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    scores.register(commands)
    templates.register(commands, _Parser)
    files.register(commands)
    report.register(commands)
    engagement.register(commands)
    selfeval.register(commands, _Parser)
    admin.register(commands, _Parser)
    check.register(commands)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except WorkbenchError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
