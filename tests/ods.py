"""A minimal OpenDocument spreadsheet written by hand, for the tests (no writer library needed)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
             '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
             '</manifest:manifest>')


def cell(v: object) -> str:
    """A table cell: a text, or a number."""
    if isinstance(v, str):
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'


def row(values: list[object]) -> str:
    return "<table:table-row>" + "".join(map(cell, values)) + "</table:table-row>"


def write_ods(path: Path, rows_xml: str, sheet: str = "Achats") -> Path:
    """An .ods file whose one sheet holds ``rows_xml`` (table-row elements)."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="{sheet}">{rows_xml}</table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", _MANIFEST)
    return path
