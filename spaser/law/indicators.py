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

from collections.abc import Callable, Iterable, Sequence
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




# -- one pass over the purchases ------------------------------------------------------
#
# Every indicator is a count and a sum of amounts over contracts sharing a few
# attributes. So the purchases are walked ONCE and grouped by "profile" (year,
# class, social and environmental considerations, nature, CPV division, supplier
# kinds); the measures are then derived from the groups (a few thousand at most),
# not from the purchases. Sums of Decimals are exact, so grouping does not change them.

# Class of a purchase in its year: a spending line, or a contract by amount against the floor.
_LINE, _NO_AMOUNT, _BELOW, _KEPT = 0, 1, 2, 3
_ALL_CONTRACTS = frozenset({_NO_AMOUNT, _BELOW, _KEPT})
_ZERO = Decimal(0)
_NO_KINDS: frozenset[SupplierKind] = frozenset()

# (class, social, environmental, nature value, CPV division, supplier kinds)
_Profile = tuple[int, frozenset[SocialConsideration] | None, frozenset[EnvironmentalConsideration] | None, str | None, str | None, frozenset[SupplierKind]]


@dataclass(slots=True)
class _Group:
    count: int
    # Negative amounts (credit notes) would break shares: only positive amounts count as value.
    value: Decimal
    sample: Purchase  # any member: the statuses are functions of the profile


@dataclass
class _Hours:
    contracts: int = 0
    planned: Decimal = _ZERO
    achieved: Decimal = _ZERO


@dataclass
class _Tally:
    groups: dict[int, dict[_Profile, _Group]]  # year -> profile (class first) -> group
    hours: dict[tuple[int, int], _Hours]  # (year, class) -> insertion hours of its contracts


def _tally(
    purchases: Iterable[Purchase],
    *,
    only_year: int | None = None,
    floor_year: int | None = None,
    floor: Decimal | None = None,
    riders: Sequence[Callable[[Purchase], None]] = (),
) -> _Tally:
    """Group the dated purchases by profile; contracts of ``floor_year`` below ``floor`` get the class _BELOW.

    ``riders`` are called with every purchase, in this same pass: the diagnosis counts the spend,
    checks the contracts and gathers EGalim/AGEC purchases while each purchase is at hand.
    """
    groups: dict[tuple, _Group] = {}
    hours: dict[tuple[int, int], _Hours] = {}
    depense = ContractKind.DEPENSE
    known_kinds: dict[int, frozenset[SupplierKind]] = {}
    same_kinds: dict[frozenset[SupplierKind], frozenset[SupplierKind]] = {}
    for p in purchases:
        for ride in riders:
            ride(p)
        d = p.notification_date
        if d is None:
            continue
        y = d.year
        if only_year is not None and y != only_year:
            continue
        a = p.amount_ht
        if p.kind == depense:
            cls = _LINE
        elif a is None:
            cls = _NO_AMOUNT
        elif y == floor_year and floor is not None and a < floor:
            cls = _BELOW
        else:
            cls = _KEPT
        # Purchase.supplier_kinds, without a new set for the usual single supplier; imports share
        # Supplier objects between purchases, and reading one is a cache miss: remember them by identity
        # (safe: the portfolio keeps every supplier alive during the pass). Equal sets are made the
        # same object, so the group look-up compares them by identity, not element by element.
        sups = p.suppliers
        if not sups:
            kinds = _NO_KINDS
        elif len(sups) == 1:
            known = known_kinds.get(id(sups[0]))
            if known is None:
                kinds = sups[0].kinds
                known_kinds[id(sups[0])] = kinds = same_kinds.setdefault(kinds, kinds)
            else:
                kinds = known
        else:
            kinds = p.supplier_kinds
            kinds = same_kinds.setdefault(kinds, kinds)
        cpv = p.cpv
        # The nature by its identity (an enum member hashes in Python, ``.value`` is a Python property:
        # both cost more than id(); a group's sample gives it back below); the CPV division as
        # Purchase.cpv_division.
        key = (y, cls, p.social, p.environmental, id(p.nature), cpv[:2] if cpv else None, kinds)
        g = groups.get(key)
        if g is None:
            groups[key] = g = _Group(0, _ZERO, p)
        g.count += 1
        if a is not None and a > 0:
            g.value += a
        if cls != _LINE:
            hp, ha = p.insertion_hours_planned, p.insertion_hours_achieved
            if hp is not None or ha is not None:
                h = hours.get((y, cls))
                if h is None:
                    hours[(y, cls)] = h = _Hours()
                h.contracts += 1
                if hp:  # as `hp or 0`: a zero adds nothing, not even its exponent
                    h.planned += hp
                if ha:
                    h.achieved += ha
    by_year: dict[int, dict[_Profile, _Group]] = {}
    for (y, cls, social, env, _, division, kinds), g in groups.items():
        nature = g.sample.nature  # the members of a group share their nature
        profiles = by_year.setdefault(y, {})
        profile = (cls, social, env, nature.value if nature else None, division, kinds)
        same = profiles.get(profile)
        if same is None:
            profiles[profile] = g
        else:  # two nature objects with one value (not with validated purchases, but kept exact)
            same.count += g.count
            same.value += g.value
    return _Tally(by_year, hours)


