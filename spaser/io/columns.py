"""The field registry: every column a purchase table may have, declared once.

Each field of :class:`spaser.model.Purchase` (plus the supplier and buyer
columns, and the alternative amount columns of finance exports) is one
:class:`ColumnSpec`: the canonical French header (the one the import template
writes), its synonyms (French, English, without accents, the DECP names), its
help text, its template width, and its cell converter (:mod:`spaser.io.cells`,
which names the issue codes it may raise). The spreadsheet/CSV reader, the
template, the workbook export and the mapping file all read this one table.
Headers are compared after :func:`normalise`: lower case, no accents, camelCase
split, no punctuation, no small words (« de », « du », « la »...), no units.

>>> normalise("  Date de\\nnotification ")
'date notification'
>>> match_header("MONTANT HT (€)"), match_header("dateNotification"), match_header("titulaire_id")
('amount_ht', 'notification_date', 'supplier_siret')
>>> match_header("Durée (en mois)"), match_header("Objet du marché")
('duration_months', 'object')
>>> match_header("Montant TTC"), match_header("Montant prévu"), match_header("Montant initial (Ht)")
('amount_ttc', 'amount_max', 'amount_initial')
>>> match_header("Mandaté 2025"), match_header("Dépense 2024 TTC")
('spend_2025', 'spend_ttc_2024')
>>> match_header("Commentaires") is None, match_header("montantModification") is None
(True, True)
>>> match_header("titulaire_denominationSociale_2")
'supplier_name#2'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spaser import cpv as _cpv
from spaser.io import cells as c
from spaser.io.cells import normalise
from spaser.model import (
    AGEC_CATEGORIES,
    AgecKind,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    SocialConsideration,
    SPEND_YEARS,
    SocialExemption,
    SupplierKind,
)

__all__ = [
    "ColumnSpec",
    "COLUMNS",
    "FIELD_NAMES",
    "AMOUNT_FIELDS",
    "normalise",
    "match_header",
    "is_known_field",
    "spend_year",
    "header_of",
    "spec",
    "holder_index",
]


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One field: how a table names it, what it means, and how its cells convert."""

    field: str
    header: str  # canonical French header (written by the template)
    help: str  # French help shown in the template
    synonyms: tuple[str, ...] = ()
    width: int = 18  # template column width (characters)
    convert: Callable[[Any], Any] = c.text  # cell -> value; raises cells.CellProblem
    template: bool = True  # written by the template (the alternative amounts are not)
    free_text: bool = False  # any text is a value (« NaN » too): no export placeholder is read as empty
    choices: tuple[str, ...] = ()  # the template's drop-down list
    multi: bool = False  # several values in one cell, separated by « ; »
    cell: str | None = None  # the cell's format in written workbooks: "money", "date" or "code" (kept as text)
    write: Callable[[Any, Any], Any] | None = None  # (purchase, buyer) -> the cell written by the template and the export
    spending: bool = False  # a row whose amount comes from this column is a spending line (ContractKind.DEPENSE)

    @property
    def reads_placeholders(self) -> bool:
        """An export's placeholder for no value (« NaN », « CDL ») is an empty cell in this column."""
        return not self.free_text and self.convert is not c.text


def _label(name: str) -> Callable[[Any, Any], Any]:
    """The writer of an enumerated field: its French label."""
    return lambda p, b: None if getattr(p, name) is None else getattr(p, name).label


def _considerations(values: frozenset[Any] | None, none: Any) -> str | None:
    """Unknown stays empty; an empty set is written « Pas de considération ... » (same meaning: « non »)."""
    if values is None:
        return None
    return "; ".join(sorted(v.value for v in values)) if values else none.value


def _holder_kinds(p: Any, b: Any) -> str | None:
    parts = [", ".join(sorted(k.value for k in s.kinds)) for s in p.suppliers]
    return "\n".join(parts) if any(parts) else None


