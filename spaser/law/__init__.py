"""The law at a date: parameters, SPASER obligation, indicators, targets, compliance.

Every legal number comes from ``spaser/law/parameters`` (see its README);
this package only reads them at a date. Entry point: ``check(portfolio)``.
"""

from __future__ import annotations

from spaser.law import params
from spaser.law.compliance import Compliance, EuThreshold, Finding, Skipped, check_compliance, eu_threshold
from spaser.law.diagnosis import Diagnosis, JointDiagnosis, UsedParameter, check, check_joint, default_year
from spaser.law.indicators import Breakdown, ConsiderationIndicators, Measure, YearIndicators, indicators_by_year, year_indicators
from spaser.law.obligation import (
    ContentItem,
    Exclusion,
    Obligation,
    Scope,
    SpendCount,
    SpendLine,
    count_spend,
    required_contents,
    scope,
    spaser_obligation,
    year_rule,
    YearRule,
)
from spaser.law.estimate import SpendEstimate, contract_share, estimate_yearly_spend
from spaser.law.law import Change, Law, current_law, law_at
from spaser.law.params import NotInForce, Parameter, Parameters, ParameterValue, Reference
from spaser.law.targets import AgecRates, TargetResult, agec_targets, egalim_targets, load_agec_rates, pnad_indicators, pnad_targets, targets

__all__ = [
    # the law as a value
    "Law",
    "Change",
    "law_at",
    "current_law",
    "params",
    "Parameters",
    "Parameter",
    "ParameterValue",
    "Reference",
    "NotInForce",
    # the diagnosis
    "check",
    "check_joint",
    "default_year",
    "Diagnosis",
    "JointDiagnosis",
    "UsedParameter",
    # obligation
    "spaser_obligation",
    "scope",
    "count_spend",
    "estimate_yearly_spend",
    "contract_share",
    "SpendEstimate",
    "required_contents",
    "Obligation",
    "Scope",
    "SpendCount",
    "SpendLine",
    "Exclusion",
    "ContentItem",
    "year_rule",
    "YearRule",
    # indicators
    "year_indicators",
    "indicators_by_year",
    "YearIndicators",
    "ConsiderationIndicators",
    "Measure",
    "Breakdown",
    # targets
    "targets",
    "pnad_targets",
    "pnad_indicators",
    "egalim_targets",
    "agec_targets",
    "load_agec_rates",
    "AgecRates",
    "TargetResult",
    # compliance
    "check_compliance",
    "eu_threshold",
    "EuThreshold",
    "Compliance",
    "Finding",
    "Skipped",
]
