"""Tables. Documents (project facts, the indicator system snapshot, report texts) are JSON with
Decimals written as strings, so amounts and scores read back identical on SQLite and PostgreSQL; an
evaluation's document has a table of its own beside the evaluation's row of summary columns.
Each indicator's assessment is its own row with a version, for per-indicator saves and
optimistic locking.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy import select as sa_select
from sqlmodel import Field, SQLModel

from evaluation.limits import (
    AUDIT_TARGET_MAX,
    CATEGORY_MAX,
    CODE_MAX,
    FILE_NAME_MAX,
    GRADE_MAX,
    NAME_MAX,
    SCORE_DIGITS,
    SCORE_PLACES,
    USERNAME_MAX,
)

# plain JSON (not JSONB): PostgreSQL keeps the text, so key order survives and exports stay identical
JSONType = JSON()


def utcnow() -> datetime:
    return datetime.now(UTC)


class EvaluationRow(SQLModel, table=True):
    __tablename__ = "evaluation"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=CODE_MAX)
    kind: str = Field(max_length=20)
    project_name: str = Field(max_length=NAME_MAX)
    department: str = Field(max_length=NAME_MAX, index=True)
    agency: str = Field(default="", max_length=NAME_MAX)
    year: int = Field(index=True)
    category: str = Field(default="", max_length=CATEGORY_MAX)
    template_id: str = Field(max_length=CODE_MAX)
    total_score: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(SCORE_DIGITS, SCORE_PLACES), nullable=True)
    )
    review_score: Decimal | None = Field(
        default=None, sa_column=Column(Numeric(SCORE_DIGITS, SCORE_PLACES), nullable=True)
    )
    grade: str = Field(default="", max_length=GRADE_MAX)
    scored: int = 0
    indicator_count: int = 0
    version: int = 1
    # moves with every write of the evaluation (its document, an assessment, its figures), whatever the servers'
    # clocks say: the list of evaluations is read again when the sum of the revisions moves (repo.list_evaluations).
    # It, the creation and the update are indexed: the table's stamp (repo.table_stamp) sums the index, not the rows,
    # and finds the latest creation and update at one end of theirs
    revision: int = Field(default=0, index=True)
    # above every mark stored when the row was last written (see next_change_mark): a server keeping the list reads
    # the rows changed since the highest mark it has seen, not every row's marks (repo.list_evaluations)
    change_mark: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0", index=True))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


def next_change_mark() -> Any:
    """In SQL: one more than the highest change mark stored, for the row being written. Under SQLite's write lock the
    marks follow the order of the commits; under PostgreSQL two transactions writing at once may take the same
    mark or commit out of order, which the list notices by its stamp and then reads every row's marks. The
    expression is built once: building its alias and subquery anew cost a save about 0.6 ms (a sixteenth)."""
    return _NEXT_MARK


_NEXT_MARK = sa_select(
    func.coalesce(func.max(EvaluationRow.__table__.alias("marked").c.change_mark), 0) + 1  # type: ignore[attr-defined]
).scalar_subquery()


class EvaluationDocumentRow(SQLModel, table=True):
    """An evaluation's document (everything but its assessments), kept apart from the evaluation's row: listing
    and stamping thousands of evaluations reads only their small rows, never their documents."""

    __tablename__ = "evaluation_document"

    evaluation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True)
    )
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))


class AssessmentRow(SQLModel, table=True):
    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("evaluation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=CODE_MAX)
    position: int = 0
    data: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)


class DepartmentSummaryRow(SQLModel, table=True):
    __tablename__ = "department_summary"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=CODE_MAX)
    department: str = Field(max_length=NAME_MAX)
    year: int
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    # moves with every write of the report: the validated reports are kept between page runs while the sum of the
    # revisions, the count and the highest id stand (repo.list_department_summaries)
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow)


def _revise(_mapper: object, _connection: object, row: EvaluationRow | DepartmentSummaryRow) -> None:
    """Every ORM write of an evaluation or department report row moves its revision, and an evaluation row's change
    mark (Core UPDATEs of an evaluation's content set them themselves)."""
    row.revision = type(row).revision + 1  # in SQL: two writers never store the same revision
    if isinstance(row, EvaluationRow):
        row.change_mark = next_change_mark()


def _mark_new(_mapper: object, _connection: object, row: EvaluationRow) -> None:
    row.change_mark = next_change_mark()


for _revised in (EvaluationRow, DepartmentSummaryRow):
    event.listen(_revised, "before_update", _revise)
event.listen(EvaluationRow, "before_insert", _mark_new)


class AgencyTemplateRow(SQLModel, table=True):
    """An indicator system the agency keeps as its own template (saved from an evaluation or a client table)."""

    __tablename__ = "agency_template"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=CODE_MAX)
    name: str = Field(max_length=NAME_MAX)
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    created_by: str = Field(max_length=USERNAME_MAX)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class UserRow(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=USERNAME_MAX)
    display_name: str = Field(default="", max_length=USERNAME_MAX)
    role: str = Field(max_length=10)
    password_hash: str = Field(max_length=200)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login: datetime | None = None