# Order = the template's column order.
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("id", "Identifiant", "Numéro ou référence du marché, unique (avec le lot). Laissé vide : un identifiant est attribué.",
               ("id", "identifiant marche", "numero marche", "n marche", "no marche", "numero", "reference", "reference marche",
                "ref", "ref marche", "numero contrat", "n contrat", "code marche", "contract id", "contract number", "reference number", "id marche", "id contrat", "identifiant contrat"), 14, c.identifier, free_text=True,
               cell="code", write=lambda p, b: p.id),
    ColumnSpec("object", "Objet", "Objet du marché ou du lot, en clair.",
               ("objet marche", "objet contrat", "objet lot", "intitule", "intitule marche", "libelle", "libelle marche",
                "designation", "object", "subject", "description", "title", "objet", "categorie achat", "categorie achat optionnelle"), 45,
               write=lambda p, b: p.object),
    ColumnSpec("cpv", "Code CPV", "Code CPV principal (8 chiffres, clé facultative : 90910000-9).",
               ("cpv", "cpv principal", "code cpv principal", "cpv code", "main cpv", "nomenclature cpv", "codecpv"), 14, c.cpv,
               cell="code", write=lambda p, b: _cpv.format(p.cpv) if p.cpv else None),
    ColumnSpec("nature", "Nature", "Travaux, Fournitures ou Services (déduite du code CPV si vide).",
               ("nature marche", "nature prestation", "nature achat", "type achat", "purchase type", "type of purchase"), 13, c.nature_or_kind,
               choices=tuple(n.label for n in Nature), write=_label("nature")),
    ColumnSpec("kind", "Type de contrat", "Marché, Accord-cadre, Marché subséquent, Marché de partenariat, Marché de défense ou de sécurité, Contrat de concession.",
               ("type contrat", "type marche", "forme marche", "forme contrat", "contract type", "contract kind", "type"), 18, c.nature_or_kind,
               choices=tuple(k.label for k in ContractKind), write=_label("kind")),
    ColumnSpec("amount_ht", "Montant HT", "Montant hors taxes en euros (montant maximum sur toute la durée pour un accord-cadre).",
               ("montant", "montant total ht", "montant notifie ht", "montant attribue ht",
                "montant marche ht", "valeur ht", "montant hors taxes", "montant hors taxe", "total ht",
                "amount", "amount ht", "amount excl vat", "amount excluding vat", "value", "value excl vat"), 16, c.amount,
               cell="money", write=lambda p, b: p.amount_ht),
    # Finance exports give several amounts: the planned maximum wins (it is what a DECP « montant »
    # states), then the amount HT, then the initial amount; an empty one is taken from the next
    # column with a warning (AMOUNT_FROM_OTHER_COLUMN). See AMOUNT_FIELDS.
    ColumnSpec("amount_max", "Montant maximum HT", "Montant prévu ou maximum sur toute la durée (accord-cadre), en euros HT.",
               ("montant prevu", "montant prevu ht", "montant maximum", "montant maximum ht", "montant max", "montant max ht",
                "montant estime", "montant estime ht", "maximum amount"), 16, c.amount, template=False),
    ColumnSpec("amount_initial", "Montant initial HT", "Montant initial du marché, avant modifications, en euros HT.",
               ("montant initial", "montant initial ht", "initial amount"), 16, c.amount, template=False),
    ColumnSpec("amount_spent", "Dépense HT", "Dépense d'achat en euros HT (une ligne de dépense, pas un marché).",
               ("depense", "depense achat", "depense ht", "montant depense", "montant depense ht", "spend", "spent amount"), 16, c.amount,
               template=False, spending=True),
    ColumnSpec("notification_date", "Date de notification", "Date de notification du marché (JJ/MM/AAAA).",
               ("date notification", "notification", "date notif", "date attribution", "date signature", "notification date",
                "award date", "date notification marche", "date"), 14, c.a_date,
               cell="date", write=lambda p, b: p.notification_date),
    ColumnSpec("consultation_date", "Date de lancement de la consultation", "Date d'envoi de l'avis ou de lancement de la consultation (JJ/MM/AAAA).",
               ("date lancement consultation", "date lancement", "date publication", "date consultation", "date avis",
                "launch date", "publication date", "tender date"), 14, c.a_date,
               cell="date", write=lambda p, b: p.consultation_date),
    ColumnSpec("duration_months", "Durée (mois)", "Durée du marché en mois, reconductions comprises.",
               ("duree", "duree mois", "duree marche", "duree marche mois", "duree totale", "duration", "duration months"), 10, c.duration,
               write=lambda p, b: p.duration_months),
    ColumnSpec("procedure", "Procédure", "Procédure de passation (procédure adaptée, appel d'offres ouvert...).",
               ("type procedure", "procedure passation", "mode passation", "procedure"), 24,
               free_text=True, write=lambda p, b: p.procedure),
    ColumnSpec("techniques", "Techniques d'achat", "Accord-cadre, système d'acquisition dynamique, catalogue électronique... (plusieurs séparées par « ; »).",
               ("techniques", "technique", "technique achat", "techniques achat"), 18, c.techniques,
               write=lambda p, b: "; ".join(sorted(p.techniques)) or None),
    ColumnSpec("lot", "Lot", "Numéro du lot (vide si le marché n'est pas alloti).",
               ("n lot", "no lot", "numero lot", "lot number", "lot no"), 8,
               cell="code", free_text=True, write=lambda p, b: p.lot),
    ColumnSpec("supplier_name", "Titulaire", "Nom du titulaire (raison sociale).",
               ("titulaire nom", "nom titulaire", "titulaires", "raison sociale titulaire", "attributaire", "fournisseur",
                "prestataire", "entreprise", "raison sociale", "supplier", "supplier name", "contractor", "vendor", "titulaire denomination sociale", "titulaires denomination sociale", "titulaire mandataire", "titulaires nom", "raison sociale fournisseur", "fournisseur raison sociale", "nom fournisseur"), 30, c.raw, free_text=True,
               write=lambda p, b: "\n".join(" ".join(s.name.split("\n")) for s in p.suppliers)),
    ColumnSpec("supplier_siret", "SIRET titulaire", "SIRET (14 chiffres) ou SIREN (9 chiffres) du titulaire.",
               ("siret", "siret fournisseur", "siret attributaire", "siret entreprise", "titulaire siret", "siren titulaire",
                "supplier siret", "contractor siret", "titulaire id", "titulaires id", "id titulaire", "fournisseur siret"), 17, c.raw,
               cell="code", write=lambda p, b: "\n".join(s.siret or "" for s in p.suppliers) if any(s.siret for s in p.suppliers) else None),
    ColumnSpec("supplier_kinds", "Type de structure", "SIAE, EA, ESAT, ESUS ou ESS (plusieurs séparés par « , » ou « ; »), vide sinon.",
               ("type structure", "structure", "type titulaire", "statut titulaire", "categorie titulaire", "statut structure",
                "supplier type", "supplier kind", "structure type"), 16, c.raw,
               choices=tuple(k.value for k in SupplierKind), multi=True, write=_holder_kinds),
    ColumnSpec("social", "Considérations sociales", "Clause sociale, Critère social, Marché réservé (plusieurs séparées par « ; ») ou Pas de considération sociale. Vide : inconnu.",
               ("consideration sociale", "considerations sociales", "clause sociale", "clauses sociales", "social",
                "social considerations", "social consideration", "aspects sociaux"), 26, c.social,
               choices=tuple(s.value for s in SocialConsideration), multi=True, write=lambda p, b: _considerations(p.social, SocialConsideration.AUCUNE)),
    ColumnSpec("environmental", "Considérations environnementales", "Clause environnementale, Critère environnemental (séparés par « ; ») ou Pas de considération environnementale. Vide : inconnu.",
               ("consideration environnementale", "considerations environnementales", "clause environnementale",
                "clauses environnementales", "environnement", "environmental", "environmental considerations",
                "environmental consideration", "aspects environnementaux"), 26, c.environmental,
               choices=tuple(e.value for e in EnvironmentalConsideration), multi=True, write=lambda p, b: _considerations(p.environmental, EnvironmentalConsideration.AUCUNE)),
    ColumnSpec("social_exemption", "Exemption clause sociale", "Motif d'absence de condition sociale : absence de lien, concurrence ou difficulté, solution immédiatement disponible.",
               ("motif absence clause sociale", "justification absence clause sociale", "derogation clause sociale",
                "exemption", "social exemption"), 24, c.exemption,
               choices=tuple(e.label for e in SocialExemption), write=_label("social_exemption")),
    ColumnSpec("insertion_hours_planned", "Heures d'insertion prévues", "Nombre d'heures d'insertion prévues par la clause.",
               ("heures insertion", "heures insertion prevues", "nombre heures insertion", "heures prevues",
                "insertion hours", "insertion hours planned"), 12, c.hours,
               cell="money", write=lambda p, b: p.insertion_hours_planned),
    ColumnSpec("insertion_hours_achieved", "Heures d'insertion réalisées", "Nombre d'heures d'insertion réalisées.",
               ("heures insertion realisees", "heures realisees", "insertion hours achieved"), 12, c.hours,
               cell="money", write=lambda p, b: p.insertion_hours_achieved),
    ColumnSpec("livre_v", "Livre V (article)", "Article du livre V excluant l'achat du calcul (ex. L2512-5), vide sinon.",
               ("livre v", "article livre v", "exclusion livre v", "article exclusion", "hors champ"), 12, c.livre_v,
               write=lambda p, b: p.livre_v),
    ColumnSpec("egalim", "Catégorie EGalim", "Achats alimentaires : Bio, Durable et de qualité (hors bio) ou Autre.",
               ("egalim", "categorie egalim", "qualite egalim", "egalim category"), 16, c.egalim,
               choices=tuple(e.label for e in EgalimCategory), write=_label("egalim")),
    ColumnSpec("egalim_meat_fish", "Viande ou poisson", "Oui pour les viandes et poissons (objectif EGalim propre).",
               ("viande poisson", "viandes poissons", "meat fish", "meat or fish"), 10, c.yes_no,
               choices=("Oui", "Non"), write=lambda p, b: "Oui" if p.egalim_meat_fish else None),
    ColumnSpec("agec_category", "Catégorie AGEC", "Numéro (1 à 17) ou libellé de la catégorie du décret n° 2024-134.",
               ("agec", "categorie agec", "agec category", "categorie decret 2024 134"), 14, c.agec_category,
               choices=tuple(f"{n} - {label}" for n, label in AGEC_CATEGORIES.items()), write=lambda p, b: p.agec_category),
    ColumnSpec("agec_kind", "Réemploi / recyclé", "Issu du réemploi ou de la réutilisation, Intégrant des matières recyclées, ou Neuf / autre.",
               ("reemploi recycle", "reemploi", "reemploi ou recycle", "part reemploi", "agec kind", "reuse recycled"), 16, c.agec_kind,
               choices=tuple(k.label for k in AgecKind), write=_label("agec_kind")),
    ColumnSpec("location", "Lieu d'exécution", "Commune ou lieu principal d'exécution.",
               ("lieu", "lieu execution", "localisation", "location", "place performance", "place of performance"), 18,
               free_text=True, write=lambda p, b: p.location),
    ColumnSpec("buyer_name", "Acheteur", "Nom de l'acheteur (si le fichier en regroupe plusieurs).",
               ("nom acheteur", "acheteur nom", "pouvoir adjudicateur", "buyer", "buyer name", "organisme acheteur"), 24,
               free_text=True, write=lambda p, b: b.name),
    ColumnSpec("buyer_siret", "SIRET acheteur", "SIRET de l'acheteur.",
               ("acheteur siret", "siret pouvoir adjudicateur", "buyer siret", "buyer id", "acheteur id", "id acheteur"), 17, c.raw,
               cell="code", write=lambda p, b: b.siret),
    ColumnSpec("buyer_kind", "Type d'acheteur", "commune, epci, departement, region, etat, hopital...",
               ("type acheteur", "categorie acheteur", "buyer type", "buyer kind"), 14, c.buyer_kind,
               choices=tuple(k.value for k in BuyerKind), write=lambda p, b: b.kind.value),
)

