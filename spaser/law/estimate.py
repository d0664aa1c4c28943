"""The one rule for ESTIMATING a yearly spend from contract amounts.

A DECP ``montant`` (or a spreadsheet's contract amount) is the maximum value
HT over the whole contract, not a yearly spend. When the actual spending of a
year is unknown, each contract's amount is spread evenly over its duration in
months, from the month of notification (that month counts as the first).
The result is always shown as an ESTIMATE with this method, never as the
legal figure (D2111-3 counts the spending actually made in a calendar year).

Both the obligation (``spaser check``) and the national scan (``spaser scan``)
use these functions, so the same file gives the same figure in both.

>>> from spaser.model import Purchase
>>> p = Purchase(id="A", amount_ht=Decimal("120000"), notification_date=date(2024, 11, 5), duration_months=12)
>>> e = estimate_yearly_spend([p], 2024, default_duration_months=12)
>>> e.total, e.used
(Decimal('20000.00'), 1)
>>> estimate_yearly_spend([p], 2025, default_duration_months=12).total
Decimal('100000.00')
>>> contract_share(p, 2025, default_months=12)
(Decimal('100000'), None)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from spaser.model import ContractKind, Purchase, calendar_year
from spaser.money import CENT as _CENT
from spaser.money import SMALLEST_IMPLAUSIBLE as _SMALLEST_IMPLAUSIBLE
from spaser.money import implausible_amount

if TYPE_CHECKING:
    from spaser.law.law import Law

__all__ = [
    "SPEND_LABEL",
    "SpendEstimate",
    "months_in_year",
    "share_in_year",
    "spread",
    "contract_share",
    "default_duration",
    "method_text",
    "estimate_yearly_spend",
]

# Below this, implausible_amount() finds nothing (pinned by tests/test_law_onepass.py).

SPEND_LABEL = "dépense annuelle estimée (montant réparti sur la durée)"

_ZERO = Decimal(0)

# Reasons a contract does not enter the estimate (keys shown to users).
EXCLUDED_CONCESSION = "contrat de concession (hors champ)"
EXCLUDED_LIVRE_V = "marché relevant du livre V (hors champ)"
EXCLUDED_NO_AMOUNT = "montant inconnu"
EXCLUDED_IMPLAUSIBLE = "montant invraisemblable (erreur de saisie probable)"
EXCLUDED_NO_DATE = "date de notification inconnue"


def months_in_year(start: date, months: int, year: int) -> int:
    """How many of the ``months`` months from ``start``'s month fall in ``year``.

    >>> months_in_year(date(2023, 11, 20), 4, 2024)   # Nov, Dec 2023, Jan, Feb 2024
    2
    """
    first = start.year * 12 + start.month - 1
    last = first + max(months, 1) - 1
    lo, hi = max(first, year * 12), min(last, year * 12 + 11)
    return max(0, hi - lo + 1)


def share_in_year(amount: Decimal, start: date, months: int, year: int) -> Decimal | None:
    """The part of ``amount``, spread evenly over ``months`` months from ``start``, that falls in ``year``.

    None when the contract does not run that year; a duration of 0 counts as 1 month.

    >>> share_in_year(Decimal("1200"), date(2023, 7, 1), 12, 2024), share_in_year(Decimal("1200"), date(2023, 7, 1), 12, 2025)
    (Decimal('600'), None)
    """
    k, m = _fraction(start, months, year)
    if not k:
        return None
    return amount if k == m else amount * k / m


@lru_cache(maxsize=1 << 16)
def _fraction(start: date, months: int, year: int) -> tuple[int, int]:
    """(months of ``year`` the contract runs, months it runs in all): share_in_year's fraction.

    Remembered: contracts share their start dates and durations (a million purchases, a few
    thousand distinct fractions).
    """
    return months_in_year(start, months, year), max(months, 1)


@lru_cache(maxsize=64)
def _assumed(default_months: int) -> str:
    return f"durée inconnue : {default_months} mois supposés"


def spread(amount: Decimal, start: date, months: int) -> Iterator[tuple[int, Decimal]]:
    """(year, share) of an amount spread evenly over ``months`` months (0 counts as 1).

    >>> [(y, str(v)) for y, v in spread(Decimal("1200"), date(2023, 7, 1), 12)]
    [(2023, '600'), (2024, '600')]
    """
    m = max(months, 1)
    first = start.year * 12 + start.month - 1
    last = first + m - 1
    for y in range(first // 12, last // 12 + 1):
        k = min(last, y * 12 + 11) - max(first, y * 12) + 1
        yield y, (amount if k == m else amount * k / m)


def default_duration(at: date, *, law: Law | None = None) -> int:
    """Months assumed when a contract's duration is unknown (a method parameter, not law; ``law``: default the current one)."""
    from spaser.law.law import parameters_of

    p = parameters_of(law).estimation.duree_defaut_mois
    v = p.at(at) or p.values[0]  # a method choice, not law: before its first date, its first value
    return int(v.value)


