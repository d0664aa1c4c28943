"""The buyer's kind from its INSEE legal category (catégorie juridique).

The table ``data/categories_juridiques.csv`` ships with the package: the 260 level-III codes of
the official nomenclature, with the :class:`~spaser.model.BuyerKind` each public code implies
(empty: a private or non-buyer category, read as « autre »). Where the kind cannot be told from
the code alone (SEM, HLM companies, GIP...), it stays « autre » and the note says why.

>>> buyer_kind_of("7348")
<BuyerKind.EPCI: 'epci'>
>>> buyer_kind_of("5710"), buyer_kind_of("9999"), buyer_kind_of(None)
(<BuyerKind.AUTRE: 'autre'>, <BuyerKind.AUTRE: 'autre'>, <BuyerKind.AUTRE: 'autre'>)
>>> category("7229").label
'(Autre) Collectivité territoriale'
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spaser.model import BuyerKind

__all__ = ["LegalCategory", "category", "categories", "buyer_kind_of", "NOMENCLATURE", "GENERIC_BUYER_NOTE"]

# Where the table comes from (shown by ``spaser suppliers`` and in the README).
NOMENCLATURE = {
    "title": "Catégories juridiques (nomenclature INSEE, niveau III)",
    "version": "mise à jour du 1er septembre 2022",
    "source": "https://www.insee.fr/fr/information/2028129",
    "licence": "Licence Ouverte 2.0 (INSEE) ; correspondance avec les types d'acheteur : spaser",
}

GENERIC_BUYER_NOTE = (
    "Type d'acheteur inconnu (« autre ») : le droit a été lu pour un acheteur générique. "
    "Précisez-le avec --buyer-kind, ou donnez une liste qui contient son SIREN (SIRENE, Annuaire des Entreprises) "
    "ou l'option --en-ligne."
)


@dataclass(frozen=True)
class LegalCategory:
    code: str  # 4 digits
    label: str  # INSEE label
    level_ii: str  # 2 digits
    buyer_kind: BuyerKind
    note: str  # French, why the kind is what it is (empty when obvious)


@lru_cache(maxsize=1)
def categories() -> dict[str, LegalCategory]:
    text = resources.files("spaser.suppliers").joinpath("data/categories_juridiques.csv").read_text(encoding="utf-8")
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        kind = BuyerKind(r["type_acheteur"]) if r["type_acheteur"] else BuyerKind.AUTRE
        out[r["code"]] = LegalCategory(r["code"], r["libelle"], r["niveau_ii"], kind, r["note"])
    return out


def category(code: object) -> LegalCategory | None:
    """The category of a 4-digit code (spaces ignored; a spreadsheet's 7210.0 is read as 7210)."""
    if code is None:
        return None
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return categories().get(text.zfill(4) if text.isdigit() and len(text) <= 4 else text)


def buyer_kind_of(code: object) -> BuyerKind:
    """The buyer kind a legal category implies; « autre » when unknown or not deducible."""
    c = category(code)
    return c.buyer_kind if c is not None else BuyerKind.AUTRE
