"""Alembic environment: runs on the connection handed over by ``evaluation.storage.db.migrate``."""

from alembic import context
from sqlmodel import SQLModel

from evaluation.storage import tables  # noqa: F401  (registers every table)

target_metadata = SQLModel.metadata
config = context.config
connection = config.attributes.get("connection")

if connection is None:  # pragma: no cover - the CLI always passes a connection
    raise RuntimeError("请通过 workbench 命令执行数据库迁移")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
