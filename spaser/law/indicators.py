"""Responsible-purchasing indicators by notification year, in number AND in value.

"Unknown" (no information, e.g. every 2019 DECP record) is kept apart from
"none" (the explicit "Pas de considération"); every share states its
denominator. Shares are ``Decimal`` in [0, 1], ``None`` when the denominator
is 0. Spending lines (``ContractKind.DEPENSE``) are not contracts: they count
only in the purchases from SIAE/EA/ESAT/ESUS (value).

>>> from spaser.model import Buyer, Portfolio, Purchase, SocialConsideration as S
>>> ps = (Purchase(id="A", amount_ht=Decimal("100"), notification_date=date(2024, 3, 1), social=frozenset({S.CLAUSE})),
...       Purchase(id="B", amount_ht=Decimal("300"), notification_date=date(2024, 5, 1), social=frozenset({S.AUCUNE})))
>>> i = year_indicators(Portfolio(buyer=Buyer(name="X"), purchases=ps), 2024)
>>> i.social.yes.share_count, i.social.yes.share_value
(Decimal('0.5'), Decimal('0.25'))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date  # noqa: F401 - used by the doctests
from decimal import Decimal
from typing import Any

from spaser import cpv as _cpv
from spaser.model import (
    ContractKind,
    EnvironmentalConsideration,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration,
    SupplierKind,
)

__all__ = ["Measure", "ConsiderationIndicators", "Breakdown", "YearIndicators", "year_indicators", "indicators_by_year", "share"]


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a Decimal in [0, 1]; None when whole is 0.

    >>> share(1, 3)
    Decimal('0.3333333333333333333333333333')
    >>> share(0, 0) is None
    True
    """
    if not whole:
        return None
    return min(max(Decimal(part) / Decimal(whole), Decimal(0)), Decimal(1))


def _amount(p: Purchase) -> Decimal:
    # Negative amounts (credit notes) would break shares: they do not count as value.
    return p.amount_ht if p.amount_ht is not None and p.amount_ht > 0 else Decimal(0)


@dataclass(frozen=True)
class Measure:
    """A subset of contracts against an explicit denominator, in number and in value (€ HT)."""

    label: str  # French
    count: int
    value: Decimal
    denominator_count: int
    denominator_value: Decimal
    denominator_label: str  # French: what the denominator is

    @property
    def share_count(self) -> Decimal | None:
        return share(self.count, self.denominator_count)

    @property
    def share_value(self) -> Decimal | None:
        return share(self.value, self.denominator_value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "count": self.count,
            "value": self.value,
            "denominator_count": self.denominator_count,
            "denominator_value": self.denominator_value,
            "denominator_label": self.denominator_label,
            "share_count": self.share_count,
            "share_value": self.share_value,
        }


def _measure(label: str, items: Iterable[Purchase], base: list[Purchase], base_label: str, base_value: Decimal | None = None) -> Measure:
    """``base_value``: the base's value when the caller already summed it (same base, many measures)."""
    items = list(items)
    if base_value is None:
        base_value = sum(map(_amount, base), Decimal(0))
    return Measure(label, len(items), sum(map(_amount, items), Decimal(0)), len(base), base_value, base_label)


@dataclass(frozen=True)
class ConsiderationIndicators:
    """One dimension (social or environmental): yes / none / unknown, and yes by kind."""

    dimension: str  # "social" | "environnemental"
    yes: Measure  # at least one consideration, over all contracts
    none: Measure  # explicit "Pas de considération"
    unknown: Measure  # the source cannot say
    yes_among_known: Measure  # at least one, over contracts whose status is known
    by_kind: dict[str, Measure]  # DECP label -> contracts that have it (a contract can have several)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "yes": self.yes.to_dict(),
            "none": self.none.to_dict(),
            "unknown": self.unknown.to_dict(),
            "yes_among_known": self.yes_among_known.to_dict(),
            "by_kind": {k: m.to_dict() for k, m in self.by_kind.items()},
        }


