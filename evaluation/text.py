"""What text the workbench keeps: the one cleaning every stored string goes through.

Text pasted from Word carries soft breaks (\\x0b) and other control characters; a JSON or YAML escape can
carry a lone surrogate, which cannot be written as UTF-8 (and PostgreSQL refuses a NUL character that
SQLite would keep). Soft breaks become line breaks and the rest is removed, once, where a model is built.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Text pasted from Word: soft breaks become newlines, other control characters and lone surrogates go."""
    return _CONTROL.sub("", value.replace("\x0b", "\n").replace("\r\n", "\n"))
