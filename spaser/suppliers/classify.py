"""Classify a portfolio's suppliers and its buyer from the lists read (and, on request, the online API).

For each supplier and each target family (:class:`~spaser.suppliers.kinds.Dimension`) the answer is
« oui » (a list proves it), « non » (a source that describes the unit says so, or the complete
official register does not have it) or « inconnu »: absent from a list is not « no ».

>>> from spaser.model import Buyer, Portfolio, Purchase, Supplier
>>> from spaser.suppliers.lists import Entry
>>> from spaser.suppliers.kinds import SOURCES
>>> lists = Lists.of_entries([Entry("marche_inclusion", "l.csv", 2, "807469317", "80746931700018", "B", ("EI",))])
>>> c = lists.classify(Supplier(name="B", siret="80746931700018"))
>>> c.inclusive, c.esus, sorted(k.value for k in c.kinds)
('oui', 'inconnu', ['SIAE'])
>>> lists.classify(Supplier(name="Sans SIRET")).inclusive
'inconnu'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from typing import Any

from spaser.ids import siren_of
from spaser.model import BuyerKind, Portfolio, Supplier, SupplierKind
from spaser.suppliers.kinds import SOURCES, STRUCTURES, Dimension
from spaser.suppliers.legal import GENERIC_BUYER_NOTE, NOMENCLATURE, LegalCategory, category
from spaser.suppliers.lists import Entry, SupplierList

__all__ = ["Finding", "SupplierClass", "Lists", "SupplierRow", "Classification", "classify_portfolio", "DECLARED"]

OUI, NON, INCONNU = "oui", "non", "inconnu"
DECLARED = "declare"  # the buyer's own file says so (column « Type de structure »)


@dataclass(frozen=True)
class Finding:
    """One structure type proven by one source."""

    structure: str  # code of STRUCTURES
    source: str  # key of SOURCES, or DECLARED
    file: str
    row: int | None
    by: str  # "siret" | "siren" (another establishment of the same legal unit, or a unit-level list) | "fichier"

    @property
    def source_label(self) -> str:
        if self.source == DECLARED:
            return "déclaré dans le fichier d'achats"
        where = f"« {self.file} »" + (f", ligne {self.row}" if self.row else "")
        how = " (même SIREN)" if self.by == "siren" and self.source in ("marche_inclusion", "finess") else ""
        return f"{SOURCES[self.source].label}, {where}{how}"

    def to_dict(self) -> dict[str, Any]:
        return {"structure": self.structure, "label": STRUCTURES[self.structure].label, "source": self.source,
                "file": self.file, "row": self.row, "by": self.by, "source_label": self.source_label}


@dataclass(frozen=True)
class SupplierClass:
    """What the lists say about one supplier."""

    name: str
    siret: str | None
    findings: tuple[Finding, ...] = ()
    legal_category: str | None = None
    known_by: tuple[str, ...] = ()  # files holding a record of the unit
    esus: str = INCONNU
    inclusive: str = INCONNU

    @cached_property
    def structures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.structure for f in self.findings))

    @cached_property
    def kinds(self) -> frozenset[SupplierKind]:
        return frozenset(STRUCTURES[s].kind for s in self.structures)

    @property
    def classified(self) -> bool:
        """Some source says something about it (a kind, or an explicit « non »)."""
        return bool(self.findings) or OUI in (self.esus, self.inclusive) or NON in (self.esus, self.inclusive)

    @property
    def reservable(self) -> bool:
        """A list knows it as eligible to some reserved contract (SIAE, EA, ESAT, ESS)."""
        return any(STRUCTURES[s].reservable for s in self.structures)

    def answer(self, dim: Dimension) -> str:
        return self.esus if dim is Dimension.ESUS else self.inclusive

    def to_dict(self) -> dict[str, Any]:
        cat = category(self.legal_category)
        return {"name": self.name, "siret": self.siret, "structures": list(self.structures),
                "kinds": sorted(k.value for k in self.kinds), "esus": self.esus, "inclusive": self.inclusive,
                "legal_category": self.legal_category, "legal_category_label": cat.label if cat else None,
                "findings": [f.to_dict() for f in self.findings], "known_by": list(self.known_by)}


class Lists:
    """The list files read, indexed by SIRET and SIREN."""

    def __init__(self, lists: Sequence[SupplierList] = ()) -> None:
        self.lists = tuple(lists)
        self.by_siret: dict[str, list[Entry]] = defaultdict(list)
        self.by_siren: dict[str, list[Entry]] = defaultdict(list)
        self.complete: set[Dimension] = set()
        for lst in self.lists:
            self.add(lst.entries)
            self.complete |= lst.source.complete_for

    @classmethod
    def of_entries(cls, entries: Iterable[Entry]) -> Lists:
        out = cls()
        out.add(entries)
        return out

    def add(self, entries: Iterable[Entry]) -> None:
        for e in entries:
            if e.siret:
                self.by_siret[e.siret].append(e)
            self.by_siren[e.siren].append(e)

    def entries_of(self, siret_or_siren: str) -> list[tuple[Entry, str]]:
        """(entry, "siret" | "siren") for an identifier: the establishment's own records first."""
        out = [(e, "siret") for e in self.by_siret.get(siret_or_siren, ())] if len(siret_or_siren) == 14 else []
        seen = {id(e) for e, _ in out}
        out += [(e, "siren") for e in self.by_siren.get(siren_of(siret_or_siren), ()) if id(e) not in seen]
        return out

    def legal_category(self, siret_or_siren: str) -> tuple[str, Entry] | None:
        for e, _ in self.entries_of(siret_or_siren):
            if e.legal_category:
                return e.legal_category, e
        return None

    def classify(self, s: Supplier) -> SupplierClass:
        declared = tuple(Finding(_declared_code(k), DECLARED, "", None, "fichier") for k in sorted(s.kinds))
        if not s.siret:
            return _answered(SupplierClass(s.name, None, declared), set(), set())
        found = self.entries_of(s.siret)
        findings = list(declared)
        no: set[Dimension] = set()
        cj = None
        for e, by in found:
            findings += [Finding(code, e.source, e.file, e.row, by) for code in e.structures]
            no |= e.says_no
            cj = cj or e.legal_category
        known = tuple(dict.fromkeys(e.file for e, _ in found))
        missing_from_complete = {d for d in self.complete if not any(SOURCES[e.source].complete_for & {d} for e, _ in found)}
        return _answered(SupplierClass(s.name, s.siret, tuple(_unique(findings)), cj, known), no, missing_from_complete)


