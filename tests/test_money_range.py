"""Any amount the model accepts can be advised, measured and written: the model refuses what no
figure computed from it could hold (str(int()) over 4 300 digits, rounding to the cent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError

from spaser import Buyer, Portfolio, Purchase, check
from spaser.clauses import opportunities, suggest
from spaser.money import MONEY_OUT_OF_RANGE

LIMIT = MONEY_OUT_OF_RANGE - Decimal("0.01")
AMOUNTS = st.one_of(
    st.decimals(min_value=-LIMIT, max_value=LIMIT, allow_nan=False, allow_infinity=False),
    st.sampled_from([LIMIT, Decimal("1E-40"), Decimal("5E+19"), Decimal("0.5")]),
)


@pytest.mark.parametrize("value", ["1E+20", "-1E+20", "1E+5000", "1E+999999999"])
def test_the_model_refuses_money_out_of_range(value: str) -> None:
    for field in ("amount_ht", "insertion_hours_planned"):
        with pytest.raises(ValidationError, match="hors de toute mesure"):
            Purchase(id="X", **{field: Decimal(value)})
    with pytest.raises(ValidationError, match="hors de toute mesure"):
        Buyer(name="V", declared_spend={2025: Decimal(value)})


@settings(max_examples=40, deadline=None)
@given(AMOUNTS, st.one_of(st.none(), AMOUNTS.map(abs)))
def test_any_amount_the_model_accepts_is_advised_and_measured(amount: Decimal, hours: Decimal | None) -> None:
    p = Purchase(id="X", object="Nettoyage des écoles", cpv="90910000", amount_ht=amount, notification_date=date(2025, 3, 1),
                 duration_months=12, insertion_hours_planned=hours)
    portfolio = Portfolio(buyer=Buyer(name="Ville"), purchases=(p,))
    at = date(2026, 9, 1)
    for s in suggest(p, at=at):
        assert s.text and s.rationale
    assert opportunities(portfolio, at=at).explain()
    assert check(portfolio, at=at).to_dict()
