"""The column-mapping step: the headers a file seems to have, and the fields to map them to.

The fields are those of :data:`spaser.io.columns.COLUMNS` (the single field
registry); the choice is saved in the format ``spaser --mapping`` reads
(YAML, field -> header).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from spaser.io.columns import COLUMNS, header_of, match_header
from spaser.io.report import ImportReport
from spaser.io.sheets import HEADER_SCAN_ROWS, read_csv

__all__ = ["file_headers", "FIELDS", "KEY_FIELDS", "guess", "mapping_yaml", "MAX_HEADERS"]

MAX_HEADERS = 200  # columns offered in the lists
# Fields shown first in the form (the others are under « autres colonnes »).
KEY_FIELDS = ("id", "object", "cpv", "amount_ht", "notification_date", "duration_months", "supplier_name", "social", "environmental")
# (field, French label, help): every field of the registry, and the TTC amount the reader converts.
FIELDS: tuple[tuple[str, str, str], ...] = tuple((c.field, c.header, c.help) for c in COLUMNS) + (
    ("amount_ttc", header_of("amount_ttc"), "Montant toutes taxes comprises : converti en HT avec le taux de TVA indiqué."),
)


def file_headers(path: str, kind: str = "") -> list[str]:
    """The texts of the row that looks most like a header among the first rows (most filled text cells)."""
    rows = _first_rows(path, kind)
    best: list[str] = []
    for row in rows:
        texts = _texts(row)
        if len(texts) > len(best):
            best = texts
    seen: list[str] = []
    for t in best:
        if t not in seen:
            seen.append(t[:200])
    return seen[:MAX_HEADERS]


def _texts(row: list[Any]) -> list[str]:
    return [str(c).strip() for c in row if isinstance(c, str) and str(c).strip()]


def _first_rows(path: str, kind: str) -> list[list[Any]]:
    if kind in ("xlsx", "ods", "ole2", "xls") or not kind and path.endswith((".xlsx", ".ods", ".xls")):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(path)
        rows: list[list[Any]] = []
        for name in wb.sheet_names[:10]:
            rows += wb.get_sheet_by_name(name).to_python(nrows=HEADER_SCAN_ROWS)
        return rows
    # The import's own CSV reading (encoding, UTF-16, NUL, delimiter), the delimiter chosen by the same criterion.
    sheet = read_csv(Path(path), ImportReport(file=path), lambda row: len(_texts(row)))
    try:
        return sheet.rows
    finally:
        sheet.close()


def guess(headers: list[str]) -> dict[str, str]:
    """field -> header, as the reader would recognise them by itself."""
    out: dict[str, str] = {}
    for h in headers:
        field = match_header(h)
        if field and field not in out:
            out[field] = h
    return out


def mapping_yaml(mapping: dict[str, str]) -> str:
    """The mapping as the file ``spaser --mapping`` reads (YAML, field: header), with a French comment."""
    head = (
        "# Correspondance des colonnes pour spaser (champ : en-tête du fichier).\n"
        "# Utilisation : spaser check FICHIER --mapping ce_fichier.yaml\n"
    )
    return head + yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)
