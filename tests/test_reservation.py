"""Reservation advice: L2113-12 to L2113-16 and the R2113-7 condition."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from spaser.clauses import can_reserve
from spaser.clauses.reservation import ess_eligible_cpv
from spaser.model import Buyer, BuyerKind, Portfolio, Purchase, SocialConsideration, Supplier, SupplierKind

AT = date(2025, 6, 1)


def _p(cpv: str, amount: str = "100000", **kw: object) -> Purchase:
    return Purchase(id=kw.pop("id", "P"), object=kw.pop("object", "Achat"), cpv=cpv, amount_ht=Decimal(amount), **kw)  # type: ignore[arg-type]


def test_cleaning_is_reservable_to_all_inclusive_structures() -> None:
    a = can_reserve(_p("90911200"), at=AT)
    assert a.reservable
    assert {o.article for o in a.options if o.recommended} == {"L2113-12", "L2113-13", "L2113-14"}
    assert "50\xa0%" in a.condition and "R2113-7" in a.condition
    assert "L2113-13-1" in a.options[2].reasons[0]


def test_sector_without_structures() -> None:
    a = can_reserve(_p("09310000"), at=AT)
    assert not a.reservable and a.best is None
    assert all(not o.recommended for o in a.options)


def test_ess_list_and_range() -> None:
    assert ess_eligible_cpv("85000000", AT)[:2] == (True, True)  # lower bound included
    assert ess_eligible_cpv("85323000", AT)[:2] == (True, True)  # upper bound included
    assert ess_eligible_cpv("85121000", AT)[:2] == (True, True)
    assert ess_eligible_cpv("80511000", AT)[:2] == (True, True)
    assert ess_eligible_cpv("80100000", AT)[0] is False
    assert ess_eligible_cpv("79620000", AT)[0] is False  # staffing in general is not listed
    eligible, exact, code = ess_eligible_cpv("92510000", AT)  # sub-code of the listed 92500000
    assert eligible and not exact and code == "92500000"


def test_ess_duration() -> None:
    assert can_reserve(_p("85312000", duration_months=36), at=AT).ess.duration_ok is True
    a = can_reserve(_p("85312000", duration_months=37), at=AT)
    assert a.ess.duration_ok is False
    assert any("dépasse la durée maximale de 3 ans" in r for r in a.ess.reasons)


def _history(notified: date, kinds: frozenset[SupplierKind]) -> Portfolio:
    old = Purchase(
        id="OLD", object="Accompagnement social", cpv="85312000", amount_ht=Decimal("90000"), notification_date=notified,
        social=frozenset({SocialConsideration.RESERVE}), suppliers=(Supplier(name="Association Tremplin", kinds=kinds),),
    )
    return Portfolio(buyer=Buyer(name="Ville", kind=BuyerKind.COMMUNE), purchases=(old,))


def test_ess_same_operator_within_three_years() -> None:
    new = _p("85312000", id="NEW")
    within = can_reserve(new, at=AT, portfolio=_history(date(2022, 6, 2), frozenset({SupplierKind.ESS})))
    assert within.ess.excluded_suppliers == ("Association Tremplin",)
    beyond = can_reserve(new, at=AT, portfolio=_history(date(2022, 5, 31), frozenset({SupplierKind.ESS})))
    assert beyond.ess.excluded_suppliers == ()
    siae = can_reserve(new, at=AT, portfolio=_history(date(2024, 1, 1), frozenset({SupplierKind.SIAE})))
    assert siae.ess.excluded_suppliers == ()  # an L2113-13 reservation is not an L2113-15 one


def test_reserved_lot_preferred_for_large_or_mixed() -> None:
    big = can_reserve(_p("98310000", "900000"), at=AT, buyer_kind=BuyerKind.HOPITAL)
    assert big.lot_preferred and "seuil européen" in big.lot_reason
    small = can_reserve(_p("98310000", "60000"), at=AT)
    assert not small.lot_preferred
    mixed = can_reserve(_p("90910000", "150000", object="Nettoyage des locaux et entretien des espaces verts"), at=AT)
    assert mixed.lot_preferred and "prestations distinctes" in mixed.lot_reason


def test_already_reserved_and_explain() -> None:
    a = can_reserve(_p("90911200", social=frozenset({SocialConsideration.RESERVE})), at=AT)
    assert a.already_reserved
    text = a.explain()
    assert "déjà réservé" in text and "L2113-15" in text
    assert a.to_dict()["reservable"] is True