def _declared_code(k: SupplierKind) -> str:
    return {SupplierKind.SIAE: "SIAE"}.get(k, k.value)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        key = (f.structure, f.source, f.file)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _answered(c: SupplierClass, says_no: set[Dimension], absent_from_complete: set[Dimension]) -> SupplierClass:
    dims = {d: INCONNU for d in Dimension}
    for f in c.findings:
        d = STRUCTURES[f.structure].dimension
        if d is not None:
            dims[d] = OUI
    for d in says_no | absent_from_complete:
        if dims[d] == INCONNU:
            dims[d] = NON
    return SupplierClass(c.name, c.siret, c.findings, c.legal_category, c.known_by,
                         esus=dims[Dimension.ESUS], inclusive=dims[Dimension.INCLUSIVE])


# -- the portfolio ----------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRow:
    """One supplier of the portfolio, with what it was paid and what the lists say."""

    classed: SupplierClass
    purchases: int
    value: Decimal  # sum of the amounts HT of its purchases (a co-contractor is credited the whole amount)
    unknown_amounts: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.classed.to_dict(), "purchases": self.purchases, "value": self.value, "unknown_amounts": self.unknown_amounts}


@dataclass(frozen=True)
class Classification:
    lists: tuple[SupplierList, ...]
    suppliers: tuple[SupplierRow, ...]
    portfolio: Portfolio  # suppliers' kinds completed from the lists, buyer kind from its legal category
    buyer_kind: BuyerKind
    buyer_category: LegalCategory | None
    buyer_kind_source: str  # French: where the buyer's kind comes from
    classes: dict[tuple[str, str | None], SupplierClass] = field(default_factory=dict, repr=False)

    @property
    def generic_buyer(self) -> bool:
        return self.buyer_kind is BuyerKind.AUTRE

    def class_of(self, s: Supplier) -> SupplierClass:
        return self.classes[(s.name, s.siret)]

    def counts(self) -> dict[str, int]:
        rows = self.suppliers
        return {
            "suppliers": len(rows),
            "without_siret": sum(1 for r in rows if not r.classed.siret),
            "classified": sum(1 for r in rows if r.classed.siret and r.classed.classified),
            "unknown": sum(1 for r in rows if r.classed.siret and not r.classed.classified),
            "esus": sum(1 for r in rows if r.classed.esus == OUI),
            "inclusive": sum(1 for r in rows if r.classed.inclusive == OUI),
        }

    def to_dict(self) -> dict[str, Any]:
        cat = self.buyer_category
        return {
            "lists": [lst.to_dict() for lst in self.lists],
            "buyer": {"kind": self.buyer_kind.value, "kind_label": self.buyer_kind.label,
                      "legal_category": cat.code if cat else None, "legal_category_label": cat.label if cat else None,
                      "source": self.buyer_kind_source, "generic": self.generic_buyer,
                      "note": GENERIC_BUYER_NOTE if self.generic_buyer else (cat.note if cat else ""),
                      "nomenclature": NOMENCLATURE},
            "counts": self.counts(),
            "suppliers": [r.to_dict() for r in self.suppliers],
        }


