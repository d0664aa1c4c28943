"""Portfolio-level opportunities: where clauses would matter most, and what they would change.

For the contracts notified in a year, ranks the purchases by potential
(mandatory gaps, insertion hours, value that could carry a clause,
reservation), then simulates the PNAD indicators if the listed purchases
adopted the suggested social and environmental clauses. The indicators are
the law module's own (``spaser.law.targets.pnad_indicators``): same
perimeter (measurement floor of the year), same counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from spaser._gc import paused
from spaser.clauses.catalogue import Catalogue, Clause, catalogue
from spaser.clauses.engine import Suggestion, build, ranked_proposals, rules_in_force
from spaser.clauses.rules import MANDATORY, Gives, Proposal, Rule
from spaser.law.diagnosis import default_year
from spaser.law.indicators import share
from spaser.law.targets import pnad_indicators
from spaser.law.law import Law, current_law
from spaser.model import ContractKind, EnvironmentalConsideration as Env, Portfolio, Purchase, SocialConsideration as Soc
from spaser._french import counted
from spaser.money import format_eur, format_number, format_percent

if TYPE_CHECKING:
    from spaser.law.diagnosis import Diagnosis
    from spaser.law.indicators import YearIndicators

__all__ = ["PurchaseOpportunity", "Scenario", "Opportunities", "AdviceProgress", "opportunities"]


@dataclass(frozen=True)
class PurchaseOpportunity:
    index: int  # position in the portfolio (ids are not always unique: lots, several years)
    purchase_id: str
    object: str
    cpv: str | None
    amount_ht: Decimal | None
    social_status: str
    environmental_status: str
    mandatory: tuple[str, ...]  # clause ids mandatory at the date
    social: Suggestion | None  # best social clause, when the purchase has none
    environmental: Suggestion | None  # best environmental clause, when the purchase has none
    reservable: bool
    hours: Decimal | None  # insertion hours of the social suggestion, over the whole contract
    score: int
    hours_per_year: Decimal | None = None  # the same spread over the contract's years (duration known)

    def to_dict(self) -> dict[str, Any]:
        return {
            "purchase_id": self.purchase_id,
            "index": self.index,
            "object": self.object,
            "cpv": self.cpv,
            "amount_ht": self.amount_ht,
            "social_status": self.social_status,
            "environmental_status": self.environmental_status,
            "mandatory": list(self.mandatory),
            "social_clause": self.social.clause_id if self.social else None,
            "environmental_clause": self.environmental.clause_id if self.environmental else None,
            "reservable": self.reservable,
            "insertion_hours": self.hours,
            "insertion_hours_per_year": self.hours_per_year,
            "score": self.score,
        }


@dataclass(frozen=True)
class Scenario:
    """PNAD shares (in number of contracts) before and after adopting the suggestions."""

    label: str  # French
    contracts: int  # contracts that would gain a consideration
    social_before: Decimal | None
    social_after: Decimal | None
    environmental_before: Decimal | None
    environmental_after: Decimal | None
    counted: int  # contracts in the PNAD perimeter of the year

    def sentence(self) -> str:
        if self.contracts == 0:
            return f"{self.label} : aucun contrat du périmètre de mesure ne gagnerait de considération."
        these = "ce marché comportait" if self.contracts == 1 else f"ces {format_number(self.contracts)} marchés comportaient"
        return (
            f"{self.label} : si {these} les clauses suggérées, la part des contrats avec une "
            f"considération sociale passerait de {format_percent(self.social_before, 0)} à {format_percent(self.social_after, 0)}, "
            f"et avec une considération environnementale de {format_percent(self.environmental_before, 0)} à "
            f"{format_percent(self.environmental_after, 0)} (sur {counted(self.counted, 'contrat mesuré', 'contrats mesurés')})."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "contracts": self.contracts,
            "social_before": self.social_before,
            "social_after": self.social_after,
            "environmental_before": self.environmental_before,
            "environmental_after": self.environmental_after,
            "counted": self.counted,
            "sentence": self.sentence(),
        }


@dataclass(frozen=True)
class Opportunities:
    year: int
    at: date
    purchases: tuple[PurchaseOpportunity, ...]  # the top ones, best first
    candidates: int  # purchases of the year with at least one opportunity
    total_hours: Decimal  # insertion hours over the listed purchases
    value_without_social: Decimal  # € HT of the year's contracts without social consideration that could carry one
    value_without_environmental: Decimal
    reservable: int  # listed purchases that could be reserved
    top: Scenario  # adopting the suggestions on the listed purchases
    all: Scenario  # on every candidate of the year
    notes: tuple[str, ...] = ()

    def explain(self) -> str:
        lines = [
            f"Année {self.year} : {counted(self.candidates, 'achat pourrait', 'achats pourraient')} intégrer une clause ; "
            f"{counted(len(self.purchases), 'présenté', 'présentés')} ci-dessous.",
            f"Valeur des contrats sans considération sociale pouvant en recevoir une : {format_eur(self.value_without_social, cents=False)} HT ; "
            f"sans considération environnementale : {format_eur(self.value_without_environmental, cents=False)} HT.",
            f"Heures d'insertion possibles sur les achats présentés : ≈ {format_number(self.total_hours)} heures sur toute la durée de leurs marchés (valeurs d'usage).",
            f"Achats présentés pouvant être réservés (SIAE, EA, ESAT ou ESS) : {format_number(self.reservable)}.",
            self.top.sentence(),
        ]
        if self.all.contracts != self.top.contracts:
            lines.append(self.all.sentence())
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "at": self.at,
            "candidates": self.candidates,
            "total_hours": self.total_hours,
            "value_without_social": self.value_without_social,
            "value_without_environmental": self.value_without_environmental,
            "reservable": self.reservable,
            "purchases": [p.to_dict() for p in self.purchases],
            "scenario_top": self.top.to_dict(),
            "scenario_all": self.all.to_dict(),
            "notes": list(self.notes),
            "explanation": self.explain(),
        }


# Told (purchases assessed, purchases to assess) while the opportunities are worked out: a progress bar.
AdviceProgress = Callable[[int, int], None]
_SOCIAL = {s.value for s in Soc if s is not Soc.AUCUNE}
_ENV = {e.value for e in Env if e is not Env.AUCUNE}
_RESERVED = Soc.RESERVE.value  # read once: an enum's value is a Python property


@dataclass(frozen=True)
class _Assessed:
    """A purchase ranked; its suggestions are built only if it is listed."""

    index: int
    purchase: Purchase
    social: tuple[Clause, Proposal] | None  # best social clause, when the purchase has none
    environmental: tuple[Clause, Proposal] | None
    mandatory: tuple[str, ...]
    reservable: bool
    hours: Decimal | None
    score: int

    def considerations(self) -> tuple[str | None, str | None]:
        """The social and environmental DECP considerations the purchase would gain."""

        def value(cp: tuple[Clause, Proposal] | None) -> str | None:
            return cp[0].consideration.value if cp is not None and cp[0].consideration is not None else None

        return value(self.social), value(self.environmental)

    def opportunity(self, at: date) -> PurchaseOpportunity:
        p = self.purchase
        social, env = (build(p, *cp, at) if cp else None for cp in (self.social, self.environmental))
        return PurchaseOpportunity(self.index, p.id, p.object, p.cpv, p.amount_ht, p.social_status, p.environmental_status,
                                   self.mandatory, social, env, self.reservable, self.hours, self.score,
                                   self.social[1].hours.per_year if self.social and self.social[1].hours else None)


# The considerations an assessment reads: a reservation always (``reservable``), a social or an
# environmental one only where the purchase has none yet; by (social status, environmental status).
def _needed(social: bool, environmental: bool) -> frozenset[Gives]:
    needed: set[Gives] = {"réservé"}
    if social:
        needed.add("sociale")
    if environmental:
        needed.add("environnementale")
    return frozenset(needed)


_NEEDED = {(s, e): _needed(s, e) for s in (False, True) for e in (False, True)}


def _assess(index: int, p: Purchase, portfolio: Portfolio, at: date, cat: Catalogue, kinds: dict[str, str | None],
            rules: dict[tuple[bool, bool], tuple[Rule, ...]]) -> _Assessed:
    # What suggest(p, at=at, portfolio=portfolio) ranks, for what is read below; ``kinds``: each clause's consideration;
    # ``rules``: the rules in force that read it, by what the purchase lacks (social, environmental).
    lacks_social, lacks_env = p.social_status != "oui", p.environmental_status != "oui"
    social = env = None  # the best-ranked clause giving each, where the purchase has none
    mandatory: list[str] = []
    reservable = False
    for c, x in ranked_proposals(p, at, cat, portfolio=portfolio, rules=rules[lacks_social, lacks_env]):
        v = kinds[c.id]
        if x.status == MANDATORY:
            mandatory.append(c.id)
        if v == _RESERVED:
            reservable = True
        if social is None and lacks_social and v in _SOCIAL:
            social = (c, x)
        elif env is None and lacks_env and v in _ENV:
            env = (c, x)
    hours = social[1].hours.hours if social and social[1].hours else None
    score = 1000 * len(mandatory) + (int(hours) if hours else 0) + (social[1].score if social else 0) + (env[1].score if env else 0) + (200 if reservable else 0)
    return _Assessed(index, p, social, env, tuple(mandatory), reservable, hours, score)


def _adopt(p: Purchase, social: str | None, environmental: str | None) -> Purchase:
    """``p`` with the considerations it would gain (the scenarios' meaning, spelled out for the tests)."""
    update: dict[str, Any] = {}
    if social is not None:
        update["social"] = frozenset((p.social or frozenset()) - {Soc.AUCUNE}) | {Soc(social)}
    if environmental is not None:
        update["environmental"] = frozenset((p.environmental or frozenset()) - {Env.AUCUNE}) | {Env(environmental)}
    return p.model_copy(update=update)


def _scenario(label: str, portfolio: Portfolio, chosen: dict[int, tuple[str | None, str | None]], before: YearIndicators) -> Scenario:
    """The year's PNAD shares if the ``chosen`` purchases gained their considerations.

    ``chosen``: position in the portfolio -> the social and environmental considerations it would gain
    (contracts of ``before``'s year, lacking them). Gaining a consideration moves no contract in or out
    of the measured perimeter (notified in the year, amount at least the floor): the shares after are
    those before plus the contracts of the perimeter that gain one. The same as measuring the portfolio
    with :func:`_adopt` applied (tests/test_opportunity_scenarios.py checks it), without copying it.
    """
    floor = before.floor
    contracts = social = environmental = 0
    for i, (s, e) in chosen.items():
        p = portfolio.purchases[i]
        a = p.amount_ht
        if floor is not None and (a is None or a < floor):  # not measured (the tally's _BELOW and unknown amounts)
            continue
        contracts += 1
        social += s is not None and p.social_status != "oui"
        environmental += e is not None and p.environmental_status != "oui"
    yes_social, yes_env = before.social.yes, before.environmental.yes
    return Scenario(
        label,
        contracts,
        yes_social.share_count,
        share(yes_social.count + social, yes_social.denominator_count),
        yes_env.share_count,
        share(yes_env.count + environmental, yes_env.denominator_count),
        before.contracts,
    )


def opportunities(
    portfolio: Portfolio, *, year: int | None = None, at: date | None = None, top: int = 20, law: Law | None = None, diagnosis: Diagnosis | None = None,
    progress: AdviceProgress | None = None,
) -> Opportunities:
    """The purchases of ``year`` (default: last complete year with data) with the largest potential.

    ``law``: the law to apply (default: as for ``check``); ``at`` defaults to the law's date, else today.
    ``progress(done, total)`` is told how many of the year's purchases are assessed, every
    ``PROGRESS_EVERY`` (for a progress bar; a large portfolio takes seconds).
    ``diagnosis``: ``check(portfolio)`` already made under the same law: its year and date are taken
    (``year`` and ``at`` must then be left out or agree) and its measured indicators are the « before »
    of the scenarios, instead of counting the portfolio again (one analysis, shared).
    """
    # Where the date comes from, for the note that states it.
    origin = "date donnée" if at is not None else "date du jour, par défaut"  # read by the CLI, the web page and the documents
    if diagnosis is not None:
        if (year is not None and year != diagnosis.year) or (at is not None and at != diagnosis.at):
            raise ValueError("opportunities: year and at must agree with the diagnosis given")
        year, at, origin = diagnosis.year, diagnosis.at, "date donnée"  # with the diagnosis
    elif at is None and law is not None:
        origin = "date du droit appliqué"
    at = at or (law.at if law is not None else date.today())
    with paused(promote=True), (law if law is not None else current_law(at)).active():
        return _opportunities(portfolio, year=year, at=at, origin=origin, top=top, before=diagnosis.measured if diagnosis is not None else None, progress=progress)


PROGRESS_EVERY = 10_000  # purchases assessed between two calls of ``progress``


def _opportunities(portfolio: Portfolio, *, year: int | None, at: date, origin: str, top: int, before: YearIndicators | None = None,
                   progress: AdviceProgress | None = None) -> Opportunities:
    notes: list[str] = []
    if year is None:
        year, warning = default_year(portfolio, at)
        if warning:
            notes.append(warning)
    cat = catalogue()
    kinds = {c.id: (c.consideration.value if c.consideration is not None else None) for c in cat}
    contracts = [(i, p) for i, p in enumerate(portfolio.purchases) if p.year == year and p.kind is not ContractKind.DEPENSE]
    rules = {lacks: rules_in_force(at, needed) for lacks, needed in _NEEDED.items()}
    assessed: list[_Assessed] = []
    for start in range(0, len(contracts), PROGRESS_EVERY):
        assessed += [_assess(i, p, portfolio, at, cat, kinds, rules) for i, p in contracts[start:start + PROGRESS_EVERY]]
        if progress is not None:
            progress(len(assessed), len(contracts))
    candidates = [o for o in assessed if o.social or o.environmental or o.reservable]
    candidates.sort(key=lambda o: (-o.score, -(o.purchase.amount_ht or 0), o.purchase.id, o.index))
    listed = [o.opportunity(at) for o in candidates[: max(top, 0)]]
    zero = Decimal(0)
    if before is None:  # else the diagnosis's measure of the year: the same count, made once
        before = pnad_indicators(portfolio, year)
    floor = before.floor
    if floor is not None:
        notes.append(f"Indicateurs calculés sur le périmètre de mesure national (contrats d'au moins {format_eur(floor, cents=False)} HT).")
    notes.append("Les suggestions portent sur le prochain renouvellement de chaque achat : droit lu au " + at.strftime("%d/%m/%Y")
                 + f" ({origin}).")
    return Opportunities(
        year=year,
        at=at,
        purchases=tuple(listed),
        candidates=len(candidates),
        total_hours=sum((o.hours for o in listed if o.hours), zero),
        value_without_social=sum((o.purchase.amount_ht for o in candidates if o.social and o.purchase.amount_ht), zero),
        value_without_environmental=sum((o.purchase.amount_ht for o in candidates if o.environmental and o.purchase.amount_ht), zero),
        reservable=sum(1 for o in listed if o.reservable),
        top=_scenario("L'achat présenté" if len(listed) == 1 else f"Les {format_number(len(listed))} achats présentés", portfolio, {o.index: o.considerations() for o in candidates[: len(listed)]}, before),
        all=_scenario("L'achat de l'année concerné" if len(candidates) == 1 else f"Tous les {format_number(len(candidates))} achats de l'année concernés", portfolio, {o.index: o.considerations() for o in candidates}, before),
        notes=tuple(notes),
    )
