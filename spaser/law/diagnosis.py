"""The whole legal diagnosis of a portfolio at a date: ``check(portfolio) -> Diagnosis``.

A ``Diagnosis`` holds, for the document generator and the CLI:

- ``obligation``: is the buyer obliged to adopt a SPASER (L2111-3, D2111-3), with the spend counted;
- ``indicators``: per notification year, in number and in value (all contracts);
- ``measured``: the chosen year's indicators on the national measurement perimeter (DECP floor);
- ``targets``: PNAD, EGalim, AGEC results (target, actual, gap, reference);
- ``compliance``: per-contract Climat et résilience findings (from the switch date);
- ``required_contents``: what an adopted SPASER must contain at ``at``;
- ``parameters``: every legal parameter read, with its value, date and references;
- ``warnings``: French sentences the reader must see (estimates, unknown data, "à confirmer").

``to_dict()`` is JSON-ready: Decimals as strings, dates ISO.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from spaser.law.compliance import Compliance, ComplianceCounter
from spaser.law.law import Law, current_law, simulation_notes
from spaser.law.indicators import YearIndicators, indicators_and_measured
from spaser.law.obligation import ContentItem, Obligation, SpendCount, required_contents, spaser_obligation, spend_counter
from spaser._french import counted
from spaser.money import format_number
from spaser._gc import paused
from spaser.law.params import Lookup, Parameter, ParameterValue, Reference
from spaser.law.targets import AgecRates, TargetResult, pnad_floor, targets
from spaser.model import CALENDAR_YEARS, Portfolio, Purchase, calendar_year

__all__ = ["UsedParameter", "Diagnosis", "JointDiagnosis", "check", "check_joint", "default_year"]


@dataclass(frozen=True)
class UsedParameter:
    """A parameter value the diagnosis relied on."""

    name: str
    description: str
    unit: str
    kind: str
    start: date
    value: Any
    references: tuple[Reference, ...]
    to_confirm: bool
    note: str | None

    @classmethod
    def of(cls, p: Parameter, v: ParameterValue) -> UsedParameter:
        return cls(p.name, p.description, p.unit, p.kind, v.start, v.value, v.references, v.to_confirm, v.note)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "unit": self.unit,
            "kind": self.kind,
            "start": self.start,
            "value": self.value,
            "references": [r.to_dict() for r in self.references],
            "to_confirm": self.to_confirm,
            "note": self.note,
        }


@dataclass(frozen=True)
class Diagnosis:
    buyer_name: str
    buyer_siret: str | None
    buyer_kind: str
    year: int  # the calendar year examined (spend, targets)
    at: date  # the date the law is read at
    obligation: Obligation
    indicators: dict[int, YearIndicators]  # by notification year, all contracts
    measured: YearIndicators  # ``year`` on the national measurement perimeter (PNAD)
    targets: tuple[TargetResult, ...]
    compliance: Compliance
    required_contents: tuple[ContentItem, ...]
    parameters: tuple[UsedParameter, ...]
    warnings: tuple[str, ...] = field(default=())
    # Every year on the national measurement perimeter of that year (``measured`` is ``year``'s):
    # the history and the yearly report compare the national targets with these.
    measured_by_year: dict[int, YearIndicators] = field(default_factory=dict)

    def to_dict(self, *, spend_lines: bool = True) -> dict[str, Any]:
        """The diagnosis as JSON-ready data; ``spend_lines=False`` leaves out the spend counted per purchase."""
        from spaser._json import to_jsonable

        with paused():  # many small acyclic objects: see check()
            return self._to_dict(to_jsonable, spend_lines)

    def _to_dict(self, to_jsonable: Callable[[Any], Any], spend_lines: bool = True) -> dict[str, Any]:
        out = to_jsonable(
            {
                "buyer": {"name": self.buyer_name, "siret": self.buyer_siret, "kind": self.buyer_kind},
                "year": self.year,
                "at": self.at,
                "obligation": self.obligation.to_dict(spend_lines=False),
                "indicators": {str(y): i.to_dict() for y, i in self.indicators.items()},
                "measured": self.measured.to_dict(),
                "measured_by_year": {str(y): i.to_dict() for y, i in self.measured_by_year.items()},
                "targets": [t.to_dict() for t in self.targets],
                "compliance": self.compliance.to_dict(),
                "required_contents": [c.to_dict() for c in self.required_contents],
                "parameters": [p.to_dict() for p in self.parameters],
                "warnings": list(self.warnings),
            }
        )
        # The spend lines (up to one per purchase) made JSON-ready directly, in their place.
        if spend_lines:
            out["obligation"]["spend"]["lines"] = [x.to_json() for x in self.obligation.spend.lines]
        else:
            del out["obligation"]["spend"]["lines"]
        return out


_notified = attrgetter("notification_date")
_spend = attrgetter("spend_by_year")


def default_year(portfolio: Portfolio, at: date) -> tuple[int, str | None]:
    """The last complete calendar year (before ``at``'s year) with data, and a warning if none."""
    years = set(portfolio.buyer.declared_spend)
    # Portfolio.years() and the spend years, read in C: purchases share a few thousand dates.
    purchases = portfolio.purchases
    years.update(d.year for d in set(map(_notified, purchases)) if d is not None)
    for given in filter(None, map(_spend, purchases)):
        years.update(given)
    complete = [y for y in years if y < at.year]
    if complete:
        return max(complete), None
    if years:
        y = max(years)
        return y, f"Aucune année civile complète dans les données : l'année {y} (en cours ou future) est examinée."
    y = max(at.year - 1, CALENDAR_YEARS[0])  # in year 1, no year before it has a date
    return y, f"Aucune donnée datée : l'année {y} est examinée par défaut."


def check(
    portfolio: Portfolio,
    *,
    year: int | None = None,
    at: date | None = None,
    agec_rates: AgecRates | None = None,
    joint: bool = False,
    law: Law | None = None,
) -> Diagnosis:
    """Diagnose ``portfolio`` at ``at`` for calendar ``year`` (default: last complete year with data).

    ``law``: the law to apply (default: the law of an enclosing computation, else ``law_at(at)``, the shipped law); ``at`` defaults to the
    law's date, else today. A what-if law (``law.replace(...)``) makes the diagnosis say so.
    """
    at = at or (law.at if law is not None else date.today())
    law = law if law is not None else current_law(at)
    # The same law, recording every parameter it is asked (the diagnosis lists what it relied on);
    # active, so that a computation nested in the diagnosis given no law reads it too.
    recording, used = law.recording()
    with recording.active():
        return _check(portfolio, year, at, agec_rates, joint, simulation_notes(law), recording, used)


def _check(
    portfolio: Portfolio, year: int | None, at: date, agec_rates: AgecRates | None, joint: bool, warnings: list[str], law: Law, used: list[Lookup]
) -> Diagnosis:
    if year is None:
        year, w = default_year(portfolio, at)
        if w:
            warnings.append(w)
    calendar_year(year)
    # The diagnosis makes many small acyclic objects: without the pause, the cyclic collector would
    # rescan the whole portfolio now and then (about 0.5 s a time at 100 000 purchases).
    with paused(promote=True):
        # One pass over the purchases for everything (at a million purchases, reading a purchase
        # costs more than what is done with it): the indicators' pass carries the spend count,
        # the per-contract checks and the gathering of EGalim/AGEC purchases.
        spend = spend_counter(portfolio, year, at, law=law)
        checks = ComplianceCounter(portfolio.buyer.kind, law=law)
        tagged: list[Purchase] = []

        def gather(p: Purchase) -> None:
            if p.egalim is not None or p.agec_category is not None:
                tagged.append(p)

        riders = [checks.add, gather] if isinstance(spend, SpendCount) else [spend.add, checks.add, gather]
        by_year, measured_by_year = indicators_and_measured(portfolio, year, floor_of=lambda y: pnad_floor(y, law=law), riders=riders)
        measured = measured_by_year[year]
        obligation = spaser_obligation(portfolio, year=year, at=at, spend=spend if isinstance(spend, SpendCount) else spend.result(), law=law)
        results = targets(portfolio, year, user_agec_rates=agec_rates, pnad=measured, tagged=tagged, law=law)
        compliance = checks.result()
        contents = required_contents(at, joint=joint, law=law)
    warnings.extend(_warnings(obligation, measured, results, compliance, year, at))
    seen: dict[tuple[str, date], UsedParameter] = {}
    for p, _, v in used:
        if v is not None:
            seen.setdefault((p.name, v.start), UsedParameter.of(p, v))
    if any(u.to_confirm for u in seen.values()):
        warnings.append("Certaines valeurs juridiques utilisées sont « à confirmer » (voir la liste des paramètres) : ne pas les présenter comme certaines.")
    b = portfolio.buyer
    return Diagnosis(
        buyer_name=b.name,
        buyer_siret=b.siret,
        buyer_kind=b.kind.value,
        year=year,
        at=at,
        obligation=obligation,
        indicators=by_year,
        measured=measured,
        targets=tuple(results),
        compliance=compliance,
        required_contents=tuple(contents),
        parameters=tuple(sorted(seen.values(), key=lambda u: (u.name, u.start))),
        warnings=tuple(warnings),
        measured_by_year=measured_by_year,
    )


def _warnings(o: Obligation, measured: YearIndicators, results: list[TargetResult], c: Compliance, year: int, at: date) -> list[str]:
    out = []
    if year >= at.year:
        out.append(f"L'année {year} n'est pas terminée au {at.strftime('%d/%m/%Y')} : chiffres partiels.")
    if o.spend.is_estimate:
        out.append("La dépense annuelle comparée au seuil SPASER est une ESTIMATION, pas le chiffre légal : confirmez-la avec la comptabilité.")
    if o.scope.to_confirm:
        out.append("Le champ des acheteurs concernés retenu pour ce type d'acheteur est « à confirmer ».")
    unknown = measured.social.unknown.count + measured.environmental.unknown.count
    if measured.contracts and unknown:
        out.append(
            f"Considérations inconnues pour {measured.year} : {counted(measured.social.unknown.count, 'contrat', 'contrats')} (social), "
            f"{format_number(measured.environmental.unknown.count)} (environnemental) sur {format_number(measured.contracts)} ; comptés à part de « aucune considération »."
        )
    if any(t.status == "taux non renseigné" for t in results):
        out.append("AGEC art. 58 : taux non renseigné pour certaines catégories (seuls les textiles figurent dans la référence).")
    if c.to_check:
        out.append(f"{counted(len(c.to_check), 'point', 'points')} de conformité par contrat « à vérifier » faute d'information.")
    if c.approximate:
        out.append(
            f"{counted(c.approximate, 'contrat notifié', 'contrats notifiés')} après la bascule des obligations Climat et résilience sans date de lancement de la consultation : "
            "date approximative, leurs points sont « à vérifier » (jamais un manquement)."
        )
    return out


@dataclass(frozen=True)
class JointDiagnosis:
    """A SPASER drafted jointly by several buyers: one diagnosis (and indicators) per buyer."""

    at: date
    allowed: bool  # joint schemes allowed at ``at``
    members: tuple[Diagnosis, ...]
    required_contents: tuple[ContentItem, ...]
    references: tuple[Reference, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        from spaser._json import to_jsonable

        return to_jsonable(
            {
                "at": self.at,
                "allowed": self.allowed,
                "members": [m.to_dict() for m in self.members],
                "required_contents": [c.to_dict() for c in self.required_contents],
                "references": [r.to_dict() for r in self.references],
                "warnings": list(self.warnings),
            }
        )


def check_joint(
    portfolios: Sequence[Portfolio], *, year: int | None = None, at: date | None = None, agec_rates: AgecRates | None = None, law: Law | None = None
) -> JointDiagnosis:
    """Diagnose each buyer of a joint scheme; buyers below the threshold may join (L2111-3). ``law`` as for :func:`check`."""
    at = at or (law.at if law is not None else date.today())
    law = law if law is not None else current_law(at)
    with law.active():
        return _check_joint(portfolios, year, at, agec_rates, law)


def _check_joint(portfolios: Sequence[Portfolio], year: int | None, at: date, agec_rates: AgecRates | None, law: Law) -> JointDiagnosis:
    shared = law.parameters.spaser.schema_commun
    allowed = shared.at(at)
    members = tuple(check(p, year=year, at=at, agec_rates=agec_rates, joint=allowed is not None, law=law) for p in portfolios)
    warnings = simulation_notes(law)
    if allowed is None:
        first = shared.values[0].start
        warnings.append(
            f"Au {at.strftime('%d/%m/%Y')}, le schéma commun à plusieurs acheteurs n'était pas prévu par L2111-3 "
            f"(possible à partir du {first.strftime('%d/%m/%Y')}) : chaque acheteur obligé adopte son propre schéma."
        )
    else:
        warnings.append("Schéma commun : les indicateurs sont fixés pour chaque acheteur (L2111-3) ; les acheteurs sous le seuil peuvent y participer.")
    contents = required_contents(at, joint=allowed is not None, law=law)
    return JointDiagnosis(at, allowed is not None, members, tuple(contents), allowed.references if allowed else (), tuple(warnings))