def _key(s: Supplier) -> tuple[str, str | None]:
    return (s.name, s.siret)


def group_key(sups: tuple[Supplier, ...]) -> Any:
    """A key telling co-contractor groups apart (the usual single supplier without a tuple of tuples)."""
    if len(sups) == 1:
        return (sups[0].name, sups[0].siret)
    return tuple((s.name, s.siret) for s in sups)


def classify_portfolio(portfolio: Portfolio, lists: Lists, *, categories: dict[str, str] | None = None) -> Classification:
    """Classify every supplier; complete the portfolio's supplier kinds and, if « autre », its buyer's kind.

    ``categories``: SIREN -> legal category known otherwise (the online look-up).
    """
    classes: dict[tuple[str, str | None], SupplierClass] = {}
    tallies: dict[tuple[str, str | None], list[Any]] = {}
    by_id: dict[int, list[Any]] = {}  # id(supplier) -> its tally (imports share supplier objects: one look-up each)
    completed: dict[Any, tuple[Supplier, ...] | None] = {}  # co-contractors -> with kinds completed, None: unchanged
    made: dict[int, Supplier] = {}
    purchases = portfolio.purchases
    changed: list[tuple[int, tuple[Supplier, ...]]] = []
    for i, p in enumerate(purchases):
        sups = p.suppliers
        if not sups:
            continue
        amount = p.amount_ht
        for s in sups:
            t = by_id.get(id(s))
            if t is None:
                k = _key(s)
                if k not in classes:
                    classes[k] = lists.classify(s)
                    tallies[k] = [0, Decimal(0), 0]
                t = by_id[id(s)] = tallies[k]
            t[0] += 1
            if amount is None:
                t[2] += 1
            else:
                t[1] += amount
        gk = group_key(sups)
        if gk not in completed:
            completed[gk] = _completed(sups, classes, made)
        new = completed[gk]
        if new is not None:
            changed.append((i, new))
    rows = tuple(SupplierRow(classes[k], *tallies[k]) for k in sorted(classes, key=lambda k: (-tallies[k][1], k[0], k[1] or "")))
    enriched = portfolio
    if changed:
        out = list(purchases)
        for i, new in changed:
            out[i] = out[i].model_copy(update={"suppliers": new})  # the same purchase with other suppliers
        enriched = portfolio.model_copy(update={"purchases": tuple(out)})
    buyer = portfolio.buyer
    kind, cat, source = buyer.kind, None, "fichier d'achats ou option --buyer-kind"
    if buyer.siret:
        found = lists.legal_category(buyer.siret)
        code = found[0] if found else (categories or {}).get(siren_of(buyer.siret))
        cat = category(code) if code else None
        if cat is not None:
            where = f"{SOURCES[found[1].source].label} (« {found[1].file} », ligne {found[1].row})" if found else SOURCES["api"].label
            if kind is BuyerKind.AUTRE:
                kind = cat.buyer_kind
                source = f"catégorie juridique {cat.code} ({cat.label}), {where}"
                enriched = enriched.model_copy(update={"buyer": buyer.model_copy(update={"kind": kind})})
    if kind is BuyerKind.AUTRE:
        source = "inconnu"
    result = Classification(lists.lists, rows, enriched, kind, cat, source, classes)
    from spaser.suppliers.documents import remember

    remember(result)  # for the documents, which receive only the portfolio
    return result


def _completed(sups: tuple[Supplier, ...], classes: dict[tuple[str, str | None], SupplierClass],
               made: dict[int, Supplier]) -> tuple[Supplier, ...] | None:
    """The co-contractors with the kinds the lists found added; None when none is added."""
    new, changed = [], False
    for s in sups:
        add = classes[_key(s)].kinds
        if add <= s.kinds:
            new.append(s)
            continue
        m = made.get(id(s))
        if m is None:
            m = made[id(s)] = s.model_copy(update={"kinds": s.kinds | add})
        new.append(m)
        changed = True
    return tuple(new) if changed else None
