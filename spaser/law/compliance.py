"""Per-contract obligations of the Climat et résilience law (consultations from the switch date).

For each contract whose consultation was launched on or after the date of
``climat.obligations_par_marche`` (``Purchase.consultation_date``):

- an environmental execution condition (L2112-2) -> needs "Clause environnementale";
- an environmental award criterion (L2152-7, R2152-7) -> needs "Critère environnemental";
- at or above the EU threshold for the buyer's kind and the nature, a social
  execution condition (L2112-2-1; concessions: L3114-2-1) -> needs "Clause sociale",
  unless a reason is recorded (``Purchase.social_exemption``). A reserved contract
  alone is not an execution condition: it is reported "à vérifier", not as missing.
  A social award criterion alone is not an execution condition: reported missing.

A contract without a launch date is placed by its notification date: notified
before the switch, its consultation was too (not concerned); notified on or
after it, the consultation may still have been launched before, so nothing can
be "manquant": what would be is "à vérifier" with that reason, and the result
counts these contracts (``Compliance.approximate``).

Concessions: the social condition of L3114-2-1 (two exceptions only: no
"immediately available solution"), and the environmental obligations of
``climat.obligations_concessions`` shown "à vérifier" with their reference.

Unknown considerations give "à vérifier", never a breach. Defence and security
contracts (L2312-1-1 keeps the optional wording), Livre V contracts and spending
lines are not checked (listed with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from spaser.law.law import Law, parameters_of
from spaser.law.params import Parameter, ParameterValue, Reference
from spaser.model import BuyerKind, ContractKind, EnvironmentalConsideration as Env, Nature, Portfolio, Purchase, SocialConsideration as Soc, SocialExemption
from spaser.money import format_eur

__all__ = ["Finding", "Skipped", "Compliance", "eu_threshold", "EuThreshold", "check_compliance"]

FindingStatus = Literal["manquant", "à vérifier"]


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class EuThreshold:
    value: Decimal
    parameter: str
    note: str | None  # French, when the category is uncertain
    references: tuple[Reference, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "parameter": self.parameter, "note": self.note, "references": [r.to_dict() for r in self.references]}


def eu_threshold(
    kind: BuyerKind, nature: Nature | None, d: date, *, contract_kind: ContractKind = ContractKind.MARCHE, law: Law | None = None
) -> EuThreshold | None:
    """The EU threshold applying to a buyer kind and a nature at ``d`` (None: none in force, or nature unknown; ``law``: default the current one).

    >>> before = eu_threshold(BuyerKind.COMMUNE, Nature.SERVICES, date(2025, 12, 31))
    >>> after = eu_threshold(BuyerKind.COMMUNE, Nature.SERVICES, date(2026, 1, 1))
    >>> before.parameter == after.parameter, before.value > after.value
    (True, True)
    >>> eu_threshold(BuyerKind.COMMUNE, Nature.SERVICES, date(2020, 1, 1)) is None
    True
    """
    note = None
    eu = parameters_of(law).seuils_europeens
    p: Parameter
    if contract_kind == ContractKind.CONCESSION or nature == Nature.TRAVAUX:
        p = eu.travaux_concessions
    elif nature is None:
        return None
    elif contract_kind == ContractKind.MARCHE_DEFENSE or kind == BuyerKind.ENTITE_ADJUDICATRICE:
        p = eu.fournitures_services_entites_adjudicatrices
    elif kind == BuyerKind.ETAT:
        p = eu.fournitures_services_etat
    else:
        p = eu.fournitures_services_autres
        if kind == BuyerKind.ETABLISSEMENT_PUBLIC_ETAT:
            note = "Certains établissements publics de l'État relèvent du seuil des autorités publiques centrales (plus bas) : à vérifier."
    v = p.at(d)
    return None if v is None else EuThreshold(v.value, p.name, note, v.references)


@dataclass(frozen=True)
class Finding:
    """A contract that falls short of a per-contract rule, or must be checked."""

    purchase_id: str
    object: str
    rule: str  # "condition_environnementale" | "critere_environnemental" | "condition_sociale"
    status: FindingStatus
    message: str  # French
    articles: tuple[str, ...]
    date_used: date
    date_basis: str  # "consultation" | "notification (approximation)"
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "purchase_id": self.purchase_id,
            "object": self.object,
            "rule": self.rule,
            "status": self.status,
            "message": self.message,
            "articles": list(self.articles),
            "date_used": self.date_used,
            "date_basis": self.date_basis,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Skipped:
    purchase_id: str
    reason: str  # French

    def to_dict(self) -> dict[str, Any]:
        return {"purchase_id": self.purchase_id, "reason": self.reason}


@dataclass(frozen=True)
class Compliance:
    """Result of the per-contract checks over a portfolio."""

    switch: date | None  # first date the per-contract rules apply
    checked: int  # contracts the rules apply to
    compliant: int  # of those, with no finding
    not_yet: int  # contracts whose consultation predates the switch
    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    references: tuple[Reference, ...]
    notes: tuple[str, ...] = field(default=())
    approximate: int = 0  # of ``checked``, placed by their notification date (launch date unknown)

    @property
    def missing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "manquant")

    @property
    def to_check(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "à vérifier")

    def to_dict(self) -> dict[str, Any]:
        return {
            "switch": self.switch,
            "checked": self.checked,
            "compliant": self.compliant,
            "not_yet": self.not_yet,
            "approximate_count": self.approximate,
            "missing_count": len(self.missing),
            "to_check_count": len(self.to_check),
            "findings": [f.to_dict() for f in self.findings],
            "skipped": [s.to_dict() for s in self.skipped],
            "references": [r.to_dict() for r in self.references],
            "notes": list(self.notes),
        }


def _switch(p: Parameter) -> date | None:
    return next((v.start for v in p.values if v.value), None)


def check_compliance(portfolio: Portfolio, *, law: Law | None = None) -> Compliance:
    """The per-contract Climat et résilience checks of ``portfolio`` under ``law`` (default: the current law)."""
    counter = ComplianceCounter(portfolio.buyer.kind, law=law)
    for p in portfolio.purchases:
        counter.add(p)
    return counter.result()


class ComplianceCounter:
    """The per-contract checks, fed one purchase at a time (``check`` feeds it in its single pass)."""

    __slots__ = ("rule", "concessions", "switch", "kind", "findings", "law", "skipped", "checked", "compliant", "not_yet", "proxies", "applies", "thresholds")

    def __init__(self, kind: BuyerKind, *, law: Law | None = None) -> None:
        climat = parameters_of(law).climat
        self.law = law
        self.rule = climat.obligations_par_marche
        self.concessions = climat.obligations_concessions
        self.switch = _switch(self.rule)
        self.kind = kind
        self.findings: list[Finding] = []
        self.skipped: list[Skipped] = []
        self.checked = self.compliant = self.not_yet = self.proxies = 0
        # Many contracts share a date, a nature: each parameter is read once per distinct question.
        self.applies: dict[date, bool] = {}
        self.thresholds: dict[tuple[Nature | None, ContractKind, date], EuThreshold | None] = {}

    def _threshold(self, nature: Nature | None, d: date, contract_kind: ContractKind) -> EuThreshold | None:
        key = (nature, contract_kind, d)
        if key not in self.thresholds:
            self.thresholds[key] = eu_threshold(self.kind, nature, d, contract_kind=contract_kind, law=self.law)
        return self.thresholds[key]

    def add(self, p: Purchase) -> None:
        kind = p.kind
        if kind == ContractKind.DEPENSE:
            return  # a spending line is not a contract
        if kind == ContractKind.MARCHE_DEFENSE:
            self.skipped.append(Skipped(p.id, "marché de défense ou de sécurité : la prise en compte reste facultative (L2312-1-1)"))
            return
        if p.livre_v:
            self.skipped.append(Skipped(p.id, f"marché relevant du livre V ({p.livre_v})"))
            return
        d, basis = (p.consultation_date, "consultation") if p.consultation_date else (p.notification_date, "notification (approximation)")
        if d is None:
            if self.switch is not None:
                self.skipped.append(Skipped(p.id, "dates de consultation et de notification inconnues : impossible de savoir si les obligations s'appliquent"))
            return
        in_force = self.applies.get(d)
        if in_force is None:
            v = self.rule.at(d)
            self.applies[d] = in_force = v is not None and bool(v.value)
        if not in_force:
            self.not_yet += 1
            return
        self.checked += 1
        if basis != "consultation":
            self.proxies += 1
        concession_env = self.concessions.at(d) if p.kind == ContractKind.CONCESSION else None
        found = _check_one(self._threshold, p, d, basis, self.switch, concession_env)
        self.findings.extend(found)
        if not found:
            self.compliant += 1

    def result(self) -> Compliance:
        switch, rule = self.switch, self.rule
        notes = []
        if switch is not None:
            notes.append(
                f"Obligations applicables aux consultations lancées (ou avis d'appel à la concurrence envoyés) à partir du {_fr(switch)} "
                "(décret n° 2022-767, art. 14 ; les articles législatifs portent la date du 22 août 2026)."
            )
        if self.proxies:
            notes.append(
                f"{self.proxies} contrat(s) reposent sur une date approximative : sans date de lancement de la consultation, ils sont placés "
                "par leur date de notification, postérieure à la bascule ; la consultation a pu être lancée avant. Aucun manquement "
                "n'est retenu pour eux : leurs points sont « à vérifier » (renseigner la date de lancement de la consultation)."
            )
        notes.append("Spécifications techniques prenant en compte le développement durable (L2111-2) : non vérifiables à partir des données, à contrôler dans les pièces.")
        refs = rule.values[-1].references if rule.values else ()
        return Compliance(switch, self.checked, self.compliant, self.not_yet, tuple(self.findings), tuple(self.skipped), refs, tuple(notes), self.proxies)


def _check_one(
    threshold_of: Callable[[Nature | None, date, ContractKind], EuThreshold | None],
    p: Purchase,
    d: date,
    basis: str,
    switch: date | None = None,
    concession_env: ParameterValue | None = None,
) -> list[Finding]:
    """The findings of one contract; ``threshold_of(nature, d, contract_kind)``: the buyer's EU threshold.

    ``basis`` other than "consultation": ``d`` is the notification date, so a breach is only "à vérifier".
    """
    out: list[Finding] = []
    approximate = basis != "consultation"
    reason = (
        f"date de lancement de la consultation inconnue : contrat notifié le {_fr(d)}, mais sa consultation a pu être lancée avant "
        + (f"le {_fr(switch)}" if switch else "la date de bascule")
        + " (obligations applicables aux seules consultations lancées à partir de cette date)"
    )

    def finding(rule: str, status: FindingStatus, message: str, articles: tuple[str, ...], *notes: str) -> None:
        if approximate:
            if status == "manquant":
                message = f"{message} À vérifier, pas un manquement : {reason}."
            status = "à vérifier"
            notes = (*notes, reason)
        out.append(Finding(p.id, p.object, rule, status, message, articles, d, basis, tuple(notes)))

    concession = p.kind == ContractKind.CONCESSION
    if concession:
        if concession_env is not None:
            refs = " ; ".join(str(r) for r in concession_env.references)
            confirm = " [à confirmer]" if concession_env.to_confirm else ""
            finding(
                "condition_environnementale", "à vérifier",
                f"Contrat de concession : obligations environnementales applicables aux consultations lancées à partir de cette date "
                f"({refs}){confirm} ; à vérifier dans les pièces du contrat.",
                ("L3114-2",),
            )  # fmt: skip
    else:
        env = p.environmental
        if env is None:
            finding("condition_environnementale", "à vérifier", "Considérations environnementales inconnues : vérifier la condition d'exécution environnementale.", ("L2112-2",))
            finding("critere_environnemental", "à vérifier", "Considérations environnementales inconnues : vérifier le critère d'attribution environnemental.", ("L2152-7", "R2152-7"))
        else:
            if Env.CLAUSE not in env:
                finding("condition_environnementale", "manquant", "Aucune condition d'exécution prenant en compte des considérations environnementales.", ("L2112-2",))
            if Env.CRITERE not in env:
                finding("critere_environnemental", "manquant", "Aucun critère d'attribution prenant en compte les caractéristiques environnementales de l'offre (le prix seul n'est plus admis).", ("L2152-7", "R2152-7"))
    articles = ("L3114-2-1",) if concession else ("L2112-2-1",)
    threshold = threshold_of(p.nature, d, p.kind)
    if p.amount_ht is None:
        finding("condition_sociale", "à vérifier", "Montant inconnu : impossible de savoir si le seuil européen est atteint (condition sociale obligatoire au-delà).", articles)
    elif threshold is None:
        lowest = threshold_of(Nature.FOURNITURES, d, ContractKind.MARCHE)
        if lowest is not None and p.amount_ht >= lowest.value:
            finding("condition_sociale", "à vérifier", "Nature (travaux, fournitures, services) inconnue : seuil européen applicable indéterminé.", articles)
    elif p.amount_ht >= threshold.value:
        social = p.social
        above = f"montant {format_eur(p.amount_ht, cents=False)} HT, au moins égal au seuil européen de {format_eur(threshold.value, cents=False)} HT"
        extra = (threshold.note,) if threshold.note else ()
        exemption = p.social_exemption
        if concession and exemption == SocialExemption.IMMEDIATELY_AVAILABLE:
            exemption = None  # not an exception of L3114-2-1
            extra = (*extra, "Le motif consigné (solution immédiatement disponible) n'est pas une exception admise pour une concession : "
                     "L3114-2-1 n'en prévoit que deux (absence de lien suffisant avec l'objet ; restriction de concurrence ou difficulté d'exécution).")
        if exemption is not None:
            pass  # the recorded reason is an exception the article allows
        elif social is None:
            finding("condition_sociale", "à vérifier", f"Considérations sociales inconnues ({above}) : vérifier la condition d'exécution sociale.", articles, *extra)
        elif Soc.CLAUSE in social:
            pass
        elif Soc.RESERVE in social:
            finding(
                "condition_sociale", "à vérifier",
                f"Marché réservé sans condition d'exécution sociale ({above}) : la réservation n'est pas une condition d'exécution ; "
                "ajouter une condition sociale ou consigner le motif de l'exception.",
                articles, *extra,
            )  # fmt: skip
        else:
            finding(
                "condition_sociale", "manquant",
                f"Aucune condition d'exécution sociale ({above}) et aucun motif d'exception consigné.",
                articles, *extra,
            )  # fmt: skip
    return out