class _Sum:
    """A running count and value."""

    __slots__ = ("count", "value")

    def __init__(self) -> None:
        self.count = 0
        self.value = _ZERO

    def add(self, g: _Group) -> None:
        self.count += g.count
        self.value += g.value

    def measure(self, label: str, base: _Sum, base_label: str) -> Measure:
        return Measure(label, self.count, self.value, base.count, base.value, base_label)


def _consideration(rows: list[tuple[_Profile, _Group]], total: _Sum, social: bool) -> ConsiderationIndicators:
    kinds = [k for k in (SocialConsideration if social else EnvironmentalConsideration) if k.name != "AUCUNE"]
    base = "contrats notifiés dans l'année"
    word = "sociale" if social else "environnementale"
    by_status = {"oui": _Sum(), "non": _Sum(), "inconnu": _Sum()}
    known = _Sum()
    by_kind = {k: _Sum() for k in kinds}
    for key, g in rows:
        values = key[1] if social else key[2]
        status = g.sample.social_status if social else g.sample.environmental_status
        by_status[status].add(g)
        if status != "inconnu":
            known.add(g)
        if values:
            for k in kinds:
                if k in values:
                    by_kind[k].add(g)
    return ConsiderationIndicators(
        "social" if social else "environnemental",
        by_status["oui"].measure(f"Au moins une considération {word}", total, base),
        by_status["non"].measure(f"Aucune considération {word}", total, base),
        by_status["inconnu"].measure(f"Considération {word} inconnue", total, base),
        by_status["oui"].measure(f"Au moins une considération {word}", known, "contrats dont l'information est connue"),
        {k.value: by_kind[k].measure(k.value, total, base) for k in kinds},
    )


def _breakdown(rows: list[tuple[_Profile, _Group]], key: Callable[[_Profile], str | None], label: Callable[[str], str]) -> dict[str, Breakdown]:
    # group -> [all, social yes, environmental yes, social unknown, environmental unknown]
    sums: dict[str, list[_Sum]] = {}
    for profile, g in rows:
        k = key(profile) or "inconnu"
        s = sums.get(k)
        if s is None:
            sums[k] = s = [_Sum() for _ in range(5)]
        s[0].add(g)
        social, env = g.sample.social_status, g.sample.environmental_status
        if social == "oui":
            s[1].add(g)
        elif social == "inconnu":
            s[3].add(g)
        if env == "oui":
            s[2].add(g)
        elif env == "inconnu":
            s[4].add(g)
    out = {}
    base = "contrats du groupe"
    for k in sorted(sums):
        every, social_sum, env_sum, social_unknown, env_unknown = sums[k]
        out[k] = Breakdown(
            k,
            "Inconnu" if k == "inconnu" else label(k),
            every.count,
            every.value,
            social_sum.measure("Au moins une considération sociale", every, base),
            env_sum.measure("Au moins une considération environnementale", every, base),
            social_unknown.count,
            env_unknown.count,
        )
    return out


