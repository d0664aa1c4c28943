"""Allotment advice (art. L2113-10, L2113-11, R2123-1 2° CCP).

Reads the object text and the CPV code for separable services (works by
trade, service families, product families, several sites: keyword tables in
``tables/allotment.yaml``), proposes lots, flags those small enough for SIAE
and ESS bidders, applies the small-lots exemption with the parameters
``procedures.petits_lots.*``, and drafts the L2113-11 justification when the
buyer does not divide.

>>> from spaser.model import Purchase
>>> p = Purchase(id="T1", object="Rénovation du groupe scolaire : gros œuvre, menuiseries, peinture et électricité",
...              cpv="45454000", amount_ht=Decimal("2400000"))
>>> components(p)
['Gros œuvre – maçonnerie', 'Menuiseries intérieures', 'Peinture – revêtements muraux', 'Électricité – courants forts et faibles']
>>> r = small_lots([("A", Decimal("50000")), ("B", Decimal("60000")), ("C", Decimal("400000"))], nature=Nature.FOURNITURES, at=date(2025, 1, 1))
>>> r.eligible, r.share
(('A',), Decimal('0.09803921568627450980392156863'))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from spaser.clauses import _law
from spaser.clauses._tables import PhraseIndex, has_any, normalise, table
from spaser.clauses.reservation import sector_matches
from spaser.model import Nature, Purchase
from spaser.money import format_eur, format_percent

__all__ = ["ProposedLot", "SmallLots", "AllotmentAdvice", "allotment_advice", "may_divide", "components", "small_lots", "justification_text"]

# Families whose lots inclusive structures commonly bid for (practice).
_INCLUSIVE = {"peinture", "espaces_verts", "nettoyage_locaux", "vitrerie", "restauration", "blanchisserie", "dechets", "vetements", "fournitures", "sols", "desamiantage"}


@dataclass(frozen=True)
class ProposedLot:
    label: str
    kind: str  # "corps d'état" | "prestation" | "famille de produits" | "site"
    estimated_ht: Decimal | None  # even split, indicative
    small: bool  # under the small-lots threshold (R2123-1 2°)
    inclusive: bool  # a sector where SIAE / EA / ESAT / ESS commonly bid

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "kind": self.kind, "estimated_ht": self.estimated_ht, "small": self.small, "inclusive": self.inclusive}


@dataclass(frozen=True)
class SmallLots:
    """Which lots may use the adapted procedure under R2123-1 2°."""

    eligible: tuple[str, ...]
    total: Decimal  # value of all lots
    small_total: Decimal  # value of the eligible lots
    threshold: Decimal | None  # per-lot ceiling (exclusive)
    cap: Decimal | None  # maximum share of the total
    to_confirm: bool

    @property
    def share(self) -> Decimal:
        return self.small_total / self.total if self.total else Decimal(0)

    def explain(self) -> str:
        if self.threshold is None or self.cap is None:
            return "Dispense pour petits lots (art. R2123-1 2°) : paramètres non en vigueur à cette date."
        flag = " [à confirmer]" if self.to_confirm else ""
        head = (
            f"Dispense pour petits lots (art. R2123-1 2°{flag}) : lots de moins de {format_eur(self.threshold, cents=False)} HT, "
            f"dans la limite de {format_percent(self.cap, 0)} de la valeur totale ({format_eur(self.total, cents=False)} HT)."
        )
        if not self.eligible:
            return head + " Aucun lot ne peut en bénéficier."
        return head + (
            f" Lots pouvant être passés en procédure adaptée : {', '.join(self.eligible)} "
            f"({format_eur(self.small_total, cents=False)} HT, soit {format_percent(self.share)} du total)."
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "eligible": list(self.eligible),
            "total": self.total,
            "small_total": self.small_total,
            "share": self.share,
            "threshold": self.threshold,
            "cap": self.cap,
            "to_confirm": self.to_confirm,
            "explanation": self.explain(),
        }


@dataclass(frozen=True)
class AllotmentAdvice:
    purchase_id: str
    divide: bool  # dividing is advised
    already_lot: bool
    reasons: tuple[str, ...]
    lots: tuple[ProposedLot, ...]
    small: SmallLots | None
    justification: str  # L2113-11 text to complete, for the case the buyer does not divide

    def explain(self) -> str:
        lines = list(self.reasons)
        for lot in self.lots:
            tags = [t for t, on in (("petit lot", lot.small), ("accessible aux structures inclusives", lot.inclusive)) if on]
            amount = f", ≈ {format_eur(lot.estimated_ht, cents=False)} HT" if lot.estimated_ht is not None else ""
            lines.append(f"- {lot.label} ({lot.kind}{amount}{', ' + ', '.join(tags) if tags else ''})")
        if self.small is not None:
            lines.append(self.small.explain())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "purchase_id": self.purchase_id,
            "divide": self.divide,
            "already_lot": self.already_lot,
            "reasons": list(self.reasons),
            "lots": [lot.to_dict() for lot in self.lots],
            "small_lots": self.small.to_dict() if self.small else None,
            "justification": self.justification,
            "explanation": self.explain(),
        }


def _families(p: Purchase) -> list[tuple[str, str, str]]:
    """(key, label, kind) of the separable components named in the object text."""
    return list(_families_of(p.object, p.nature))


@lru_cache(maxsize=65536)  # objects repeat across a portfolio (as many as normalise keeps); the tables are fixed
def _families_of(object_text: str, nature: Nature | None) -> tuple[tuple[str, str, str], ...]:
    data = table("allotment")
    groups = []
    if nature in (Nature.TRAVAUX, None):
        groups.append(("works_trades", "corps d'état"))
    if nature in (Nature.SERVICES, None):
        groups.append(("service_families", "prestation"))
    if nature in (Nature.FOURNITURES, None):
        groups.append(("product_families", "famille de produits"))
    out: list[tuple[str, str, str]] = []
    text = normalise(object_text)  # once for every family looked for
    for group, kind in groups:
        for key in _family_index(group).keys_in(text):
            label = data[group][key]["label"]
            if label not in [o[1] for o in out]:
                out.append((key, label, kind))
    return tuple(out)


@lru_cache(maxsize=None)
def _family_index(group: str) -> PhraseIndex[str]:
    return PhraseIndex((key, spec["words"]) for key, spec in table("allotment")[group].items())


def components(p: Purchase) -> list[str]:
    """Labels of the separable components found in the purchase's object text."""
    return [label for _, label, _ in _families(p)]


