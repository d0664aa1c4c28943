"""The import workbook: an empty model to fill in, and a portfolio written in it.

:func:`write_template` writes the model (sheet « Achats » with the
expected columns, sheet « Aide » with a French explanation of each column
and the lists behind the drop-down menus). :func:`write_portfolio` writes
a portfolio in the same layout, so that reading it back gives the same
purchases and amounts (to the cent): one line per purchase; several
co-contractors go one per line inside the supplier cells (Alt+Entrée); an
empty set of considerations is written « Pas de considération ... » (same
meaning: « non »).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from spaser.io.columns import COLUMNS, header_of, spec
from spaser.io.safe import safe_cell, write_with
from spaser.model import Buyer, Portfolio, Purchase

__all__ = ["write_template", "write_portfolio", "row_cells", "SHEET_NAME", "HELP_SHEET_NAME", "LISTS", "EURO_FORMAT", "DATE_FORMAT"]

SHEET_NAME = "Achats"
HELP_SHEET_NAME = "Aide"
EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "DD/MM/YYYY"
_TEMPLATE_ROWS = 500  # rows pre-formatted in the empty model

# Closed vocabularies offered as drop-down lists (field -> values), from the field registry.
LISTS: dict[str, tuple[str, ...]] = {c.field: c.choices for c in COLUMNS if c.choices}
_FORMATS = {"money": EURO_FORMAT, "date": DATE_FORMAT, "code": "@"}


def _headers(spend_years: Iterable[int]) -> list[str]:
    fields = [c.field for c in COLUMNS if c.template]
    # Yearly spending columns go after the amount-related ones (before « Livre V »).
    at = fields.index("livre_v")
    return fields[:at] + [f"spend_{y}" for y in sorted(spend_years)] + fields[at:]


def _new_book(fields: Sequence[str]):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    widths = {c.field: c.width for c in COLUMNS}
    for j, f in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=j, value=header_of(f))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = widths.get(f, 14)
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}1"
    refs = _help_sheet(wb, fields)
    return wb, ws, refs


def _help_sheet(wb, fields: Sequence[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(HELP_SHEET_NAME)
    ws["A1"] = "Modèle d'import spaser : une ligne par marché (ou par lot)."
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = ("Seule la colonne « Montant HT » est obligatoire. Les montants sont hors taxes, en euros. "
                "Une considération laissée vide signifie « inconnu » (différent de « Pas de considération »).")
    ws.append([])
    ws.append(["Colonne", "Obligatoire", "Description"])
    for c in ws[4]:
        c.font = Font(bold=True)
    helps = {c.field: c.help for c in COLUMNS}
    for f in fields:
        text = helps.get(f) or "Dépense réellement mandatée sur l'année (HT, en euros), si elle est connue."
        ws.append([header_of(f), "oui" if f == "amount_ht" else "non", text])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 90
    for row in ws.iter_rows(min_row=5, max_col=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    # The lists behind the drop-down menus, one column each, from column E.
    refs: dict[str, str] = {}
    for k, (f, values) in enumerate(LISTS.items()):
        col = get_column_letter(5 + k)
        ws[f"{col}4"] = f"Liste : {header_of(f)}"
        ws[f"{col}4"].font = Font(bold=True)
        for i, v in enumerate(values, start=5):
            ws[f"{col}{i}"] = v
        ws.column_dimensions[col].width = 24
        refs[f] = f"'{HELP_SHEET_NAME}'!${col}$5:${col}${4 + len(values)}"
    return refs


def _validations(ws, refs: dict[str, str], fields: Sequence[str], last_row: int) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for j, f in enumerate(fields, start=1):
        if f not in refs:
            continue
        col = get_column_letter(j)
        dv = DataValidation(type="list", formula1=f"={refs[f]}", allow_blank=True)
        multi = spec(f).multi
        dv.errorStyle = "warning" if multi else "stop"
        dv.error = "Valeur hors de la liste." + (" Plusieurs valeurs : séparez-les par « ; »." if multi else "")
        dv.errorTitle = "spaser"
        dv.prompt = "Choisissez dans la liste" + (" (plusieurs valeurs : séparez-les par « ; »)" if multi else "")
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{col}2:{col}{last_row}")


def _formats(ws, fields: Sequence[str], first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    for j, f in enumerate(fields, start=1):
        fmt = EURO_FORMAT if f.startswith("spend_") else _FORMATS.get(spec(f).cell or "")
        if fmt is None:
            continue
        for r in range(first, last + 1):
            ws.cell(row=r, column=j).number_format = fmt


def write_template(path: str | os.PathLike[str], *, force: bool = False, spend_years: Iterable[int] | None = None) -> Path:
    """Write the empty import workbook; refuse to overwrite without ``force``."""
    this = date.today().year
    fields = _headers(spend_years if spend_years is not None else range(this - 2, this + 1))
    wb, ws, refs = _new_book(fields)
    _validations(ws, refs, fields, _TEMPLATE_ROWS + 1)
    _formats(ws, fields, 2, _TEMPLATE_ROWS + 1)
    return write_with(path, wb.save, force=force)


# -- a portfolio in the template's layout -------------------------------------
def row_cells(p: Purchase, fields: Sequence[str], buyer: Buyer) -> list[Any]:
    """A purchase's cells in the template's layout (each field written by its declaration), safe for a spreadsheet."""
    out: list[Any] = []
    for f in fields:
        v = p.spend_by_year.get(int(f.removeprefix("spend_"))) if f.startswith("spend_") else spec(f).write(p, buyer)  # type: ignore[misc]
        out.append(safe_cell(v) if v != "" else None)
    return out


def write_portfolio(portfolio: Portfolio, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``portfolio`` in the import template's layout (re-importable as it is)."""
    years = {y for p in portfolio.purchases for y in p.spend_by_year}
    fields = _headers(years)
    wb, ws, refs = _new_book(fields)
    for p in portfolio.purchases:
        ws.append(row_cells(p, fields, portfolio.buyer))
    last = max(ws.max_row, 2)
    _validations(ws, refs, fields, last)
    _formats(ws, fields, 2, last)
    return write_with(path, wb.save, force=force)

