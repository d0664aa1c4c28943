"""``check`` walks the purchases once; each part must equal what its own function computes alone.

The diagnosis feeds the spend count, the per-contract checks and the EGalim/AGEC gathering from
the indicators' pass (issue #7): these tests compare every part with the stand-alone functions
on random portfolios, pin the shortcut taken before ``implausible_amount``, and check that the
garbage collector's state is restored, and that ``Diagnosis.to_dict`` (which writes the spend
lines directly) gives the generic conversion's JSON.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spaser._json import to_jsonable
from spaser.law import indicators
from spaser.law import check, check_compliance, count_spend, indicators_by_year, pnad_indicators, targets
from spaser.money import SMALLEST_IMPLAUSIBLE as _SMALLEST_IMPLAUSIBLE
from spaser.model import (
    AgecKind,
    Buyer,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration as E,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration as S,
    Supplier,
    SupplierKind,
)
from spaser.money import implausible_amount

AMOUNTS = st.one_of(
    st.none(),
    st.decimals(min_value=Decimal("-1000"), max_value=Decimal("9000000"), places=2),
    st.sampled_from([Decimal("0"), Decimal("40000"), Decimal("99999999"), Decimal("999999999"), Decimal("2E9"), Decimal("1E9")]),
)
DATES = st.one_of(st.none(), st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31)))
SOCIAL = st.sampled_from([None, frozenset(), frozenset({S.AUCUNE}), frozenset({S.CLAUSE}), frozenset({S.RESERVE}), frozenset({S.CRITERE})])
ENV = st.sampled_from([None, frozenset({E.AUCUNE}), frozenset({E.CLAUSE, E.CRITERE}), frozenset({E.CRITERE})])
SUPPLIERS = st.sampled_from([(), (Supplier(name="A", kinds=frozenset({SupplierKind.SIAE})),), (Supplier(name="B"), Supplier(name="C", kinds=frozenset({SupplierKind.EA})))])


@st.composite
def purchase(draw: st.DrawFn, i: int) -> Purchase:
    return Purchase(
        id=f"P{i}",
        cpv=draw(st.sampled_from([None, "45000000", "30190000", "15000000"])),
        nature=draw(st.sampled_from([None, None, Nature.SERVICES])),
        kind=draw(st.sampled_from(list(ContractKind))),
        amount_ht=draw(AMOUNTS),
        notification_date=draw(DATES),
        consultation_date=draw(st.one_of(st.none(), st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))),
        duration_months=draw(st.sampled_from([None, 0, 1, 12, 48])),
        suppliers=draw(SUPPLIERS),
        social=draw(SOCIAL),
        environmental=draw(ENV),
        insertion_hours_planned=draw(st.sampled_from([None, Decimal("0"), Decimal("35")])),
        spend_by_year=draw(st.sampled_from([{}, {2024: Decimal("1000.10")}, {2025: Decimal("5"), 2026: Decimal("7")}])),
        livre_v=draw(st.sampled_from([None, None, "L2512-5"])),
        egalim=draw(st.sampled_from([None, None, *EgalimCategory])),
        egalim_meat_fish=draw(st.booleans()),
        agec_category=draw(st.sampled_from([None, None, 1, 3])),
        agec_kind=draw(st.sampled_from([None, *AgecKind])),
    )


@st.composite
def portfolio(draw: st.DrawFn) -> Portfolio:
    n = draw(st.integers(min_value=0, max_value=25))
    kind = draw(st.sampled_from([BuyerKind.COMMUNE, BuyerKind.ETAT, BuyerKind.ENTITE_ADJUDICATRICE]))
    declared = draw(st.sampled_from([{}, {2024: Decimal("150000000")}]))
    return Portfolio(buyer=Buyer(name="Acheteur", kind=kind, declared_spend=declared), purchases=tuple(draw(purchase(i)) for i in range(n)))


@settings(max_examples=60, deadline=None)
@given(portfolio(), st.sampled_from([None, 2022, 2024, 2025]), st.sampled_from([date(2022, 3, 1), date(2024, 6, 1), date(2026, 11, 22)]))
def test_one_pass_parts_equal_the_standalone_functions(p: Portfolio, year: int | None, at: date) -> None:
    d = check(p, year=year, at=at)
    assert d.obligation.spend == count_spend(p, d.year, at)
    assert d.compliance == check_compliance(p)
    assert d.indicators == indicators_by_year(p)
    assert d.measured == pnad_indicators(p, d.year)
    assert list(d.targets) == targets(p, d.year)
    # to_dict builds the spend lines directly: the same JSON, keys in the same order.
    got, expected = d.to_dict()["obligation"], to_jsonable(d.obligation.to_dict())
    assert json.dumps(got) == json.dumps(expected)


@given(st.decimals(allow_nan=False, allow_infinity=False, max_value=_SMALLEST_IMPLAUSIBLE - Decimal("1E-10")))
def test_nothing_below_the_shortcut_is_implausible(amount: Decimal) -> None:
    # contract_share calls implausible_amount only from _SMALLEST_IMPLAUSIBLE up.
    assert implausible_amount(amount) is None


def test_smallest_implausible_is_implausible() -> None:
    assert implausible_amount(_SMALLEST_IMPLAUSIBLE) is not None


def test_check_restores_the_collector() -> None:
    p = Portfolio(buyer=Buyer(name="X"), purchases=(Purchase(id="A", amount_ht=Decimal("10"), notification_date=date(2024, 1, 2)),))
    was = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            d = check(p, at=date(2025, 1, 1))
            assert gc.isenabled() is state
            d.to_dict()
            assert gc.isenabled() is state
    finally:
        (gc.enable if was else gc.disable)()
