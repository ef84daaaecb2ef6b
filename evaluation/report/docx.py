"""Step two of the report: a ReportContext → .docx bytes. The only module that uses python-docx.

Typography follows Chinese official documents: A4, body 仿宋 三号 with fixed 28 pt lines, headings
黑体 / 楷体 / 仿宋 bold by level, tables 宋体 五号/小五 with full borders. East Asian fonts are set
on every style used (``w:eastAsia``) and on body runs, theme fonts are dropped, the language is
zh-CN, so Word, WPS and LibreOffice show the intended fonts. The 目录 is a real TOC field that
Word/WPS refresh on open; page numbers are PAGE fields in the footer, none on the cover.
"""

from __future__ import annotations

import functools
import io
import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, Literal

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from evaluation.report.context import Heading, PageBreak, Paragraph, ReportContext, SectionBreak, Table, TableCell

CORE_PROPERTY_MAX = 255  # python-docx refuses a longer title ("exceeded 255 char limit for property")
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_SETTINGS_AFTER_UPDATE_FIELDS = {  # children of w:settings that the schema puts after w:updateFields
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
}

BODY_PT = 16  # 三号
TABLE_STYLE = "表格文字"  # 五号
TABLE_SMALL_STYLE = "表格小字"  # 小五
_JC = {"center": "center", "left": "left", "right": "right", "justify": "both"}


def _tc_pr(width_twips: int) -> Any:
    tc_pr = OxmlElement("w:tcPr")
    width = OxmlElement("w:tcW")
    width.set(qn("w:w"), str(width_twips))
    width.set(qn("w:type"), "dxa")
    tc_pr.append(width)
    v_align = OxmlElement("w:vAlign")
    v_align.set(qn("w:val"), "center")
    tc_pr.append(v_align)
    return tc_pr


def _p_pr(style_id: str, jc: str) -> Any:
    p_pr = OxmlElement("w:pPr")
    style = OxmlElement("w:pStyle")
    style.set(qn("w:val"), style_id)
    p_pr.append(style)
    align = OxmlElement("w:jc")
    align.set(qn("w:val"), jc)
    p_pr.append(align)
    return p_pr


def _run(text: str, bold: bool) -> Any:
    r = OxmlElement("w:r")
    if bold:
        r_pr = OxmlElement("w:rPr")
        r_pr.append(OxmlElement("w:b"))
        r.append(r_pr)
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    return r


def safe(text: str) -> str:
    """Characters Word's XML cannot hold are dropped (soft breaks were mapped at the input boundary)."""
    return _INVALID_XML.sub("", text)


