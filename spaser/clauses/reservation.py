"""Can this purchase be reserved, and to whom? (art. L2113-12 to L2113-16 CCP)

Any contract may legally be reserved under L2113-12 (EA, ESAT) or L2113-13
(SIAE); the useful question is whether such structures work in the sector,
which a CPV-prefix table (data, practice knowledge) answers. L2113-15 (ESS)
is different: only the listed social and cultural services qualify, for at
most the parameter's number of years, and not for an operator that got such
a contract for the same services from the buyer in the last years.

>>> from spaser.model import Purchase
>>> p = Purchase(id="N1", object="Nettoyage des écoles", cpv="90919200", amount_ht=Decimal("150000"))
>>> a = can_reserve(p, at=date(2026, 1, 5))
>>> [o.article for o in a.options if o.recommended]
['L2113-13', 'L2113-12', 'L2113-14']
>>> a.ess.eligible
False
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from spaser import cpv as _cpv
from spaser.clauses import _law
from spaser.clauses._tables import PrefixIndex, table
from spaser.law.compliance import EuThreshold, eu_threshold
from spaser.model import BuyerKind, ContractKind, Nature, Portfolio, Purchase, SupplierKind
from spaser.money import format_percent

__all__ = ["ReservationOption", "EssCheck", "ReservationAdvice", "can_reserve", "reservation_options", "lot_preference", "ess_eligible_cpv", "sector_matches"]


@dataclass(frozen=True)
class ReservationOption:
    article: str  # "L2113-13"
    label: str  # French
    clause_id: str  # catalogue clause to use
    recommended: bool  # structures commonly work in this sector
    reasons: tuple[str, ...]  # French sentences

    def to_dict(self) -> dict[str, object]:
        return {"article": self.article, "label": self.label, "clause_id": self.clause_id, "recommended": self.recommended, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class EssCheck:
    """L2113-15 eligibility."""

    eligible: bool  # CPV listed (or in the range)
    exact: bool  # the CPV itself is listed (a sub-code of a listed code is "à vérifier")
    duration_ok: bool | None  # None: duration unknown
    excluded_suppliers: tuple[str, ...]  # operators awarded such a contract within the period
    reasons: tuple[str, ...]
    to_confirm: bool = True

    def to_dict(self) -> dict[str, object]:
        return {
            "eligible": self.eligible,
            "exact": self.exact,
            "duration_ok": self.duration_ok,
            "excluded_suppliers": list(self.excluded_suppliers),
            "reasons": list(self.reasons),
            "to_confirm": self.to_confirm,
        }


@dataclass(frozen=True)
class ReservationAdvice:
    purchase_id: str
    options: tuple[ReservationOption, ...]
    ess: EssCheck
    condition: str  # R2113-7 proportion, stated in French
    lot_preferred: bool
    lot_reason: str
    already_reserved: bool = False
    sectors: tuple[str, ...] = field(default=())

    @property
    def reservable(self) -> bool:
        """Worth proposing: a sector where structures work, or an ESS-eligible service."""
        return any(o.recommended for o in self.options) or self.ess.eligible

    @property
    def best(self) -> ReservationOption | None:
        rec = [o for o in self.options if o.recommended]
        return rec[0] if rec else None

    def explain(self) -> str:
        lines = []
        if self.already_reserved:
            lines.append("Ce marché est déjà réservé.")
        for o in self.options:
            mark = "conseillé" if o.recommended else "possible"
            lines.append(f"- {o.label} (art. {o.article}) : {mark}. " + " ".join(o.reasons))
        lines.append(f"- Réservation ESS (art. L2113-15) : {'possible' if self.ess.eligible else 'non'}. " + " ".join(self.ess.reasons))
        lines.append(self.condition)
        if self.lot_reason:
            lines.append(self.lot_reason)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "purchase_id": self.purchase_id,
            "reservable": self.reservable,
            "options": [o.to_dict() for o in self.options],
            "ess": self.ess.to_dict(),
            "condition": self.condition,
            "lot_preferred": self.lot_preferred,
            "lot_reason": self.lot_reason,
            "already_reserved": self.already_reserved,
            "explanation": self.explain(),
        }


def sector_matches(cpv: str | None, group: str) -> list[str]:
    """Labels of the sectors of ``group`` ('siae' or 'ea_esat') matching the CPV code."""
    return list(_sectors(cpv, group))


@lru_cache(maxsize=8192)  # codes repeat across a portfolio; the table is fixed
def _sectors(cpv: str | None, group: str) -> tuple[str, ...]:
    hit = {key for _, key in _sectors_by_prefix(group).hits(cpv)}
    return tuple(spec["label"] for key, spec in table("sectors")[group].items() if key in hit)


@lru_cache(maxsize=None)
def _sectors_by_prefix(group: str) -> PrefixIndex[str]:
    return PrefixIndex((key, spec["cpv"]) for key, spec in table("sectors")[group].items())


def ess_eligible_cpv(cpv: str | None, at: date) -> tuple[bool, bool, str | None]:
    """(eligible, exact, listed code) for L2113-15 at ``at``."""
    if not cpv:
        return False, False, None
    return _law.memoised(("ess_eligible_cpv", cpv, at), lambda: _ess_eligible(cpv, at))  # type: ignore[no-any-return]


def _ess_eligible(cpv: str, at: date) -> tuple[bool, bool, str | None]:
    reservation = _law.parameters().reservation
    listed = _law.value_or_none(reservation.ess_cpv_eligibles, at) or []
    bounds = _law.value_or_none(reservation.ess_cpv_plage, at)
    if bounds and int(bounds[0]) <= int(cpv) <= int(bounds[1]):
        return True, True, cpv
    if cpv in listed:
        return True, True, cpv
    for code in [*_cpv.ancestors(cpv)]:
        if code in listed:
            return True, False, code
    return False, False, None


def _ess_check(p: Purchase, at: date, portfolio: Portfolio | None) -> EssCheck:
    eligible, exact, code = ess_eligible_cpv(p.cpv, at)
    if not eligible:
        why = "Le code CPV ne figure pas parmi les services de santé, sociaux et culturels éligibles." if p.cpv else "Code CPV inconnu : éligibilité impossible à vérifier."
        return EssCheck(False, False, None, (), (why,))
    reasons = []
    if exact:
        reasons.append(f"Le code CPV {_cpv.format(p.cpv)} fait partie des services éligibles [liste à confirmer].")  # type: ignore[arg-type]
    else:
        reasons.append(
            f"Le code CPV {_cpv.format(p.cpv)} relève du code listé {_cpv.format(code)} : éligibilité à vérifier "  # type: ignore[arg-type]
            "(le texte liste des codes sans préciser s'il couvre leurs subdivisions)."
        )
    max_years = _law.value_or_none(_law.parameters().reservation.ess_duree_max_annees, at)
    duration_ok = None
    if max_years is not None:
        if p.duration_months is None:
            reasons.append(f"Durée du marché à limiter à {max_years} ans au plus [à confirmer].")
        else:
            duration_ok = p.duration_months <= 12 * max_years
            if not duration_ok:
                reasons.append(f"La durée prévue ({p.duration_months} mois) dépasse la durée maximale de {max_years} ans [à confirmer] : à réduire.")
    excluded = _recent_ess_awardees(p, at, portfolio)
    if excluded:
        reasons.append(
            "Ne peuvent pas être attributaires, ayant déjà obtenu un tel marché pour les mêmes services : " + ", ".join(excluded) + "."
        )
    elif portfolio is not None:
        reasons.append("Aucun marché réservé ESS pour les mêmes services trouvé dans le portefeuille sur la période.")
    return EssCheck(True, exact, duration_ok, tuple(excluded), tuple(reasons))


# The awardees of one CPV group within one period: (purchase id, ESS or unknown-kind holders) in portfolio order.
_Awardees = list[tuple[str, tuple[str, ...]]]
_RESERVED: tuple[weakref.ref[Portfolio], dict[str, list[Purchase]], dict[tuple[str, date, date], _Awardees]] | None = None


def _reserved(portfolio: Portfolio):  # type: ignore[no-untyped-def]
    """(weak reference, the portfolio's reserved purchases with a CPV code and a date by CPV group in
    portfolio order, the memo of :func:`_awardees`).

    Built once per portfolio (the last one is remembered, weakly): scanning the
    whole portfolio for each purchase was quadratic on large portfolios.
    """
    global _RESERVED
    cached = _RESERVED
    if cached is not None and cached[0]() is portfolio:
        return cached
    index: dict[str, list[Purchase]] = {}
    for q in portfolio.purchases:
        if q.is_reserved and q.cpv is not None and q.notification_date is not None:
            index.setdefault(q.cpv[:5], []).append(q)
    _RESERVED = (weakref.ref(portfolio), index, {})
    return _RESERVED


def _awardees(portfolio: Portfolio, group: str, since: date, at: date) -> _Awardees:
    """The group's reserved purchases notified in [since, at], worked out once per group and period."""
    _, index, memo = _reserved(portfolio)
    found = memo.get((group, since, at))
    if found is None:
        listed = []
        for q in index.get(group, ()):
            if since <= q.notification_date <= at:
                listed.append((q.id, tuple(s.name or s.siret or "titulaire sans nom" for s in q.suppliers
                                           if s.kinds & {SupplierKind.ESS, SupplierKind.ESUS} or not s.kinds)))
        found = memo[(group, since, at)] = listed
    return found  # type: ignore[no-any-return]