def _several_sites(p: Purchase) -> bool:
    return _names_sites(p.object)


@lru_cache(maxsize=65536)
def _names_sites(object_text: str) -> bool:
    return has_any(object_text, tuple(table("allotment")["sites"]["words"]))


def may_divide(p: Purchase) -> bool:
    """Whether :func:`allotment_advice` advises dividing (object, nature, lot only): a cheap first look."""
    return not p.lot and (len(_families_of(p.object, p.nature)) >= 2 or _names_sites(p.object))


def _threshold(nature: Nature | None, at: date) -> _law.Fact | None:
    lots = _law.parameters().procedures.petits_lots
    return _law.fact(lots.travaux if nature is Nature.TRAVAUX else lots.fournitures_services, at)


def small_lots(lots: list[tuple[str, Decimal]], *, nature: Nature | None, at: date | None = None) -> SmallLots:
    """Lots that may use the adapted procedure (R2123-1 2°): each under the threshold, total within the cap.

    The smallest lots are taken first, which lets the largest number of lots benefit.
    """
    at = at or date.today()
    total = sum((a for _, a in lots), Decimal(0))
    th, cap = _threshold(nature, at), _law.fact(_law.parameters().procedures.petits_lots.part_max, at)
    if th is None or cap is None:
        return SmallLots((), total, Decimal(0), None, None, True)
    chosen: list[str] = []
    running = Decimal(0)
    for name, amount in sorted(lots, key=lambda x: (x[1], x[0])):
        if amount >= th.value:
            continue
        if running + amount > cap.value * total:
            break
        chosen.append(name)
        running += amount
    order = [n for n, _ in lots if n in chosen]  # keep the buyer's order
    return SmallLots(tuple(order), total, running, th.value, cap.value, th.to_confirm or cap.to_confirm)