class MembershipRow(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "evaluation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    evaluation_key: str = Field(max_length=CODE_MAX, index=True)


class LoginSessionRow(SQLModel, table=True):
    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    end_reason: str = Field(default="", max_length=100)  # shown on the login form of that browser


class WorkflowRow(SQLModel, table=True):
    __tablename__ = "workflow"

    evaluation_key: str = Field(primary_key=True, max_length=CODE_MAX)
    state: str = Field(default="草稿", max_length=10)
    comments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON(), nullable=False))
    report_sha256: str | None = Field(default=None, max_length=64)
    updated_by: str = Field(default="", max_length=USERNAME_MAX)
    updated_at: datetime = Field(default_factory=utcnow)


class FinalReportRow(SQLModel, table=True):
    """The report file as it was when the evaluation was finalised, with its SHA-256."""

    __tablename__ = "final_report"

    id: int | None = Field(default=None, primary_key=True)
    evaluation_key: str = Field(max_length=CODE_MAX, index=True)
    sha256: str = Field(max_length=64)
    file_name: str = Field(max_length=FILE_NAME_MAX)
    content: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_by: str = Field(max_length=USERNAME_MAX)
    created_at: datetime = Field(default_factory=utcnow)


class ReviewDecisionRow(SQLModel, table=True):
    __tablename__ = "review_decision"
    __table_args__ = (UniqueConstraint("subject", "finding_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(index=True, max_length=CODE_MAX)
    finding_hash: str = Field(max_length=64)
    finding_key: str = Field(sa_column=Column(Text, nullable=False))
    code: str = Field(max_length=CODE_MAX)
    severity: str = Field(max_length=10)
    decision: str = Field(max_length=10)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    reviewer: str = Field(default="", max_length=100)
    finding: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    decided_at: datetime = Field(default_factory=utcnow)


class EvaluationResultRow(SQLModel, table=True):
    __tablename__ = "evaluation_result"

    evaluation_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True)
    )
    stamp: str = Field(max_length=200)
    data: dict[str, Any] = Field(sa_column=Column(JSON(), nullable=False))


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=USERNAME_MAX)
    action: str = Field(max_length=20)
    evaluation_key: str = Field(max_length=CODE_MAX, index=True)
    target: str = Field(default="", max_length=AUDIT_TARGET_MAX)
    old: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class AppSettingRow(SQLModel, table=True):
    """Small values the server keeps about itself (e.g. the hash of the one-time set-up code)."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class ArchiveRow(SQLModel, table=True):
    """An evaluation's archive (.zip with its manifest), kept with the final state; the latest one counts."""

    __tablename__ = "evaluation_archive"

    id: int | None = Field(default=None, primary_key=True)
    evaluation_key: str = Field(max_length=40, index=True)
    state: str = Field(max_length=10)
    file_name: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow)


class AttachmentBlobRow(SQLModel, table=True):
    """An attachment file kept in the database (WORKBENCH_ATTACHMENTS=database), shared by every server. Backups
    carry these files as attachments, like the files of any other store, not as a table."""

    __tablename__ = "attachment_blob"

    key: str = Field(primary_key=True, max_length=400)
    content: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    size: int
    created_at: datetime = Field(default_factory=utcnow)


# the tables whose every write moves the access clock (on SQLite, by triggers: migration 0018): who is signed in,
# accounts and roles, memberships, workflow states — what the per-click sign-in check and the right to edit read
ACCESS_TABLES = ("app_user", "login_session", "membership", "workflow")
ACCESS_CLOCK = "access"  # ChangeClockRow.name of that clock


class ChangeClockRow(SQLModel, table=True):
    """A counter moved by every write to a group of tables, in the writing transaction (``storage.unchanged``: a read
    of those tables only is kept while its counter stands, whatever else was written). ``generation`` is drawn when
    the row is made, so a database made again (a new file, a restore into an empty one) never repeats a value seen
    before; ``changed_at`` is the time of the last move (to the millisecond), so the database file put back to an
    earlier copy under running servers, whose count then moves again through values seen before, does not repeat
    them either. Not backed up: a restore's own writes move it."""

    __tablename__ = "change_clock"

    name: str = Field(primary_key=True, max_length=20)
    generation: str = Field(max_length=32)
    n: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
    changed_at: str = Field(max_length=30)
