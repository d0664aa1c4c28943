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

from spaser import cpv as _cpv
from spaser.io.columns import COLUMNS, header_of
from spaser.io.safe import safe_cell, write_with
from spaser.model import (
    AGEC_CATEGORIES,
    AgecKind,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration,
    SocialExemption,
    SupplierKind,
)

__all__ = ["write_template", "write_portfolio", "SHEET_NAME", "HELP_SHEET_NAME", "LISTS", "EURO_FORMAT", "DATE_FORMAT"]

SHEET_NAME = "Achats"
HELP_SHEET_NAME = "Aide"
EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "DD/MM/YYYY"
_TEMPLATE_ROWS = 500  # rows pre-formatted in the empty model

# Closed vocabularies offered as drop-down lists (field -> values).
LISTS: dict[str, tuple[str, ...]] = {
    "nature": tuple(n.label for n in Nature),
    "kind": tuple(k.label for k in ContractKind),
    "social": tuple(s.value for s in SocialConsideration),
    "environmental": tuple(e.value for e in EnvironmentalConsideration),
    "supplier_kinds": tuple(k.value for k in SupplierKind),
    "social_exemption": tuple(e.label for e in SocialExemption),
    "egalim": tuple(e.label for e in EgalimCategory),
    "egalim_meat_fish": ("Oui", "Non"),
    "agec_category": tuple(f"{n} - {label}" for n, label in AGEC_CATEGORIES.items()),
    "agec_kind": tuple(k.label for k in AgecKind),
    "buyer_kind": tuple(k.value for k in BuyerKind),
}
# Lists where several values may be typed (the menu only warns).
_MULTI = frozenset({"social", "environmental", "supplier_kinds"})
_MONEY = frozenset({"amount_ht", "insertion_hours_planned", "insertion_hours_achieved"})
_DATES = frozenset({"notification_date", "consultation_date"})
_TEXT_CODES = frozenset({"id", "cpv", "lot", "supplier_siret", "buyer_siret"})


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
        dv.errorStyle = "warning" if f in _MULTI else "stop"
        dv.error = "Valeur hors de la liste." + (" Plusieurs valeurs : séparez-les par « ; »." if f in _MULTI else "")
        dv.errorTitle = "spaser"
        dv.prompt = "Choisissez dans la liste" + (" (plusieurs valeurs : séparez-les par « ; »)" if f in _MULTI else "")
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{col}2:{col}{last_row}")


def _formats(ws, fields: Sequence[str], first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    for j, f in enumerate(fields, start=1):
        fmt = (EURO_FORMAT if f in _MONEY or f.startswith("spend_") else DATE_FORMAT if f in _DATES
               else "@" if f in _TEXT_CODES else None)
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
def _join(values: Iterable[str], sep: str = "; ") -> str:
    return sep.join(sorted(values))


def _considerations(values: frozenset | None, none: Any) -> str:  # type: ignore[type-arg]
    if values is None:
        return ""
    if not values:
        return none.value
    return _join(v.value for v in values)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def _row(p: Purchase, fields: Sequence[str], buyer: Any) -> list[Any]:
    out: list[Any] = []
    for f in fields:
        v: Any
        if f == "id":
            v = p.id
        elif f == "object":
            v = p.object
        elif f == "cpv":
            v = _cpv.format(p.cpv) if p.cpv else None
        elif f in ("nature", "kind", "social_exemption", "egalim", "agec_kind"):
            e = getattr(p, f)
            v = e.label if e is not None else None
        elif f in ("amount_ht", "insertion_hours_planned", "insertion_hours_achieved", "duration_months", "agec_category",
                   "notification_date", "consultation_date", "procedure", "lot", "livre_v", "location"):
            v = getattr(p, f)
        elif f == "techniques":
            v = _join(p.techniques) if p.techniques else None
        elif f == "supplier_name":
            v = "\n".join(_one_line(s.name) for s in p.suppliers)
        elif f == "supplier_siret":
            v = "\n".join(s.siret or "" for s in p.suppliers) if any(s.siret for s in p.suppliers) else None
        elif f == "supplier_kinds":
            parts = [_join((k.value for k in s.kinds), ", ") for s in p.suppliers]
            v = "\n".join(parts) if any(parts) else None
        elif f == "social":
            v = _considerations(p.social, SocialConsideration.AUCUNE)
        elif f == "environmental":
            v = _considerations(p.environmental, EnvironmentalConsideration.AUCUNE)
        elif f == "egalim_meat_fish":
            v = "Oui" if p.egalim_meat_fish else None
        elif f.startswith("spend_"):
            v = p.spend_by_year.get(int(f.removeprefix("spend_")))
        elif f == "buyer_name":
            v = buyer.name
        elif f == "buyer_siret":
            v = buyer.siret
        elif f == "buyer_kind":
            v = buyer.kind.value
        else:  # pragma: no cover - every template column is handled above
            raise KeyError(f)
        out.append(safe_cell(v) if v != "" else None)
    return out


def write_portfolio(portfolio: Portfolio, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``portfolio`` in the import template's layout (re-importable as it is)."""
    years = {y for p in portfolio.purchases for y in p.spend_by_year}
    fields = _headers(years)
    wb, ws, refs = _new_book(fields)
    for p in portfolio.purchases:
        ws.append(_row(p, fields, portfolio.buyer))
    last = max(ws.max_row, 2)
    _validations(ws, refs, fields, last)
    _formats(ws, fields, 2, last)
    return write_with(path, wb.save, force=force)