def _set_fonts(rpr: Any, east_asia: str, latin: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


FontRole = Literal["body", "title", "heading1", "heading2", "heading3", "table"]
Align = Literal["center", "left", "right", "justify"]
DEFAULT_FONTS: dict[str, str] = {  # a template's ``defaults.fonts`` overrides any of these
    "latin": "Times New Roman",
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "heading3": "仿宋_GB2312",
    "table": "宋体",
}


@dataclass(frozen=True)
class StyleSpec:
    """One paragraph style of the report: its East Asian font by role, size and spacing in points."""

    name: str
    font: FontRole
    size: float
    bold: bool = False
    align: Align | None = None
    first_indent: float = 0
    exact_line: float | None = None  # fixed line height; single spacing when None
    before: float = 0
    after: float = 0
    outline: int | None = None  # outline level of a heading (0 = 一级)
    left_indent: float | None = None
    keep_with_next: bool = False
    drop_borders: bool = False  # python-docx's template underlines some styles (Title)


STYLES: tuple[StyleSpec, ...] = (
    StyleSpec("Normal", "body", BODY_PT, align="justify", first_indent=BODY_PT * 2, exact_line=28),
    StyleSpec("Title", "title", 22, align="center", exact_line=36, before=12, after=18, drop_borders=True),
    StyleSpec(
        "Heading 1",
        "heading1",
        BODY_PT,
        align="left",
        first_indent=BODY_PT * 2,
        exact_line=28,
        before=6,
        outline=0,
        keep_with_next=True,
    ),
    StyleSpec(
        "Heading 2",
        "heading2",
        BODY_PT,
        align="left",
        first_indent=BODY_PT * 2,
        exact_line=28,
        outline=1,
        keep_with_next=True,
    ),
    StyleSpec(
        "Heading 3",
        "heading3",
        BODY_PT,
        bold=True,
        align="left",
        first_indent=BODY_PT * 2,
        exact_line=28,
        outline=2,
        keep_with_next=True,
    ),
    StyleSpec(TABLE_STYLE, "table", 10.5, align="center"),
    StyleSpec(TABLE_SMALL_STYLE, "table", 9, align="center"),
    StyleSpec("表题", "heading1", 12, align="center", before=6, after=3),
    StyleSpec("表注", "table", 10.5, align="right", after=2),
    StyleSpec("目录标题", "heading1", 18, align="center", before=12, after=18),
    StyleSpec("TOC 1", "body", 14, exact_line=24, left_indent=0),
    StyleSpec("TOC 2", "body", 14, exact_line=24, left_indent=14),
    StyleSpec("TOC 3", "body", 14, exact_line=24, left_indent=28),
    StyleSpec("页脚", "table", 14, align="center"),
)


def _font(fonts: dict[str, str], role: str) -> str:
    return fonts.get(role, DEFAULT_FONTS[role])


def _apply_style(doc: Any, spec: StyleSpec, east_asia: str, latin: str) -> None:
    """Set one style as declared (a style python-docx's template lacks is added, based on Normal)."""
    styles = doc.styles
    try:
        st = styles[spec.name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE

        st = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles["Normal"]
        st.quick_style = True
    font = st.font
    font.size = Pt(spec.size)
    font.bold = spec.bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(st.element.get_or_add_rPr(), east_asia, latin)
    pf = st.paragraph_format
    if spec.align is not None:
        pf.alignment = _ALIGN[spec.align]
    pf.first_line_indent = Pt(spec.first_indent)
    pf.space_before = Pt(spec.before)
    pf.space_after = Pt(spec.after)
    if spec.exact_line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(spec.exact_line)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if spec.outline is not None:
        ppr = st.element.get_or_add_pPr()
        for old in ppr.findall(qn("w:outlineLvl")):
            ppr.remove(old)
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(spec.outline))
        ppr.append(lvl)
    if spec.drop_borders:
        for border in st.element.get_or_add_pPr().findall(qn("w:pBdr")):
            border.getparent().remove(border)
    if spec.keep_with_next:  # a heading stays on the page of the paragraph it heads
        pf.keep_with_next = True
    if spec.left_indent is not None:
        pf.left_indent = Pt(spec.left_indent)


def _chinese_defaults(doc: Any, fonts: dict[str, str]) -> None:
    """Document defaults: the body font for East Asian text, no theme fonts, zh-CN beside en-US."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default, _font(fonts, "body"), _font(fonts, "latin"))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _update_fields_on_open(doc: Any) -> None:
    """Ask Word and WPS to refresh the fields (目录, page numbers) when the file is opened."""
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    anchor = next((c for c in settings if c.tag.split("}")[-1] in _SETTINGS_AFTER_UPDATE_FIELDS), None)
    if anchor is not None:
        anchor.addprevious(update)
    else:
        settings.append(update)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_document(fonts: dict[str, str]) -> Any:
    """A fresh document from the styled template (styles are prepared once per font set)."""
    return Document(io.BytesIO(_styled_template(tuple(sorted(fonts.items())))))


@functools.lru_cache(maxsize=8)
def _styled_template(font_items: tuple[tuple[str, str], ...]) -> bytes:
    fonts = dict(font_items)
    doc = Document()
    _chinese_defaults(doc, fonts)
    latin = _font(fonts, "latin")
    for spec in STYLES:
        _apply_style(doc, spec, _font(fonts, spec.font), latin)
    _update_fields_on_open(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _a4(section: Any, landscape: bool = False) -> None:
    width, height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
        section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.6)
        section.left_margin = section.right_margin = Cm(2.0)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(1.4) if landscape else Cm(2.0)


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    def char(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    paragraph.add_run()._r.append(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(char("end"))


def _footer(section: Any, page_numbers: bool, restart: bool = False) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    p.style = "页脚"
    if page_numbers:
        p.add_run("— ")
        _field(p, "PAGE", "1")
        p.add_run(" —")
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:pgNumType")):  # add_section copies the previous section's settings
        sect_pr.remove(old)
    if restart:
        pg = OxmlElement("w:pgNumType")
        pg.set(qn("w:start"), "1")
        # schema order: pgNumType comes after pgMar/paperSrc/pgBorders/lnNumType
        anchor = next(
            (
                c
                for c in sect_pr
                if c.tag.split("}")[-1]
                in (
                    "cols",
                    "formProt",
                    "vAlign",
                    "noEndnote",
                    "titlePg",
                    "textDirection",
                    "bidi",
                    "rtlGutter",
                    "docGrid",
                    "printerSettings",
                )
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(pg)
        else:
            sect_pr.append(pg)


def _run_fonts(run: Any, east_asia: str, latin: str) -> None:
    _set_fonts(run._r.get_or_add_rPr(), east_asia, latin)


def _cover(doc: Any, ctx: ReportContext) -> None:
    fonts = ctx.fonts
    latin = _font(fonts, "latin")
    for _ in range(3):
        doc.add_paragraph("")
    title = doc.add_paragraph(safe(ctx.cover.title), style="Title")
    title.runs[0].font.size = Pt(26)
    title.paragraph_format.line_spacing = Pt(40)
    for _ in range(3):
        doc.add_paragraph("")
    for label, value in ctx.cover.fields:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.left_indent = Cm(2.2)
        p.paragraph_format.line_spacing = Pt(36)
        head = p.add_run(f"{label}：")
        head.bold = True
        _run_fonts(head, _font(fonts, "heading1"), latin)
        body = p.add_run(safe(value))
        _run_fonts(body, _font(fonts, "body"), latin)
    for _ in range(4):
        doc.add_paragraph("")
    date = doc.add_paragraph()
    _run_fonts(date.add_run(safe(ctx.cover.date)), _font(fonts, "body"), latin)
    date.alignment = WD_ALIGN_PARAGRAPH.CENTER
    date.paragraph_format.first_line_indent = Pt(0)


def _toc(doc: Any, fonts: dict[str, str]) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(section)
    _footer(section, page_numbers=False)
    doc.add_paragraph("目  录", style="目录标题")
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(0)
    _field(
        p, 'TOC \\o "1-2" \\h \\z \\u', "（打开文档时更新域即可生成目录：在 Word 或 WPS 中右键此处，选择“更新域”。）"
    )
    for run in p.runs:
        _run_fonts(run, _font(fonts, "body"), _font(fonts, "latin"))


Cells = list[tuple[Any, ...]]  # the cells of each row, as python-docx lists them before any merge
SpecRows = list[list[TableCell | None]]


def _grid_table(doc: Any, t: Table, widths: list[Any]) -> Any:
    """An empty table of the spec's size: centred, fixed column widths, header rows repeated on each page."""
    table = doc.add_table(rows=len(t.header_rows) + len(t.rows), cols=len(t.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width.twips))  # LibreOffice and WPS size columns by the grid
    for row in table.rows[: len(t.header_rows)]:
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(header)
    return table


def _fill_cells(cell_grid: Cells, all_rows: SpecRows, widths: list[Any], style_id: str) -> None:
    """Cell properties, paragraph style and text, at the XML level from prebuilt property elements:
    python-docx's per-property API costs several times the text itself on a 200-row appendix."""
    tc_templates = [_tc_pr(width.twips) for width in widths]
    p_templates = {align: _p_pr(style_id, jc) for align, jc in _JC.items()}
    for r_index, spec_row in enumerate(all_rows):
        cells = cell_grid[r_index]
        for c_index, spec in enumerate(spec_row):
            tc = cells[c_index]._tc
            old = tc.tcPr
            if old is not None:
                tc.remove(old)
            tc.insert(0, deepcopy(tc_templates[c_index]))
            p = tc.find(qn("w:p"))
            p.insert(0, deepcopy(p_templates[spec.align if spec is not None else "center"]))
            if spec is not None and spec.text:
                p.append(_run(safe(spec.text), spec.bold))


def _merge(cell_grid: Cells, r_index: int, c_index: int, spec: TableCell, widths: list[Any]) -> None:
    """One merged cell at the XML level (python-docx's merge re-measures the grid on every call)."""
    span = spec.merge_right + 1
    total_width = sum(w.twips for w in widths[c_index : c_index + span])
    for dr in range(spec.merge_down + 1):
        tc = cell_grid[r_index + dr][c_index]._tc
        tc_pr = tc.tcPr
        tc_pr.find(qn("w:tcW")).set(qn("w:w"), str(total_width))
        if spec.merge_down:
            v_merge = OxmlElement("w:vMerge")
            if dr == 0:
                v_merge.set(qn("w:val"), "restart")
            tc_pr.insert(1, v_merge)
        if span > 1:
            grid_span = OxmlElement("w:gridSpan")
            grid_span.set(qn("w:val"), str(span))
            tc_pr.insert(1, grid_span)
            for dc in range(1, span):
                covered = cell_grid[r_index + dr][c_index + dc]._tc
                covered.getparent().remove(covered)


def _table(doc: Any, t: Table, fonts: dict[str, str]) -> None:
    if t.caption:
        doc.add_paragraph(safe(t.caption), style="表题")
    if t.unit:
        doc.add_paragraph(safe(t.unit), style="表注")
    all_rows = t.header_rows + t.rows
    widths = [Cm(w) for w in t.widths]
    table = _grid_table(doc, t, widths)
    cell_grid = [row.cells for row in table.rows]
    style_id = doc.styles[TABLE_STYLE if t.font_size >= 10.5 else TABLE_SMALL_STYLE].style_id
    _fill_cells(cell_grid, all_rows, widths, style_id)
    for r_index, spec_row in enumerate(all_rows):
        for c_index, spec in enumerate(spec_row):
            if isinstance(spec, TableCell) and (spec.merge_down or spec.merge_right):
                _merge(cell_grid, r_index, c_index, spec, widths)


def _body(doc: Any, ctx: ReportContext) -> None:
    """The context's blocks after whatever the document starts with (cover and 目录, or nothing)."""
    fonts = ctx.fonts
    latin = _font(fonts, "latin")
    body_font = _font(fonts, "body")
    style_ids = {level: doc.styles["Title" if level == 0 else f"Heading {level}"].style_id for level in range(4)}
    for block in ctx.blocks:
        if isinstance(block, Heading):
            heading = doc.add_paragraph(safe(block.text))
            heading._p.style = style_ids[block.level]
        elif isinstance(block, Paragraph):
            p = doc.add_paragraph()
            run = p.add_run(safe(block.text))
            _run_fonts(run, body_font, latin)
            if block.bold:
                run.bold = True
            if block.align != "justify":
                p.alignment = _ALIGN[block.align]
            if not block.indent:
                p.paragraph_format.first_line_indent = Pt(0)
        elif isinstance(block, Table):
            _table(doc, block, fonts)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, SectionBreak):
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            _a4(section, landscape=block.landscape)
            _footer(section, page_numbers=True)


def _saved(doc: Any, ctx: ReportContext) -> bytes:
    props = doc.core_properties
    props.title = ctx.title[:CORE_PROPERTY_MAX]  # Word's document properties hold 255 characters
    props.language = "zh-CN"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render_docx(ctx: ReportContext) -> bytes:
    """The .docx file for a report context: cover, 目录, then the body with page numbers from 1."""
    doc = _setup_document(ctx.fonts)
    cover = doc.sections[0]
    _a4(cover)
    _footer(cover, page_numbers=False)
    _cover(doc, ctx)
    _toc(doc, ctx.fonts)
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(section)
    _footer(section, page_numbers=True, restart=True)
    _body(doc, ctx)
    return _saved(doc, ctx)


def render_working_document(ctx: ReportContext, *, landscape: bool = False) -> bytes:
    """A working document in the report's typography without cover or 目录 (资料清单, 工作底稿): the blocks from
    the first page, page numbers in the footer; ``landscape`` for wide tables."""
    doc = _setup_document(ctx.fonts)
    section = doc.sections[0]
    _a4(section, landscape=landscape)
    _footer(section, page_numbers=True)
    _body(doc, ctx)
    return _saved(doc, ctx)