def method_text(year: int, default_months: int) -> str:
    """The method, in French, as shown beside every estimate."""
    return (
        f"Estimation : le montant HT de chaque marché (montant maximal sur toute sa durée) est réparti à parts égales "
        f"sur sa durée en mois, à compter du mois de notification ; la part tombant en {year} est retenue. "
        f"Durée inconnue : {default_months} mois supposés (hypothèse de méthode, pas une règle de droit). "
        "Sont exclus : les concessions, les marchés du livre V, les montants inconnus ou invraisemblables "
        "et les marchés sans date de notification. C'est une estimation, pas la dépense réelle de l'année "
        "(art. D2111-3 : dépenses effectuées au cours de l'année civile)."
    )


def contract_share(purchase: Purchase, year: int, *, default_months: int) -> tuple[Decimal | None, str | None]:
    """ESTIMATED spend of one contract in ``year``, unrounded (round the totals, not the parts).

    Returns (amount, or None when it cannot be placed: no amount, no date or an
    implausible amount; the assumption made, or None).

    >>> from spaser.model import Purchase
    >>> p = Purchase(id="M", amount_ht=Decimal("1200"), notification_date=date(2024, 7, 1))
    >>> contract_share(p, 2025, default_months=12)
    (Decimal('600'), 'durée inconnue : 12 mois supposés')
    """
    amount, start = purchase.amount_ht, purchase.notification_date
    # Only amounts from the smallest placeholder up can be implausible: skip the call for the others
    # (the model refuses NaN and infinities, so the comparison is safe).
    if amount is None or start is None or (amount >= _SMALLEST_IMPLAUSIBLE and implausible_amount(amount)):
        return None, None
    months, assumption = purchase.duration_months, None
    if months is None:
        months, assumption = default_months, _assumed(default_months)
    k, m = _fraction(start, months, year)  # share_in_year, written out: it runs for every purchase
    if not k:
        return _ZERO, assumption
    return (amount if k == m else amount * k / m), assumption


@dataclass(frozen=True)
class SpendEstimate:
    """An estimated yearly spend and how it was obtained."""

    year: int
    total: Decimal  # euros HT, rounded to the cent
    contracts: int  # purchases examined
    used: int  # purchases with a share in the year
    outside_year: int  # usable purchases not running during the year
    assumed_duration: int  # among ``used``: duration unknown, default assumed
    actual: int  # among ``used``: the actual spend of the year was given (spend_by_year)
    default_duration_months: int
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> count
    method: str = ""
    label: str = SPEND_LABEL

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "label": self.label,
            "total": self.total,
            "contracts": self.contracts,
            "used": self.used,
            "outside_year": self.outside_year,
            "assumed_duration": self.assumed_duration,
            "actual": self.actual,
            "default_duration_months": self.default_duration_months,
            "excluded": dict(self.excluded),
            "method": self.method,
        }


def estimate_yearly_spend(
    purchases: Iterable[Purchase], year: int, *, default_duration_months: int | None = None, law: Law | None = None
) -> SpendEstimate:
    """Estimate a buyer's spend in ``year`` from its contracts (see the module doc).

    A purchase that gives its actual spend for the year (``spend_by_year``)
    counts with that figure instead of an estimate. ``default_duration_months``
    defaults to the parameter ``estimation.duree_defaut_mois``.
    """
    default = default_duration_months if default_duration_months is not None else default_duration(date(calendar_year(year), 12, 31), law=law)
    total = Decimal(0)
    n = used = outside = assumed = actual = 0
    excluded: Counter[str] = Counter()
    for p in purchases:
        n += 1
        if p.kind is ContractKind.CONCESSION:
            excluded[EXCLUDED_CONCESSION] += 1
            continue
        if p.livre_v:
            excluded[EXCLUDED_LIVRE_V] += 1
            continue
        if year in p.spend_by_year:
            total += p.spend_by_year[year]
            used += 1
            actual += 1
            continue
        if p.amount_ht is None:
            excluded[EXCLUDED_NO_AMOUNT] += 1
            continue
        if implausible_amount(p.amount_ht):
            excluded[EXCLUDED_IMPLAUSIBLE] += 1
            continue
        if p.notification_date is None:
            excluded[EXCLUDED_NO_DATE] += 1
            continue
        months = p.duration_months if p.duration_months is not None else default
        share = share_in_year(p.amount_ht, p.notification_date, months, year)
        if share is None:
            outside += 1
            continue
        total += share
        used += 1
        if p.duration_months is None:
            assumed += 1
    return SpendEstimate(
        year=year,
        total=total.quantize(_CENT, rounding=ROUND_HALF_UP),
        contracts=n,
        used=used,
        outside_year=outside,
        assumed_duration=assumed,
        actual=actual,
        default_duration_months=default,
        excluded=dict(excluded),
        method=method_text(year, default),
    )