def _recent_ess_awardees(p: Purchase, at: date, portfolio: Portfolio | None) -> list[str]:
    if portfolio is None or not p.cpv:
        return []
    years = _law.value_or_none(_law.parameters().reservation.ess_delai_meme_operateur_annees, at)
    if years is None:
        return []
    try:
        since = at.replace(year=at.year - years)
    except ValueError:  # 29 February
        since = at.replace(year=at.year - years, day=28)
    # "Same services": same CPV group (first five digits), notified within the period; not the purchase itself.
    return list(dict.fromkeys(label for qid, labels in _awardees(portfolio, p.cpv[:5], since, at) if qid != p.id for label in labels))


def _eu_threshold(p: Purchase, at: date, buyer_kind: BuyerKind | None) -> Decimal | None:
    t = threshold_at(buyer_kind or BuyerKind.AUTRE, p.nature, at, p.kind)
    return None if t is None else t.value


def threshold_at(kind: BuyerKind, nature: Nature | None, at: date, contract_kind: ContractKind) -> EuThreshold | None:
    """:func:`spaser.law.compliance.eu_threshold`, remembered per question (it reads the parameters only)."""
    return _law.memoised(  # type: ignore[no-any-return]
        ("eu_threshold", kind, nature, at, contract_kind), lambda: eu_threshold(kind, nature, at, contract_kind=contract_kind)
    )


