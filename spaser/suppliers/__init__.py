"""Suppliers and buyers known from official data: ESUS, SIAE, EA, ESAT, GEIQ, ESS, and the buyer's legal category.

Offline by default: the buyer downloads the official lists (see ``SOURCES`` and the README) and
passes them (``--liste``); the online « Recherche d'entreprises » look-up is opt-in
(:mod:`spaser.suppliers.lookup`).

>>> from spaser.model import Buyer, Portfolio, Purchase, Supplier
>>> from decimal import Decimal
>>> from spaser.suppliers.lists import Entry
>>> lists = Lists.of_entries([Entry("esus", "esus.xlsx", 3, "130018989", None, "X", ("ESUS",))])
>>> pf = Portfolio(buyer=Buyer(name="Ville"), purchases=(
...     Purchase(id="1", amount_ht=Decimal("100"), suppliers=(Supplier(name="X", siret="13001898900017"),)),))
>>> c = classify_portfolio(pf, lists)
>>> sorted(k.value for k in c.portfolio.purchases[0].supplier_kinds), c.counts()["esus"]
(['ESUS'], 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spaser.suppliers.classify import Classification, Finding, Lists, SupplierClass, SupplierRow, classify_portfolio
from spaser.suppliers.indicators import FamilyMeasure, ReservedFlag, SupplierIndicators, supplier_indicators
from spaser.suppliers.kinds import SOURCES, STRUCTURES, Dimension, Source, Structure, structure_of
from spaser.suppliers.legal import GENERIC_BUYER_NOTE, NOMENCLATURE, LegalCategory, buyer_kind_of, category
from spaser.suppliers.lists import FORMATS, Entry, SupplierList, load_list

__all__ = [
    "Dimension", "Structure", "STRUCTURES", "structure_of", "Source", "SOURCES", "FORMATS",
    "LegalCategory", "category", "buyer_kind_of", "NOMENCLATURE", "GENERIC_BUYER_NOTE",
    "Entry", "SupplierList", "load_list", "load_lists",
    "Lists", "Finding", "SupplierClass", "SupplierRow", "Classification", "classify_portfolio",
    "FamilyMeasure", "ReservedFlag", "SupplierIndicators", "supplier_indicators",
]


def load_lists(specs: Sequence[str], *, wanted: Iterable[str] | None = None) -> Lists:
    """Read every list file (``FORMAT=PATH`` to name a format); ``wanted``: the SIRENs to keep."""
    want = None if wanted is None else set(wanted)
    return Lists([load_list(s, wanted=want) for s in specs])
