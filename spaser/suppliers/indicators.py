"""The L2111-3 target families measured on a classified portfolio: ESUS and inclusive enterprises.

Per notification year, in number of purchases and in value (€ HT), each purchase is « oui » (one of
its suppliers is known as such), « non » (all its suppliers are known not to be) or « inconnu »
(otherwise, including a purchase without supplier or SIRET): unknown is never counted as « non ».
Reserved contracts whose supplier no list knows as eligible are flagged for checking.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from spaser.law.indicators import share
from spaser.model import Purchase, SocialConsideration, Supplier
from spaser.suppliers.classify import INCONNU, NON, OUI, Classification, group_key
from spaser.suppliers.kinds import Dimension

__all__ = ["Tally", "FamilyMeasure", "YearSupplierIndicators", "ReservedFlag", "SupplierIndicators", "supplier_indicators", "FAMILY_LABELS"]

FAMILY_LABELS = {
    Dimension.ESUS: "Entreprises solidaires d'utilité sociale (ESUS)",
    Dimension.INCLUSIVE: "Entreprises inclusives (SIAE, EA, ESAT, GEIQ)",
}


@dataclass
class Tally:
    count: int = 0
    value: Decimal = Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "value": self.value}


@dataclass(frozen=True)
class FamilyMeasure:
    """One family in one year: purchases « oui », « non », « inconnu » and the shares."""

    family: Dimension
    yes: Tally
    no: Tally
    unknown: Tally
    total: Tally

    @property
    def share_count(self) -> Decimal | None:
        return share(self.yes.count, self.total.count)

    @property
    def share_value(self) -> Decimal | None:
        return share(self.yes.value, self.total.value)

    @property
    def classified(self) -> Tally:
        return Tally(self.yes.count + self.no.count, self.yes.value + self.no.value)

    @property
    def share_count_among_classified(self) -> Decimal | None:
        return share(self.yes.count, self.classified.count)

    @property
    def share_value_among_classified(self) -> Decimal | None:
        return share(self.yes.value, self.classified.value)

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family.value, "label": FAMILY_LABELS[self.family], "yes": self.yes.to_dict(),
                "no": self.no.to_dict(), "unknown": self.unknown.to_dict(), "classified": self.classified.to_dict(),
                "total": self.total.to_dict(), "share_count": self.share_count, "share_value": self.share_value,
                "share_count_among_classified": self.share_count_among_classified,
                "share_value_among_classified": self.share_value_among_classified}


@dataclass(frozen=True)
class YearSupplierIndicators:
    year: int | None  # None: purchases without a notification date
    total: Tally
    families: dict[Dimension, FamilyMeasure]
    unknown_amounts: int

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "total": self.total.to_dict(), "unknown_amounts": self.unknown_amounts,
                **{d.value: m.to_dict() for d, m in self.families.items()}}


@dataclass(frozen=True)
class ReservedFlag:
    purchase_id: str
    object: str
    year: int | None
    suppliers: str  # French: names and SIRETs
    reason: str  # French

    def to_dict(self) -> dict[str, Any]:
        return {"purchase_id": self.purchase_id, "object": self.object, "year": self.year, "suppliers": self.suppliers, "reason": self.reason}


@dataclass(frozen=True)
class SupplierIndicators:
    years: dict[int | None, YearSupplierIndicators]
    reserved_flags: tuple[ReservedFlag, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"years": {("inconnue" if y is None else str(y)): i.to_dict() for y, i in self.years.items()},
                "reserved_flags": [f.to_dict() for f in self.reserved_flags], "notes": list(self.notes)}


def _answers(c: Classification, sups: tuple[Supplier, ...]) -> tuple[str, str]:
    """(ESUS, inclusive) answers of a purchase from its co-contractors: « oui » if one is, « non » if all are not."""
    if not sups:
        return INCONNU, INCONNU
    out = []
    for d in Dimension:
        answers = [c.class_of(s).answer(d) for s in sups]
        out.append(OUI if OUI in answers else NON if all(a == NON for a in answers) else INCONNU)
    return out[0], out[1]


def supplier_indicators(c: Classification) -> SupplierIndicators:
    """The indicators of a classification's portfolio (its purchases, all years)."""
    # One pass: purchases grouped by (year, answers); co-contractor tuples are shared by the imports.
    answers: dict[Any, tuple[str, str]] = {}
    groups: dict[tuple[int | None, tuple[str, str]], list[Any]] = {}
    flags = []
    for p in c.portfolio.purchases:
        sups = p.suppliers
        gk = group_key(sups) if sups else None
        a = answers.get(gk)
        if a is None:
            a = answers[gk] = _answers(c, sups)
        notified = p.notification_date
        key = (notified.year if notified is not None else None, a)
        g = groups.get(key)
        if g is None:
            g = groups[key] = [0, Decimal(0), 0]
        g[0] += 1
        if p.amount_ht is None:
            g[2] += 1
        else:
            g[1] += p.amount_ht
        if p.social and SocialConsideration.RESERVE in p.social:
            flag = _reserved_flag(c, p)
            if flag is not None:
                flags.append(flag)
    years: dict[int | None, YearSupplierIndicators] = {}
    for y in sorted({y for y, _ in groups}, key=lambda y: (y is None, y or 0)):
        total, unknown_amounts = Tally(), 0
        fam = {d: {OUI: Tally(), NON: Tally(), INCONNU: Tally()} for d in Dimension}
        for (gy, a), (count, value, no_amount) in groups.items():
            if gy != y:
                continue
            total.count += count
            total.value += value
            unknown_amounts += no_amount
            for d, answer in zip(Dimension, a):
                t = fam[d][answer]
                t.count += count
                t.value += value
        years[y] = YearSupplierIndicators(y, total, {d: FamilyMeasure(d, fam[d][OUI], fam[d][NON], fam[d][INCONNU], total) for d in Dimension},
                                          unknown_amounts)
    notes = ["Un achat compte « oui » si l'un de ses titulaires est connu comme tel, « non » si tous sont connus "
             "comme ne l'étant pas, « inconnu » sinon (titulaire absent des listes, sans SIRET ou SIRET invalide).",
             "Un titulaire absent d'une liste n'est pas compté « non », sauf pour la liste nationale des agréments ESUS "
             "(registre complet à la date de la liste) et quand une source qui décrit l'entreprise (SIRENE, Annuaire des Entreprises, API) le dit."]
    if any(i.unknown_amounts for i in years.values()):
        notes.append("Les achats sans montant sont comptés en nombre, pas en valeur.")
    return SupplierIndicators(years, tuple(flags), tuple(notes))


def _reserved_flag(c: Classification, p: Purchase) -> ReservedFlag | None:
    classes = [c.class_of(s) for s in p.suppliers]
    if any(k.reservable for k in classes):
        return None
    who = " ; ".join(f"{k.name or '?'} ({k.siret or 'sans SIRET'})" for k in classes) or "titulaire non renseigné"
    if any("GEIQ" in k.structures for k in classes):
        reason = ("Marché réservé attribué à un GEIQ : un GEIQ n'est pas une SIAE (L2113-13) ni une EA ou un ESAT (L2113-12) ; "
                  "vérifier la réservation.")
    elif any("INCLUSIVE" in k.structures for k in classes):
        reason = ("Marché réservé attribué à une entreprise inclusive dont les listes ne précisent pas le type : vérifier qu'elle "
                  "est une SIAE (L2113-13), une EA ou un ESAT (L2113-12).")
    else:
        reason = ("Marché réservé attribué à un titulaire qu'aucune liste ne reconnaît comme SIAE, EA, ESAT ou entreprise de l'ESS "
                  "(L2113-12 à L2113-15) : vérifier son éligibilité.")
    return ReservedFlag(p.id, p.object, p.year, who, reason)


