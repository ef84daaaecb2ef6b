#!/usr/bin/env bash
# Install everything (with the dev tools) into .venv and run the whole test suite:
# lint (ruff), types (mypy), then pytest. Extra arguments go to pytest.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" dev
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy evaluation ui app.py serve.py pages
echo "== pytest"
.venv/bin/python -m pytest "$@"
