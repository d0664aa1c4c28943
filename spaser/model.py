"""The portfolio model: a buyer, its purchases, and their closed vocabularies.

Money is ``Decimal`` (floats are refused), dates are ``datetime.date``.
Considerations use the DECP 2024 vocabulary; ``None`` means the source
cannot say (UNKNOWN, e.g. every 2019 DECP record), which is not the same as
the explicit "Pas de considération ...".

>>> p = Purchase(id="M1", object="Nettoyage", cpv="90910000", amount_ht=Decimal("120000"),
...              notification_date=date(2025, 3, 1), duration_months=24,
...              social=frozenset({SocialConsideration.CLAUSE}))
>>> p.social_status, p.environmental_status
('oui', 'inconnu')
>>> p.nature
<Nature.SERVICES: 'services'>
>>> from pydantic import ValidationError
>>> try:
...     Purchase(id="M2", amount_ht=1.5)
... except ValidationError as e:
...     print(e.errors()[0]["loc"], e.errors()[0]["type"])
('amount_ht',) is_instance_of
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from spaser import cpv as _cpv
from spaser._errors import UsageError
from spaser.ids import validate_company_id
from spaser.money import MONEY_OUT_OF_RANGE, beyond_measure, format_number

__all__ = [
    "Money",
    "Nature",
    "ContractKind",
    "BuyerKind",
    "SupplierKind",
    "SocialConsideration",
    "EnvironmentalConsideration",
    "SocialExemption",
    "EgalimCategory",
    "AgecKind",
    "AGEC_CATEGORIES",
    "SourceRef",
    "Supplier",
    "Buyer",
    "Purchase",
    "Portfolio",
    "Status",
    "SPEND_YEARS",
    "DURATION_MAX_MONTHS",
    "calendar_year",
    "CALENDAR_YEARS",
]

def _in_range(d: Decimal) -> Decimal:
    if beyond_measure(d):
        raise ValueError(f"valeur hors de toute mesure (au moins {format_number(MONEY_OUT_OF_RANGE)} en valeur absolue)")
    return d


# Strict: a float never becomes money by accident. Bounded as every reader bounds it: no figure
# computed from it (shares, hours, rounding to the cent) can overflow.
Money = Annotated[Decimal, Field(strict=True), AfterValidator(_in_range)]
Status = Literal["oui", "non", "inconnu"]

# 100 years: a longer contract is a typing error (the readers refuse it too, spaser.io.cells).
DURATION_MAX_MONTHS = 1200

# The years a spending column can name (« Dépense 2024 », spaser.io.columns.spend_year): a spending
# year outside them could be neither written to a workbook nor read back.
SPEND_YEARS = range(1900, 2100)


def _spend_year(y: int) -> int:
    if y not in SPEND_YEARS:
        raise ValueError(f"année de dépense {y} invraisemblable : une année de {SPEND_YEARS[0]} à {SPEND_YEARS[-1]} est attendue")
    return y


SpendYear = Annotated[int, AfterValidator(_spend_year)]


# The years a date can fall in.
CALENDAR_YEARS = range(date.min.year, date.max.year + 1)


def calendar_year(year: int) -> int:
    """``year`` if a date can fall in it (the year a diagnosis examines), else a French usage error."""
    if year not in CALENDAR_YEARS:
        raise UsageError(f"Année {year} hors du calendrier : une année de {CALENDAR_YEARS[0]} à {CALENDAR_YEARS[-1]} est attendue.")
    return year


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        # Keyed by class too: several enums share the value "autre".
        return _LABELS.get((type(self).__name__, self.value), str(self.value))


class Nature(_Labelled):
    TRAVAUX = "travaux"
    FOURNITURES = "fournitures"
    SERVICES = "services"


class ContractKind(_Labelled):
    MARCHE = "marche"
    ACCORD_CADRE = "accord_cadre"
    MARCHE_SUBSEQUENT = "marche_subsequent"
    MARCHE_PARTENARIAT = "marche_partenariat"
    MARCHE_DEFENSE = "marche_defense_securite"
    CONCESSION = "concession"
    DEPENSE = "depense"  # a spending line from the accounts, not a contract


class BuyerKind(_Labelled):
    COMMUNE = "commune"
    EPCI = "epci"
    DEPARTEMENT = "departement"
    REGION = "region"
    COLLECTIVITE_AUTRE = "collectivite_autre"
    ETAT = "etat"
    HOPITAL = "hopital"
    ETABLISSEMENT_PUBLIC_ETAT = "etablissement_public_etat"
    ETABLISSEMENT_PUBLIC_LOCAL = "etablissement_public_local"
    ENTITE_ADJUDICATRICE = "entite_adjudicatrice"
    AUTRE = "autre"


class SupplierKind(_Labelled):
    SIAE = "SIAE"
    EA = "EA"
    ESAT = "ESAT"
    ESUS = "ESUS"
    ESS = "ESS"


class SocialConsideration(StrEnum):
    CLAUSE = "Clause sociale"
    CRITERE = "Critère social"
    RESERVE = "Marché réservé"
    AUCUNE = "Pas de considération sociale"


class EnvironmentalConsideration(StrEnum):
    CLAUSE = "Clause environnementale"
    CRITERE = "Critère environnemental"
    AUCUNE = "Pas de considération environnementale"


class SocialExemption(_Labelled):
    """Recorded reasons for no social condition (L2112-2-1)."""

    NO_LINK = "absence_de_lien"
    COMPETITION_OR_DIFFICULTY = "concurrence_ou_difficulte"
    IMMEDIATELY_AVAILABLE = "solution_immediatement_disponible"  # [to confirm]


class EgalimCategory(_Labelled):
    BIO = "bio"
    DURABLE = "durable_qualite"  # EGalim-eligible, not organic
    AUTRE = "autre"  # food purchase that does not count


class AgecKind(_Labelled):
    REEMPLOI = "reemploi"
    RECYCLE = "recycle"
    AUTRE = "autre"


# The 17 official categories of décret n° 2024-134 (AGEC art. 58).
AGEC_CATEGORIES: dict[int, str] = {
    1: "Produits textiles à l'exception des équipements de protection individuels",
    2: "Matériel informatique et téléphonie",
    3: "Matériel de reprographie et d'impression",
    4: "Consommables d'impression",
    5: "Papier",
    6: "Fournitures de bureau",
    7: "Engins de transport et pièces détachées",
    8: "Véhicules et pièces détachées",
    9: "Mobilier et aménagement d'intérieur",
    10: "Mobilier urbain",
    11: "Equipements de collecte de déchets",
    12: "Bocaux et flacons",
    13: "Articles et équipement sportifs",
    14: "Matériel d'entretien des espaces verts",
    15: "Bâtiments modulaires ou préfabriqués",
    16: "Gros électroménager, y compris appareils professionnels",
    17: "Jeux et jouets",
}

_LABEL_LIST: list[tuple[StrEnum, str]] = [
    (Nature.TRAVAUX, "Travaux"),
    (Nature.FOURNITURES, "Fournitures"),
    (Nature.SERVICES, "Services"),
    (ContractKind.MARCHE, "Marché"),
    (ContractKind.ACCORD_CADRE, "Accord-cadre"),
    (ContractKind.MARCHE_SUBSEQUENT, "Marché subséquent"),
    (ContractKind.MARCHE_PARTENARIAT, "Marché de partenariat"),
    (ContractKind.MARCHE_DEFENSE, "Marché de défense ou de sécurité"),
    (ContractKind.CONCESSION, "Contrat de concession"),
    (ContractKind.DEPENSE, "Ligne de dépense"),
    (BuyerKind.COMMUNE, "Commune"),
    (BuyerKind.EPCI, "EPCI / métropole"),
    (BuyerKind.DEPARTEMENT, "Département"),
    (BuyerKind.REGION, "Région"),
    (BuyerKind.COLLECTIVITE_AUTRE, "Autre collectivité territoriale"),
    (BuyerKind.ETAT, "État (services de l'État)"),
    (BuyerKind.HOPITAL, "Établissement public de santé"),
    (BuyerKind.ETABLISSEMENT_PUBLIC_ETAT, "Établissement public de l'État"),
    (BuyerKind.ETABLISSEMENT_PUBLIC_LOCAL, "Établissement public local"),
    (BuyerKind.ENTITE_ADJUDICATRICE, "Entité adjudicatrice"),
    (BuyerKind.AUTRE, "Autre acheteur soumis au code"),
    (SupplierKind.SIAE, "Structure d'insertion par l'activité économique (SIAE)"),
    (SupplierKind.EA, "Entreprise adaptée (EA)"),
    (SupplierKind.ESAT, "Établissement et service d'aide par le travail (ESAT)"),
    (SupplierKind.ESUS, "Entreprise solidaire d'utilité sociale (ESUS)"),
    (SupplierKind.ESS, "Autre entreprise de l'économie sociale et solidaire (ESS)"),
    (SocialExemption.NO_LINK, "Pas de lien suffisant avec l'objet du marché"),
    (SocialExemption.COMPETITION_OR_DIFFICULTY, "Restriction de concurrence ou difficulté technique ou économique d'exécution"),
    (SocialExemption.IMMEDIATELY_AVAILABLE, "Besoin satisfait par une solution immédiatement disponible [à confirmer]"),
    (EgalimCategory.BIO, "Produit biologique (ou en conversion)"),
    (EgalimCategory.DURABLE, "Produit durable et de qualité (hors bio)"),
    (EgalimCategory.AUTRE, "Autre produit alimentaire"),
    (AgecKind.REEMPLOI, "Issu du réemploi ou de la réutilisation"),
    (AgecKind.RECYCLE, "Intégrant des matières recyclées"),
    (AgecKind.AUTRE, "Neuf / autre"),
]
_LABELS: dict[tuple[str, str], str] = {(type(k).__name__, k.value): v for k, v in _LABEL_LIST}

_CFG = ConfigDict(extra="forbid", frozen=True, validate_default=False)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from, for messages and traceability.

    A plain dataclass, not a model: every imported purchase has one (a tenth of a purchase's
    memory and of its building time as a model); a purchase validates it as any field.
    """

    file: str
    sheet: str | None = None
    row: int | None = None  # 1-based row (spreadsheet) or record index (JSON/XML)


