"""What the workbench accepts, in one place: text lengths, file sizes, rows, nesting and numbers.

Every limit is enforced by the core (the pages' upload widgets only repeat them for the browser), and a
limit that also sizes a database column is the one the column is declared with
(``evaluation.storage.tables``), so SQLite and PostgreSQL accept exactly the same records and a backup
made on either restores on the other.
"""

from __future__ import annotations

from decimal import Decimal

# --------------------------------------------------------------------------- text (characters)

CODE_MAX = 40  # an evaluation id, an indicator code, a template id (column: String(40))
NAME_MAX = 200  # a project, department, agency, indicator or template name (column: String(200))
CATEGORY_MAX = 100  # 项目类别 (column: String(100))
GRADE_MAX = 10  # a grade's name, 优/良/中/差 (column: String(10))
USERNAME_MAX = 60  # a user name or display name (column: String(60))
AUDIT_TARGET_MAX = 60  # what an audit entry concerns (column: String(60))
FILE_NAME_MAX = 200  # a kept report's file name (column: String(200))
TEXT_MAX = 100_000  # any other text field: a 评分过程, 项目背景, a note (about 50 pages)

# --------------------------------------------------------------------------- numbers

SCORE_DIGITS, SCORE_PLACES = 8, 2  # a stored total (column: Numeric(8, 2)): below 1 000 000
SCORE_COLUMN_LIMIT = Decimal(10) ** (SCORE_DIGITS - SCORE_PLACES)
SCORE_MAX = Decimal(10_000)  # a weight (分值), a score or a grade threshold: systems total 100 or 1 000
NUMBER_DIGITS = 18  # digits before the point in a number a rule computes with (实际值 / 目标值 texts)
FIGURE_MAX = Decimal(10) ** 12  # a stated figure (表中所列得分、分值、扣分), a duration, a band's threshold
FIGURE_PLACES = 30  # decimals of such a figure (an Excel float has at most 17 significant digits)
COUNT_MAX = 10**9  # a count (区间分档的个数与总数)
DATA_INTEGER_DIGITS = 30  # an integer or a decimal's exponent in a YAML or JSON file

# --------------------------------------------------------------------------- files

DATA_FILE_BYTES = 5 * 1024 * 1024  # an evaluation, summary or template file (YAML / JSON)
DATA_FILE_LINES = 100_000
DATA_DEPTH = 32  # nesting of lists and key-value maps (the deepest real file has 15)
DATA_NODES = 100_000  # keys and list items in one file
TABLE_FILE_BYTES = 20 * 1024 * 1024  # an .xlsx, .docx or .csv file (自评表, client table, survey)
TABLE_UNPACKED_BYTES = 200 * 1024 * 1024  # the parts of an .xlsx or .docx file, unpacked
TABLE_ROWS = 2_000  # rows of one sheet or Word table (a 自评表 has about 40, a client table about 100)
TABLE_COLUMNS = 100  # columns of one sheet or Word table
TABLE_CELLS = 200_000  # cells of one file, every sheet or table together
SURVEY_ROWS = 20_000  # respondents in one survey
SURVEY_COLUMNS = 100  # questions in one survey
SURVEY_CELLS = 400_000  # answers in one survey (an .xlsx this full takes about 5 s to read)
CELL_CHARS = 32_767  # text in one cell (Excel's own limit)
ATTACHMENT_BYTES = 20 * 1024 * 1024  # one evidence attachment
BACKUP_BYTES = 2 * 1024 * 1024 * 1024  # a backup archive

# --------------------------------------------------------------------------- messages

PROBLEMS_LISTED = 50  # problems listed one by one; the rest are counted ("另有 N 处")


def megabytes(size: int) -> str:
    """A size in MB as messages state it: ``"20"``, ``"20.5"``."""
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")