def _year(t: _Tally, year: int, *, floor: Decimal | None = None, floor_note: str | None = None) -> YearIndicators:
    """The indicators of ``year`` from a tally (``floor``: the tally's _BELOW contracts are left out)."""
    kept = _ALL_CONTRACTS if floor is None else frozenset({_KEPT})
    rows = list(t.groups.get(year, {}).items())
    contracts = [(k, g) for k, g in rows if k[0] in kept]
    lines = _Sum()
    total = _Sum()
    buyers = _Sum()
    reserved = _Sum()
    unknown_amount = below = unknown_excluded = 0
    suppliers = {k: _Sum() for k in SupplierKind}
    for k, g in rows:
        cls = k[0]
        if cls == _LINE:
            lines.add(g)
        elif cls not in kept:
            if cls == _BELOW:
                below += g.count
            else:
                unknown_excluded += g.count
            continue
        else:
            total.add(g)
            if cls == _NO_AMOUNT:
                unknown_amount += g.count
            if g.sample.is_reserved:
                reserved.add(g)
        buyers.add(g)
        for kind in k[5]:
            suppliers[kind].add(g)
    base = "contrats notifiés dans l'année"
    buyers_label = "achats de l'année (contrats et lignes de dépense)"
    notes = []
    if lines.count:
        notes.append(f"{lines.count} ligne(s) de dépense comptée(s) seulement dans les achats auprès des structures (SIAE, EA, ESAT, ESUS, ESS).")
    if unknown_amount:
        notes.append(f"{unknown_amount} contrat(s) sans montant : comptés en nombre, pas en valeur.")
    hours = _Hours()
    for cls in sorted(kept):
        h = t.hours.get((year, cls))
        if h is not None:
            hours.contracts += h.contracts
            hours.planned += h.planned
            hours.achieved += h.achieved
    return YearIndicators(
        year=year,
        floor=floor,
        floor_note=floor_note,
        contracts=total.count,
        value=total.value,
        unknown_amount=unknown_amount,
        social=_consideration(contracts, total, social=True),
        environmental=_consideration(contracts, total, social=False),
        reserved=reserved.measure("Marchés réservés", total, base),
        suppliers={k.value: suppliers[k].measure(k.label, buyers, buyers_label) for k in SupplierKind},
        insertion_hours_planned=hours.planned,
        insertion_hours_achieved=hours.achieved,
        contracts_with_insertion_hours=hours.contracts,
        by_nature=_breakdown(contracts, lambda k: k[3], lambda k: Nature(k).label),
        by_cpv_division=_breakdown(contracts, lambda k: k[4], _division_label),
        below_floor=below,
        unknown_amount_excluded=unknown_excluded,
        spending_lines=lines.count,
        notes=tuple(notes),
    )


def year_indicators(portfolio: Portfolio, year: int, *, floor: Decimal | None = None, floor_note: str | None = None) -> YearIndicators:
    """Indicators for the contracts notified in ``year`` (``floor``: keep amounts >= floor only)."""
    t = _tally(portfolio.purchases, only_year=year, floor_year=year, floor=floor)
    return _year(t, year, floor=floor, floor_note=floor_note)


def indicators_by_year(portfolio: Portfolio) -> dict[int, YearIndicators]:
    """Indicators for every notification year present (all contracts, no floor)."""
    t = _tally(portfolio.purchases)
    return {y: _year(t, y) for y in sorted(t.groups)}


def indicators_and_measured(
    portfolio: Portfolio,
    year: int,
    *,
    floor: Decimal | None,
    floor_note: str | None,
    riders: Sequence[Callable[[Purchase], None]] = (),
) -> tuple[dict[int, YearIndicators], YearIndicators]:
    """``indicators_by_year`` and ``year_indicators(year, floor=...)`` from a single pass (``riders``: see ``_tally``)."""
    t = _tally(portfolio.purchases, floor_year=year, floor=floor, riders=riders)
    return {y: _year(t, y) for y in sorted(t.groups)}, _year(t, year, floor=floor, floor_note=floor_note)
