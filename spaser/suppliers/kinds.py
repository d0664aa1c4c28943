"""The registry: kinds of inclusive and social-economy structures, and the official sources that list them.

One declaration per structure type (EI, ACI, ... ESUS) and per source (where to download it, what it
proves, whether its absence means « no »). Everything else (loaders, classification, indicators,
README) reads these two tables.

>>> STRUCTURES["ACI"].kind, STRUCTURES["ACI"].inclusive, STRUCTURES["ACI"].reservable
(<SupplierKind.SIAE: 'SIAE'>, True, 'L2113-13')
>>> STRUCTURES["GEIQ"].reservable is None
True
>>> structure_of(" etti ").code
'ETTI'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from spaser.io.columns import normalise
from spaser.model import SupplierKind

__all__ = ["Dimension", "Structure", "STRUCTURES", "structure_of", "Source", "SOURCES"]


class Dimension(StrEnum):
    """The two families of L2111-3's target objectives."""

    ESUS = "esus"  # ESUS-approved enterprises (art. L3332-17-1 code du travail)
    INCLUSIVE = "inclusive"  # enterprises employing disabled or disadvantaged workers (SIAE, EA, ESAT, GEIQ)


@dataclass(frozen=True)
class Structure:
    code: str  # as the sources write it
    label: str  # French
    kind: SupplierKind  # the model's coarse kind (spaser.model)
    dimension: Dimension | None  # None: ESS only, counted in neither target family
    reservable: str | None  # article allowing a contract reserved to it, None when it cannot bid for one

    @property
    def inclusive(self) -> bool:
        return self.dimension is Dimension.INCLUSIVE


_S, _I = SupplierKind, Dimension.INCLUSIVE
# GEIQ is not an SIAE (not eligible to L2113-13) but employs disadvantaged people: the model has no
# kind of its own for it yet, so it is carried as SIAE (as the spreadsheet reader does) and told
# apart here by its code.
STRUCTURES: dict[str, Structure] = {s.code: s for s in (
    Structure("EI", "Entreprise d'insertion", _S.SIAE, _I, "L2113-13"),
    Structure("ETTI", "Entreprise de travail temporaire d'insertion", _S.SIAE, _I, "L2113-13"),
    Structure("AI", "Association intermédiaire", _S.SIAE, _I, "L2113-13"),
    Structure("ACI", "Atelier et chantier d'insertion", _S.SIAE, _I, "L2113-13"),
    Structure("EITI", "Entreprise d'insertion par le travail indépendant", _S.SIAE, _I, "L2113-13"),
    Structure("SIAE", "Structure d'insertion par l'activité économique", _S.SIAE, _I, "L2113-13"),
    Structure("GEIQ", "Groupement d'employeurs pour l'insertion et la qualification", _S.SIAE, _I, None),
    # A source that says « inclusive » without the type (Annuaire, API): counted with the SIAE, eligibility unknown.
    Structure("INCLUSIVE", "Entreprise inclusive, type non précisé", _S.SIAE, _I, None),
    Structure("EA", "Entreprise adaptée", _S.EA, _I, "L2113-12"),
    Structure("EATT", "Entreprise adaptée de travail temporaire", _S.EA, _I, "L2113-12"),
    Structure("ESAT", "Établissement et service d'aide par le travail", _S.ESAT, _I, "L2113-12"),
    Structure("ESUS", "Entreprise solidaire d'utilité sociale (agrément)", _S.ESUS, Dimension.ESUS, "L2113-15"),
    Structure("ESS", "Entreprise de l'économie sociale et solidaire", _S.ESS, None, "L2113-15"),
)}

_ALIASES = {"EA_EATT": "EA", "EA-EATT": "EA", "ETT I": "ETTI", "GEIQ BTP": "GEIQ"}


def structure_of(text: str) -> Structure | None:
    """The structure type a source's code or label names (case, accents and spaces ignored), None if unknown.

    >>> structure_of("Entreprise adaptée (EA)").code, structure_of("atelier et chantier d'insertion").code
    ('EA', 'ACI')
    """
    key = " ".join(str(text).split()).upper()
    key = _ALIASES.get(key, key)
    hit = STRUCTURES.get(key)
    if hit is None and key.endswith(")") and "(" in key:  # « Entreprise d'insertion (EI) »
        hit = STRUCTURES.get(key[key.rindex("(") + 1:-1].strip())
    return hit or _by_label().get(normalise(text))


@lru_cache(maxsize=1)
def _by_label() -> dict[str, Structure]:
    return {normalise(s.label): s for s in STRUCTURES.values()}


@dataclass(frozen=True)
class Source:
    """An official file a buyer can download, read by the loader of the same ``key``."""

    key: str
    label: str  # French
    publisher: str
    url: str
    updated: str  # French: how often
    proves: str  # French: what a record proves
    # Dimensions for which a SIREN absent from the file is « no » (the file is the complete official
    # register for them); for every other dimension absence stays « unknown ».
    complete_for: frozenset[Dimension] = frozenset()


SOURCES: dict[str, Source] = {s.key: s for s in (
    Source("marche_inclusion", "Marché de l'inclusion (structures inclusives)", "GIP Plateforme de l'inclusion",
           "https://lemarche.inclusion.beta.gouv.fr/", "en continu (export à la demande)",
           "type de structure inclusive par SIRET (EI, ACI, AI, ETTI, EITI, GEIQ, EA, EATT, ESAT)"),
    Source("annuaire", "Annuaire des Entreprises : unités légales", "DINUM (data.gouv.fr)",
           "https://www.data.gouv.fr/fr/datasets/donnees-des-entreprises-utilisees-dans-lannuaire-des-entreprises/",
           "quotidien", "catégorie juridique, appartenance à l'ESS (oui/non), entreprise inclusive (oui/non) et son type, par SIREN"),
    Source("esus", "Liste nationale des agréments ESUS", "Direction générale du Trésor",
           "https://www.tresor.economie.gouv.fr/banque-assurance-finance/finance-sociale-et-solidaire/liste-des-entreprises-agreees-esus",
           "deux fois par an (1er février et 1er juillet)", "agrément ESUS en cours, par SIREN",
           frozenset({Dimension.ESUS})),
    Source("finess", "FINESS : établissements sanitaires et sociaux (extraction Etalab)", "Ministère de la santé (data.gouv.fr)",
           "https://www.data.gouv.fr/fr/datasets/finess-extraction-du-fichier-des-etablissements/",
           "tous les deux mois environ", "ESAT (catégorie 246) ou entreprise adaptée (247), par SIRET de l'établissement"),
    Source("sirene", "Base SIRENE : stock des unités légales", "INSEE (data.gouv.fr)",
           "https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/",
           "mensuel", "catégorie juridique et appartenance à l'ESS (O/N), par SIREN"),
    Source("ess_france", "Liste des entreprises de l'ESS", "ESS France (data.gouv.fr)",
           "https://www.data.gouv.fr/fr/datasets/liste-des-entreprises-de-less/",
           "annuel", "appartenance à l'économie sociale et solidaire, par SIREN"),
    Source("api", "API Recherche d'entreprises (en ligne, sur demande)", "DINUM",
           "https://recherche-entreprises.api.gouv.fr/", "en continu",
           "catégorie juridique, ESS (oui/non), entreprise inclusive (oui/non) et son type, par SIREN"),
)}
