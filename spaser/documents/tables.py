"""Spreadsheet outputs: the analysis workbook (.xlsx) and the open-data indicators (CSV, xlsx).

Every text cell goes through :func:`spaser.io.safe.safe_cell` (a text starting
with ``=``, ``+``, ``-``, ``@``, tab or CR is stored as text, never run as a
formula). The workbook is written in openpyxl's write-only mode, which keeps
memory flat whatever the size of the portfolio.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from spaser.documents.views import PublicationRow, ReportRow, SuggestionRow, WorkbookView
from spaser.io.safe import safe_cell

__all__ = ["CSV_COLUMNS", "indicators_csv", "write_workbook_to", "write_indicators_xlsx_to"]

EUR = "#,##0.00 €"
PCT = "0.0 %"
INT = "#,##0"
DATE = "DD/MM/YYYY"
_MAX_TEXT = 32_767  # Excel's limit per cell

# Open-data table: column -> description (documented in the README).
CSV_COLUMNS: dict[str, str] = {
    "acheteur_nom": "Nom de l'acheteur",
    "acheteur_siret": "SIRET ou SIREN de l'acheteur (vide si inconnu)",
    "annee": "Année civile de notification des marchés mesurés",
    "indicateur": "Code stable de l'indicateur (ex. social_nombre, environnement_valeur, heures_insertion)",
    "libelle": "Libellé de l'indicateur",
    "base": "Base de mesure : nombre (de marchés), valeur (montant HT) ou heures",
    "numerateur": "Nombre de marchés, montant HT en euros ou heures concernés",
    "denominateur": "Nombre ou montant HT de référence (vide pour les heures)",
    "taux": "numerateur / denominateur, entre 0 et 1, point décimal (vide si non calculable)",
    "unite": "Unité du numérateur : marchés, euros HT ou heures",
    "perimetre": "Ce que couvre le dénominateur",
    "objectif": "Objectif du schéma pour l'année (taux entre 0 et 1, ou heures), vide si non fixé",
    "ecart": "taux (ou heures) moins objectif, vide si l'un des deux manque",
    "date_production": "Date de production du fichier (AAAA-MM-JJ)",
}


def _num(v: Decimal | None) -> str:
    # Plain notation with a point: machine-readable open data.
    return "" if v is None else format(v, "f")


def indicators_csv(rows: Sequence[PublicationRow], *, buyer_name: str, buyer_siret: str, produced: date) -> bytes:
    """UTF-8 with BOM, ';' separator, one line per indicator and year."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow(
            [
                safe_cell(buyer_name),
                buyer_siret,
                r.year,
                r.key,
                safe_cell(r.label),
                r.basis,
                _num(r.numerator),
                _num(r.denominator),
                _num(r.rate.quantize(Decimal("0.0001")) if r.rate is not None else None),
                r.unit,
                safe_cell(r.scope),
                _num(r.objective),
                _num(r.gap.quantize(Decimal("0.0001")) if r.gap is not None else None),
                produced.isoformat(),
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# -- workbook ----------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    title: str
    width: float
    fmt: str | None = None


class _Sheet:
    """A write-only sheet with a styled, frozen, filterable header."""

    def __init__(self, wb, title: str, cols: Sequence[Col]) -> None:  # type: ignore[no-untyped-def]
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        self._cell = WriteOnlyCell
        self.ws = wb.create_sheet(title)
        self.cols = list(cols)
        self.rows = 0
        for i, c in enumerate(self.cols, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = c.width
        self.ws.freeze_panes = "A2"
        head = []
        for c in self.cols:
            cell = WriteOnlyCell(self.ws, value=safe_cell(c.title))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F3A5F")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            head.append(cell)
        self._last = get_column_letter(len(self.cols))
        self.ws.append(head)

    def add(self, values: Iterable[Any]) -> None:
        out = []
        for c, v in zip(self.cols, values):
            if isinstance(v, str):
                v = safe_cell(v[:_MAX_TEXT])
            elif isinstance(v, bool):
                v = "oui" if v else "non"
            if c.fmt and v is not None and not isinstance(v, str):
                cell = self._cell(self.ws, value=v)
                cell.number_format = c.fmt
                out.append(cell)
            else:
                out.append(v)
        self.ws.append(out)
        self.rows += 1

    def close(self) -> None:
        self.ws.auto_filter.ref = f"A1:{self._last}{max(self.rows + 1, 2)}"


def write_workbook_to(fh: IO[bytes], view: WorkbookView) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _portfolio_sheet(wb, view)
    _report_sheet(wb, view)
    _indicator_sheet(wb, "Indicateurs", view.indicators)
    _gap_sheet(wb, view.gaps)
    _suggestion_sheet(wb, view.suggestions)
    wb.save(fh)


def write_indicators_xlsx_to(fh: IO[bytes], rows: Sequence[PublicationRow]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _indicator_sheet(wb, "Indicateurs", rows)
    wb.save(fh)


def _join(values: Iterable[Any]) -> str:
    return ", ".join(sorted(str(getattr(v, "value", v)) for v in values))


def _portfolio_sheet(wb, view: WorkbookView) -> None:  # type: ignore[no-untyped-def]
    """The purchases in the import template's columns (the field registry), so the sheet reads back as it is."""
    from spaser.io.columns import COLUMNS, header_of, spec

    years = sorted({y for p in view.purchases for y in p.spend_by_year})
    fields = [c.field for c in COLUMNS if c.template and not c.field.startswith("buyer_")]
    at = fields.index("livre_v")
    fields[at:at] = [f"spend_{y}" for y in years]
    formats = {"money": EUR, "date": DATE}
    s = _Sheet(wb, "Portefeuille", [
        *(Col(header_of(f), 16 if f.startswith("spend_") else spec(f).width,
              EUR if f.startswith("spend_") else formats.get(spec(f).cell or "")) for f in fields),
        Col("Source", 24),
    ])
    for p in view.purchases:
        src = ""
        if p.source is not None:
            src = p.source.file + (f", {p.source.sheet}" if p.source.sheet else "") + (f", ligne {p.source.row}" if p.source.row else "")
        s.add([*(p.spend_by_year.get(int(f[6:])) if f.startswith("spend_") else spec(f).write(p, None) for f in fields), src])  # type: ignore[misc]
    s.close()


def _report_sheet(wb, view: WorkbookView) -> None:  # type: ignore[no-untyped-def]
    s = _Sheet(wb, "Rapport d'import", [
        Col("Gravité", 14), Col("Code", 20), Col("Message", 70), Col("Fichier", 24), Col("Feuille", 16),
        Col("Ligne", 8, INT), Col("Colonne", 18), Col("Valeur", 30),
    ])
    report = view.report
    if report is not None:
        for i in report.issues:  # type: ignore[attr-defined]
            s.add([i.severity.value, i.code.value, i.message, i.file or "", i.sheet or "", i.row, i.column or "", i.value or ""])
        s.add(["synthèse", "", report.summary_fr(), "", "", None, "", ""])  # type: ignore[attr-defined]
    s.close()


def _indicator_sheet(wb, title: str, rows: Sequence[PublicationRow]) -> None:  # type: ignore[no-untyped-def]
    s = _Sheet(wb, title, [
        Col("Année", 8), Col("Code", 22), Col("Indicateur", 52), Col("Base", 9), Col("Numérateur", 16, "#,##0.##"),
        Col("Dénominateur", 16, "#,##0.##"), Col("Taux", 9, PCT), Col("Unité", 10), Col("Périmètre", 36),
        Col("Objectif", 10, None), Col("Écart", 10, None),
    ])
    for r in rows:
        hours = r.basis == "heures"
        s.add([r.year, r.key, r.label, r.basis, r.numerator, r.denominator, r.rate, r.unit, r.scope,
               _fmt_target(s, r.objective, hours), _fmt_target(s, r.gap, hours)])
    s.close()


def _fmt_target(s: _Sheet, v: Decimal | None, hours: bool):  # type: ignore[no-untyped-def]
    # Objectives are rates or hours depending on the row: format per cell.
    if v is None:
        return None
    cell = s._cell(s.ws, value=v)
    cell.number_format = INT if hours else PCT
    return cell


def _gap_sheet(wb, rows: Sequence[ReportRow]) -> None:  # type: ignore[no-untyped-def]
    s = _Sheet(wb, "Objectifs et écarts", [
        Col("Année", 8), Col("Indicateur", 52), Col("Base", 9), Col("Objectif", 11), Col("Réalisé", 11),
        Col("Écart", 11), Col("Statut", 16), Col("Source de l'objectif", 26),
    ])
    for r in rows:
        hours = r.unit == "hours"
        s.add([r.year, r.label, r.basis, _fmt_target(s, r.objective, hours), _fmt_target(s, r.achieved, hours),
               _fmt_target(s, r.gap, hours), r.status, r.source])
    s.close()


def _suggestion_sheet(wb, rows: Sequence[SuggestionRow]) -> None:  # type: ignore[no-untyped-def]
    s = _Sheet(wb, "Suggestions", [
        Col("Rang", 7, INT), Col("Achat", 16), Col("Objet", 50), Col("Code CPV", 11), Col("Montant HT", 16, EUR),
        Col("Suggestions", 60), Col("Motif", 60),
    ])
    for n, r in enumerate(rows, 1):
        s.add([n, r.purchase_id, r.object, r.cpv, r.amount, r.clauses, r.reason])
    s.close()
