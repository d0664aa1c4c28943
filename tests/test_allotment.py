"""Allotment advice: separable services, small lots (R2123-1 2°), L2113-11 justification."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from spaser.clauses import allotment_advice, small_lots
from spaser.model import Nature, Purchase

AT = date(2025, 6, 1)
D = Decimal


def _p(obj: str, cpv: str, amount: str = "1000000", **kw: object) -> Purchase:
    return Purchase(id="A", object=obj, cpv=cpv, amount_ht=D(amount), **kw)  # type: ignore[arg-type]


def test_works_by_trade() -> None:
    a = allotment_advice(_p("Rénovation de l'école : gros œuvre, menuiseries, peinture et électricité", "45454000", "2400000"), at=AT)
    assert a.divide
    assert [lot.label for lot in a.lots] == ["Gros œuvre – maçonnerie", "Menuiseries intérieures", "Peinture – revêtements muraux", "Électricité – courants forts et faibles"]
    assert all(lot.estimated_ht == D("600000") and lot.small for lot in a.lots)  # works: under 1 000 000 € HT
    assert next(lot for lot in a.lots if lot.label.startswith("Peinture")).inclusive


def test_services_several_sites() -> None:
    a = allotment_advice(_p("Nettoyage des écoles et des gymnases", "90919200", "400000"), at=AT)
    assert a.divide
    assert a.lots[0].kind == "site" and a.lots[0].inclusive


def test_single_service_not_divided_with_justification() -> None:
    a = allotment_advice(_p("Nettoyage de l'hôtel de ville", "90919200", "100000"), at=AT)
    assert not a.divide and not a.lots
    assert "L2113-11" in a.justification and "[à compléter" in a.justification
    assert "organisation, de pilotage et de coordination" in a.justification


def test_already_a_lot() -> None:
    a = allotment_advice(_p("Lot 2 : peinture et sols", "45442100", "150000", lot="2"), at=AT)
    assert a.already_lot and not a.divide


def test_small_lots_thresholds_are_strict() -> None:
    # supplies/services: a lot of exactly 80 000 € HT is not "under" the threshold
    r = small_lots([("A", D("80000")), ("B", D("79999")), ("C", D("400001"))], nature=Nature.SERVICES, at=AT)
    assert r.eligible == ("B",)
    # works: the threshold is 1 000 000 € HT
    r = small_lots([("A", D("999999")), ("B", D("9000000"))], nature=Nature.TRAVAUX, at=AT)
    assert r.eligible == ("A",) and r.threshold == D("1000000")


def test_small_lots_cap_inclusive() -> None:
    # 20 % of 500 000 = 100 000: two lots of 50 000 fit exactly, a third does not.
    lots = [("A", D("50000")), ("B", D("50000")), ("C", D("50000")), ("D", D("350000"))]
    r = small_lots(lots, nature=Nature.FOURNITURES, at=AT)
    assert r.eligible == ("A", "B") and r.small_total == D("100000") and r.share == D("0.2")
    assert "R2123-1" in r.explain()


def test_small_lots_before_parameters() -> None:
    r = small_lots([("A", D("1000"))], nature=Nature.SERVICES, at=date(2010, 1, 1))
    assert r.eligible == () and "non en vigueur" in r.explain()


def test_advice_with_buyer_lots() -> None:
    a = allotment_advice(_p("Fournitures : papier, fournitures de bureau et consommables", "30190000", "500000"), at=AT,
                         lots=[("papier", D("60000")), ("fournitures", D("40000")), ("consommables", D("400000"))])
    assert a.divide and a.small is not None
    assert a.small.eligible == ("papier", "fournitures")
    assert "procédure adaptée" in a.explain()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=2_000_000), min_size=1, max_size=12))
def test_small_lots_invariants(amounts: list[int]) -> None:
    lots = [(f"L{i}", D(a)) for i, a in enumerate(amounts)]
    r = small_lots(lots, nature=Nature.SERVICES, at=AT)
    chosen = dict(lots)
    assert all(chosen[n] < D("80000") for n in r.eligible)
    assert sum((chosen[n] for n in r.eligible), D(0)) <= D("0.2") * sum(D(a) for a in amounts)
