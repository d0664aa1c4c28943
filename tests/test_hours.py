"""Insertion hours: the facilitators' worked example, rounding, defaults and their sources."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from spaser._errors import SpaserError
from spaser.clauses.hours import insertion_hours, round_hours, trade_for

D = Decimal


def test_worked_example_exact() -> None:
    # law.md: 1 000 000 € of building works × 50 % × 5 % ÷ 30 €/h ≈ 833 hours.
    e = insertion_hours(D("1000000"), labour_share=D("0.50"), rate=D("0.05"), hourly_cost=D("30"))
    assert e.exact.quantize(D("0.01")) == D("833.33")
    assert e.hours == D("833")


def test_worked_example_from_defaults() -> None:
    # Same figures from the parameters: building works (CPV 45210000), default rate and hourly cost.
    e = insertion_hours(D("1000000"), cpv="45210000")
    assert (e.labour_share, e.rate, e.hourly_cost) == (D("0.50"), D("0.05"), D("30"))
    assert e.hours == D("833")
    text = e.explain()
    assert "833 heures" in text and "833,33" in text
    assert "insertion.part_main_oeuvre" in text and "insertion.taux" in text and "insertion.cout_horaire" in text


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [("0.4", "0"), ("0.5", "1"), ("999.49", "999"), ("999.5", "1000"), ("1004.9", "1000"), ("1005", "1010"), ("12347", "12350")],
)
def test_rounding(exact: str, rounded: str) -> None:
    assert round_hours(D(exact)) == D(rounded)


@pytest.mark.parametrize(
    ("cpv", "obj", "trade", "share"),
    [
        ("45442100", None, "peinture_interieure", "0.70"),
        ("45262500", None, "maconnerie", "0.50"),
        ("45223100", None, "charpente_metallique", "0.20"),
        ("45000000", "Travaux de peinture intérieure du gymnase", "peinture_interieure", "0.70"),
        ("45000000", "Rénovation : maçonnerie, peinture et électricité", "batiment", "0.50"),
        ("90910000", None, "nettoyage", "0.80"),
    ],
)
def test_labour_share_by_trade(cpv: str, obj: str | None, trade: str, share: str) -> None:
    assert trade_for(cpv, obj) == trade
    assert insertion_hours(D("100000"), cpv=cpv, object=obj).labour_share == D(share)


def test_estimates_are_flagged_to_confirm() -> None:
    e = insertion_hours(D("300000"), cpv="90910000")
    assert e.assumptions[1].to_confirm  # spaser's own estimate for cleaning
    assert "à confirmer" in e.explain()
    assert not insertion_hours(D("300000"), cpv="45210000").assumptions[1].to_confirm


def test_unknown_family_uses_other_services() -> None:
    e = insertion_hours(D("100000"))
    assert e.trade == "autres_services"


def test_given_values_win() -> None:
    e = insertion_hours(D("200000"), cpv="90910000", labour_share=D("0.6"), rate=D("0.1"), hourly_cost=D("25"))
    assert e.hours == D("480")
    assert "valeur saisie" in e.explain()


def test_bad_inputs() -> None:
    with pytest.raises(TypeError):
        insertion_hours(1000000.0)  # type: ignore[arg-type]
    with pytest.raises(SpaserError):
        insertion_hours(D("-1"))
    with pytest.raises(SpaserError):
        insertion_hours(D("1000"), rate=D("5"))
    with pytest.raises(SpaserError):
        insertion_hours(D("1000"), hourly_cost=D("0"))


@settings(max_examples=60, deadline=None)
@given(a=st.decimals(min_value=0, max_value=10**9, places=2), b=st.decimals(min_value=0, max_value=10**9, places=2))
def test_monotone_and_non_negative(a: Decimal, b: Decimal) -> None:
    lo, hi = sorted((a, b))
    h_lo = insertion_hours(lo, cpv="45210000").hours
    h_hi = insertion_hours(hi, cpv="45210000").hours
    assert D(0) <= h_lo <= h_hi


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=10**7, places=3))
def test_rounding_close_to_exact(x: Decimal) -> None:
    r = round_hours(x)
    assert abs(r - x) <= (D("0.5") if x < 1000 else D(5))


def test_clause_states_total_and_yearly_hours_from_the_same_estimate():
    """A 39-month contract: the clause asks for the total over the contract and the total ÷ 3.25 per year."""
    from datetime import date

    from spaser.clauses.engine import planned_purchase, suggest

    p = planned_purchase("Nettoyage des locaux administratifs", "90910000", "300000", date(2026, 9, 1), duration_months=39)
    s = next(x for x in suggest(p) if x.clause_id == "insertion-proprete")
    h = s.hours
    assert h is not None and h.duration_months == 39
    assert h.per_year == round_hours(h.exact * 12 / 39)
    assert "sur la durée du marché, au moins 400 heures" in s.text
    assert "soit au moins 123 heures par année d'exécution" in s.text
    assert "chaque année" not in s.text.split("\n\n")[1]
    # Unknown duration: the total only, never presented as a yearly figure.
    q = planned_purchase("Nettoyage des locaux administratifs", "90910000", "300000", date(2026, 9, 1))
    t = next(x for x in suggest(q) if x.clause_id == "insertion-proprete")
    assert t.hours.per_year is None and "par année" not in t.text and "400 heures" in t.text
