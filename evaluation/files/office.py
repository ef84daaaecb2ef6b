"""What openpyxl and python-docx raise for a damaged or mistyped .xlsx / .docx file.

The importers turn these exceptions, and only these, into a located problem ("无法作为 Excel 文件打开
（BadZipFile）…"); anything else is a bug and propagates. The lists come from reading the libraries and
from feeding them truncated, bit-flipped and hand-edited files (parts dropped, emptied or replaced,
XML and attribute values broken, vertical merges without a cell above).
"""

from __future__ import annotations

import zipfile
import zlib

from docx.exceptions import InvalidXmlError

# The zip container: not a zip or a damaged one (bad CRC, header or offsets), a deflate stream that
# does not decompress, a file cut short, a compression method or zip version zipfile lacks, a part
# the package names but does not hold (KeyError).
ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError)

# Malformed XML: lxml's XMLSyntaxError and ElementTree's ParseError are both SyntaxErrors.
XML_ERRORS: tuple[type[Exception], ...] = (SyntaxError,)

# openpyxl reports a part it cannot use with builtin exceptions: ValueError ("Unable to read
# workbook", a number it cannot read), TypeError (a typed attribute given the wrong kind of value),
# KeyError and IndexError (a reference to a sheet, style or string that is not there), OSError
# ("File contains no valid workbook part").
XLSX_ERRORS: tuple[type[Exception], ...] = (*ZIP_ERRORS, *XML_ERRORS, ValueError, TypeError, IndexError, OSError)

# python-docx: InvalidXmlError (a required element or attribute missing), ValueError (an attribute
# value it cannot read, a vertical merge with no cell above), TypeError and AttributeError (a
# relationship or content-types part, or the document part, of the wrong shape), RecursionError (a
# vertical merge is followed one row at a time, recursively, so a merge over a thousand rows ends it).
DOCX_ERRORS: tuple[type[Exception], ...] = (
    *ZIP_ERRORS,
    *XML_ERRORS,
    InvalidXmlError,
    ValueError,
    TypeError,
    AttributeError,
    RecursionError,
)
