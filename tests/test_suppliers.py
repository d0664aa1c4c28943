"""Suppliers and buyers known from official data (issue 15): loaders, classification, buyer kind, indicators, CLI.

Own fixtures (tests/fixtures/suppliers, made-up identifiers with valid keys) always run; the real
samples of ../shared/data/suppliers are read when present, else skipped with a French reason.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spaser._errors import InputError
from spaser.cli import main
from spaser.io import load
from spaser.model import Buyer, BuyerKind, Portfolio, Purchase, SocialConsideration, Supplier, SupplierKind
from spaser.suppliers import Dimension, Lists, buyer_kind_of, category, classify_portfolio, load_list, load_lists, supplier_indicators
from spaser.suppliers.legal import categories

HERE = Path(__file__).parent / "fixtures" / "suppliers"
IDS = json.loads((HERE / "ids.json").read_text())
SHARED = Path(__file__).parents[1] / ".." / "shared" / "data" / "suppliers"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="données partagées absentes (../shared/data/suppliers) : test sur les fichiers réels sauté")


def _esus_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Liste des entreprises agréées ESUS au 31/01/2024"])
    ws.append([])
    ws.append(["Raison sociale", "SIREN", "Date d'agrément", "Région"])
    ws.append(["ATELIER VERT", int(IDS["A"]), "2023-05-01", "Pays de la Loire"])
    ws.append(["CLE FAUSSE", "123456789", "2023-05-01", "Bretagne"])
    wb.save(path)
    return path


# -- loaders: every record accounted for ---------------------------------------------------


@pytest.mark.parametrize(("name", "read", "accepted", "rejected", "kept", "fmt"), [
    ("marche_inclusion.csv", 7, 5, 2, 5, "marche_inclusion"),
    ("annuaire.csv", 4, 4, 0, 4, "annuaire"),
    ("sirene_stock.csv", 4, 3, 1, 3, "sirene"),
    ("finess.csv", 3, 2, 1, 1, "finess"),
    ("ess_france.csv", 2, 2, 0, 2, "ess_france"),
])
def test_each_format_accounts_for_every_record(name: str, read: int, accepted: int, rejected: int, kept: int, fmt: str) -> None:
    lst = load_list(HERE / name)
    r = lst.report
    assert (r.read, r.accepted, r.rejected, len(lst.entries)) == (read, accepted, rejected, kept)
    assert r.read == r.accepted + r.rejected and fmt in r.formats
    for it in r.errors:
        assert it.row is not None and it.column and it.message  # located, in French


def test_rejections_say_where_and_why() -> None:
    report = load_list(HERE / "marche_inclusion.csv").report
    issues = {it.row: it for it in report.issues}
    # A SIRET whose key is wrong but whose SIREN is valid: kept for its legal unit, with a warning.
    assert "retenue pour son SIREN" in issues[7].message and issues[7].column == "siret" and issues[7].severity == "avertissement"
    assert report.warned == 1
    assert "Type de structure inconnu" in issues[8].message and issues[8].value == "XYZ"
    assert "14 chiffres" in issues[9].message


def test_a_problem_after_a_multi_line_quoted_cell_names_the_line_of_the_file(tmp_path: Path) -> None:
    """A quoted cell may span lines: each record (and its problem) is placed at the line where it starts, not counted."""
    f = tmp_path / "m.csv"
    f.write_text("siret,name,kind\n"
                 f'{IDS["sa"]},"ATELIER VERT\r\n2 rue des Lilas\r\nNantes",ACI\n'  # lines 2 to 4
                 f"{IDS['sb']},ADAPT SERVICES,EA\n"  # line 5
                 "\n"
                 "123,TROP COURT,EI\n"  # line 7 (the 4th record)
                 f'{IDS["sg"]},"GEIQ\nBTP",XYZ\n', encoding="utf-8")  # lines 8 and 9
    lst = load_list(f)
    assert [(e.row, e.name) for e in lst.entries] == [(2, "ATELIER VERT\r\n2 rue des Lilas\r\nNantes"), (5, "ADAPT SERVICES")]
    assert [(it.row, it.column) for it in lst.report.errors] == [(7, "siret"), (8, "kind")]
    assert lst.report.errors[0].location.endswith("ligne 7, colonne « siret »")


def test_a_quote_left_open_names_the_line_where_its_record_starts(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(f'siret,name,kind\n{IDS["sa"]},ATELIER,ACI\n{IDS["sb"]},"ADAPT\nSERVICES,EA\n{IDS["sg"]},GEIQ,GEIQ\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_list(f)
    assert e.value.code == "file-corrupt" and e.value.row == 3 and "Guillemet non fermé" in str(e.value) and "ligne 3" in str(e.value)


def test_a_line_without_end_is_refused_unread(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(f"siret,name,kind\n{IDS['sa']},{'x' * 2_000_000},ACI", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_list(f)
    assert e.value.code == "limit-string" and e.value.row == 2 and "1\u202f000\u202f000 caractères" in str(e.value)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["sa", "sb", "sg", "123"]),
                          st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
                          st.sampled_from(["ACI", "EA", "x"])), max_size=10),
       st.sampled_from([",", ";", "\t"]))
def test_text_lists_are_read_as_written_whatever_their_cells(tmp_path: Path, rows: list[tuple[str, str, str]], delim: str) -> None:
    """One CSV reader for the whole file: names with quotes, separators and line breaks come back as written,
    each record at the line of the file where it starts."""
    f = tmp_path / "m.csv"
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delim)  # lines end with \r\n: Python 3.11 quotes a lone \r only then
        w.writerow(["siret", "name", "kind"])
        w.writerows([(IDS.get(k, k), name, kind) for k, name, kind in rows])
    starts, line = [], 2
    for k, name, kind in rows:  # where each record starts, as a text editor counts lines
        starts.append(line)
        one = io.StringIO()
        csv.writer(one, delimiter=delim).writerow([IDS.get(k, k), name, kind])
        line += len(re.findall(r"\r\n|\r|\n", one.getvalue()))
    lst = load_list(f)
    r = lst.report
    expected = [(starts[i], name.strip()) for i, (k, name, kind) in enumerate(rows) if k != "123" and kind != "x"]
    assert [(e.row, e.name) for e in lst.entries] == expected
    assert [it.row for it in r.errors] == [starts[i] for i, (k, _, kind) in enumerate(rows) if k == "123" or kind == "x"]
    assert r.read == len(rows) == r.accepted + r.rejected


def test_esus_workbook_siren_in_column_b(tmp_path: Path) -> None:
    lst = load_list(_esus_xlsx(tmp_path / "esus.xlsx"))
    assert lst.source.key == "esus"
    assert [(e.siren, e.structures, e.row) for e in lst.entries] == [(IDS["A"], ("ESUS",), 4)]
    assert lst.report.rejected == 1 and lst.report.errors[0].row == 5


def test_a_list_workbook_spanning_the_whole_grid_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    """A lone cell at XFD1048576 made calamine allocate 549 GB and abort the process: the list reader
    goes through spaser.io.sheets, which refuses the sheet first. Run apart, with little memory."""
    import resource
    import subprocess
    import sys

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Raison sociale", "SIREN"])
    ws.append(["ATELIER VERT", int(IDS["A"])])
    ws["XFD1048576"] = "loin"
    wb.save(tmp_path / "esus.xlsx")
    code = ("import sys\nfrom spaser._errors import LimitExceeded\nfrom spaser.suppliers import load_list\n"
            "try:\n    load_list(sys.argv[1])\nexcept LimitExceeded as e:\n    print(e.code)\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "esus.xlsx")], capture_output=True, text=True, timeout=120,
                       preexec_fn=limit if sys.platform.startswith("linux") else None, cwd=Path(__file__).parents[1])
    assert r.returncode == 0 and r.stdout.strip() == "limit-cells", r.stderr[-2000:]


def test_sirene_stock_zipped_and_streamed_with_wanted(tmp_path: Path) -> None:
    z = tmp_path / "StockUniteLegale_utf8.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(HERE / "sirene_stock.csv", "StockUniteLegale_utf8.csv")
    lst = load_list(z, wanted={IDS["D"]})
    assert [e.siren for e in lst.entries] == [IDS["D"]] and lst.entries[0].legal_category == "5710"
    assert lst.report.read == 4 and lst.skipped == 3  # the others are counted, not kept
    assert lst.entries[0].says_no == {Dimension.ESUS}


def test_gzipped_annuaire_and_named_format(tmp_path: Path) -> None:
    g = tmp_path / "unites_legales.csv.gz"
    g.write_bytes(gzip.compress((HERE / "annuaire.csv").read_bytes()))
    assert load_list(g).report.accepted == 4
    assert load_list(f"annuaire={g}").source.key == "annuaire"


def test_windows_1252_list_is_read_and_said(tmp_path: Path) -> None:
    f = tmp_path / "ess.csv"
    f.write_bytes((HERE / "ess_france.csv").read_text(encoding="utf-8").encode("cp1252"))
    lst = load_list(f)
    assert lst.report.accepted == 2 and lst.report.counts["encoding"] == 1


def test_windows_1252_bytes_after_a_utf8_start_keep_their_accents(tmp_path: Path) -> None:
    """The encoding is not chosen once from the first 64 KiB: a later Windows-1252 byte is read as such, not « \ufffd »."""
    f = tmp_path / "ess.csv"
    head = "SIREN;Nom;Famille juridique\n" + "".join(f"{IDS['B']};Société {i};Association\n" for i in range(3000))
    f.write_bytes(head.encode("utf-8") + f"{IDS['A']};Clé verte;Association\n".encode("cp1252"))
    lst = load_list(f)
    assert lst.report.accepted == 3001 and lst.entries[0].name == "Société 0" and lst.entries[-1].name == "Clé verte"


@pytest.mark.parametrize(("content", "code"), [
    (b"", "file-empty"),
    (b"a,b,c\n1,2,3\n", "file-format"),
    (b"PK\x03\x04garbage", "file-corrupt"),
])
def test_unreadable_lists_raise_french_errors(tmp_path: Path, content: bytes, code: str) -> None:
    f = tmp_path / "liste.csv"
    f.write_bytes(content)
    with pytest.raises(InputError) as e:
        load_list(f)
    assert e.value.code == code and "liste.csv" in str(e.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(max_size=16), st.sampled_from(["ACI", "EI", "GEIQ", "EA", "x", ""])), max_size=12))
def test_any_marche_inclusion_rows_are_all_counted(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    f = tmp_path / "m.csv"
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["siret", "name", "kind"])
        w.writerows([(s, "n", k) for s, k in rows])
    lst = load_list(f)
    r = lst.report
    assert r.read == r.accepted + r.rejected == len([1 for s, k in rows if any(c.strip() for c in (s, "n", k))])
    assert len(lst.entries) == r.accepted


# -- buyer kind from the legal category --------------------------------------------------------


def test_buyer_kind_table() -> None:
    assert len(categories()) == 260
    expected = {"7210": "commune", "7220": "departement", "7230": "region", "7229": "collectivite_autre", "7348": "epci",
                "7353": "epci", "7345": "epci", "7354": "etablissement_public_local", "7364": "hopital", "7120": "etat",
                "7383": "etablissement_public_etat", "7372": "etablissement_public_local", "7312": "commune",
                "5710": "autre", "9220": "autre", "5546": "autre", "1000": "autre"}
    assert {c: buyer_kind_of(c).value for c in expected} == expected
    assert buyer_kind_of("abc") is BuyerKind.AUTRE and category("7210.0").code == "7210"


@needs_shared
def test_table_matches_the_insee_nomenclature_and_states_its_corrections() -> None:
    with (SHARED / "categories_juridiques_insee_2022-09-01.csv").open(encoding="utf-8") as fh:
        insee = {r["code"]: r["libelle"] for r in csv.DictReader(fh)}
    assert {c: k.label for c, k in categories().items()} == insee
    with (SHARED / "buyer_kind_from_categorie_juridique_PROPOSED.csv").open(encoding="utf-8") as fh:
        proposed = {r["code"]: r["spaser_buyer_kind_proposed"] for r in csv.DictReader(fh)}
    ours = {c: k.buyer_kind.value for c, k in categories().items() if c in proposed}
    changed = {c for c in proposed if ours[c] != proposed[c]}
    assert changed == {"7312", "7313", "7341", "7342", "7345", "7353"}
    assert all(categories()[c].note.startswith("correction") for c in changed)


@needs_shared
def test_the_31_annuaire_records_give_the_right_buyer_kind() -> None:
    lists = load_lists([str(SHARED / "annuaire_entreprises_snapshots_extract.csv")])
    with (SHARED / "annuaire_entreprises_snapshots_extract.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 31 and lists.lists[0].report.accepted == 31
    by_colter = {"epci": BuyerKind.EPCI, "departement": BuyerKind.DEPARTEMENT, "Ville de Paris": BuyerKind.COLLECTIVITE_AUTRE}
    kinds = Counter()
    for r in rows:
        pf = Portfolio(buyer=Buyer(name=r["nom_complet"], siret=r["siren"]))
        c = classify_portfolio(pf, lists)
        kinds[c.buyer_kind] += 1
        if r["colter_niveau"]:
            assert c.buyer_kind is by_colter[r["colter_niveau"]], r
        elif r["estAdministration"] == "True" and r["nature_juridique"].startswith("71"):
            assert c.buyer_kind is BuyerKind.ETAT
        assert c.portfolio.buyer.kind is c.buyer_kind
        assert (c.buyer_kind_source == "inconnu") == (c.buyer_kind is BuyerKind.AUTRE)
    assert kinds == {BuyerKind.AUTRE: 18, BuyerKind.EPCI: 8, BuyerKind.DEPARTEMENT: 2, BuyerKind.COLLECTIVITE_AUTRE: 1,
                     BuyerKind.ETAT: 1, BuyerKind.ETABLISSEMENT_PUBLIC_LOCAL: 1}
    # The DINUM (7120) and the lycée (7331), by name.
    lycee = classify_portfolio(Portfolio(buyer=Buyer(name="L", siret="198100125")), lists)
    assert lycee.buyer_kind is BuyerKind.ETABLISSEMENT_PUBLIC_LOCAL and "7331" in lycee.buyer_kind_source


def test_user_buyer_kind_wins_and_unknown_stays_generic() -> None:
    lists = load_lists([str(HERE / "annuaire.csv")])
    given_kind = classify_portfolio(Portfolio(buyer=Buyer(name="X", siret=IDS["sh"], kind=BuyerKind.REGION)), lists)
    assert given_kind.buyer_kind is BuyerKind.REGION
    unknown = classify_portfolio(Portfolio(buyer=Buyer(name="X", siret=IDS["sf"])), lists)
    assert unknown.generic_buyer and unknown.to_dict()["buyer"]["note"].startswith("Type d'acheteur inconnu")


# -- supplier classification ------------------------------------------------------------------


@needs_shared
def test_the_3853_real_structures_are_classified_with_their_kind() -> None:
    path = SHARED / "lemarche_siae_fixture_3853.csv"
    lst = load_list(path)
    r = lst.report
    # 13 SIRETs have a wrong key: 11 are kept for their (valid) SIREN with a warning, 2 rejected.
    assert (r.read, r.accepted, r.warned, r.rejected) == (3853, 3851, 11, 2)
    assert r.counts == {"siret-invalid": 13}
    lists = Lists([lst])
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rejected_rows = {it.row for it in r.errors}
    by_siren_rows = {it.row for it in r.warnings}
    per_kind: Counter[str] = Counter()
    for n, row in enumerate(rows, start=2):
        if n in rejected_rows:
            continue
        c = lists.classify(Supplier(name=row["name"], siret=row["siret"][:9] if n in by_siren_rows else row["siret"]))
        assert row["kind"] in c.structures, row
        assert c.inclusive == "oui" and c.esus == "inconnu"  # an SIAE list says nothing of ESUS
        per_kind[row["kind"]] += 1
        expected = {"EA": SupplierKind.EA}.get(row["kind"], SupplierKind.SIAE)
        assert expected in c.kinds
    assert sum(per_kind.values()) == 3851
    # The file's kinds less its 2 identifiers that are not even a valid SIREN (1 GEIQ, 1 EA).
    assert per_kind == {"ACI": 1815, "EI": 944, "AI": 620, "ETTI": 299, "GEIQ": 171, "EA": 2}


def _mixed() -> tuple[Portfolio, Lists]:
    result = load(HERE / "achats.csv")
    lists = load_lists([str(HERE / "marche_inclusion.csv"), str(HERE / "annuaire.csv")])
    return result.portfolio, lists


def test_mixed_portfolio_exact_counts_and_shares() -> None:
    pf, lists = _mixed()
    c = classify_portfolio(pf, lists)
    assert c.counts() == {"suppliers": 7, "without_siret": 1, "classified": 5, "unknown": 1, "esus": 0, "inclusive": 4}
    assert c.buyer_kind is BuyerKind.EPCI and "7353" in c.buyer_kind_source
    ind = supplier_indicators(c)
    y24, y25 = ind.years[2024], ind.years[2025]
    inc = y24.families[Dimension.INCLUSIVE]
    assert (y24.total.count, y24.total.value) == (5, Decimal("1250"))
    assert (inc.yes.count, inc.yes.value, inc.no.count, inc.unknown.count, inc.unknown.value) == (2, Decimal("350"), 1, 2, Decimal("700"))
    assert (inc.share_count, inc.share_value) == (Decimal("0.4"), Decimal("0.28"))
    assert inc.share_count_among_classified == Decimal(2) / Decimal(3)
    esus = y24.families[Dimension.ESUS]
    assert (esus.yes.count, esus.no.count, esus.unknown.count) == (0, 1, 4)  # unknown is not « no »
    inc25 = y25.families[Dimension.INCLUSIVE]
    assert (inc25.yes.count, inc25.yes.value, inc25.unknown.count) == (2, Decimal("1050"), 1)
    assert [f.purchase_id for f in ind.reserved_flags] == ["P6", "P7"]
    assert "GEIQ" in ind.reserved_flags[0].reason
    # The portfolio's supplier kinds are completed, so the law's indicators see them too.
    kinds = {p.id: p.supplier_kinds for p in c.portfolio.purchases}
    assert kinds["P1"] == {SupplierKind.SIAE} and kinds["P5"] == {SupplierKind.EA} and kinds["P8"] >= {SupplierKind.SIAE, SupplierKind.ESS}
    assert kinds["P3"] == frozenset() and kinds["P4"] == frozenset()


def test_esus_register_is_complete_so_absence_is_no(tmp_path: Path) -> None:
    pf, lists = _mixed()
    esus = load_list(_esus_xlsx(tmp_path / "esus.xlsx"))
    lists = Lists([*lists.lists, esus])
    ind = supplier_indicators(classify_portfolio(pf, lists))
    e24 = ind.years[2024].families[Dimension.ESUS]
    assert (e24.yes.count, e24.yes.value, e24.no.count, e24.unknown.count) == (1, Decimal("100"), 3, 1)  # P4: no valid SIRET


def test_finess_esat_by_siret_and_siren() -> None:
    lists = load_lists([str(HERE / "finess.csv")])
    own = lists.classify(Supplier(name="ESAT", siret=IDS["se"]))
    assert own.structures == ("ESAT",) and own.findings[0].by == "siret"
    other = lists.classify(Supplier(name="Gestionnaire", siret=IDS["E"]))  # its managing body, by SIREN
    assert other.structures == ("ESAT",) and other.findings[0].by == "siren" and "même SIREN" in other.findings[0].source_label


def test_declared_kinds_are_kept_with_their_source() -> None:
    c = Lists().classify(Supplier(name="X", kinds=frozenset({SupplierKind.ESUS})))
    assert c.esus == "oui" and c.findings[0].source_label == "déclaré dans le fichier d'achats"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["sa", "sb", "sd", "sf", "sg", None]), st.integers(0, 10**6), st.sampled_from([2024, 2025])), max_size=15))
def test_shares_add_up(specs: list[tuple[str | None, int, int]]) -> None:
    from datetime import date

    _, lists = _mixed()
    ps = tuple(Purchase(id=str(i), amount_ht=Decimal(a), notification_date=date(y, 1, 1),
                        suppliers=(Supplier(name=k or "?", siret=IDS[k] if k else None),))
               for i, (k, a, y) in enumerate(specs))
    ind = supplier_indicators(classify_portfolio(Portfolio(buyer=Buyer(name="B"), purchases=ps), lists))
    for yi in ind.years.values():
        for m in yi.families.values():
            assert m.yes.count + m.no.count + m.unknown.count == yi.total.count
            assert m.yes.value + m.no.value + m.unknown.value == yi.total.value


# -- the command line -------------------------------------------------------------------------


def test_cli_suppliers_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["suppliers", str(HERE / "achats.csv"), "--liste", str(HERE / "marche_inclusion.csv"), "--liste", str(HERE / "annuaire.csv")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "ADAPT SERVICES" in out and "Entreprise adaptée (EA)" in out and "inconnu des listes" in out
    assert "Marchés réservés à vérifier (2)" in out and "EPCI" in out
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["suppliers"]["counts"]["unknown"] == 1 and data["suppliers"]["buyer"]["kind"] == "epci"
    assert data["indicators"]["years"]["2024"]["inclusive"]["share_count"] == "0.4"
    assert data["suppliers"]["lists"][0]["report"]["rejected"] == 2


def test_list_summaries_write_counts_in_french(tmp_path: Path) -> None:
    """« 1 002 enregistrements lus », « 1 rejeté »: thousands apart, singular below 2, no « (s) »."""
    big = tmp_path / "grande.csv"
    big.write_text("siret,name,kind\n" + f"{IDS['sa']},ATELIER VERT,ACI\n" * 1001 + "123,TROP COURT,EI\n", encoding="utf-8")
    assert load_list(big).summary_fr().endswith(
        "(« " + str(big) + " ») : 1\u202f002 enregistrements lus : 1\u202f001 acceptés, 1 rejeté ; 1\u202f001 retenus.")
    assert load_list(big, wanted={IDS["B"]}).summary_fr().endswith(
        ": 1\u202f002 enregistrements lus : 1\u202f001 acceptés, 1 rejeté ; 0 retenu, 1\u202f001 non retenus (sans lien avec le portefeuille).")
    one = tmp_path / "une.csv"
    one.write_text("siret,name,kind\n40000003000018,CLE FAUSSE,EI\n", encoding="utf-8")  # wrong SIRET key, valid SIREN
    assert load_list(one).summary_fr().endswith(": 1 enregistrement lu : 1 accepté (dont 1 avec avertissement), 0 rejeté ; 1 retenu.")


def test_cli_suppliers_writes_counts_and_amounts_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["Identifiant;Objet;Montant HT;Date de notification;Titulaire;SIRET titulaire"]
    rows += [f"V{i};Espaces verts;1000;15/03/2024;ATELIER VERT;{IDS['sa']}" for i in range(1200)]
    rows += [f"A1;Blanchisserie;;15/03/2024;ADAPT SERVICES;{IDS['sb']}"]
    rows += [f"T{i};Fournitures;10;15/03/2024;TITULAIRE {i};" for i in range(1100)]
    achats = tmp_path / "achats.csv"
    achats.write_text("\n".join(rows) + "\n", encoding="utf-8")
    big = tmp_path / "grande.csv"
    big.write_text("siret,name,kind\n" + f"{IDS['sa']},ATELIER VERT,ACI\n" * 1001 + "123,TROP COURT,EI\n", encoding="utf-8")
    assert main(["suppliers", str(achats), "--liste", str(big), "--liste", str(HERE / "marche_inclusion.csv")]) == 0
    out = capsys.readouterr().out
    assert "1\u202f002 enregistrements lus : 1\u202f001 acceptés, 1 rejeté ; 1\u202f001 retenus." in out
    assert "… et 1 autre problème (voir --json)" not in out  # the one rejection is shown, not announced
    assert f"- ATELIER VERT — {IDS['sa']} — 1\u202f200 achats, 1\u202f200\u202f000,00\xa0€ HT" in out
    assert "- TITULAIRE 0 — sans SIRET valide — 1 achat, 10,00\xa0€ HT" in out
    assert "… et 1\u202f052 autres titulaires (voir --json ou --tous)" in out and "ADAPT SERVICES" not in out
    assert "Titulaires : 1\u202f102 ; classés par au moins une source : 2 ; inconnus des listes : 0 ; sans SIRET valide : 1\u202f100." in out
    assert "  2024 — 2\u202f301 achats (dont 1 sans montant), 1\u202f211\u202f000,00\xa0€ HT" in out
    assert "Entreprises inclusives (SIAE, EA, ESAT, GEIQ) : 1\u202f201 achats, 1\u202f200\u202f000,00\xa0€" in out
    assert "non : 0 achat (0,00\xa0€) ; inconnu : 1\u202f100 achats (11\u202f000,00\xa0€)" in out
    # No list says « oui » or « non » for ESUS: the share is unknown, not 0 %.
    assert ("Entreprises solidaires d'utilité sociale (ESUS) : part inconnue (aucun des titulaires des 2\u202f301 achats "
            "n'est classé « oui » ou « non » par les listes)") in out
    assert "(s)" not in out
    assert main(["suppliers", str(achats), "--liste", str(big), "--tous"]) == 0
    out = capsys.readouterr().out
    assert f"- ADAPT SERVICES — {IDS['sb']} — 1 achat, montant inconnu\n" in out  # not « 0,00 € »
    assert "autres titulaires" not in out


def test_cli_check_with_lists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(HERE / "achats.csv"), "--liste", str(HERE / "marche_inclusion.csv"), "--date", "2026-01-15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["suppliers"]["indicators"]["years"]["2025"]["inclusive"]["yes"]["count"] == 2
    # The law's own supplier indicators see the completed kinds.
    assert data["diagnosis"]["indicators"]["2025"]["suppliers"]["EA"]["count"] == 1
    assert main(["check", str(HERE / "achats.csv"), "--liste", str(HERE / "marche_inclusion.csv"), "--date", "2026-01-15"]) == 0
    out = capsys.readouterr().out
    assert "FOURNISSEURS : ESUS ET ENTREPRISES INCLUSIVES" in out and "Type d'acheteur inconnu" in out


def test_cli_bad_list_exit_code(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["suppliers", str(HERE / "achats.csv"), "--liste", str(tmp_path / "absente.csv")]) == 3
    assert "absente.csv" in capsys.readouterr().err


def test_config_names_the_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "spaser.toml"
    cfg.write_text(f'[fournisseurs]\nlistes = ["{HERE / "marche_inclusion.csv"}", "annuaire={HERE / "annuaire.csv"}"]\n', encoding="utf-8")
    assert main(["suppliers", str(HERE / "achats.csv"), "--config", str(cfg), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [x["source"] for x in data["suppliers"]["lists"]] == ["marche_inclusion", "annuaire"]


# -- the Marché de l'inclusion purchase-import format -------------------------------------------


def test_marche_inclusion_purchase_headers() -> None:
    from spaser.io.columns import match_header

    assert match_header("Raison sociale du Fournisseur") == "supplier_name"
    assert match_header("SIRET") == "supplier_siret"
    assert match_header("Dépense achat (€)") == "amount_spent"


def _purchases_csv(tmp_path: Path) -> Path:
    f = tmp_path / "achats_inclusion.csv"
    f.write_text("Raison sociale du Fournisseur,SIRET,Dépense achat (€),Catégorie d'achat (optionnelle),Entité acheteuse (optionnelle)\n"
                 f"ATELIER VERT,{IDS['sa']},15000.50,Espaces verts,Service technique\n"
                 f"INCONNUE SA,{IDS['sf']},2500.00,Fournitures,Service RH\n", encoding="utf-8")
    return f


def test_marche_inclusion_purchases_give_the_inclusive_share(tmp_path: Path) -> None:
    r = load(_purchases_csv(tmp_path))
    assert (r.report.read, r.report.accepted) == (2, 2)
    c = classify_portfolio(r.portfolio, load_lists([str(HERE / "marche_inclusion.csv")]))
    m = supplier_indicators(c).years[None].families[Dimension.INCLUSIVE]
    assert (m.yes.count, m.yes.value, m.total.value) == (1, Decimal("15000.50"), Decimal("17500.50"))


def test_marche_inclusion_purchases_are_spending_lines(tmp_path: Path) -> None:
    from spaser.model import ContractKind

    r = load(_purchases_csv(tmp_path))
    assert all(p.kind is ContractKind.DEPENSE for p in r.portfolio.purchases)


@needs_shared
def test_real_marche_inclusion_purchase_sample() -> None:
    r = load(SHARED / "lemarche_sample_purchases.csv")
    assert (r.report.read, r.report.accepted) == (5, 5)
    assert r.portfolio.total_ht == Decimal("143701.25")
    assert r.report.counts["siret-invalid"] == 5  # the sample's SIRETs are fake: kept without SIRET, « inconnu »


# -- the web page ------------------------------------------------------------------------------


def test_web_page_classifies_with_the_served_lists() -> None:
    import io
    import re as _re
    import sys

    from docx import Document

    sys.path.insert(0, str(Path(__file__).parent))
    from web_client import Client

    from spaser.web import make_server, serve_in_thread

    srv = make_server(port=0, lists=(str(HERE / "marche_inclusion.csv"), str(HERE / "annuaire.csv")))
    serve_in_thread(srv)
    try:
        client = Client(*srv.server_address[:2])
        reply = client.upload("achats.csv", (HERE / "achats.csv").read_bytes())
        base = reply.header("location").replace("/rapport", "/0")
        assert _re.fullmatch(r"/a/[A-Za-z0-9_-]{16}/0", base)
        doc = client.get(f"{base}/telecharger/projet-spaser.docx")
        assert doc.status == 200
        text = "\n".join(c.text for t in Document(io.BytesIO(doc.body)).tables for r in t.rows for c in r.cells)
        assert "d'après les listes" in text and "inconnu des listes" in text
    finally:
        srv.shutdown()
        srv.server_close()


def test_serve_refuses_a_bad_list_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["serve", "--no-browser", "--port", "0", "--liste", str(tmp_path / "absente.csv")]) == 3
    assert "absente.csv" in capsys.readouterr().err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=400),
    st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=8).map(
        lambda rows: "\n".join(";".join(r) for r in ([["siren", "nature_juridique", "est_ess"]] + rows)).encode()),
    st.binary(max_size=300).map(lambda b: b"finess;etalab;95;2024\n" + b),
    st.binary(max_size=300).map(lambda b: b"siren,categorieJuridiqueUniteLegale\n" + b),
))
def test_no_list_file_can_crash(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "liste.csv"
    f.write_bytes(content)
    try:
        lst = load_list(f)
    except InputError as e:
        assert str(e) and e.exit_code == 3
        return
    lst.report.check()
    assert len(lst.entries) <= lst.report.accepted


def test_leading_zero_dropped_by_a_spreadsheet_is_restored(tmp_path: Path) -> None:
    from stdnum import luhn

    siren = "01234567" + luhn.calc_check_digit("01234567")
    siret = siren + "0001" + luhn.calc_check_digit(siren + "0001")
    f = tmp_path / "m.csv"
    f.write_text(f"siret,name,kind\n{siret[1:]},X,Entreprise d'insertion (EI)\n", encoding="utf-8")
    lst = load_list(f)
    assert [(e.siret, e.structures) for e in lst.entries] == [(siret, ("EI",))]


def test_report_and_publication_show_the_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, csv_out = tmp_path / "bilan.docx", tmp_path / "indicateurs.csv"
    args = ["report", str(HERE / "achats.csv"), "--year", "2025", "--date", "2026-01-15", "-o", str(out), "--csv", str(csv_out)]
    assert main([*args, "--liste", str(HERE / "marche_inclusion.csv")]) == 0
    rows = {(r[2], r[3]): r for r in csv.reader(csv_out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")}
    assert rows[("2025", "inclusion_inconnu_valeur")][6:9] == ["500", "1550", "0.3226"]
    assert rows[("2025", "inclusion_valeur")][6] == "1050"  # the listed EA and GEIQ counted (GEIQ carried as SIAE)
    from docx import Document

    text = "\n".join(c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells)
    assert "Entreprises inclusives (SIAE, EA, ESAT, GEIQ), d'après les listes" in text
    assert main([*args, "--force"]) == 0  # without lists: the unknown share is « n.d. », never 0
    rows = {(r[2], r[3]): r for r in csv.reader(csv_out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")}
    assert rows[("2025", "inclusion_inconnu_valeur")][6:9] == ["", "", ""]


@pytest.mark.parametrize("fmt", ["marche_inclusion", "annuaire", "sirene", "ess_france"])
def test_a_named_format_needs_its_columns(tmp_path: Path, fmt: str) -> None:
    f = tmp_path / "l.csv"
    f.write_text("nom,ville\nX,Nantes\n", encoding="utf-8")
    with pytest.raises(InputError, match="colonne"):
        load_list(f"{fmt}={f}")


def test_joint_check_classifies_each_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (HERE / "achats.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    other = [ln.replace("SYNDICAT DES EAUX", "COMMUNE DE TESTVILLE").replace(IDS["sh"], IDS["se"]).replace(";P", ";Q") for ln in lines[1:]]
    f = tmp_path / "joint.csv"
    f.write_text("\n".join([*lines, *other]) + "\n", encoding="utf-8")
    assert main(["check", str(f), "--joint", "--liste", str(HERE / "annuaire.csv"), "--date", "2026-01-15", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kinds = sorted(m["buyer"]["kind"] for m in data["joint"]["members"])
    assert kinds == ["commune", "epci"]


def test_check_without_lists_says_the_law_was_read_for_a_generic_buyer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(HERE / "achats.csv"), "--date", "2026-01-15"]) == 0
    assert "le droit a été lu pour un acheteur générique" in capsys.readouterr().out
    assert main(["check", str(HERE / "achats.csv"), "--date", "2026-01-15", "--buyer-kind", "epci"]) == 0
    assert "acheteur générique" not in capsys.readouterr().out
    assert main(["check", str(HERE / "achats.csv"), "--date", "2026-01-15", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["suppliers"]["buyer"]["generic"] is True


def test_finess_without_banner(tmp_path: Path) -> None:
    lines = (HERE / "finess.csv").read_text(encoding="utf-8").splitlines()[1:]
    f = tmp_path / "finess.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lst = load_list(f)
    assert lst.source.key == "finess" and [e.row for e in lst.entries] == [1]


def test_draft_objective_is_unknown_when_no_list_classifies_the_family(tmp_path: Path) -> None:
    from spaser.documents.builders import _current
    from spaser.law import check

    pf, lists = _mixed()
    c = classify_portfolio(pf, lists)
    d = check(c.portfolio, year=2025)
    assert _current("esus_valeur", d, 2025, c.portfolio) is None  # no supplier known « oui » or « non » for ESUS in 2025
    assert _current("inclusion_valeur", d, 2025, c.portfolio) == Decimal(1050) / Decimal(1550)
    assert _current("esus_valeur", check(pf, year=2025), 2025, pf) == 0  # not classified: the documents' own reading
