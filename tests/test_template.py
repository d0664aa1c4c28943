"""The import template and write_portfolio: the reader understands what the writer writes."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from spaser import cpv as _cpv
from spaser._errors import InputError, OutputError
from spaser.io import load
from spaser.io.columns import COLUMNS, match_header
from spaser.io.template import LISTS, write_portfolio, write_template
from spaser.model import (
    AgecKind,
    Buyer,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration,
    SocialExemption,
    Supplier,
    SupplierKind,
)


def test_template_layout(tmp_path: Path) -> None:
    path = write_template(tmp_path / "modele.xlsx", spend_years=[2024, 2025])
    wb = load_workbook(path)
    assert wb.sheetnames == ["Achats", "Aide"]
    ws = wb["Achats"]
    headers = [c.value for c in ws[1]]
    assert headers[0] == COLUMNS[0].header
    # Every header is recognised by the reader, as the field it stands for.
    fields = [match_header(h) for h in headers]
    assert None not in fields and len(set(fields)) == len(fields)
    assert "spend_2024" in fields and "amount_ht" in fields
    assert ws.freeze_panes == "B2"
    validations = ws.data_validations.dataValidation
    assert len(validations) == len(LISTS)
    assert all(dv.type == "list" and dv.formula1.startswith("='Aide'!") for dv in validations)
    aide = wb["Aide"]
    assert any("Montant HT" == row[0].value and row[1].value == "oui" for row in aide.iter_rows(min_row=5))
    with pytest.raises(InputError) as e:  # an empty template has no data
        load(path)
    assert e.value.code == "no-data"


def test_template_refuses_overwrite(tmp_path: Path) -> None:
    path = write_template(tmp_path / "m.xlsx")
    with pytest.raises(OutputError):
        write_template(path)
    write_template(path, force=True)


def test_template_filled_in_is_read(tmp_path: Path) -> None:
    path = write_template(tmp_path / "m.xlsx", spend_years=[2025])
    wb = load_workbook(path)
    ws = wb["Achats"]
    headers = [c.value for c in ws[1]]
    row = {h: None for h in headers}
    row.update({"Identifiant": "2025-01", "Objet": "Nettoyage", "Code CPV": "90910000-9", "Montant HT": 1000,
                "Considérations sociales": LISTS["social"][0], "Catégorie AGEC": LISTS["agec_category"][8],
                "Réemploi / recyclé": LISTS["agec_kind"][0], "Catégorie EGalim": LISTS["egalim"][2]})
    for j, h in enumerate(headers, start=1):
        ws.cell(row=2, column=j, value=row[h])
    wb.save(path)
    r = load(path)
    p = r.portfolio.purchases[0]
    assert p.social == {SocialConsideration.CLAUSE} and p.agec_category == 9 and p.agec_kind is AgecKind.REEMPLOI
    assert p.egalim is EgalimCategory.AUTRE
    assert r.report.counts.get("sheet-skipped") == 1 and r.report.rejected == 0


# -- round trip -------------------------------------------------------------------
_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " éèàçôÉ'-=+@()/", min_size=1, max_size=20).map(str.strip).filter(
    lambda s: s and s.lower() not in {"total", "totaux"})
_CPVS = ["90910000", "45233140", "30213000", "77310000", "55523100", "03000000", "15100000"]
_SIRETS = ["13001898900017", "21350238800019", "130018989", None]
_MONEY = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False)
_SUPPLIER = st.builds(Supplier, name=_TEXT, siret=st.sampled_from(_SIRETS),
                      kinds=st.frozensets(st.sampled_from(list(SupplierKind)), max_size=2))
_SOCIAL = st.one_of(
    st.none(), st.just(frozenset({SocialConsideration.AUCUNE})),
    st.frozensets(st.sampled_from([SocialConsideration.CLAUSE, SocialConsideration.CRITERE, SocialConsideration.RESERVE]), min_size=1))
_ENV = st.one_of(
    st.none(), st.just(frozenset({EnvironmentalConsideration.AUCUNE})),
    st.frozensets(st.sampled_from([EnvironmentalConsideration.CLAUSE, EnvironmentalConsideration.CRITERE]), min_size=1))
_DATES = st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2025, 12, 31)))


@st.composite
def purchases(draw) -> Purchase:  # type: ignore[no-untyped-def]
    return Purchase(
        id=draw(_TEXT),
        object=draw(st.one_of(st.just(""), _TEXT)),
        cpv=draw(st.one_of(st.none(), st.sampled_from(_CPVS))),
        nature=draw(st.one_of(st.none(), st.sampled_from(list(Nature)))),
        kind=draw(st.sampled_from(list(ContractKind))),
        amount_ht=draw(st.one_of(st.none(), _MONEY)),
        notification_date=draw(_DATES),
        consultation_date=draw(_DATES),
        duration_months=draw(st.one_of(st.none(), st.integers(0, 240))),
        procedure=draw(st.one_of(st.none(), _TEXT)),
        techniques=tuple(sorted(draw(st.frozensets(st.sampled_from(["Accord-cadre", "Catalogue électronique", "SAD"]), max_size=2)))),
        lot=draw(st.one_of(st.none(), st.sampled_from(["1", "2", "A"]))),
        suppliers=tuple(draw(st.lists(_SUPPLIER, max_size=2))),
        social=draw(_SOCIAL),
        environmental=draw(_ENV),
        social_exemption=draw(st.one_of(st.none(), st.sampled_from(list(SocialExemption)))),
        insertion_hours_planned=draw(st.one_of(st.none(), st.decimals(0, 100000, places=1, allow_nan=False))),
        insertion_hours_achieved=draw(st.one_of(st.none(), st.integers(0, 10000).map(Decimal))),
        spend_by_year=draw(st.dictionaries(st.integers(2022, 2026), _MONEY, max_size=3)),
        livre_v=draw(st.one_of(st.none(), st.sampled_from(["L2512-5", "L2511-1"]))),
        egalim=draw(st.one_of(st.none(), st.sampled_from(list(EgalimCategory)))),
        egalim_meat_fish=draw(st.booleans()),
        agec_category=draw(st.one_of(st.none(), st.integers(1, 17))),
        agec_kind=draw(st.one_of(st.none(), st.sampled_from(list(AgecKind)))),
        location=draw(st.one_of(st.none(), _TEXT)),
    )


def _unique(ps: list[Purchase]) -> list[Purchase]:
    seen, out = set(), []
    for p in ps:
        if (p.id, p.lot or "") not in seen:
            seen.add((p.id, p.lot or ""))
            out.append(p)
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ps=st.lists(purchases(), min_size=1, max_size=8).map(_unique), kind=st.sampled_from(list(BuyerKind)),
       siret=st.sampled_from(["21350238800019", None]))
def test_round_trip(tmp_path: Path, ps: list[Purchase], kind: BuyerKind, siret: str | None) -> None:
    portfolio = Portfolio(buyer=Buyer(name="Ville de Test", siret=siret, kind=kind), purchases=tuple(ps))
    path = write_portfolio(portfolio, tmp_path / "rt.xlsx", force=True)
    r = load(path, today=date(2026, 1, 1))
    assert r.report.rejected == 0, r.report.errors
    back = r.portfolio
    assert back.buyer.name == "Ville de Test" and back.buyer.kind is kind and back.buyer.siret == siret
    assert len(back) == len(ps)
    for a, b in zip(ps, back.purchases, strict=True):
        expected = a.model_copy(update={
            "social": frozenset({SocialConsideration.AUCUNE}) if a.social == frozenset() else a.social,
        })
        got = b.model_copy(update={"source": None})
        assert got == expected, (a, b)
    assert back.total_ht == portfolio.total_ht


def test_written_cells_are_inert(tmp_path: Path) -> None:
    p = Purchase(id="=cmd|' /C calc'!A0", object="+SOMME(A1)", amount_ht=Decimal(1))
    path = write_portfolio(Portfolio(buyer=Buyer(name="X"), purchases=(p,)), tmp_path / "x.xlsx")
    ws = load_workbook(path)["Achats"]
    assert ws["A2"].value.startswith("'") and ws["A2"].data_type == "s"
    back = load(path).portfolio.purchases[0]
    assert back.id == p.id and back.object == p.object


def test_cpv_written_with_check_digit(tmp_path: Path) -> None:
    p = Purchase(id="1", cpv="03000000", amount_ht=Decimal(1))
    path = write_portfolio(Portfolio(buyer=Buyer(name="X"), purchases=(p,)), tmp_path / "x.xlsx")
    ws = load_workbook(path)["Achats"]
    assert ws["C2"].value == _cpv.format("03000000")


@pytest.mark.parametrize("text", ["'=", "'abc", "=1+1", "@x", "-5 lots", "''="])
def test_quoted_texts_survive_a_round_trip(tmp_path: Path, text: str) -> None:
    # safe_cell quotes formula starts and quotes; the reader drops exactly one quote.
    p = Purchase(id="A1", object=text, location=text, amount_ht=Decimal("10"))
    out = tmp_path / "rt.xlsx"
    write_portfolio(Portfolio(buyer=Buyer(name="Ville"), purchases=(p,)), out)
    back = load(out).portfolio.purchases[0]
    assert (back.object, back.location) == (text, text)


def test_the_analysis_workbook_reads_back_as_a_portfolio(tmp_path: Path) -> None:
    """The « Portefeuille » sheet of `spaser export` uses the template's columns: re-imported, the same purchases."""
    from spaser.documents import write_workbook

    original = load(Path(__file__).resolve().parents[1] / "examples" / "petite_commune.csv").portfolio
    out = write_workbook(original, tmp_path / "analyse.xlsx", at=date(2026, 11, 22))
    again = load(out, sheet="Portefeuille").portfolio
    strip = lambda p: p.model_copy(update={"source": None})  # noqa: E731
    assert [strip(p) for p in again.purchases] == [strip(p) for p in original.purchases]


@pytest.mark.parametrize("text", ["a" * 40_000, "=" + "a" * 32_766, "'" + "b" * 32_767])
def test_a_cell_never_holds_more_than_a_spreadsheet_cell(text: str) -> None:
    # Excel holds 32 767 characters a cell (it « repairs » a longer one); the anti-formula quote counts.
    from spaser.io.safe import CELL_CHARS, safe_cell

    v = safe_cell(text)
    assert isinstance(v, str) and len(v) == CELL_CHARS and v.endswith("…")
    assert v.startswith("'") == text.startswith(("=", "'"))