class Supplier(BaseModel):
    model_config = _CFG
    name: str = ""
    siret: str | None = None
    kinds: frozenset[SupplierKind] = frozenset()

    @field_validator("siret")
    @classmethod
    def _siret(cls, v: str | None) -> str | None:
        return None if v is None else validate_company_id(v)


class Buyer(BaseModel):
    model_config = _CFG
    name: str
    siret: str | None = None  # SIRET (14) or SIREN (9), validated
    kind: BuyerKind = BuyerKind.AUTRE
    # Actual spending on contracts per calendar year, from the accounts, when known.
    declared_spend: dict[SpendYear, Money] = Field(default_factory=dict)

    @field_validator("siret")
    @classmethod
    def _siret(cls, v: str | None) -> str | None:
        return None if v is None else validate_company_id(v)


class Purchase(BaseModel):
    """One contract, lot, or spending line."""

    model_config = _CFG

    id: str = Field(min_length=1)
    object: str = ""
    cpv: str | None = None  # 8 digits, resolved against the CPV 2008 table
    nature: Nature | None = None  # derived from the CPV division when not given
    kind: ContractKind = ContractKind.MARCHE
    amount_ht: Money | None = None  # DECP 'montant': maximum HT over the whole contract
    notification_date: date | None = None
    consultation_date: date | None = None  # launch of the consultation (2026 rules)
    duration_months: int | None = Field(default=None, ge=0, le=DURATION_MAX_MONTHS)
    procedure: str | None = None
    techniques: tuple[str, ...] = ()
    lot: str | None = None
    suppliers: tuple[Supplier, ...] = ()
    social: frozenset[SocialConsideration] | None = None
    environmental: frozenset[EnvironmentalConsideration] | None = None
    social_exemption: SocialExemption | None = None
    insertion_hours_planned: Money | None = None
    insertion_hours_achieved: Money | None = None
    spend_by_year: dict[SpendYear, Money] = Field(default_factory=dict)
    livre_v: str | None = None  # article excluding it from the SPASER count (e.g. "L2512-5")
    egalim: EgalimCategory | None = None
    egalim_meat_fish: bool = False
    agec_category: int | None = Field(default=None, ge=1, le=17)
    agec_kind: AgecKind | None = None
    location: str | None = None
    source: SourceRef | None = None

    @field_validator("cpv")
    @classmethod
    def _cpv_code(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if v in _cpv.table():  # the usual case, already the 8-digit code: one dict look-up
            return v
        base, _ = _cpv.split(v)
        if base not in _cpv.table():
            _cpv.validate(base)  # raises UnknownCode with a French message
        return base

    @model_validator(mode="after")
    def _derive(self) -> Purchase:
        if self.nature is None and self.cpv is not None:
            object.__setattr__(self, "nature", Nature(_cpv.nature(self.cpv)))
        # Written out (no loop, no getattr): this runs for every purchase of a million-line import.
        social, environmental = self.social, self.environmental
        if social is not None and len(social) > 1 and SocialConsideration.AUCUNE in social:
            raise ValueError(f"« {SocialConsideration.AUCUNE.value} » ne peut pas être combiné avec une autre considération")
        if environmental is not None and len(environmental) > 1 and EnvironmentalConsideration.AUCUNE in environmental:
            raise ValueError(f"« {EnvironmentalConsideration.AUCUNE.value} » ne peut pas être combiné avec une autre considération")
        return self

    # -- derived views -------------------------------------------------
    @property
    def year(self) -> int | None:
        return self.notification_date.year if self.notification_date else None

    @property
    def social_status(self) -> Status:
        return _status(self.social, SocialConsideration.AUCUNE)

    @property
    def environmental_status(self) -> Status:
        return _status(self.environmental, EnvironmentalConsideration.AUCUNE)

    @property
    def is_reserved(self) -> bool:
        return bool(self.social) and SocialConsideration.RESERVE in self.social  # type: ignore[operator]

    @property
    def supplier_kinds(self) -> frozenset[SupplierKind]:
        return frozenset().union(*(s.kinds for s in self.suppliers)) if self.suppliers else frozenset()

    @property
    def cpv_division(self) -> str | None:
        return self.cpv[:2] if self.cpv else None


def _status(values: frozenset[StrEnum] | None, none: StrEnum) -> Status:
    if values is None:
        return "inconnu"
    if not values or values == {none}:
        return "non"
    return "oui"


def _sum_by(purchases: Iterable[Purchase], key) -> dict:  # type: ignore[no-untyped-def]
    out: dict = defaultdict(Decimal)
    for p in purchases:
        if p.amount_ht is not None:
            out[key(p)] += p.amount_ht
    return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, str(kv[0]))))


