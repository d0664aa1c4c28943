"""Nothing a model-valid value can do crashes spaser: any purchase the model accepts, at the extremes of
every field, is checked, advised and written; a wrong argument gets spaser's own error in French.

(The money bound itself is in tests/test_money_range.py; files, pages and the command line are in
tests/test_robust_outputs.py.)
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import ValidationError

from spaser import (
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
    SpaserError,
    Supplier,
    SupplierKind,
    UsageError,
    allotment_advice,
    can_reserve,
    check,
    check_joint,
    estimate_yearly_spend,
    insertion_hours,
    opportunities,
    suggest,
)
from spaser._french import plural_forms
from spaser._json import to_jsonable
from spaser.model import DURATION_MAX_MONTHS, SPEND_YEARS
from spaser.money import MONEY_OUT_OF_RANGE

LIMIT = MONEY_OUT_OF_RANGE - Decimal("0.01")
AMOUNTS = st.one_of(
    st.decimals(min_value=-LIMIT, max_value=LIMIT, allow_nan=False, allow_infinity=False),
    st.sampled_from([LIMIT, -LIMIT, Decimal(0), Decimal("1E-40"), Decimal("-1E-40"), Decimal("0.5")]),
)
# Texts a person or a file may give: empty, spaces, RTL, emoji, combining marks, controls, template and
# formula syntax, HTML, the longest cell a spreadsheet holds.
HOSTILE = [
    "", "   ", "مناقصة تنظيف 👩‍👩‍👧 e\u0301\u0302\u0303", "\u202eabc\u202c", "a\x00b\x01\x0b\x1f\x7fc", "{{ 7*7 }} {% if x %}{# c #}",
    "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "1 contrat(s)", "é" * 32767, "1" * 32767,
]
TEXTS = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=200))
CPVS = st.sampled_from([None, "03000000", "98900000", "90910000", "45000000", "15000000", "85311000", "79710000", "30192000"])
DATES = st.one_of(st.none(), st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29)]))


def _set(enum):  # type: ignore[no-untyped-def]
    """A consistent set of considerations (« none » alone), or unknown."""
    none = next(e for e in enum if e.name == "AUCUNE")
    return st.one_of(st.none(), st.just(frozenset({none})), st.frozensets(st.sampled_from([e for e in enum if e is not none])))


SUPPLIERS = st.lists(st.builds(Supplier, name=TEXTS, kinds=st.frozensets(st.sampled_from(list(SupplierKind)))), max_size=3)
PURCHASES = st.builds(
    Purchase,
    id=st.one_of(st.sampled_from([h for h in HOSTILE if h] + ["X"]), st.text(min_size=1, max_size=20)),
    object=TEXTS,
    cpv=CPVS,
    nature=st.one_of(st.none(), st.sampled_from(list(Nature))),
    kind=st.sampled_from(list(ContractKind)),
    amount_ht=st.one_of(st.none(), AMOUNTS),
    notification_date=DATES,
    consultation_date=DATES,
    duration_months=st.one_of(st.none(), st.integers(0, DURATION_MAX_MONTHS), st.sampled_from([0, 1, 12, 48, DURATION_MAX_MONTHS])),
    procedure=st.one_of(st.none(), TEXTS),
    techniques=st.lists(TEXTS, max_size=2).map(tuple),
    lot=st.one_of(st.none(), TEXTS),
    suppliers=SUPPLIERS.map(tuple),
    social=_set(SocialConsideration),
    environmental=_set(EnvironmentalConsideration),
    social_exemption=st.one_of(st.none(), st.sampled_from(list(SocialExemption))),
    insertion_hours_planned=st.one_of(st.none(), AMOUNTS),
    insertion_hours_achieved=st.one_of(st.none(), AMOUNTS),
    spend_by_year=st.dictionaries(st.sampled_from([SPEND_YEARS[0], 2024, 2025, SPEND_YEARS[-1]]), AMOUNTS, max_size=2),
    livre_v=st.one_of(st.none(), st.just("L2512-5")),
    egalim=st.one_of(st.none(), st.sampled_from(list(EgalimCategory))),
    egalim_meat_fish=st.booleans(),
    agec_category=st.one_of(st.none(), st.integers(1, 17)),
    agec_kind=st.one_of(st.none(), st.sampled_from(list(AgecKind))),
    location=st.one_of(st.none(), TEXTS),
)
BUYERS = st.builds(Buyer, name=TEXTS, kind=st.sampled_from(list(BuyerKind)),
                   declared_spend=st.dictionaries(st.sampled_from([SPEND_YEARS[0], 2025, SPEND_YEARS[-1]]), AMOUNTS, max_size=2))
AT = st.one_of(st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(2026, 9, 1)]))
EXAMPLES = int(os.environ.get("SPASER_ROBUST_EXAMPLES", "60"))


def _told(f):  # type: ignore[no-untyped-def]
    """Run ``f``: it answers, or refuses with spaser's own error in French (never another exception)."""
    try:
        return f()
    except SpaserError as e:
        assert e.message.strip(), repr(e)
        return None


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(purchase=PURCHASES, buyer=BUYERS, at=AT)
def test_any_purchase_the_model_accepts_is_checked_and_advised(purchase: Purchase, buyer: Buyer, at: date) -> None:
    portfolio = Portfolio(buyer=buyer, purchases=(purchase,))
    diagnosis = check(portfolio, at=at)
    json.dumps(to_jsonable(diagnosis.to_dict()))
    assert json.dumps(to_jsonable(check_joint([portfolio, portfolio], at=at).to_dict()))
    assert opportunities(portfolio, at=at).explain()
    for s in suggest(purchase, at=at, portfolio=portfolio):
        assert s.text and s.rationale
    _told(lambda: can_reserve(purchase, at=at, portfolio=portfolio))
    _told(lambda: allotment_advice(purchase, at=at))
    if purchase.amount_ht is not None:
        _told(lambda: insertion_hours(purchase.amount_ht, cpv=purchase.cpv, object=purchase.object, at=at,  # type: ignore[arg-type]
                                      duration_months=purchase.duration_months))
    estimate_yearly_spend([purchase], at.year)