def _consideration(contracts: list[Purchase], social: bool) -> ConsiderationIndicators:
    # Each status and each set computed once per contract (large portfolios: these properties add up).
    if social:
        rows = [(p, p.social_status, p.social or frozenset()) for p in contracts]
    else:
        rows = [(p, p.environmental_status, p.environmental or frozenset()) for p in contracts]
    kinds = [k for k in (SocialConsideration if social else EnvironmentalConsideration) if k.name != "AUCUNE"]
    base = "contrats notifiés dans l'année"
    total = sum(map(_amount, contracts), Decimal(0))
    known = [p for p, st, _ in rows if st != "inconnu"]
    word = "sociale" if social else "environnementale"

    def having(status: str) -> list[Purchase]:
        return [p for p, st, _ in rows if st == status]

    yes = having("oui")
    return ConsiderationIndicators(
        "social" if social else "environnemental",
        _measure(f"Au moins une considération {word}", yes, contracts, base, total),
        _measure(f"Aucune considération {word}", having("non"), contracts, base, total),
        _measure(f"Considération {word} inconnue", having("inconnu"), contracts, base, total),
        _measure(f"Au moins une considération {word}", yes, known, "contrats dont l'information est connue"),
        {k.value: _measure(k.value, (p for p, _, vs in rows if k in vs), contracts, base, total) for k in kinds},
    )


@dataclass(frozen=True)
class Breakdown:
    """Indicators for one group (a nature, a CPV division)."""

    key: str
    label: str
    contracts: int
    value: Decimal
    social: Measure  # at least one social consideration, over the group
    environmental: Measure
    social_unknown: int
    environmental_unknown: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "contracts": self.contracts,
            "value": self.value,
            "social": self.social.to_dict(),
            "environmental": self.environmental.to_dict(),
            "social_unknown": self.social_unknown,
            "environmental_unknown": self.environmental_unknown,
        }


def _breakdown(contracts: list[Purchase], key: Callable[[Purchase], str | None], label: Callable[[str], str]) -> dict[str, Breakdown]:
    groups: dict[str, list[Purchase]] = {}
    for p in contracts:
        groups.setdefault(key(p) or "inconnu", []).append(p)
    out = {}
    for k in sorted(groups):
        g = groups[k]
        base = "contrats du groupe"
        value = sum(map(_amount, g), Decimal(0))
        social = [p.social_status for p in g]
        env = [p.environmental_status for p in g]
        out[k] = Breakdown(
            k,
            "Inconnu" if k == "inconnu" else label(k),
            len(g),
            value,
            _measure("Au moins une considération sociale", (p for p, st in zip(g, social) if st == "oui"), g, base, value),
            _measure("Au moins une considération environnementale", (p for p, st in zip(g, env) if st == "oui"), g, base, value),
            social.count("inconnu"),
            env.count("inconnu"),
        )
    return out


def _division_label(division: str) -> str:
    try:
        return _cpv.lookup(division + "000000").label_fr
    except Exception:  # noqa: BLE001 - a label is a nicety; the code is shown anyway
        return f"Division CPV {division}"


@dataclass(frozen=True)
class YearIndicators:
    """All indicators for the contracts notified in one calendar year.

    ``floor``: when set, only contracts with a known amount at or above it are
    counted (e.g. the DECP publication floor used to measure the PNAD); the
    contracts left out are counted in ``below_floor`` / ``unknown_amount_excluded``.
    """

    year: int
    floor: Decimal | None
    floor_note: str | None  # French
    contracts: int
    value: Decimal
    unknown_amount: int  # contracts counted with no amount (value 0)
    social: ConsiderationIndicators
    environmental: ConsiderationIndicators
    reserved: Measure
    suppliers: dict[str, Measure]  # SupplierKind value -> purchases (contracts + spending lines) from them
    insertion_hours_planned: Decimal
    insertion_hours_achieved: Decimal
    contracts_with_insertion_hours: int
    by_nature: dict[str, Breakdown]
    by_cpv_division: dict[str, Breakdown]
    below_floor: int = 0
    unknown_amount_excluded: int = 0
    spending_lines: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "floor": self.floor,
            "floor_note": self.floor_note,
            "contracts": self.contracts,
            "value": self.value,
            "unknown_amount": self.unknown_amount,
            "social": self.social.to_dict(),
            "environmental": self.environmental.to_dict(),
            "reserved": self.reserved.to_dict(),
            "suppliers": {k: m.to_dict() for k, m in self.suppliers.items()},
            "insertion_hours_planned": self.insertion_hours_planned,
            "insertion_hours_achieved": self.insertion_hours_achieved,
            "contracts_with_insertion_hours": self.contracts_with_insertion_hours,
            "by_nature": {k: b.to_dict() for k, b in self.by_nature.items()},
            "by_cpv_division": {k: b.to_dict() for k, b in self.by_cpv_division.items()},
            "below_floor": self.below_floor,
            "unknown_amount_excluded": self.unknown_amount_excluded,
            "spending_lines": self.spending_lines,
            "notes": list(self.notes),
        }


