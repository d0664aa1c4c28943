"""The opportunities' scenarios count the shares after from those before (no copy of the portfolio):
they must equal the year's PNAD indicators measured on the portfolio with the considerations adopted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from spaser.clauses.opportunities import _adopt, _scenario
from spaser.law.targets import pnad_indicators
from spaser.model import (
    Buyer,
    ContractKind,
    EnvironmentalConsideration as E,
    Portfolio,
    Purchase,
    SocialConsideration as S,
)

SOCIAL = st.sampled_from([None, frozenset({S.AUCUNE}), frozenset({S.CLAUSE}), frozenset({S.CRITERE, S.RESERVE})])
ENV = st.sampled_from([None, frozenset({E.AUCUNE}), frozenset({E.CLAUSE})])
# Around the PNAD measurement floors of the years drawn below, negative (credit notes) and unknown.
AMOUNTS = st.one_of(st.none(), st.sampled_from([Decimal("-10"), Decimal(0), Decimal("39999.99"), Decimal(40000), Decimal("90000.5")]),
                    st.decimals(min_value=0, max_value=10**6, places=2))


@st.composite
def case(draw: st.DrawFn) -> tuple[Portfolio, int, dict[int, tuple[str | None, str | None]]]:
    year = draw(st.sampled_from([2019, 2022, 2024, 2025]))  # with and without a measurement floor
    n = draw(st.integers(min_value=0, max_value=20))
    ps = tuple(
        Purchase(
            id=f"P{i}",
            kind=draw(st.sampled_from([ContractKind.MARCHE, ContractKind.MARCHE, ContractKind.DEPENSE])),
            amount_ht=draw(AMOUNTS),
            notification_date=draw(st.sampled_from([None, date(year, 3, 1), date(year, 12, 31), date(year + 1, 1, 1)])),
            social=draw(SOCIAL),
            environmental=draw(ENV),
        )
        for i in range(n)
    )
    # The opportunities choose contracts of the year, each gaining what it lacks.
    chosen = {}
    for i, p in enumerate(ps):
        if p.year == year and p.kind is not ContractKind.DEPENSE and draw(st.booleans()):
            social = draw(st.sampled_from([None, S.CLAUSE.value, S.CRITERE.value])) if p.social_status != "oui" else None
            env = draw(st.sampled_from([None, E.CLAUSE.value, E.CRITERE.value])) if p.environmental_status != "oui" else None
            if social or env:
                chosen[i] = (social, env)
    return Portfolio(buyer=Buyer(name="Ville"), purchases=ps), year, chosen


@settings(max_examples=200, deadline=None)
@given(case())
def test_scenario_equals_the_portfolio_measured_with_the_considerations_adopted(c: tuple[Portfolio, int, dict[int, tuple[str | None, str | None]]]) -> None:
    portfolio, year, chosen = c
    before = pnad_indicators(portfolio, year)
    adopted = portfolio.model_copy(update={"purchases": tuple(_adopt(p, *chosen[i]) if i in chosen else p for i, p in enumerate(portfolio.purchases))})
    after = pnad_indicators(adopted, year)
    s = _scenario("Essai", portfolio, chosen, before)
    assert (s.social_before, s.environmental_before) == (before.social.yes.share_count, before.environmental.yes.share_count)
    assert (s.social_after, s.environmental_after) == (after.social.yes.share_count, after.environmental.yes.share_count)
    assert s.counted == before.contracts == after.contracts
    # The contracts that gain: those of the chosen measured in the year (the same perimeter as the shares).
    amounts = [portfolio.purchases[i].amount_ht for i in chosen]
    assert s.contracts == sum(1 for a in amounts if after.floor is None or (a is not None and a >= after.floor))
