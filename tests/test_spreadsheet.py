"""Reading spreadsheets: headers, cells, rows, buyers, limits, and accounting properties."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import spaser.io.sheets as sp
from spaser.io.cells import MAX_CELL_CHARS
from spaser._errors import InputError, LimitExceeded
from spaser.io import load
from spaser.io.columns import match_header, normalise
from spaser.io.dates import DateError, to_date
from spaser.model import (
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    SocialConsideration,
    SupplierKind,
)

TODAY = date(2026, 1, 1)


def write_csv(tmp_path: Path, text: str, name: str = "achats.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def write_xlsx(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "achats.xlsx", hidden: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if title in hidden:
            ws.sheet_state = "hidden"
    p = tmp_path / name
    wb.save(p)
    return p


# -- headers -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Montant HT", "amount_ht"),
        ("MONTANT  H.T.\n(en €)", "amount_ht"),
        ("montant initial HT du marché", "amount_initial"),
        ("Amount excl. VAT", "amount_ht"),
        ("Montant TTC", "amount_ttc"),
        ("N° marché", "id"),
        ("Référence", "id"),
        ("Objet du marché", "object"),
        ("Intitulé", "object"),
        ("Code CPV principal", "cpv"),
        ("Date de notification", "notification_date"),
        ("Notification date", "notification_date"),
        ("Date de lancement de la consultation", "consultation_date"),
        ("Durée (mois)", "duration_months"),
        ("Titulaire", "supplier_name"),
        ("Fournisseur", "supplier_name"),
        ("SIRET du titulaire", "supplier_siret"),
        ("SIRET de l'acheteur", "buyer_siret"),
        ("Considérations sociales", "social"),
        ("Considération environnementale", "environmental"),
        ("Type de structure", "supplier_kinds"),
        ("Heures d'insertion réalisées", "insertion_hours_achieved"),
        ("Catégorie EGalim", "egalim"),
        ("Catégorie AGEC", "agec_category"),
        ("Dépense 2024", "spend_2024"),
        ("Mandaté 2025 HT", "spend_2025"),
        ("Montant mandaté 2023", "spend_2023"),
        ("Dépenses 2024 TTC", "spend_ttc_2024"),
        ("Lieu d'exécution", "location"),
    ],
)
def test_headers_recognised(header: str, field: str) -> None:
    assert match_header(header) == field


@pytest.mark.parametrize("header", ["Commentaires", "Observations", "", "2024", "Service gestionnaire"])
def test_other_headers_not_recognised(header: str) -> None:
    assert match_header(header) is None


def test_normalise() -> None:
    assert normalise("  Considérations\nSOCIALES ") == "considerations sociales"


# -- dates ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/12/2025", date(2025, 12, 31)),
        ("31-12-2025", date(2025, 12, 31)),
        ("31.12.2025", date(2025, 12, 31)),
        ("2025-12-31", date(2025, 12, 31)),
        ("2025-12-31T00:00:00", date(2025, 12, 31)),
        ("2025-12-31T10:00:00+01:00", date(2025, 12, 31)),
        ("2025-12-31+01:00", date(2025, 12, 31)),
        (45292.0, date(2024, 1, 1)),
        (45292, date(2024, 1, 1)),
        ("20240101", date(2024, 1, 1)),
        ("1/2/24", date(2024, 2, 1)),
    ],
)
def test_dates(value: object, expected: date) -> None:
    assert to_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2024", "2024-13-01", "hier", "32/01/2024", True])
def test_bad_dates(value: object) -> None:
    with pytest.raises(DateError):
        to_date(value)


# -- cells and rows ------------------------------------------------------------
def test_full_row_csv(tmp_path: Path) -> None:
    text = (
        "Identifiant;Objet;Code CPV;Nature;Type de contrat;Montant HT;Date de notification;Durée;Procédure;Lot;Titulaire;"
        "SIRET titulaire;Type de structure;Considérations sociales;Considérations environnementales;Heures d'insertion prévues;"
        "Catégorie EGalim;Viande ou poisson;Catégorie AGEC;Réemploi / recyclé;Livre V;Dépense 2024;Mandaté 2025\n"
        'M1;Nettoyage;90910000-9 Services de nettoyage;Services;Accord-cadre;"120 000,50";01/03/2024;2 ans;Appel d\'offres ouvert;2;'
        "Régie de quartier;130 018 989 00017;SIAE, ESUS;\"Clause sociale; Critère social\";aucune;1 500;Bio;oui;"
        "9 - Mobilier et aménagement d'intérieur;réemploi;sans objet;40 000;50 000,25\n"
    )
    r = load(write_csv(tmp_path, text), today=TODAY)
    assert r.report.read == r.report.accepted == 1, r.report.issues
    p = r.portfolio.purchases[0]
    assert p.id == "M1" and p.lot == "2" and p.cpv == "90910000" and p.nature is Nature.SERVICES
    assert p.kind is ContractKind.ACCORD_CADRE
    assert p.amount_ht == Decimal("120000.50")
    assert p.notification_date == date(2024, 3, 1) and p.duration_months == 24
    assert p.suppliers[0].siret == "13001898900017"
    assert p.suppliers[0].kinds == {SupplierKind.SIAE, SupplierKind.ESUS}
    assert p.social == {SocialConsideration.CLAUSE, SocialConsideration.CRITERE}
    assert p.environmental == {EnvironmentalConsideration.AUCUNE}
    assert p.insertion_hours_planned == Decimal(1500)
    assert p.egalim is EgalimCategory.BIO and p.egalim_meat_fish is True
    assert p.agec_category == 9 and p.livre_v is None
    assert p.spend_by_year == {2024: Decimal(40000), 2025: Decimal("50000.25")}
    assert p.source is not None and p.source.row == 2


def test_empty_considerations_stay_unknown(tmp_path: Path) -> None:
    r = load(write_csv(tmp_path, "Montant HT;Considérations sociales;Considérations environnementales\n100;;\n"))
    p = r.portfolio.purchases[0]
    assert p.social is None and p.environmental is None and p.social_status == "inconnu"


@pytest.mark.parametrize(
    ("cell", "code", "kept"),
    [
        ("45000000-7", None, "45000000"),
        ("45000000", None, "45000000"),
        ("45000000-8", "cpv-check-digit", "45000000"),
        ("3000000", None, "03000000"),  # leading zero lost by a spreadsheet
        ("99999999", "cpv-unknown", None),
        ("Travaux", "cpv-malformed", None),
    ],
)
def test_cpv_cells(tmp_path: Path, cell: str, code: str | None, kept: str | None) -> None:
    r = load(write_csv(tmp_path, f"Code CPV;Montant HT\n{cell};100\n"))
    assert r.portfolio.purchases[0].cpv == kept
    assert (code in r.report.counts) if code else not r.report.counts


def test_siret_invalid_keeps_supplier(tmp_path: Path) -> None:
    r = load(write_csv(tmp_path, "Titulaire;SIRET;Montant HT\nACME;13001898900018;100\n"))
    s = r.portfolio.purchases[0].suppliers[0]
    assert s.name == "ACME" and s.siret is None
    assert r.report.counts["siret-invalid"] == 1 and r.report.accepted == 1


def test_duplicates_and_missing_ids(tmp_path: Path) -> None:
    text = "Identifiant;Lot;Montant HT\nA;1;100\nA;2;100\nA;1;50\n;;70\n"
    r = load(write_csv(tmp_path, text))
    rep = r.report
    assert (rep.read, rep.accepted, rep.rejected) == (4, 3, 1)
    dup = next(i for i in rep.issues if i.code.value == "duplicate")
    assert dup.row == 4 and "ligne 2" in dup.message
    assert rep.counts["id-missing"] == 1
    assert r.portfolio.purchases[-1].id == "L5"


def test_no_id_column_generates_ids_from_sheet_and_row(tmp_path: Path) -> None:
    p = write_xlsx(tmp_path, {"2024": [["Objet", "Montant HT"], ["a", 1], ["b", 2]]})
    r = load(p)
    assert [x.id for x in r.portfolio.purchases] == ["2024-L2", "2024-L3"]


def test_total_row_is_not_a_purchase(tmp_path: Path) -> None:
    r = load(write_csv(tmp_path, "Identifiant;Objet;Montant HT\nA;x;100\nB;y;200\n;Total;300\n"))
    assert r.portfolio.total_ht == Decimal(300)
    assert r.report.rejected == 1


def test_ttc_column_needs_vat_rate_then_converts(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Identifiant;Montant TTC;Dépense 2024 TTC\nA;1 200,00;600\nB;100;\n")
    with pytest.raises(InputError) as e:
        load(path)
    assert e.value.code == "amount-ttc" and "--vat-rate" in str(e.value)
    r = load(path, vat_rate=Decimal("0.2"))
    a, b = r.portfolio.purchases
    assert a.amount_ht == Decimal("1000.00") and b.amount_ht == Decimal("83.33")
    assert a.spend_by_year == {2024: Decimal("500.00")}
    assert r.report.counts["amount-ttc"] == 2 and r.report.rejected == 0


def test_ht_column_wins_over_ttc(tmp_path: Path) -> None:
    r = load(write_csv(tmp_path, "Montant TTC;Montant HT\n120;100\n"))
    assert r.portfolio.purchases[0].amount_ht == Decimal(100)


def test_absurd_amounts(tmp_path: Path) -> None:
    r = load(write_csv(tmp_path, "Identifiant;Montant HT\nA;2 000 000 000\nB;1e13\n"))
    assert r.report.accepted == 1 and r.report.rejected == 1
    assert r.report.counts["amount-absurd"] == 2


def test_amounts_from_number_cells_are_exact(tmp_path: Path) -> None:
    p = write_xlsx(tmp_path, {"A": [["Montant HT"], [0.1], [1234567.89], [1500], [2.675000000001]]})
    amounts = [x.amount_ht for x in load(p).portfolio.purchases]
    assert amounts == [Decimal("0.1"), Decimal("1234567.89"), Decimal(1500), Decimal("2.68")]


# -- structure -----------------------------------------------------------------
def test_title_rows_and_several_sheets(tmp_path: Path) -> None:
    sheets = {
        "2023": [["Ville de X"], ["marchés 2023"], [], ["Objet", "Montant HT", "Date de notification"], ["a", 10, date(2023, 1, 1)]],
        "Notes": [["Du texte libre"], ["encore"]],
        "2024": [["Objet", "Montant HT"], ["b", 20], ["c", 30]],
        "Masquée": [["Objet", "Montant HT"], ["d", 40]],
    }
    r = load(write_xlsx(tmp_path, sheets, hidden=("Masquée",)))
    assert r.portfolio.total_ht == Decimal(100)
    assert r.report.counts["sheet-skipped"] == 1 and r.report.counts["sheet-hidden"] == 1
    assert r.portfolio.purchases[0].source.row == 5
    only = load(write_xlsx(tmp_path, sheets, name="b.xlsx"), sheet="2024")
    assert only.portfolio.total_ht == Decimal(50)
    with pytest.raises(InputError) as e:
        load(write_xlsx(tmp_path, sheets, name="c.xlsx"), sheet="2099")
    assert "2099" in str(e.value) and "Notes" in str(e.value)


def test_repeated_header_rows_are_skipped(tmp_path: Path) -> None:
    r = load(write_csv(tmp_path, "Objet;Montant HT\na;1\nObjet;Montant HT\nb;2\n"))
    assert r.report.read == 2 and r.report.rejected == 0


def test_mapping_overrides_and_invalid_mapping(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "Réf interne;Libellé court;Valeur engagée\nX1;Papier;100\n")
    r = load(path, mapping={"id": "Réf interne", "amount_ht": "Valeur engagée", "object": "Libellé court"})
    p = r.portfolio.purchases[0]
    assert (p.id, p.object, p.amount_ht) == ("X1", "Papier", Decimal(100))
    with pytest.raises(InputError) as e:
        load(path, mapping={"amount_ht": "Colonne qui n'existe pas"})
    assert e.value.code == "mapping-invalid" and "Colonne qui n'existe pas" in str(e.value)
    with pytest.raises(InputError) as e:
        load(path, mapping={"montant": "Valeur engagée"})
    assert e.value.code == "mapping-invalid" and "montant" in str(e.value)


def test_buyers_from_columns(tmp_path: Path) -> None:
    text = (
        "Acheteur;SIRET acheteur;Type d'acheteur;Montant HT\n"
        "Ville A;21350238800019;commune;100\nVille A;21350238800019;commune;50\nDépartement B;22350001800013;departement;10\n"
    )
    r = load(write_csv(tmp_path, text))
    assert len(r.portfolios) == 2
    a = r.select("21350238800019")
    assert a.buyer.name == "Ville A" and a.buyer.kind is BuyerKind.COMMUNE and a.total_ht == Decimal(150)


def test_encodings(tmp_path: Path) -> None:
    text = "Objet;Montant HT\nCafé;1\n"
    for enc, warn in (("utf-8", False), ("utf-8-sig", False), ("utf-16", False), ("cp1252", True)):
        r = load(write_csv(tmp_path, text, name=f"{enc}.csv", encoding=enc))
        assert r.portfolio.purchases[0].object == "Café", enc
        assert ("encoding" in r.report.counts) is warn


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    rows = [["Identifiant", "Objet", "Montant HT"], ["A", "Nettoyage, vitrerie; sols", "100.5"]]
    text = "\n".join(delimiter.join(f'"{c}"' for c in r) for r in rows) + "\n"
    p = load(write_csv(tmp_path, text)).portfolio.purchases[0]
    assert p.object == "Nettoyage, vitrerie; sols" and p.amount_ht == Decimal("100.5")


# -- limits --------------------------------------------------------------------
def test_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path, "Objet;Montant HT\n" + "x;1\n" * 20)
    monkeypatch.setattr(sp, "MAX_FILE_BYTES", 50)  # the workbook limit: a CSV file has its own (streamed)
    assert len(load(path).portfolio) == 20
    monkeypatch.setattr(sp, "MAX_CSV_BYTES", 50)
    with pytest.raises(LimitExceeded) as e:
        load(path)
    assert e.value.code == "file-too-large"
    book = write_xlsx(tmp_path, {"A": [["Objet", "Montant HT"], ["x", 1]]})
    with pytest.raises(LimitExceeded) as e:
        load(book)
    assert e.value.code == "file-too-large"
    monkeypatch.setattr(sp, "MAX_CSV_BYTES", 10**9)
    monkeypatch.setattr(sp, "MAX_ROWS_PER_SHEET", 5)
    monkeypatch.setattr(sp, "HEADER_SCAN_ROWS", 2)
    with pytest.raises(LimitExceeded) as e:
        load(path)
    assert e.value.code == "limit-rows"


def test_uncompressed_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write_xlsx(tmp_path, {"A": [["Montant HT"], [1]]})
    monkeypatch.setattr(sp, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(LimitExceeded) as e:
        load(p)
    assert "décompressé" in str(e.value)


def test_long_text_is_cut_with_warning(tmp_path: Path) -> None:
    r = load(write_csv(tmp_path, "Objet;Montant HT\n" + "x" * 40_000 + ";1\n"))
    assert len(r.portfolio.purchases[0].object) == MAX_CELL_CHARS
    assert r.report.counts["limit-string"] == 1


# -- properties ----------------------------------------------------------------
_GOOD = st.builds(lambda c, m: f"{c},{m:02d}", st.integers(0, 10**7), st.integers(0, 99))
_CELL = st.one_of(_GOOD, st.sampled_from(["NC", "-5", "", "1 000 € TTC", "abc", "0", "1e15"]))
_DATE = st.one_of(st.dates(date(2015, 1, 1), date(2025, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
                  st.sampled_from(["31/02/2024", "", "n.c."]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_CELL, _DATE, st.sampled_from(["", "A", "B", "A"])), min_size=1, max_size=25))
def test_every_row_counted_once(tmp_path: Path, rows: list[tuple[str, str, str]]) -> None:
    text = "Identifiant;Montant HT;Date de notification\n" + "".join(f'{i};"{a}";{d}\n' for a, d, i in rows)
    non_empty = sum(1 for a, d, i in rows if a or d or i)
    if not non_empty:  # only blank rows below the header: the file is refused as a whole
        with pytest.raises(InputError, match="Aucune ligne de données"):
            load(write_csv(tmp_path, text, name="prop.csv"), today=TODAY)
        return
    r = load(write_csv(tmp_path, text, name="prop.csv"), today=TODAY)
    rep = r.report
    assert rep.read == non_empty == rep.accepted + rep.rejected
    assert sum(len(p) for p in r.portfolios) == rep.accepted


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(_GOOD, min_size=1, max_size=30), seed=st.integers(0, 1000))
def test_row_order_does_not_change_totals(tmp_path: Path, amounts: list[str], seed: int) -> None:
    rows = [f"M{i};\"{a}\";{2020 + i % 5}-01-15\n" for i, a in enumerate(amounts)]
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    head = "Identifiant;Montant HT;Date de notification\n"
    a = load(write_csv(tmp_path, head + "".join(rows), name="a.csv")).portfolio
    b = load(write_csv(tmp_path, head + "".join(shuffled), name="b.csv")).portfolio
    assert a.total_ht == b.total_ht
    assert a.totals_by_year() == b.totals_by_year()
