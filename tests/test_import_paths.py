"""The spreadsheet reader's fast path gives exactly what its plain reference path gives.

The fast path converts rows by batches, column by column, each distinct cell once
(spaser.io.spreadsheet, ``fast=True``); the plain path converts every cell of every row. Same portfolios, same report, on random and hostile
tables, on the corpus of bad files and on the bundled examples.
"""

from __future__ import annotations

import copy
import string
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spaser._errors import InputError
from spaser.io import ImportOptions, sniff
from spaser.io import spreadsheet
from spaser.io.report import ImportReport
from spaser.io.sheets import Sheet
from spaser.io.spreadsheet import read_spreadsheet
from spaser.model import Buyer

ROOT = Path(__file__).resolve().parents[1]
_HEADERS = ["Identifiant", "Objet", "Code CPV", "Montant HT", "Montant prévu", "Date de notification", "Durée (mois)",
            "Nature", "Titulaire", "SIRET titulaire", "titulaire_id_2", "Considérations sociales", "Acheteur",
            "SIRET acheteur", "Dépense 2024", "Lot", "Type de contrat", "Date de lancement de la consultation",
            "Type d'acheteur", "Dépense TTC 2025", "Montant initial"]
# The table's main amount: each makes the fast path decide other things once per table (a TTC rate, a spending line).
_AMOUNTS = ["Montant HT", "Montant TTC", "Dépense HT", "Montant prévu"]
# Cells a buyer's export may hold: good values, dirt, placeholders, hostile texts.
_CELLS = st.one_of(
    st.sampled_from([
        "", " ", "NaN", "CDL", "MQ", "NC", "n.c.", "TOTAL", "Sous-total services", "SERVICES", "A1", "A2", "B", "1",
        "90910000-9", "90910000-9-9", "45233140", "9091000", "1 234,56", "1.234,56", "1.2.3,4", "-5", "0", "1e17", "1e1000000",
        "²", "١٢٣", "12 345,67 €", "1 000 € TTC", "15/01/2024", "31/02/2024", "2024-06-30", "01/01/2099", "3 ans", "24",
        "Travaux", "Accord-cadre", "Marché", "Contrat de concession", "Clause sociale", "Pas de considération sociale",
        "['Clause sociale', 'Critère social']", "21350238800019", "13001898900017", "123", "Ville A", "=1+1", "'@x",
        "Société X\nSociété Y", "21350238800019\n13001898900017", "x" * 40_000,
        "Contrat de concession", "Concession", "Fournitures", "Services", "commune", "departement", "01/01/1900", "12/03/2025",
        "1 000 000 000 000", "2 000 000 000", "0,001", "0,01", "Total général", "TOTAL SERVICES", "SIAE", "EA; ESAT",
    ]),
    st.text(alphabet=string.ascii_letters + string.digits + " ,.;-/€'", max_size=12),
)


def _both(path: Path, **opts: Any) -> tuple[Any, Any]:
    """(portfolios, report) from each path, or the error each raised.

    Compared as models, not as JSON: two equal sets may list their members in another order.
    """
    out: list[Any] = []
    for fast in (True, False):
        try:
            r = read_spreadsheet(path, sniff(path), ImportOptions(**opts), fast=fast)
            out.append((r.portfolios, r.report.to_dict()))
        except InputError as e:
            out.append(f"{type(e).__name__}: {e}")
    return out[0], out[1]