class Portfolio(BaseModel):
    """A buyer and its purchases."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=False)
    buyer: Buyer
    purchases: tuple[Purchase, ...] = ()

    def __len__(self) -> int:
        return len(self.purchases)

    @property
    def total_ht(self) -> Decimal:
        return sum((p.amount_ht for p in self.purchases if p.amount_ht is not None), Decimal(0))

    def totals_by_year(self) -> dict[int | None, Decimal]:
        """Contract amounts HT by notification year (None: date unknown)."""
        return _sum_by(self.purchases, lambda p: p.year)

    def totals_by_nature(self) -> dict[Nature | None, Decimal]:
        return _sum_by(self.purchases, lambda p: p.nature)

    def totals_by_cpv_division(self) -> dict[str | None, Decimal]:
        return _sum_by(self.purchases, lambda p: p.cpv_division)

    def spend_by_year(self) -> dict[int, Decimal]:
        """Actual spending by calendar year, summed from the purchases that give it."""
        out: dict[int, Decimal] = defaultdict(Decimal)
        for p in self.purchases:
            for y, v in p.spend_by_year.items():
                out[y] += v
        return dict(sorted(out.items()))

    def years(self) -> list[int]:
        return sorted({p.year for p in self.purchases if p.year is not None})

    def get(self, purchase_id: str) -> Purchase:
        for p in self.purchases:
            if p.id == purchase_id:
                return p
        raise KeyError(purchase_id)
