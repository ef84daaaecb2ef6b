"""Evidence attachments on the server: names the file system accepts and that show what they are, the type
checked by content, the size checked whatever the browser did, the same content referenced once."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from evaluation.files.attachments import (
    AttachmentError,
    check_content,
    content_hash,
    safe_name,
    store_attachment,
    with_attachment,
)
from evaluation.model import EvidenceRef

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
JPG = b"\xff\xd8\xff\xe0" + b"\0" * 20
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20


def docx() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def store(root: Path, name: str, data: bytes) -> str:
    return store_attachment(root=root, evaluation_id="e1", code="TY.JC.01", filename=name, data=data)


def test_a_name_of_85_chinese_characters_is_stored_within_the_file_system_limit(tmp_path: Path) -> None:
    name = "关于" + "招商引资" * 25 + "的会议纪要.pdf"  # 109 characters, 325 bytes: over the 255 a file name may have
    rel = store(tmp_path, name, PDF)
    stored = Path(rel).name
    assert len(stored.encode()) <= 200 and stored.endswith(".pdf") and stored.startswith("关于招商引资")
    again = store(tmp_path, name, PDF + b"%%EOF")  # a second file of that name gets its number, still fits
    assert Path(again).name.endswith("（2）.pdf") and len(Path(again).name.encode()) <= 255


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("invoice\u202efdp.pdf", "invoicefdp.pdf"),  # right-to-left override: would show as invoicepdf.pdf
        ("合同\u2066\u2069\u200f\u200e\u061c\u200b.docx", "合同.docx"),
        ("\u202e\u202d\u202a\u202b\u202c报告.pdf", "报告.pdf"),
    ],
)
def test_direction_and_invisible_characters_are_removed_from_names(uploaded: str, shown: str) -> None:
    assert safe_name(uploaded) == shown


def test_a_program_disguised_by_a_right_to_left_override_is_refused_by_its_real_suffix() -> None:
    with pytest.raises(AttachmentError, match=r"不支持的文件类型“\.exe”"):
        store(Path("/nonexistent"), "照片\u202egnp.exe", b"MZ")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        *[("a.pdf", PDF), ("a.png", PNG), ("a.jpg", JPG), ("a.jpeg", JPG), ("a.doc", OLE), ("a.xls", OLE)],
        *[("a.docx", docx()), ("a.xlsx", xlsx()), ("a.txt", "说明".encode("gbk")), ("a.csv", "甲,乙\n1,2".encode())],
    ],
)
def test_files_whose_content_matches_their_type_are_accepted(name: str, data: bytes) -> None:
    check_content(name, data)


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("报告.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>", "是网页或标记文件，不是PDF"),
        ("说明.txt", b"\xef\xbb\xbf  <html><body>x</body></html>", "是网页或标记文件"),
        ("图.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "是网页或标记文件"),
        ("报告.pdf", b"MZ\x90\x00", "不是PDF（与扩展名不符）"),
        ("表.xlsx", docx(), "不是Excel 工作簿"),
        ("文.docx", b"PK\x03\x04 not really a zip", "不是Word 文档"),
        ("照片.jpg", PNG, "不是JPEG 图片"),
        ("旧.doc", PDF, "不是Word 97-2003 文档"),
        ("数据.csv", b"a,b\x00\x01", "不是CSV 文本文件"),
    ],
)
def test_content_that_is_not_what_the_name_says_is_refused(tmp_path: Path, name: str, data: bytes, said: str) -> None:
    with pytest.raises(AttachmentError, match=said) as e:
        store(tmp_path, name, data)
    assert name in str(e.value) and not any(tmp_path.rglob("*.*"))


def test_the_size_is_checked_on_the_server(tmp_path: Path) -> None:
    with pytest.raises(AttachmentError, match="大小 21 MB，超过上限 20 MB"):
        store(tmp_path, "大.pdf", PDF + b"\0" * (21 * 1024 * 1024 - len(PDF)))
    assert not any(tmp_path.rglob("*.pdf"))


def test_the_same_content_is_referenced_once() -> None:
    digest = content_hash(PDF)
    refs = [EvidenceRef(document="申报书")]
    once = with_attachment(refs, filename="纪要.pdf", relative="e1/c/纪要.pdf", sha256=digest)
    assert [(r.document, r.attachment) for r in once] == [("申报书", ""), ("纪要", "e1/c/纪要.pdf")]
    assert with_attachment(once, filename="副本.pdf", relative="e1/c/纪要.pdf", sha256=digest) == once
    assert with_attachment(once, filename="别名.pdf", relative="e1/c/别名.pdf", sha256=digest) == once
    named = with_attachment(refs, filename="\u202e纪要.pdf", relative="e1/c/x.pdf", sha256=digest)
    assert named[-1].document == "纪要"


def test_a_zip_that_is_no_office_file_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.exe", b"MZ")
    with pytest.raises(AttachmentError, match="不是Word 文档"):
        check_content("a.docx", out.getvalue())


def test_put_says_whether_it_wrote_the_file(tmp_path: Path) -> None:
    """Only a file written now may be removed when its save is refused: the same content already stored for the
    indicator (someone's reference may use it) is found, not written; another content of the same name is written
    under a numbered name."""
    from evaluation.files.attachments import put_attachment

    def put(name: str, data: bytes) -> tuple[str, bool]:
        stored = put_attachment(root=tmp_path, evaluation_id="e1", code="TY.JC.01", filename=name, data=data)
        return stored.key, stored.created

    assert put("纪要.pdf", PDF) == ("e1/TY.JC.01/纪要.pdf", True)
    assert put("会议纪要副本.pdf", PDF) == ("e1/TY.JC.01/纪要.pdf", False)
    assert put("纪要.pdf", PDF + b"%%EOF") == ("e1/TY.JC.01/纪要（2）.pdf", True)
    assert (tmp_path / "e1" / "TY.JC.01" / "纪要.pdf").read_bytes() == PDF