def _write(tmp: Path, header: list[str], rows: list[list[str]], delimiter: str = ";") -> Path:
    path = tmp / "t.csv"
    quote = lambda c: '"' + c.replace('"', '""') + '"'  # noqa: E731
    path.write_text("\n".join(delimiter.join(quote(c) for c in r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    columns=st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(_CELLS, min_size=0, max_size=9), min_size=1, max_size=14),
    repeat=st.integers(0, 3),
    batch=st.integers(1, 6),
    amount=st.sampled_from(_AMOUNTS),
    buyer=st.booleans(),
)
def test_random_tables_read_the_same_both_ways(tmp_path: Path, columns: list[str], rows: list[list[str]], repeat: int, batch: int,
                                               amount: str, buyer: bool) -> None:
    columns = [c for c in columns if c not in _AMOUNTS] + [amount]
    rows = rows + rows[:repeat]  # repeated lines: duplicates and co-contractors
    saved = spreadsheet._BATCH_ROWS
    spreadsheet._BATCH_ROWS = batch  # small batches: duplicates and co-contractors across two batches
    opts: dict[str, Any] = {"vat_rate": Decimal("0.2"), "today": date(2026, 1, 15)}
    if buyer:  # the file's buyer given: the buyer columns are not read
        opts["buyer"] = Buyer(name="Ville", siret="21350238800019")
    try:
        fast, plain = _both(_write(tmp_path, columns, rows), **opts)
    finally:
        spreadsheet._BATCH_ROWS = saved
    assert fast == plain


# Good values per column, so that most rows are read by the fast path's usual case (no message).
_GOOD = {
    "Identifiant": ["A1", "A2", "A3", "B1", "B2", "C", "Total", ""], "Objet": ["Nettoyage", "Travaux de voirie", "Repas", "Sous-total"],
    "Code CPV": ["90910000-9", "45233140", "15000000", "72212513-8"], "Montant HT": ["1 234,56", "50000", "0", "120 000,00"],
    "Montant prévu": ["2 000", "", "80 000,5"], "Montant TTC": ["1 200,00", "60000", "0,01"], "Dépense HT": ["1 500", "42"],
    "Date de notification": ["15/01/2024", "2025-06-30", "01/01/2099", "01/01/1900"], "Durée (mois)": ["12", "3 ans", ""],
    "Nature": ["Travaux", "Services", "", "Accord-cadre"], "Type de contrat": ["Marché", "Accord-cadre", "Contrat de concession", ""],
    "Titulaire": ["Société X", "Société Y", "", "Société X\nSociété Y"], "SIRET titulaire": ["21350238800019", "13001898900017", "", "123"],
    "titulaire_id_2": ["", "13001898900017"], "Considérations sociales": ["Clause sociale", "Pas de considération sociale", ""],
    "Acheteur": ["Ville A", "Ville B", ""], "SIRET acheteur": ["21350238800019", "", "13001898900017", "123"],
    "Type d'acheteur": ["commune", "departement", ""], "Dépense 2024": ["1 000", ""], "Dépense TTC 2025": ["1 200", ""],
    "Lot": ["", "1", "2"], "Date de lancement de la consultation": ["01/12/2023", "", "01/01/2099"], "Montant initial": ["", "3 000"],
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), columns=st.lists(st.sampled_from(_HEADERS), min_size=2, max_size=12, unique=True), amount=st.sampled_from(_AMOUNTS),
       n=st.integers(1, 25), batch=st.integers(1, 8), buyer=st.booleans())
def test_usual_tables_read_the_same_both_ways(tmp_path: Path, data: st.DataObject, columns: list[str], amount: str, n: int,
                                             batch: int, buyer: bool) -> None:
    """Mostly good rows (the fast path's own case), with repeated contracts, several buyers, totals, concessions,
    dates out of range, zero, TTC and spending amounts among them."""
    columns = [c for c in columns if c not in _AMOUNTS] + [amount]
    cell = lambda h: st.one_of(st.sampled_from(_GOOD[h]), _CELLS) if data.draw(st.integers(0, 9)) == 0 else st.sampled_from(_GOOD[h])  # noqa: E731
    rows = [[data.draw(cell(h)) for h in columns] for _ in range(n)]
    saved = spreadsheet._BATCH_ROWS
    spreadsheet._BATCH_ROWS = batch
    opts: dict[str, Any] = {"vat_rate": Decimal("0.2"), "today": date(2026, 1, 15)}
    if buyer:
        opts["buyer"] = Buyer(name="Ville", siret="21350238800019")
    try:
        fast, plain = _both(_write(tmp_path, columns, rows), **opts)
    finally:
        spreadsheet._BATCH_ROWS = saved
    assert fast == plain


def _files() -> list[Path]:
    corpus = sorted((ROOT / "tests" / "corpus" / "spreadsheets").glob("*.*"))
    examples = sorted((ROOT / "examples").glob("*.*"))
    return [p for p in corpus + examples if p.suffix in (".csv", ".xlsx", ".xls", ".ods", ".xlsm")]


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_corpus_and_examples_read_the_same_both_ways(path: Path) -> None:
    fast, plain = _both(path, buyer=None)
    assert fast == plain