def test_portfolios_of_no_purchase_and_of_many_buyers_are_checked() -> None:
    at = date(2026, 9, 1)
    empty = Portfolio(buyer=Buyer(name="Ville"))
    assert check(empty, at=at).to_dict() and opportunities(empty, at=at).explain()
    members = [Portfolio(buyer=Buyer(name=f"Commune {i}", kind=BuyerKind.COMMUNE)) for i in range(200)]
    assert len(check_joint(members, at=at).members) == 200
    assert check_joint([], at=at).to_dict() is not None


def test_a_thousand_suppliers_on_one_purchase_are_advised() -> None:
    many = tuple(Supplier(name=f"Titulaire {i}", kinds=frozenset(SupplierKind)) for i in range(1000))
    p = Purchase(id="X", object="Nettoyage", cpv="90910000", amount_ht=Decimal(120000), notification_date=date(2025, 3, 1), suppliers=many)
    portfolio = Portfolio(buyer=Buyer(name="Ville"), purchases=(p,))
    assert check(portfolio, at=date(2026, 9, 1)).to_dict() and suggest(p, at=date(2026, 9, 1), portfolio=portfolio)


# -- arguments far from the data ---------------------------------------------------------------
_ONE = Portfolio(buyer=Buyer(name="Ville"), purchases=(
    Purchase(id="X", object="Nettoyage", cpv="90910000", amount_ht=Decimal(120000), notification_date=date(2025, 3, 1)),))


@pytest.mark.parametrize("year", [0, -1, 10_000, 10**6])
def test_a_year_outside_the_calendar_is_a_usage_error_in_french(year: int) -> None:
    """Before: ValueError « year 0 is out of range » from datetime, deep in the diagnosis."""
    for call in (lambda: check(_ONE, year=year, at=date(2026, 9, 1)), lambda: opportunities(_ONE, year=year, at=date(2026, 9, 1)),
                 lambda: check_joint([_ONE], year=year, at=date(2026, 9, 1)), lambda: estimate_yearly_spend(_ONE.purchases, year)):
        with pytest.raises(UsageError, match="hors du calendrier"):
            call()


@pytest.mark.parametrize("year", [1, 1990, 9999])
def test_any_calendar_year_is_examined(year: int) -> None:
    assert check(_ONE, year=year, at=date(2026, 9, 1)).year == year
    assert opportunities(_ONE, year=year, at=date(2026, 9, 1)).explain()


@pytest.mark.parametrize("year", [SPEND_YEARS[0] - 1, SPEND_YEARS[-1] + 1, 1, -5, 10**9])
def test_a_spending_year_no_column_can_name_is_refused_by_the_model(year: int) -> None:
    """Before: Purchase(spend_by_year={1: ...}) was accepted, then write_portfolio crashed (KeyError 'spend_1')."""
    with pytest.raises(ValidationError, match="année de dépense"):
        Purchase(id="X", spend_by_year={year: Decimal(1)})
    with pytest.raises(ValidationError, match="année de dépense"):
        Buyer(name="Ville", declared_spend={year: Decimal(1)})


