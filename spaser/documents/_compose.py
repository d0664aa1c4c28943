"""Turn template blocks into a Word document: numbering, TOC entries, directives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from spaser.documents._docx import DocxWriter, TableSpec
from spaser.documents._text import Block, parse, render_template, render_user

__all__ = ["Composer", "section_markup", "read_pairs"]

TableFn = Callable[[list[str]], TableSpec | None]
ChartFn = Callable[[list[str]], tuple[bytes, str] | None]


def section_markup(key: str, template: str, context: Mapping[str, Any], texts: Mapping[str, str], *, file: str | None) -> str:
    """A section's markup: the user's text for ``key`` when given, else the template."""
    if key in texts:
        return render_user(key, texts[key], context, file=file)
    return render_template(template, context)


def read_pairs(markup: str) -> list[tuple[str, str]]:
    """``key = value`` lines (cover pages and other fixed layouts)."""
    out = []
    for line in markup.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            out.append((key.strip(), value.strip()))
    return out


_UNNUMBERED = "{-}"


class Composer:
    """Numbers headings (1., 1.2; Annexe A after ``@annexes``) and resolves directives."""

    def __init__(self, writer: DocxWriter, *, tables: Mapping[str, TableFn] | None = None,
                 charts: Mapping[str, ChartFn] | None = None, numbered: bool = True) -> None:
        self.w = writer
        self.tables = dict(tables or {})
        self.charts = dict(charts or {})
        self.numbered = numbered

    def number(self, blocks: list[Block]) -> list[Block]:
        """Headings with their numbers in the text."""
        out: list[Block] = []
        n1 = n2 = 0
        annex = False
        for b in blocks:
            if b.kind == "directive" and b.text.split()[:1] == ["annexes"]:
                annex, n1 = True, 0
                out.append(b)
                continue
            if b.kind in ("h1", "h2") and b.text.endswith(_UNNUMBERED):  # « # Avant-propos {-} »
                out.append(Block(b.kind, b.text.removesuffix(_UNNUMBERED).rstrip()))
                continue
            if self.numbered and b.kind == "h1":
                n1, n2 = n1 + 1, 0
                label = f"Annexe {chr(64 + n1) if n1 <= 26 else n1} — {b.text}" if annex else f"{n1}. {b.text}"
                b = Block("h1", label)
            elif self.numbered and b.kind == "h2" and not annex:
                n2 += 1
                b = Block("h2", f"{n1}.{n2} {b.text}")
            out.append(b)
        return out

    @staticmethod
    def toc_entries(blocks: list[Block], depth: int = 2) -> list[tuple[int, str]]:
        return [(int(b.kind[1]), b.text) for b in blocks if b.kind in ("h1", "h2", "h3")[:depth]]

    def emit(self, blocks: list[Block]) -> None:
        w = self.w
        for b in blocks:
            if b.kind in ("h1", "h2", "h3"):
                w.heading(b.text, int(b.kind[1]))
            elif b.kind == "p":
                w.paragraph(b.text)
            elif b.kind == "bullet":
                w.bullet(b.text)
            elif b.kind == "note":
                w.note(b.text)
            else:
                self._directive(b.text)

    def _directive(self, text: str) -> None:
        name, *args = text.split()
        if name == "annexes":
            self.w.page_break()  # the annexes start on a new page; chapters flow (no nearly empty pages)
            return
        if name == "pagebreak":
            self.w.page_break()
            return
        if name == "table" and args and args[0] in self.tables:
            spec = self.tables[args[0]](args[1:])
            if spec is not None:
                self.w.table(spec)
            return
        if name == "chart" and args and args[0] in self.charts:
            fig = self.charts[args[0]](args[1:])
            if fig is not None:
                self.w.figure(*fig)
            return
        # Not a directive we know (e.g. a user's text starting with "@"): keep it as text.
        self.w.paragraph("@" + text)

    def render(self, markup: str) -> list[Block]:
        return self.number(parse(markup))


def compose_document(cover_markup: str, body: Callable[[Composer], list[Block]], *, tables: Mapping[str, TableFn],
                     charts: Mapping[str, Any], reference: str | None = None) -> bytes:
    """A document with a cover, a table of contents and a body: the .docx bytes.

    ``cover_markup`` is a rendered cover template (key: value lines);
    ``body`` renders the body markup with the composer (so numbering covers it all).
    """
    import io

    pairs = read_pairs(cover_markup)
    cover = dict(pairs)
    w = DocxWriter(header_text=cover["entete"], footer_text=cover["pied"], reference=reference, chapter_new_page=False)
    composer = Composer(w, tables=tables, charts=charts)
    blocks = body(composer)
    w.cover(kicker=cover["surtitre"], title=cover["titre"], subtitle=cover["soustitre"],
            lines=[value for key, value in pairs if key == "ligne"], stamp=cover["mention"])
    w.toc(cover["sommaire"], Composer.toc_entries(blocks))
    composer.emit(blocks)
    buf = io.BytesIO()
    w.save(buf)
    return buf.getvalue()