_BY_FIELD = {col.field: col for col in COLUMNS}
FIELD_NAMES: tuple[str, ...] = tuple(col.field for col in COLUMNS) + ("amount_ttc",)

_YEAR = re.compile(r"^\d{4}$")  # a year of spending if in SPEND_YEARS
_SPEND_WORDS = frozenset(
    "depense depenses mandate mandates mandatement mandatements mandat paye payes paiement paiements realise "
    "realises consomme execute spend spending spent paid expenditure".split()
)
_MAX_HEADER_WORDS = 8
_MONEY_WORDS = frozenset("montant montants amount value valeur total prix price cout".split())
# Headers about a later act (a modification, a sub-contract), never the contract's own value.
_LATER_ACT_WORDS = frozenset("modification modifications modifie modifiee sous soustraitance avenant avenants".split())
# Numbered holder columns of tabular DECP exports: titulaire_id_1, titulaire_id_2...
_HOLDER = re.compile(r"^(.*\D) ([1-9])$")
AMOUNT_FIELDS: tuple[str, ...] = ("amount_max", "amount_ht", "amount_initial", "amount_spent")  # by priority
_HOLDER_FIELDS = frozenset({"supplier_name", "supplier_siret", "supplier_kinds"})


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    out: dict[str, str] = {}
    for col in COLUMNS:
        for text in (col.header, col.field.replace("_", " "), *col.synonyms):
            out.setdefault(normalise(text), col.field)
    return out