# -- French text at any length ------------------------------------------------------------------
@pytest.mark.parametrize("text", ["é" * 32767, "1" * 32767, "1 " * 16000 + "a(s)", "1 " + "é" * 32767 + "(s)", ("1" * 100 + "a") * 300])
def test_plural_forms_reads_a_long_text_once(text: str) -> None:
    """Before: the « (s) » patterns were tried from every letter of a word: 6 s for an object of 32 767
    letters in each table of a document, 50 s for 32 767 digits."""
    assert plural_forms(text).replace("(s)", "s") in (text.replace("(s)", "s"), text.replace("(s)", ""))


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.sampled_from("12 ,.;é(s)a"), max_size=60))
def test_plural_forms_only_agrees_the_forms(text: str) -> None:
    """Each « mot(s) » becomes « mot » or « mots »; nothing else changes."""
    def bare(t: str) -> str:
        return re.sub(r"\(s\)|s", "", t)

    assert bare(plural_forms(text)) == bare(text)


def test_a_duration_the_readers_refuse_is_refused_by_the_model() -> None:
    """As for money (tests/test_money_range.py): the model holds what a file may give, 100 years at most."""
    assert Purchase(id="X", duration_months=DURATION_MAX_MONTHS).duration_months == DURATION_MAX_MONTHS
    with pytest.raises(ValidationError):
        Purchase(id="X", duration_months=DURATION_MAX_MONTHS + 1)


@pytest.mark.parametrize("value", [Decimal("1E+5000"), Decimal("-1E+5000"), Decimal("NaN"), Decimal("Infinity"), Decimal("sNaN")])
def test_a_number_no_person_could_read_is_refused_with_spasers_error(value: Decimal) -> None:
    """Before: decimal.InvalidOperation from format_eur (public helper)."""
    from spaser import format_eur, parse_amount

    with pytest.raises(SpaserError, match="mesur"):
        format_eur(value)
    assert format_eur(Decimal("1E+39"), cents=False).endswith("€") and format_eur(Decimal("1E-40")) == "0,00\xa0€"
    assert format_eur(Decimal("0E+43")) == "0,00\xa0€"  # a zero may carry any exponent
    with pytest.raises(SpaserError, match="montant"):
        parse_amount("1e999")


@pytest.mark.parametrize(("amount", "given"), [
    (LIMIT, {"hourly_cost": Decimal("1E-40")}),  # before: decimal.InvalidOperation rounding 10^60 hours
    (Decimal("1E+5000"), {}), (Decimal("NaN"), {}), (Decimal(1000), {"rate": Decimal("NaN")}), (Decimal(1000), {"hourly_cost": Decimal("Infinity")}),
])
def test_insertion_hours_refuse_what_no_count_of_hours_could_be(amount: Decimal, given: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(SpaserError):
        insertion_hours(amount, cpv="45000000", **given)
    assert insertion_hours(LIMIT, cpv="45000000", hourly_cost=Decimal("0.01"), rate=Decimal(1), labour_share=Decimal(1)).hours


def test_a_what_if_threshold_of_zero_is_diagnosed() -> None:
    """Before: decimal.DivisionByZero (the margin around the threshold is a share of it)."""
    from spaser import law_at

    law = law_at(date(2026, 9, 1)).replace("spaser.seuil", "0")
    assert check(_ONE, at=date(2026, 9, 1), law=law).obligation.status


@pytest.mark.parametrize("value", ["1e5000", "1e20"])
def test_a_what_if_value_out_of_measure_is_refused_in_french(value: str) -> None:
    """Before: 1e5000 was taken, and the documents failed on it far from the option that gave it."""
    from spaser import ParameterError, law_at

    with pytest.raises(ParameterError, match="hors de toute mesure"):
        law_at(date(2026, 9, 1)).replace("spaser.seuil", value)


@pytest.mark.parametrize(("content", "says"), [
    (b"abc\n", "en-t\u00eate"),  # before: csv.Error « Could not determine delimiter »
    (b"\xff\xfe\x00", "UTF-8"),  # before: UnicodeDecodeError
    ("categorie;type;annee;taux\n2;reemploi;99999999999999;0,2\n".encode(), "année"),  # before: taken
])
def test_a_hostile_agec_rate_table_is_told_in_french(tmp_path, content: bytes, says: str) -> None:  # type: ignore[no-untyped-def]
    from spaser import InputError
    from spaser.law.targets import load_agec_rates

    path = tmp_path / "taux.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=says):
        load_agec_rates(path)
