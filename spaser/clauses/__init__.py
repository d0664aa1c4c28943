"""Clause advice: the catalogue, the suggestion engine, insertion hours, reservation and allotment.

>>> from datetime import date
>>> from decimal import Decimal
>>> p = planned_purchase("Entretien des espaces verts", "77310000", Decimal("180000"), date(2026, 3, 2))
>>> [s.clause_id for s in suggest(p, limit=2)]
['insertion-espaces-verts', 'reserve-conjoint']
"""

from __future__ import annotations

from spaser.clauses.allotment import AllotmentAdvice, ProposedLot, SmallLots, allotment_advice, small_lots
from spaser.clauses.catalogue import Catalogue, Clause, Dimension, Mechanism, catalogue, load_catalogue
from spaser.clauses.engine import Suggestion, planned_purchase, suggest
from spaser.clauses.hours import HoursEstimate, insertion_hours
from spaser.clauses.opportunities import Opportunities, PurchaseOpportunity, Scenario, opportunities
from spaser.clauses.reservation import EssCheck, ReservationAdvice, ReservationOption, can_reserve
from spaser.clauses.rules import RULES, Rule

__all__ = [
    "Catalogue",
    "Clause",
    "Dimension",
    "Mechanism",
    "catalogue",
    "load_catalogue",
    "Suggestion",
    "suggest",
    "planned_purchase",
    "HoursEstimate",
    "insertion_hours",
    "ReservationAdvice",
    "ReservationOption",
    "EssCheck",
    "can_reserve",
    "AllotmentAdvice",
    "ProposedLot",
    "SmallLots",
    "allotment_advice",
    "small_lots",
    "Opportunities",
    "PurchaseOpportunity",
    "Scenario",
    "opportunities",
    "Rule",
    "RULES",
]
