"""The spreadsheet reader's fast path gives exactly what its plain reference path gives.

The fast path converts rows by batches, column by column, each distinct cell once
(spaser.io.spreadsheet, ``fast=True``); the plain path converts every cell of every row. Same portfolios, same report, on random and hostile
tables, on the corpus of bad files and on the bundled examples.
"""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spaser._errors import InputError
from spaser.io import ImportOptions, sniff
from spaser.io import spreadsheet
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