def justification_text(reasons: list[str] | None = None) -> str:
    """The L2113-11 justification to complete (French, with blanks)."""
    motives = reasons or [
        "[à compléter : l'acheteur n'est pas en mesure d'assurer par lui-même les missions d'organisation, de pilotage et de "
        "coordination des lots, parce que …]",
        "[à compléter, le cas échéant : la dévolution en lots séparés risque de restreindre la concurrence, parce que …]",
        "[à compléter, le cas échéant : la dévolution en lots séparés risque de rendre techniquement difficile ou financièrement "
        "plus coûteuse l'exécution des prestations, parce que … (interfaces entre prestations, garanties, délais)]",
    ]
    body = "\n".join(f"- {m}" for m in motives)
    return (
        "Justification du choix de ne pas allotir (article L2113-11 du code de la commande publique)\n\n"
        f"Le marché « [à compléter : objet] » n'est pas alloti pour les motifs suivants :\n{body}\n\n"
        "Ces motifs sont exposés dans les documents de la consultation ou dans le rapport de présentation "
        "[à compléter : pièce retenue]. Les éléments de fait qui les fondent sont : [à compléter]."
    )


def allotment_advice(purchase: Purchase, *, at: date | None = None, lots: list[tuple[str, Decimal]] | None = None) -> AllotmentAdvice:
    """Should this purchase be divided into lots, and how? ``lots``: the buyer's own split, if any."""
    at = at or date.today()
    fams = _families(purchase)
    sites = _several_sites(purchase)
    reasons: list[str] = []
    if purchase.lot:
        reasons.append(f"Cet achat est déjà un lot ({purchase.lot}) d'une consultation allotie.")
    proposed: list[tuple[str, str, bool]] = [(label, kind, key in _INCLUSIVE or bool(_sector_of(key))) for key, label, kind in fams]
    if len(fams) >= 2:
        reasons.append(
            f"L'objet regroupe {len(fams)} prestations séparables ({', '.join(label for _, label, _ in fams)}) : "
            "l'article L2113-10 impose en principe un lot par prestation."
        )
    if sites:
        reasons.append("L'objet vise plusieurs sites ou bâtiments : un allotissement géographique peut élargir la concurrence aux entreprises locales.")
        if len(fams) < 2:
            proposed.append(("Lots géographiques (un lot par site ou secteur) [à compléter]", "site", bool(sector_matches(purchase.cpv, "siae"))))
    divide = may_divide(purchase)
    if not divide and not purchase.lot:
        reasons.append(
            "Aucune prestation séparable n'apparaît dans l'objet : si c'est le cas, l'absence d'allotissement se justifie par "
            "l'impossibilité d'identifier des prestations distinctes (art. L2113-10) ; sinon, motiver le choix (art. L2113-11)."
        )
    th = _threshold(purchase.nature, at)
    lot_objs: list[ProposedLot] = []
    split = purchase.amount_ht / len(proposed) if (proposed and purchase.amount_ht is not None and divide) else None
    for label, kind, inclusive in proposed:
        lot_small = bool(split is not None and th is not None and split < th.value)
        lot_objs.append(ProposedLot(label, kind, split, lot_small, inclusive))
    if split is not None:
        reasons.append("Montants des lots : répartition égale indicative, à remplacer par l'estimation de chaque lot.")
    small = small_lots(lots, nature=purchase.nature, at=at) if lots else None
    return AllotmentAdvice(
        purchase_id=purchase.id,
        divide=bool(divide),
        already_lot=bool(purchase.lot),
        reasons=tuple(reasons),
        lots=tuple(lot_objs),
        small=small,
        justification=justification_text(),
    )


def _sector_of(key: str) -> bool:
    return key in table("sectors")["siae"]
