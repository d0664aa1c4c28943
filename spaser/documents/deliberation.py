"""The draft act adopting the scheme (.docx): council deliberation, or arrêté for the State."""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from spaser.documents._compose import Composer, read_pairs, section_markup
from spaser.documents._docx import DocxWriter
from spaser.documents._text import render_template
from spaser.documents.views import DeliberationView

__all__ = ["render_deliberation"]


def render_deliberation(view: DeliberationView) -> bytes:
    ctx = {"v": view}
    head = read_pairs(render_template("deliberation/entete.md.j2", ctx))
    fields = dict(head)
    w = DocxWriter(header_text=fields["entete"], footer_text=fields["pied"], chapter_new_page=False, reference=view.reference_docx)
    w.doc.sections[0].different_first_page_header_footer = False
    # Each run styled (a paragraph of an empty text has none).
    for run in w.doc.add_paragraph(w.text(fields["entete"]).upper()).runs:
        run.bold = True
    for run in w.doc.add_paragraph(w.text(fields["seance"])).runs:
        run.italic = True
    for run in w.add_paragraph(w.text(fields["titre"]), style="Title").runs:
        run.font.size = Pt(16)
    markup = section_markup("deliberation", "deliberation/corps.md.j2", ctx, view.texts, file=view.config_file)
    composer = Composer(w, numbered=False)
    for block in composer.render(markup):
        composer.emit([block])
        last = w.doc.paragraphs[-1]
        if block.kind == "p" and block.text in ("DÉCIDE :", "ARRÊTE :"):
            last.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in last.runs:
                run.bold = True
        elif block.kind == "p":
            last.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    w.doc.add_paragraph()
    w.signature([value for key, value in head if key == "signature"])
    buf = io.BytesIO()
    w.save(buf)
    return buf.getvalue()