def year_indicators(portfolio: Portfolio, year: int, *, floor: Decimal | None = None, floor_note: str | None = None) -> YearIndicators:
    """Indicators for the contracts notified in ``year`` (``floor``: keep amounts >= floor only)."""
    in_year = [p for p in portfolio.purchases if p.year == year]
    lines = [p for p in in_year if p.kind == ContractKind.DEPENSE]
    contracts = [p for p in in_year if p.kind != ContractKind.DEPENSE]
    below = unknown_excluded = 0
    if floor is not None:
        kept = []
        for p in contracts:
            if p.amount_ht is None:
                unknown_excluded += 1
            elif p.amount_ht < floor:
                below += 1
            else:
                kept.append(p)
        contracts = kept
    base = "contrats notifiés dans l'année"
    buyers_base = contracts + lines
    buyers_value = sum(map(_amount, buyers_base), Decimal(0))
    with_kinds = [(p, p.supplier_kinds) for p in buyers_base if p.suppliers]
    suppliers = {
        k.value: _measure(k.label, (p for p, ks in with_kinds if k in ks), buyers_base, "achats de l'année (contrats et lignes de dépense)", buyers_value)
        for k in SupplierKind
    }
    notes = []
    if lines:
        notes.append(f"{len(lines)} ligne(s) de dépense comptée(s) seulement dans les achats auprès des structures (SIAE, EA, ESAT, ESUS, ESS).")
    unknown_amount = sum(1 for p in contracts if p.amount_ht is None)
    if unknown_amount:
        notes.append(f"{unknown_amount} contrat(s) sans montant : comptés en nombre, pas en valeur.")
    with_hours = [p for p in contracts if p.insertion_hours_planned is not None or p.insertion_hours_achieved is not None]
    return YearIndicators(
        year=year,
        floor=floor,
        floor_note=floor_note,
        contracts=len(contracts),
        value=sum(map(_amount, contracts), Decimal(0)),
        unknown_amount=unknown_amount,
        social=_consideration(contracts, social=True),
        environmental=_consideration(contracts, social=False),
        reserved=_measure("Marchés réservés", (p for p in contracts if p.is_reserved), contracts, base),
        suppliers=suppliers,
        insertion_hours_planned=sum((p.insertion_hours_planned or Decimal(0) for p in contracts), Decimal(0)),
        insertion_hours_achieved=sum((p.insertion_hours_achieved or Decimal(0) for p in contracts), Decimal(0)),
        contracts_with_insertion_hours=len(with_hours),
        by_nature=_breakdown(contracts, lambda p: p.nature.value if p.nature else None, lambda k: Nature(k).label),
        by_cpv_division=_breakdown(contracts, lambda p: p.cpv_division, _division_label),
        below_floor=below,
        unknown_amount_excluded=unknown_excluded,
        spending_lines=len(lines),
        notes=tuple(notes),
    )


def indicators_by_year(portfolio: Portfolio) -> dict[int, YearIndicators]:
    """Indicators for every notification year present (all contracts, no floor)."""
    return {y: year_indicators(portfolio, y) for y in portfolio.years()}
