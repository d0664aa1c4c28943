"""View models: plain data the documents are rendered from.

They are the only boundary between the documents and the law / advice
results: the builders in :mod:`spaser.documents.builders` turn a Diagnosis,
the opportunities and the configuration into these; the renderers read
nothing else. Amounts stay ``Decimal``; rates are ratios in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = [
    "Reference",
    "ObligationView",
    "Requirement",
    "NationalTarget",
    "ContractRule",
    "VolumeRow",
    "IndicatorRow",
    "YearIndicators",
    "ObjectiveRow",
    "ActionView",
    "AxisView",
    "SuggestionRow",
    "OpportunitySummary",
    "DraftView",
    "DeliberationView",
    "ReportRow",
    "AnnualReportView",
    "PublicationRow",
    "WorkbookView",
]


@dataclass(frozen=True)
class Reference:
    """A legal reference as cited to the reader."""

    article: str  # "art. D2111-3 CCP"
    title: str = ""  # "Décret n° 2022-767 du 2 mai 2022"
    url: str = ""
    to_confirm: bool = False
    subject: str = ""  # what it is the reference for ("seuil de l'obligation")

    @property
    def text(self) -> str:
        parts = [p for p in (self.title, self.article) if p]
        return ", ".join(parts) + (" [à confirmer]" if self.to_confirm else "")


@dataclass(frozen=True)
class ObligationView:
    status: str  # "obligé" | "non obligé" | "indéterminé"
    explanation: str
    year: int | None = None
    threshold: Decimal | None = None
    counted: Decimal | None = None
    estimated: bool = False
    method: str = ""
    margin: Decimal | None = None
    exclusions: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


@dataclass(frozen=True)
class Requirement:
    """One content L2111-3 requires, and where the draft answers it."""

    label: str
    reference: str = ""
    where: str = ""


@dataclass(frozen=True)
class NationalTarget:
    key: str  # "social" | "environnement" | ...
    label: str
    rate: Decimal
    basis: str = "nombre"  # "nombre" | "valeur"
    horizon: int | None = None
    reference: str = ""
    to_confirm: bool = False
    current: Decimal | None = None  # the buyer's current rate on the same basis
    gap: Decimal | None = None  # target - current, in points (ratio)
    note: str = ""  # French, what the target counts when it changes (EGalim level-2 certification)


@dataclass(frozen=True)
class ContractRule:
    """A per-contract obligation (e.g. from 21 August 2026) and the buyer's findings."""

    title: str
    description: str
    applies_from: date | None = None
    in_force: bool = False
    references: list[str] = field(default_factory=list)
    findings: str = ""  # e.g. "12 marchés concernés sur 340 ..."


@dataclass(frozen=True)
class VolumeRow:
    code: str
    label: str
    count: int
    amount: Decimal
    share: Decimal | None = None  # of the total amount


@dataclass(frozen=True)
class IndicatorRow:
    """A rate measured in number of contracts and in value (HT)."""

    key: str
    label: str
    count: int | None = None
    count_share: Decimal | None = None
    amount: Decimal | None = None
    value_share: Decimal | None = None
    definition: str = ""
    unit: str = "pct"  # "pct" (shares) | "hours" (count holds the hours) | "eur"


@dataclass(frozen=True)
class YearIndicators:
    year: int
    contracts: int
    amount: Decimal
    social_count_share: Decimal | None
    environmental_count_share: Decimal | None
    social_value_share: Decimal | None = None
    environmental_value_share: Decimal | None = None
    unknown_share: Decimal | None = None


@dataclass(frozen=True)
class ObjectiveRow:
    """A target of the scheme, year by year."""

    key: str
    label: str
    basis: str  # "nombre" | "valeur" | "heures"
    unit: str  # "pct" | "hours"
    current: Decimal | None
    by_year: dict[int, Decimal | None]
    national: Decimal | None = None
    source: str = ""  # "cible nationale (PNAD)" / "fixé par l'acheteur" / "à fixer"
    reference: str = ""
    short: str = ""  # short label for charts


