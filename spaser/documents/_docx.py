"""A thin layer over python-docx: A4 layout, real Word styles, fields, tables, figures.

Every text that reaches the document goes through :func:`spaser.io.safe.xml_text`
(here, in :meth:`DocxWriter.text`), so a control character in a purchase's
object can never produce an unreadable file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from spaser.io.safe import xml_text

__all__ = ["table_layout", "DocxWriter", "TableSpec", "date_fr"]

ACCENT = RGBColor(0x1F, 0x3A, 0x5F)  # dark blue, headings and table headers
ACCENT_HEX = "1F3A5F"
LIGHT_HEX = "E8EEF5"
FONT = "Calibri"  # Word's default; LibreOffice substitutes the metric-compatible Carlito

_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def date_fr(d: date) -> str:
    """``1er mars 2026``, ``15 août 2026``.

    >>> date_fr(date(2026, 3, 1)), date_fr(date(2026, 8, 15))
    ('1er mars 2026', '15 août 2026')
    """
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {_MONTHS[d.month - 1]} {d.year}"


# Table cells are set in 9 pt (smaller, down to 7 pt, when a table's longest words would not fit
# otherwise): the width a character takes at most at 9 pt (digits and capitals of the widest
# usual substitute, DejaVu Sans, when Calibri and Carlito are missing; bold headers wider) and
# a cell's left and right margins. Used to fit every table to the text width without breaking
# a word or a number.
TABLE_PT = 9.0
_MIN_PT = 7.0
_CHAR_CM = 0.2
_BOLD_CHAR_CM = 0.22
_PADDING_CM = 0.4


def _tokens(text: str) -> list[str]:
    # A line may break at a space or after a hyphen or a slash; never inside a number
    # (its groups are joined by no-break spaces) nor inside a word.
    return [t for t in text.replace("-", "- ").replace("/", "/ ").split() if t]


def _longest(texts: Sequence[str]) -> int:
    return max((len(t) for text in texts for t in _tokens(str(text))), default=0)


def table_layout(spec: TableSpec, text_width_cm: float) -> tuple[list[float], float]:
    """Column widths (cm) and font size (pt) that fit ``text_width_cm`` and hold each column's
    longest word or number on one line.

    From the spec's widths (or the length of each column's longest cell), every column is widened
    to its longest unbreakable token; if the total exceeds the text width, the columns are narrowed
    in proportion to what they have above that minimum; if even the minimums do not fit, the font
    is made smaller (not under 7 pt) and the minimums with it.
    """
    n = len(spec.columns)
    body = spec.rows + ([spec.total] if spec.total else [])
    cols = [[r[i] if i < len(r) else "" for r in body] for i in range(n)]
    tokens = [(len(max(_tokens(spec.columns[i]), key=len, default="")), _longest(cols[i])) for i in range(n)]

    def minimum(pt: float) -> list[float]:
        k = pt / TABLE_PT
        return [max(h * _BOLD_CHAR_CM, b * _CHAR_CM) * k + _PADDING_CM for h, b in tokens]

    pt = TABLE_PT
    mins = minimum(pt)
    if sum(mins) > text_width_cm:
        words = sum(m - _PADDING_CM for m in mins)
        pt = max(_MIN_PT, TABLE_PT * (text_width_cm - n * _PADDING_CM) / words) if words else pt
        mins = minimum(pt)
    wanted = []
    for i in range(n):
        longest = max((len(str(c)) for c in cols[i]), default=0) * _CHAR_CM * pt / TABLE_PT + _PADDING_CM
        wanted.append(spec.widths_cm[i] if spec.widths_cm and i < len(spec.widths_cm) else min(longest, 8.0))
    widths = [max(w, m) for w, m in zip(wanted, mins)]
    total = sum(widths)
    if total > text_width_cm:
        spare = sum(w - m for w, m in zip(widths, mins))
        excess = total - text_width_cm
        if spare >= excess:
            widths = [w - (w - m) * excess / spare for w, m in zip(widths, mins)]
        else:  # at 7 pt the words still do not fit: never wider than the page
            widths = [m * text_width_cm / sum(mins) for m in mins]
    return [round(w, 3) for w in widths], round(pt, 1)


class TableSpec:
    """A table ready to render: header, rows of text, alignment per column ('l'/'r'/'c')."""

    def __init__(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        align: str | None = None,
        widths_cm: Sequence[float] | None = None,
        caption: str = "",
        total: Sequence[str] | None = None,
    ) -> None:
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.align = align or "l" * len(self.columns)
        self.widths_cm = list(widths_cm) if widths_cm else None
        self.caption = caption
        self.total = list(total) if total else None


class DocxWriter:
    """Builds one .docx with consistent styles; numbering of headings and figures."""

    def __init__(self, *, header_text: str = "", footer_text: str = "", chapter_new_page: bool = True,
                 reference: str | None = None) -> None:
        """``reference``: the buyer's own .docx (styles, page, header with its logo, footer), whose
        look is kept: its body is emptied, the styles it lacks are added, and the header and footer
        are written only where it has none."""
        self.doc = Document(reference) if reference else Document()
        # python-docx resolves a style name by scanning every style of the document, twice,
        # for each paragraph: resolve each name once.
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}
        self._chapter_new_page = chapter_new_page
        self._figures = 0
        self._tables = 0
        if reference:
            _empty_body(self.doc)
            _add_missing_styles(self.doc)
            self.doc.styles["Heading 1"].paragraph_format.page_break_before = chapter_new_page
            s = self.doc.sections[0]
            has_header = any(p.text.strip() or p._p.xpath(".//w:drawing") for p in s.header.paragraphs) and not s.header.is_linked_to_previous
            has_footer = any(p.text.strip() or p._p.xpath(".//w:fldSimple|.//w:instrText") for p in s.footer.paragraphs) and not s.footer.is_linked_to_previous
            self._setup_header_footer("" if has_header else header_text, footer_text, footer=not has_footer)
        else:
            self._setup_page()
            self._setup_styles()
            self._setup_header_footer(header_text, footer_text)
        self._update_fields_on_open()

    # -- setup -----------------------------------------------------------
    def _setup_page(self) -> None:
        s = self.doc.sections[0]
        s.page_width, s.page_height = Cm(21), Cm(29.7)
        s.left_margin = s.right_margin = Cm(2.3)
        s.top_margin, s.bottom_margin = Cm(2.2), Cm(2.2)
        s.header_distance = s.footer_distance = Cm(1.0)
        s.different_first_page_header_footer = True  # no page number on the cover

    def _setup_styles(self) -> None:
        st = self.doc.styles
        normal = st["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(10.5)
        _east_asia_font(normal, FONT)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.12
        for name, size, before, after in (("Heading 1", 17, 18, 8), ("Heading 2", 13.5, 14, 6), ("Heading 3", 11.5, 10, 4)):
            h = st[name]
            h.font.name = FONT
            _east_asia_font(h, FONT)
            h.font.size = Pt(size)
            h.font.bold = True
            h.font.color.rgb = ACCENT
            h.paragraph_format.space_before = Pt(before)
            h.paragraph_format.space_after = Pt(after)
            h.paragraph_format.keep_with_next = True
        st["Heading 1"].paragraph_format.page_break_before = self._chapter_new_page
        title = st["Title"]
        title.font.name = FONT
        _east_asia_font(title, FONT)
        title.font.size = Pt(30)
        title.font.color.rgb = ACCENT
        title.font.bold = True
        sub = st["Subtitle"]
        sub.font.name = FONT
        sub.font.size = Pt(15)
        sub.font.italic = False
        sub.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        cap = st["Caption"]
        cap.font.size = Pt(9)
        cap.font.italic = True
        cap.font.bold = False
        cap.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        cap.paragraph_format.space_after = Pt(10)
        note = st["Intense Quote"]
        note.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        note.font.italic = True
        for name in ("Header", "Footer"):
            st[name].font.size = Pt(8.5)
            st[name].font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        for name in ("List Bullet", "List Number"):
            st[name].paragraph_format.space_after = Pt(3)

    def _setup_header_footer(self, header_text: str, footer_text: str, *, footer: bool = True) -> None:
        s = self.doc.sections[0]
        if header_text:
            p = s.header.paragraphs[0]
            p.text = xml_text(header_text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if not footer:
            return
        p = s.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if footer_text:
            p.add_run(xml_text(footer_text) + " — ")
        p.add_run("page ")
        _add_field(p, "PAGE", "1")
        p.add_run(" sur ")
        _add_field(p, "NUMPAGES", "1")

    def _update_fields_on_open(self) -> None:
        # Word then asks to update the TOC and page counts when the file opens.
        settings = self.doc.settings.element
        el = settings.find(qn("w:updateFields"))
        if el is None:
            el = OxmlElement("w:updateFields")
            settings.append(el)
        el.set(qn("w:val"), "true")
        lang = self.doc.styles.element.find(qn("w:docDefaults"))
        if lang is not None:
            rpr = lang.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if rpr is not None:
                lg = rpr.find(qn("w:lang"))
                if lg is None:
                    lg = OxmlElement("w:lang")
                    rpr.append(lg)
                lg.set(qn("w:val"), "fr-FR")

    @property
    def text_width_cm(self) -> float:
        s = self.doc.sections[-1]
        width, left, right = s.page_width or Cm(21), s.left_margin or 0, s.right_margin or 0
        return float(width - left - right) / 360000  # EMU per cm

    # -- content -----------------------------------------------------------
    @staticmethod
    def text(value: object) -> str:
        from spaser._french import plural_forms

        return xml_text(plural_forms(str(value)))  # « 3 contrat(s) » from shared sentences: « 3 contrats »

    def style_id(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        """The id of the style called ``name`` (None for the default style), looked up once."""
        key = (name, kind)
        if key not in self._style_ids:
            self._style_ids[key] = self.doc.part.get_style_id(name, kind)
        return self._style_ids[key]

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        """``doc.add_paragraph(text, style)`` with the style id cached (``text`` already cleaned)."""
        p = self.doc.add_paragraph(text)
        if style is not None:
            p._p.style = self.style_id(style)
        return p

    def cover(self, *, kicker: str, title: str, subtitle: str, lines: Sequence[str], stamp: str) -> None:
        """The cover page, followed by a page break."""
        p = self.doc.add_paragraph()
        p.paragraph_format.space_before = Cm(4)
        r = p.add_run(self.text(kicker).upper())
        r.font.size, r.font.bold, r.font.color.rgb = Pt(11), True, RGBColor(0x59, 0x59, 0x59)
        self.add_paragraph(self.text(title), style="Title")
        self.add_paragraph(self.text(subtitle), style="Subtitle")
        rule = self.doc.add_paragraph()
        _bottom_border(rule)
        for line in lines:
            q = self.doc.add_paragraph()
            q.paragraph_format.space_after = Pt(2)
            run = q.add_run(self.text(line))
            run.font.size = Pt(12)
        q = self.doc.add_paragraph()
        q.paragraph_format.space_before = Cm(5)
        run = q.add_run(self.text(stamp))
        run.font.size, run.font.bold, run.font.color.rgb = Pt(12), True, RGBColor(0xA6, 0x1B, 0x1B)
        self.page_break()

    def toc(self, title: str, entries: Sequence[tuple[int, str]]) -> None:
        """A real TOC field (levels 1-3). The cached result lists the headings so a
        reader that does not update fields still shows them; Word refreshes it on open."""
        self.add_paragraph(self.text(title), style="TOC Heading")
        p = self.doc.add_paragraph()
        _field_begin(p, 'TOC \\o "1-3" \\h \\z \\u')
        last = p
        for level, label in entries:
            q = self.add_paragraph(self.text(label), style=self._toc_style(level))
            last = q
        _field_end(last)
        self.page_break()

    def _toc_style(self, level: int) -> str:
        name = f"toc {level}"
        if (name, WD_STYLE_TYPE.PARAGRAPH) in self._style_ids:
            return name
        styles = self.doc.styles
        try:
            return styles[name].name
        except KeyError:
            s = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = styles["Normal"]
            s.paragraph_format.left_indent = Cm(0.6 * (level - 1))
            s.paragraph_format.space_after = Pt(1 if level == 1 else 0)
            s.paragraph_format.space_before = Pt(3 if level == 1 else 0)
            s.paragraph_format.line_spacing = 1.0  # the whole table of contents on one page
            if level == 1:
                s.font.bold = True
            return s.name

    def heading(self, text: str, level: int) -> Paragraph:
        return self.add_paragraph(self.text(text), style="Title" if level == 0 else f"Heading {level}")

    def paragraph(self, text: str = "", *, style: str | None = None) -> Paragraph:
        """A paragraph; ``**bold**`` spans are honoured."""
        p = self.add_paragraph(style=style)
        for i, part in enumerate(self.text(text).split("**")):
            if part:
                p.add_run(part).bold = i % 2 == 1
        return p

    def bullet(self, text: str) -> Paragraph:
        return self.paragraph(text, style="List Bullet")

    def note(self, text: str) -> Paragraph:
        return self.paragraph(text, style="Intense Quote")

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, spec: TableSpec) -> None:
        ncols = len(spec.columns)
        widths, size = table_layout(spec, self.text_width_cm)
        t = self.doc.add_table(rows=1, cols=ncols)
        t._tbl.tblStyle_val = self.style_id("Table Grid", WD_STYLE_TYPE.TABLE)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        hdr = t.rows[0]
        _repeat_header(hdr)
        for i, col in enumerate(spec.columns):
            cell = hdr.cells[i]
            _shade(cell, ACCENT_HEX)
            par = cell.paragraphs[0]
            run = par.add_run(self.text(col))
            run.bold, run.font.size, run.font.color.rgb = True, Pt(size), RGBColor(0xFF, 0xFF, 0xFF)
            par.alignment = _ALIGN[spec.align[i]]
        body = spec.rows + ([spec.total] if spec.total else [])
        for n, row in enumerate(body):
            cells = t.add_row().cells
            is_total = spec.total is not None and n == len(body) - 1
            for i in range(ncols):
                value = row[i] if i < len(row) else ""
                par = cells[i].paragraphs[0]
                par.paragraph_format.space_after = Pt(0)
                run = par.add_run(self.text(value))
                run.font.size = Pt(size)
                run.bold = is_total
                par.alignment = _ALIGN[spec.align[i]]
                if is_total or n % 2 == 1:
                    _shade(cells[i], LIGHT_HEX)
        _set_widths(t, [Cm(w) for w in widths])
        if spec.caption:
            self._tables += 1
            self.add_paragraph(self.text(f"Tableau {self._tables} : {spec.caption}"), style="Caption")
        else:
            self.doc.add_paragraph().paragraph_format.space_after = Pt(2)

    def figure(self, png: bytes, caption: str, *, width_cm: float = 15.5) -> None:
        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        self._figures += 1
        self.add_paragraph(self.text(f"Figure {self._figures} : {caption}"), style="Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER

    def signature(self, lines: Sequence[str]) -> None:
        for line in lines:
            p = self.doc.add_paragraph(self.text(line))
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.space_after = Pt(0)

    def landscape_section(self) -> None:
        """Start a landscape section (for wide annex tables)."""
        s = self.doc.add_section(WD_SECTION.NEW_PAGE)
        s.page_width, s.page_height = Cm(29.7), Cm(21)
        s.different_first_page_header_footer = False

    def save(self, fh) -> None:  # type: ignore[no-untyped-def]
        self.doc.save(fh)


# The styles the documents use: a reference .docx that lacks one gets python-docx's default.
_USED_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption", "Intense Quote",
                "List Bullet", "List Number", "TOC Heading", "Header", "Footer", "Table Grid")


def _empty_body(doc) -> None:  # type: ignore[no-untyped-def]
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _add_missing_styles(doc) -> None:  # type: ignore[no-untyped-def]
    import copy

    default = Document()
    names = {st.name for st in doc.styles}
    for st in default.styles:
        if st.name in names or not (st.name in _USED_STYLES or st.name.startswith("toc ") or st.name.startswith("TOC")):
            continue
        doc.styles.element.append(copy.deepcopy(st.element))


_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT, "c": WD_ALIGN_PARAGRAPH.CENTER}


def _east_asia_font(style, name: str) -> None:  # type: ignore[no-untyped-def]
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (PAGE, NUMPAGES...) with a cached value."""
    _field_begin(paragraph, instruction)
    paragraph.add_run(placeholder)
    _field_end(paragraph)


def _field_begin(paragraph: Paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)


def _field_end(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _set_widths(table, widths) -> None:  # type: ignore[no-untyped-def]
    # Word reads the cell widths, LibreOffice the grid: set both, and a fixed layout.
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(w.twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w


def _shade(cell, hex_fill: str) -> None:  # type: ignore[no-untyped-def]
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    tcpr.append(shd)


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _bottom_border(paragraph: Paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", ACCENT_HEX)):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)
