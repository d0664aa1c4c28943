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
from spaser.model import Purchase
from spaser.suppliers.classify import INCONNU, NON, OUI, Classification
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

    def add(self, p: Purchase) -> None:
        self.count += 1
        if p.amount_ht is not None:
            self.value += p.amount_ht

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


def _answer(c: Classification, p: Purchase, dim: Dimension) -> str:
    if not p.suppliers:
        return INCONNU
    answers = [c.class_of(s).answer(dim) for s in p.suppliers]
    if OUI in answers:
        return OUI
    return NON if all(a == NON for a in answers) else INCONNU


def supplier_indicators(c: Classification) -> SupplierIndicators:
    """The indicators of a classification's portfolio (its purchases, all years)."""
    years: dict[int | None, tuple[Tally, dict[Dimension, dict[str, Tally]], list[int]]] = {}
    flags = []
    for p in c.portfolio.purchases:
        y = p.year
        if y not in years:
            years[y] = (Tally(), {d: {OUI: Tally(), NON: Tally(), INCONNU: Tally()} for d in Dimension}, [0])
        total, fam, unknown_amounts = years[y]
        total.add(p)
        if p.amount_ht is None:
            unknown_amounts[0] += 1
        for d in Dimension:
            fam[d][_answer(c, p, d)].add(p)
        if p.is_reserved:
            flag = _reserved_flag(c, p)
            if flag is not None:
                flags.append(flag)
    out = {}
    for y in sorted(years, key=lambda y: (y is None, y or 0)):
        total, fam, unknown_amounts = years[y]
        out[y] = YearSupplierIndicators(y, total, {d: FamilyMeasure(d, fam[d][OUI], fam[d][NON], fam[d][INCONNU], total) for d in Dimension},
                                        unknown_amounts[0])
    notes = ["Un achat compte « oui » si l'un de ses titulaires est connu comme tel, « non » si tous sont connus "
             "comme ne l'étant pas, « inconnu » sinon (titulaire absent des listes, sans SIRET ou SIRET invalide).",
             "Un titulaire absent d'une liste n'est pas compté « non », sauf pour la liste nationale des agréments ESUS "
             "(registre complet) et quand une source qui décrit l'entreprise (SIRENE, Annuaire des Entreprises, API) le dit."]
    if any(i.unknown_amounts for i in out.values()):
        notes.append("Les achats sans montant sont comptés en nombre, pas en valeur.")
    return SupplierIndicators(out, tuple(flags), tuple(notes))


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