def spend_year(field: str) -> tuple[int, bool] | None:
    """(year, ttc) for a spend field name ``spend_2024`` / ``spend_ttc_2024``."""
    m = re.fullmatch(r"spend_(ttc_)?(\d{4})", field)
    return (int(m.group(2)), bool(m.group(1))) if m and int(m.group(2)) in SPEND_YEARS else None


def is_known_field(field: str) -> bool:
    """True for a field name a mapping may use."""
    name, k = holder_index(field)
    return (field in FIELD_NAMES or spend_year(field) is not None) if name == field else name in _HOLDER_FIELDS


def holder_index(field: str) -> tuple[str, int]:
    """(field, holder number) for a numbered holder column (``supplier_siret#2``); number 1 otherwise."""
    name, _, k = field.partition("#")
    return name, int(k) if k else 1


def spec(field: str) -> ColumnSpec:
    """The declaration of a field (``spend_YYYY`` and numbered holder columns read as their base field)."""
    return _BY_FIELD[holder_index(field)[0]]


@lru_cache(maxsize=4096)
def match_header(text: object) -> str | None:
    """The field a header names, or None. ``spend_YYYY`` for yearly spending columns, ``supplier_siret#2`` for a second holder."""
    n = normalise(text)
    if not n:
        return None
    m = _HOLDER.match(n)
    if m:
        base = match_header(m.group(1))
        return f"{base}#{m.group(2)}" if base in _HOLDER_FIELDS else None
    tokens = n.split()
    if _LATER_ACT_WORDS.intersection(tokens):
        return None
    if len(tokens) > _MAX_HEADER_WORDS:
        return None  # a sentence (title, note), not a column header
    ttc = "ttc" in tokens
    years = [t for t in tokens if _YEAR.match(t) and int(t) in SPEND_YEARS]
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
        return "amount_initial" if "initial" in words else "amount_max" if words & {"prevu", "maximum", "max"} else "amount_ht"
    if "siret" in words or "siren" in words:
        return "buyer_siret" if words & {"acheteur", "buyer", "adjudicateur", "acheteurs"} else "supplier_siret"
    if "cpv" in words and not words & {"libelle", "liblelle", "label", "intitule"}:
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
    name, k = holder_index(field)
    return _BY_FIELD[name].header + (f" {k}" if name != field else "")