# A workbook's cells as its reader gives them (python-calamine: str, float, int, bool, date, datetime, time), beside texts.
_TYPED = st.one_of(
    _CELLS,
    st.sampled_from([None, 0, 1, -1, 0.0, -0.0, 1.0, 3.0, 24.0, True, False, 1234.5, 0.001, 1e9 + 1, 1e12, 1e20, 5e20, float("nan"),
                     float("inf"), 10**25, 12, 90910000, 21350238800019, date(2024, 1, 15), date(2099, 1, 1), date(1900, 1, 1),
                     datetime(2024, 3, 1, 12, 0), time(12, 0)]),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e13),
    st.integers(-10, 10**13),
)


@st.composite
def _sheet(draw: st.DrawFn, name: str) -> Sheet:
    """A sheet of typed cells: rows shorter or longer than the header, repeated rows, merged cells."""
    columns = draw(st.lists(st.sampled_from(_HEADERS), min_size=2, max_size=10, unique=True))
    amount = draw(st.sampled_from(_AMOUNTS))
    columns = [c for c in columns if c not in _AMOUNTS] + [amount]
    good = draw(st.booleans())  # mostly good values: the fast path's usual rows
    rows = []
    for _ in range(draw(st.integers(1, 16))):
        r = [draw(st.sampled_from(_GOOD[h])) if good and draw(st.integers(0, 5)) else draw(_TYPED) for h in columns]
        cut = draw(st.integers(0, len(r) + 2))
        rows.append(r[:cut] if cut < len(r) else r + [None] * (cut - len(r)))
    rows = [list(columns), *rows, *[list(r) for r in rows[:draw(st.integers(0, 3))]]]
    merged = []
    for _ in range(draw(st.integers(0, 2))):
        r1, c1 = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(columns) - 1))
        r2, c2 = draw(st.integers(r1, len(rows))), draw(st.integers(c1, len(columns) - 1))
        merged.append(((r1, c1), (r2, c2)))
        for r in range(r1 + 1, min(r2 + 1, len(rows))):
            for c in range(c1, c2 + 1):
                if c < len(rows[r]) and draw(st.booleans()):
                    rows[r][c] = ""
    return Sheet(name, rows, list(range(1, len(rows) + 1)), merged=merged)


def _read_sheets(sheets: list[Sheet], opts: ImportOptions, fast: bool) -> Any:
    report = ImportReport(file="t.xlsx", max_issues=opts.max_issues)
    try:
        r = spreadsheet._read_sheets(Path("t.xlsx"), "xlsx", copy.deepcopy(sheets), report, opts, spreadsheet._mapping_norm(opts), fast)
    except InputError as e:
        return f"{type(e).__name__}: {e}"
    return r.portfolios, r.report.to_dict()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), sheets=st.integers(1, 3), batch=st.integers(1, 7), first=st.integers(1, 7), buyer=st.booleans(), vat=st.booleans())
def test_typed_workbook_cells_read_the_same_both_ways(data: st.DataObject, sheets: int, batch: int, first: int, buyer: bool, vat: bool) -> None:
    """Workbook cells (numbers, booleans, dates, times), rows shorter than the header, merged cells, several tables."""
    drawn = [data.draw(_sheet(f"F{k}")) for k in range(sheets)]
    opts: dict[str, Any] = {"today": date(2026, 1, 15)}
    if vat:
        opts["vat_rate"] = Decimal("0.2")
    if buyer:
        opts["buyer"] = Buyer(name="Ville", siret="21350238800019")
    saved = spreadsheet._BATCH_ROWS, spreadsheet._FIRST_BATCH_ROWS
    spreadsheet._BATCH_ROWS, spreadsheet._FIRST_BATCH_ROWS = batch, first
    try:
        fast, plain = (_read_sheets(drawn, ImportOptions(**opts), f) for f in (True, False))
    finally:
        spreadsheet._BATCH_ROWS, spreadsheet._FIRST_BATCH_ROWS = saved
    assert fast == plain