@dataclass(frozen=True)
class ActionView:
    title: str
    description: str
    clause_examples: list[str] = field(default_factory=list)
    purchases: list[str] = field(default_factory=list)
    indicator: str = ""
    owner: str = "[à compléter]"
    deadline: str = "[à compléter]"


@dataclass(frozen=True)
class AxisView:
    key: str
    title: str
    intro: str
    actions: list[ActionView] = field(default_factory=list)


@dataclass(frozen=True)
class SuggestionRow:
    purchase_id: str
    object: str
    cpv: str
    amount: Decimal | None
    clauses: str
    reason: str = ""


@dataclass(frozen=True)
class OpportunitySummary:
    """The clause engine's portfolio-level figures for the diagnosis year."""

    year: int
    candidates: int
    listed: int
    value_without_social: Decimal
    value_without_environmental: Decimal
    total_hours: Decimal
    reservable: int
    scenarios: list[str] = field(default_factory=list)  # the engine's own sentences


@dataclass(frozen=True)
class DraftView:
    buyer_name: str
    buyer_kind: str  # French label
    assembly: str  # "conseil métropolitain"
    start: int
    end: int
    at: date
    year: int | None  # the year the diagnosis describes
    obligation: ObligationView
    requirements: list[Requirement]
    national_targets: list[NationalTarget]
    contract_rules: list[ContractRule]
    references: list[Reference]
    purchase_count: int
    total_amount: Decimal
    years: list[int]
    by_nature: list[VolumeRow]
    by_division: list[VolumeRow]
    indicators: list[IndicatorRow]
    history: list[YearIndicators]
    objectives: list[ObjectiveRow]
    axes: list[AxisView]
    suggestions: list[SuggestionRow]
    opportunity_summary: OpportunitySummary | None = None
    unknown_share: Decimal | None = None
    import_summary: str = ""
    notes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # user texts replacing sections
    config_file: str | None = None


@dataclass(frozen=True)
class DeliberationView:
    buyer_name: str
    buyer_kind: str
    assembly: str
    act: str  # "délibération" | "arrêté" | "décision"
    is_state: bool
    start: int
    end: int
    at: date
    obligation: ObligationView
    objectives: list[ObjectiveRow]
    axes: list[str]
    signatory: str
    visas: list[str] = field(default_factory=list)  # "Vu ..." lines beyond the code itself
    local_authority: bool = False  # cites the CGCT
    purchase_count: int = 0
    total_amount: Decimal = Decimal(0)
    place: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    config_file: str | None = None


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    basis: str
    unit: str
    objective: Decimal | None
    achieved: Decimal | None
    gap: Decimal | None
    status: str  # "atteint" | "non atteint" | "non mesurable" | "sans objectif"
    short: str = ""
    year: int | None = None
    source: str = ""


@dataclass(frozen=True)
class AnnualReportView:
    buyer_name: str
    buyer_siret: str
    assembly: str
    year: int
    at: date
    start: int
    end: int
    purchase_count: int
    total_amount: Decimal
    rows: list[ReportRow]
    indicators: list[IndicatorRow]
    history: list[YearIndicators]
    contract_rules: list[ContractRule]
    obligation: ObligationView
    unknown_share: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    config_file: str | None = None


@dataclass(frozen=True)
class PublicationRow:
    """One line of the open-data indicators table (CSV / xlsx), one indicator for one year."""

    year: int
    key: str  # stable code, e.g. "social_nombre"
    label: str
    basis: str  # "nombre" | "valeur" | "heures"
    numerator: Decimal | None
    denominator: Decimal | None
    rate: Decimal | None  # numerator / denominator, None for hours
    unit: str  # "marchés" | "euros HT" | "heures"
    scope: str  # what the denominator is
    objective: Decimal | None = None
    gap: Decimal | None = None


@dataclass(frozen=True)
class WorkbookView:
    buyer_name: str
    buyer_siret: str
    at: date
    purchases: tuple  # tuple[spaser.model.Purchase, ...]: the model itself, not law results
    report: object | None  # spaser.io.report.ImportReport
    indicators: list[PublicationRow]
    gaps: list[ReportRow]
    suggestions: list[SuggestionRow]
