#!/usr/bin/env bash
# Install everything into .venv and start the workbench on http://localhost:${PORT:-8501}
# (SQLite under data/ unless DATABASE_URL is set; sample evaluations loaded on first start).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
.venv/bin/workbench init
ARGS=(--server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false)
if [ -n "${ADDRESS:-}" ]; then ARGS+=(--server.address "$ADDRESS"); fi
echo "评价工作台：http://localhost:${PORT:-8501}（第一次打开时先创建管理员账户）"
exec .venv/bin/streamlit run serve.py "${ARGS[@]}" "$@"
