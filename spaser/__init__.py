"""spaser — responsible public procurement for French public buyers.

The public API. Everything a script needs is importable from here; the
modules behind it are private unless listed.

>>> import spaser
>>> spaser.cpv.lookup("90910000").label_fr
'Services de nettoyage'
"""

from __future__ import annotations

from spaser import cpv
from spaser._errors import (
    CatalogueError,
    InputError,
    InvalidChecksum,
    InvalidCode,
    InvalidFormat,
    LimitExceeded,
    OutputError,
    ParameterError,
    SpaserError,
    UnknownCode,
    UsageError,
)
from spaser.io import ImportIssue, ImportReport, ImportResult, IssueCode, Severity, load
from spaser.io.template import write_portfolio, write_template
from spaser.law.estimate import SpendEstimate, estimate_yearly_spend
from spaser.scan import ScanResult, scan_decp
from spaser.model import (
    AGEC_CATEGORIES,
    AgecKind,
    Buyer,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration,
    SocialExemption,
    SourceRef,
    Supplier,
    SupplierKind,
)
from spaser.law import (
    Compliance,
    ContentItem,
    Diagnosis,
    Finding,
    JointDiagnosis,
    Law,
    NotInForce,
    Obligation,
    TargetResult,
    YearIndicators,
    check,
    check_joint,
    law_at,
    required_contents,
)
from spaser.clauses import (
    AllotmentAdvice,
    Clause,
    HoursEstimate,
    Opportunities,
    ReservationAdvice,
    Suggestion,
    allotment_advice,
    can_reserve,
    catalogue,
    insertion_hours,
    opportunities,
    planned_purchase,
    suggest,
)
from spaser.documents import (
    DocumentConfig,
    load_config,
    write_annual_report,
    write_deliberation,
    write_draft,
    write_indicators_csv,
    write_indicators_xlsx,
    write_workbook,
)
from spaser.money import format_eur, parse_amount

__version__ = "0.1.0"

__all__ = [
    "__version__",
    # errors
    "SpaserError",
    "InputError",
    "LimitExceeded",
    "InvalidCode",
    "InvalidFormat",
    "InvalidChecksum",
    "UnknownCode",
    "ParameterError",
    "CatalogueError",
    "OutputError",
    "UsageError",
    # model
    "Buyer",
    "BuyerKind",
    "Purchase",
    "Portfolio",
    "Supplier",
    "SupplierKind",
    "SourceRef",
    "Nature",
    "ContractKind",
    "SocialConsideration",
    "EnvironmentalConsideration",
    "SocialExemption",
    "EgalimCategory",
    "AgecKind",
    "AGEC_CATEGORIES",
    # import
    "load",
    "ImportResult",
    "ImportReport",
    "ImportIssue",
    "IssueCode",
    "Severity",
    "write_template",
    "write_portfolio",
    "scan_decp",
    "ScanResult",
    "estimate_yearly_spend",
    "SpendEstimate",
    # law
    "law_at",
    "Law",
    "check",
    "check_joint",
    "required_contents",
    "Diagnosis",
    "JointDiagnosis",
    "Obligation",
    "YearIndicators",
    "TargetResult",
    "Compliance",
    "Finding",
    "ContentItem",
    "NotInForce",
    # advice
    "suggest",
    "planned_purchase",
    "Suggestion",
    "insertion_hours",
    "HoursEstimate",
    "opportunities",
    "Opportunities",
    "catalogue",
    "Clause",
    "can_reserve",
    "ReservationAdvice",
    "allotment_advice",
    "AllotmentAdvice",
    # documents
    "write_draft",
    "write_deliberation",
    "write_annual_report",
    "write_indicators_csv",
    "write_indicators_xlsx",
    "write_workbook",
    "DocumentConfig",
    "load_config",
    # helpers
    "cpv",
    "parse_amount",
    "format_eur",
]