def can_reserve(
    purchase: Purchase,
    *,
    at: date | None = None,
    portfolio: Portfolio | None = None,
    buyer_kind: BuyerKind | None = None,
) -> ReservationAdvice:
    """Reservation options for a purchase at a date (default: today)."""
    at = at or date.today()
    siae, ea, options = _options(purchase.cpv)
    condition = _law.memoised(("reservation_condition", at), lambda: _condition(at))
    lot_preferred, lot_reason = lot_preference(purchase, at, buyer_kind, any(o.recommended for o in options))
    return ReservationAdvice(
        purchase_id=purchase.id,
        options=options,
        ess=_ess_check(purchase, at, portfolio),
        condition=condition,
        lot_preferred=lot_preferred,
        lot_reason=lot_reason,
        already_reserved=purchase.is_reserved,
        sectors=tuple(dict.fromkeys([*siae, *ea])),
    )


def reservation_options(cpv: str | None) -> tuple[ReservationOption, ...]:
    """The options of :func:`can_reserve` (they depend on the CPV code only)."""
    return _options(cpv)[2]


@lru_cache(maxsize=8192)  # the options depend on the CPV code only; codes repeat across a portfolio
def _options(cpv: str | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ReservationOption, ...]]:
    siae, ea = _sectors(cpv, "siae"), _sectors(cpv, "ea_esat")
    no_sector = "Aucun secteur d'activité courant des structures concernées n'est reconnu pour ce code CPV : vérifier l'existence d'offres (plateforme de l'inclusion, réseau GESAT)."
    options = (
        ReservationOption(
            "L2113-13",
            "Marché réservé aux SIAE",
            "reserve-siae",
            bool(siae),
            (f"Secteur où des structures d'insertion interviennent couramment : {', '.join(siae)}.",) if siae else (no_sector,),
        ),
        ReservationOption(
            "L2113-12",
            "Marché réservé aux EA et ESAT",
            "reserve-ea-esat",
            bool(ea),
            (f"Secteur où des entreprises adaptées et des ESAT interviennent couramment : {', '.join(ea)}.",) if ea else (no_sector,),
        ),
        ReservationOption(
            "L2113-14",
            "Marché réservé conjointement aux SIAE, EA et ESAT",
            "reserve-conjoint",
            bool(siae and ea),
            (
                "Les deux familles de structures interviennent dans ce secteur : la réservation conjointe élargit la concurrence "
                "(elle ne peut pas être combinée avec la réservation aux opérateurs employant des détenus, art. L2113-13-1).",
            ),
        ),
    )
    return siae, ea, options


def _condition(at: date) -> str:
    share = _law.fact(_law.parameters().reservation.part_travailleurs, at)
    return (
        f"Condition (art. R2113-7) : la structure emploie au moins {format_percent(share.value, 0)} de travailleurs handicapés ou défavorisés"
        f"{share.caveat} ; la réservation est mentionnée dans l'avis de marché."
        if share
        else "Condition (art. R2113-7) : proportion minimale de travailleurs handicapés ou défavorisés (paramètre non en vigueur à cette date)."
    )


def lot_preference(p: Purchase, at: date, buyer_kind: BuyerKind | None, recommended: bool) -> tuple[bool, str]:
    """A reserved LOT beats reserving the whole contract when the purchase is large or mixed."""
    from spaser.clauses.allotment import components

    parts = components(p)
    if len(parts) >= 2:
        return True, (
            "L'achat regroupe des prestations distinctes (" + ", ".join(parts) + ") : réserver le ou les lots "
            "où interviennent les structures inclusives plutôt que l'ensemble du marché."
        )
    threshold = _eu_threshold(p, at, buyer_kind)
    if recommended and p.amount_ht is not None and threshold is not None and p.amount_ht >= threshold:
        return True, (
            "Le montant atteint le seuil européen : un marché entier réservé risque de dépasser la capacité des structures ; "
            "un lot réservé, dimensionné pour elles, est souvent préférable."
        )
    if p.nature is Nature.TRAVAUX:
        return True, "Pour des travaux, la réservation porte en pratique sur un lot (second œuvre, espaces verts, nettoyage de chantier)."
    return False, ""
