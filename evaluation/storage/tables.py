"""Tables. Documents (project facts, the indicator system snapshot, report texts) are JSON with
Decimals written as strings, so amounts and scores read back identical on SQLite and PostgreSQL.
Each indicator's assessment is its own row with a version, for per-indicator saves and
optimistic locking.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

# plain JSON (not JSONB): PostgreSQL keeps the text, so key order survives and exports stay identical
JSONType = JSON()


def utcnow() -> datetime:
    return datetime.now(UTC)


class EvaluationRow(SQLModel, table=True):
    __tablename__ = "evaluation"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=40)
    kind: str = Field(max_length=20)
    project_name: str = Field(max_length=200)
    department: str = Field(max_length=200, index=True)
    agency: str = Field(default="", max_length=200)
    year: int = Field(index=True)
    category: str = Field(default="", max_length=100)
    template_id: str = Field(max_length=40)
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    total_score: Decimal | None = Field(default=None, sa_column=Column(Numeric(8, 2), nullable=True))
    grade: str = Field(default="", max_length=10)
    scored: int = 0
    indicator_count: int = 0
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AssessmentRow(SQLModel, table=True):
    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("evaluation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=40)
    position: int = 0
    data: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)


class DepartmentSummaryRow(SQLModel, table=True):
    __tablename__ = "department_summary"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=40)
    department: str = Field(max_length=200)
    year: int
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
