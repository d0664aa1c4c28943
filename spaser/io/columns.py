"""Column headers of a purchase table: recognise them, whatever the spelling.

Each field of :class:`spaser.model.Purchase` (plus the supplier and buyer
columns) has a canonical French header, the one the import template
writes, and synonyms in French and English. Headers are compared after
:func:`normalise`: lower case, no accents, no punctuation, no small words
(« de », « du », « la »...), no currency units.

>>> normalise("  Date de\\nnotification ")
'date notification'
>>> match_header("MONTANT HT (€)")
'amount_ht'
>>> match_header("Durée (en mois)"), match_header("Objet du marché")
('duration_months', 'object')
>>> match_header("Montant TTC")
'amount_ttc'
>>> match_header("Mandaté 2025"), match_header("Dépense 2024 TTC")
('spend_2025', 'spend_ttc_2024')
>>> match_header("Commentaires") is None
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ColumnSpec",
    "COLUMNS",
    "FIELD_NAMES",
    "normalise",
    "match_header",
    "is_known_field",
    "spend_year",
    "header_of",
]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    field: str
    header: str  # canonical French header (written by the template)
    help: str  # French help shown in the template
    synonyms: tuple[str, ...] = ()
    width: int = 18  # template column width (characters)


# Order = the template's column order.
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("id", "Identifiant", "Numéro ou référence du marché, unique (avec le lot). Laissé vide : un identifiant est attribué.",
               ("id", "identifiant marche", "numero marche", "n marche", "no marche", "numero", "reference", "reference marche",
                "ref", "ref marche", "numero contrat", "n contrat", "code marche", "contract id", "contract number", "reference number"), 14),
    ColumnSpec("object", "Objet", "Objet du marché ou du lot, en clair.",
               ("objet marche", "objet contrat", "objet lot", "intitule", "intitule marche", "libelle", "libelle marche",
                "designation", "object", "subject", "description", "title", "categorie achat", "categorie achat optionnelle"), 45),
    ColumnSpec("cpv", "Code CPV", "Code CPV principal (8 chiffres, clé facultative : 90910000-9).",
               ("cpv", "cpv principal", "code cpv principal", "cpv code", "main cpv", "nomenclature cpv", "codecpv"), 14),
    ColumnSpec("nature", "Nature", "Travaux, Fournitures ou Services (déduite du code CPV si vide).",
               ("nature marche", "nature prestation", "nature achat", "type achat", "purchase type", "type of purchase"), 13),
    ColumnSpec("kind", "Type de contrat", "Marché, Accord-cadre, Marché subséquent, Marché de partenariat, Marché de défense ou de sécurité, Contrat de concession.",
               ("type contrat", "type marche", "forme marche", "forme contrat", "contract type", "contract kind", "type"), 18),
    ColumnSpec("amount_ht", "Montant HT", "Montant hors taxes en euros (montant maximum sur toute la durée pour un accord-cadre).",
               ("montant", "montant total ht", "montant maximum ht", "montant max ht", "montant notifie ht", "montant attribue ht",
                "montant marche ht", "montant initial ht", "valeur ht", "montant hors taxes", "montant hors taxe", "total ht",
                "amount", "amount ht", "amount excl vat", "amount excluding vat", "value", "value excl vat",
                "depense achat"), 16),
    ColumnSpec("notification_date", "Date de notification", "Date de notification du marché (JJ/MM/AAAA).",
               ("date notification", "notification", "date notif", "date attribution", "date signature", "notification date",
                "award date", "date notification marche"), 14),
    ColumnSpec("consultation_date", "Date de lancement de la consultation", "Date d'envoi de l'avis ou de lancement de la consultation (JJ/MM/AAAA).",
               ("date lancement consultation", "date lancement", "date publication", "date consultation", "date avis",
                "launch date", "publication date", "tender date"), 14),
    ColumnSpec("duration_months", "Durée (mois)", "Durée du marché en mois, reconductions comprises.",
               ("duree", "duree mois", "duree marche", "duree marche mois", "duree totale", "duration", "duration months"), 10),
    ColumnSpec("procedure", "Procédure", "Procédure de passation (procédure adaptée, appel d'offres ouvert...).",
               ("type procedure", "procedure passation", "mode passation", "procedure"), 24),
    ColumnSpec("techniques", "Techniques d'achat", "Accord-cadre, système d'acquisition dynamique, catalogue électronique... (plusieurs séparées par « ; »).",
               ("techniques", "technique", "technique achat", "techniques achat"), 18),
    ColumnSpec("lot", "Lot", "Numéro du lot (vide si le marché n'est pas alloti).",
               ("n lot", "no lot", "numero lot", "lot number", "lot no"), 8),
    ColumnSpec("supplier_name", "Titulaire", "Nom du titulaire (raison sociale).",
               ("titulaire nom", "nom titulaire", "titulaires", "raison sociale titulaire", "attributaire", "fournisseur",
                "prestataire", "entreprise", "raison sociale", "supplier", "supplier name", "contractor", "vendor",
                "raison sociale fournisseur"), 30),
    ColumnSpec("supplier_siret", "SIRET titulaire", "SIRET (14 chiffres) ou SIREN (9 chiffres) du titulaire.",
               ("siret", "siret fournisseur", "siret attributaire", "siret entreprise", "titulaire siret", "siren titulaire",
                "supplier siret", "contractor siret", "titulaire id"), 17),
    ColumnSpec("supplier_kinds", "Type de structure", "SIAE, EA, ESAT, ESUS ou ESS (plusieurs séparés par « , » ou « ; »), vide sinon.",
               ("type structure", "structure", "type titulaire", "statut titulaire", "categorie titulaire", "statut structure",
                "supplier type", "supplier kind", "structure type"), 16),
    ColumnSpec("social", "Considérations sociales", "Clause sociale, Critère social, Marché réservé (plusieurs séparées par « ; ») ou Pas de considération sociale. Vide : inconnu.",
               ("consideration sociale", "considerations sociales", "clause sociale", "clauses sociales", "social",
                "social considerations", "social consideration", "aspects sociaux"), 26),
    ColumnSpec("environmental", "Considérations environnementales", "Clause environnementale, Critère environnemental (séparés par « ; ») ou Pas de considération environnementale. Vide : inconnu.",
               ("consideration environnementale", "considerations environnementales", "clause environnementale",
                "clauses environnementales", "environnement", "environmental", "environmental considerations",
                "environmental consideration", "aspects environnementaux"), 26),
    ColumnSpec("social_exemption", "Exemption clause sociale", "Motif d'absence de condition sociale : absence de lien, concurrence ou difficulté, solution immédiatement disponible.",
               ("motif absence clause sociale", "justification absence clause sociale", "derogation clause sociale",
                "exemption", "social exemption"), 24),
    ColumnSpec("insertion_hours_planned", "Heures d'insertion prévues", "Nombre d'heures d'insertion prévues par la clause.",
               ("heures insertion", "heures insertion prevues", "nombre heures insertion", "heures prevues",
                "insertion hours", "insertion hours planned"), 12),
    ColumnSpec("insertion_hours_achieved", "Heures d'insertion réalisées", "Nombre d'heures d'insertion réalisées.",
               ("heures insertion realisees", "heures realisees", "insertion hours achieved"), 12),
    ColumnSpec("livre_v", "Livre V (article)", "Article du livre V excluant l'achat du calcul (ex. L2512-5), vide sinon.",
               ("livre v", "article livre v", "exclusion livre v", "article exclusion", "hors champ"), 12),
    ColumnSpec("egalim", "Catégorie EGalim", "Achats alimentaires : Bio, Durable et de qualité (hors bio) ou Autre.",
               ("egalim", "categorie egalim", "qualite egalim", "egalim category"), 16),
    ColumnSpec("egalim_meat_fish", "Viande ou poisson", "Oui pour les viandes et poissons (objectif EGalim propre).",
               ("viande poisson", "viandes poissons", "meat fish", "meat or fish"), 10),
    ColumnSpec("agec_category", "Catégorie AGEC", "Numéro (1 à 17) ou libellé de la catégorie du décret n° 2024-134.",
               ("agec", "categorie agec", "agec category", "categorie decret 2024 134"), 14),
    ColumnSpec("agec_kind", "Réemploi / recyclé", "Issu du réemploi ou de la réutilisation, Intégrant des matières recyclées, ou Neuf / autre.",
               ("reemploi recycle", "reemploi", "reemploi ou recycle", "part reemploi", "agec kind", "reuse recycled"), 16),
    ColumnSpec("location", "Lieu d'exécution", "Commune ou lieu principal d'exécution.",
               ("lieu", "lieu execution", "localisation", "location", "place performance", "place of performance"), 18),
    ColumnSpec("buyer_name", "Acheteur", "Nom de l'acheteur (si le fichier en regroupe plusieurs).",
               ("nom acheteur", "acheteur nom", "pouvoir adjudicateur", "buyer", "buyer name", "organisme acheteur"), 24),
    ColumnSpec("buyer_siret", "SIRET acheteur", "SIRET de l'acheteur.",
               ("acheteur siret", "siret pouvoir adjudicateur", "buyer siret", "buyer id", "acheteur id"), 17),
    ColumnSpec("buyer_kind", "Type d'acheteur", "commune, epci, departement, region, etat, hopital...",
               ("type acheteur", "categorie acheteur", "buyer type", "buyer kind"), 14),
)

_BY_FIELD = {c.field: c for c in COLUMNS}
FIELD_NAMES: tuple[str, ...] = tuple(c.field for c in COLUMNS) + ("amount_ttc",)

# Small words dropped before comparing headers; units too.
_STOP = frozenset("de du des d l la le les en au aux a of the in for par pour eur euro euros".split())
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_YEAR = re.compile(r"^(19|20)\d\d$")
_SPEND_WORDS = frozenset(
    "depense depenses mandate mandates mandatement mandatements mandat paye payes paiement paiements realise "
    "realises consomme execute spend spending spent paid expenditure".split()
)
_MAX_HEADER_WORDS = 8
_MONEY_WORDS = frozenset("montant montants amount value valeur total prix price cout".split())


def normalise(text: object) -> str:
    """Lower case, accents and punctuation removed, small words dropped."""
    if type(text) is str and len(text) <= 200:
        return _normalise_cached(text)
    return _normalise(text)


@lru_cache(maxsize=65536)
def _normalise_cached(text: str) -> str:  # cell values repeat a lot (vocabularies)
    return _normalise(text)


_ABBREV = ((re.compile(r"\bt\.\s*t\.\s*c\b\.?"), "ttc"), (re.compile(r"\bh\.\s*t\b\.?"), "ht"))


def _normalise(text: object) -> str:
    s = unicodedata.normalize("NFKD", str(text).lower())
    if "." in s:
        for pattern, repl in _ABBREV:  # « H.T. », « T.T.C. »
            s = pattern.sub(repl, s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("œ", "oe").replace("æ", "ae")
    return " ".join(t for t in _NON_ALNUM.split(s) if t and t not in _STOP)


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    out: dict[str, str] = {}
    for c in COLUMNS:
        for text in (c.header, c.field.replace("_", " "), *c.synonyms):
            out.setdefault(normalise(text), c.field)
    return out


def spend_year(field: str) -> tuple[int, bool] | None:
    """(year, ttc) for a spend field name ``spend_2024`` / ``spend_ttc_2024``."""
    m = re.fullmatch(r"spend_(ttc_)?((?:19|20)\d\d)", field)
    return (int(m.group(2)), bool(m.group(1))) if m else None


def is_known_field(field: str) -> bool:
    """True for a field name a mapping may use."""
    return field in FIELD_NAMES or spend_year(field) is not None


@lru_cache(maxsize=4096)
def match_header(text: object) -> str | None:
    """The field a header names, or None. ``spend_YYYY`` for yearly spending columns."""
    n = normalise(text)
    if not n:
        return None
    tokens = n.split()
    if len(tokens) > _MAX_HEADER_WORDS:
        return None  # a sentence (title, note), not a column header
    ttc = "ttc" in tokens
    years = [t for t in tokens if _YEAR.match(t)]
    if len(years) == 1 and _SPEND_WORDS.intersection(tokens):
        return f"spend_ttc_{years[0]}" if ttc else f"spend_{years[0]}"
    if ttc and (n == "ttc" or _MONEY_WORDS.intersection(tokens) or "incl" in tokens):
        return "amount_ttc"
    if "amount" in tokens and "incl" in tokens and "vat" in tokens:
        return "amount_ttc"
    hit = _synonyms().get(n)
    if hit is not None:
        return hit
    # Looser rules for long headers.
    words = set(tokens)
    if "montant" in words and "ht" in words and not years:
        return "amount_ht"
    if "siret" in words or "siren" in words:
        return "buyer_siret" if words & {"acheteur", "buyer", "adjudicateur", "acheteurs"} else "supplier_siret"
    if "cpv" in words:
        return "cpv"
    if "date" in words and "notification" in words:
        return "notification_date"
    return None


def header_of(field: str) -> str:
    """The canonical French header of a field (``Dépense 2024`` for ``spend_2024``)."""
    sy = spend_year(field)
    if sy is not None:
        return f"Dépense {sy[0]}" + (" TTC" if sy[1] else "")
    if field == "amount_ttc":
        return "Montant TTC"
    return _BY_FIELD[field].header
