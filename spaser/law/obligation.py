"""Is a buyer obliged to adopt a SPASER (art. L2111-3 and D2111-3 CCP)?

The question is always asked at a date ``at`` (which scope and threshold are
in force) about the purchases of one calendar year ``year``. Every number
(threshold, switch dates, counting basis) comes from the parameters.

>>> from spaser.model import Buyer, BuyerKind, Portfolio
>>> threshold = law_at(date(2025, 6, 1)).spaser.seuil
>>> b = Buyer(name="Ville", kind=BuyerKind.COMMUNE, declared_spend={2024: threshold})
>>> o = spaser_obligation(Portfolio(buyer=b), year=2024, at=date(2025, 6, 1))
>>> o.status, o.margin
('non obligé', Decimal('0'))
>>> b = Buyer(name="Ville", kind=BuyerKind.COMMUNE, declared_spend={2024: threshold + Decimal("0.01")})
>>> spaser_obligation(Portfolio(buyer=b), year=2024, at=date(2025, 6, 1)).status
'obligé'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from spaser.law.law import Law, law_at, parameters_of  # noqa: F401 - law_at is used by the doctests
from spaser.law.params import Parameter, ParameterValue, Reference
from spaser.model import Buyer, BuyerKind, ContractKind, Portfolio, Purchase
from spaser.law.estimate import contract_share, method_text
from spaser.money import CENT, format_eur, format_number, format_percent, implausible_amount

__all__ = [
    "Status",
    "Exclusion",
    "SpendLine",
    "SpendCount",
    "Scope",
    "Obligation",
    "ContentItem",
    "scope",
    "count_spend",
    "spaser_obligation",
    "required_contents",
    "YearRule",
    "year_rule",
]

Status = Literal["obligé", "non obligé", "indéterminé"]
OBLIGE: Status = "obligé"
NON_OBLIGE: Status = "non obligé"
INDETERMINE: Status = "indéterminé"


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Exclusion:
    """A purchase left out of the SPASER count, with why and how much."""

    purchase_id: str
    reason: str  # French
    article: str
    amount: Decimal | None  # the amount it would have added for the year (None: unknown)

    def to_dict(self) -> dict[str, Any]:
        return {"purchase_id": self.purchase_id, "reason": self.reason, "article": self.article, "amount": self.amount}


@dataclass(frozen=True, slots=True)
class SpendLine:
    """One purchase's contribution to the yearly count."""

    purchase_id: str
    amount: Decimal
    estimated: bool
    assumption: str | None = None  # French, when a default was assumed

    def to_dict(self) -> dict[str, Any]:
        # Estimated parts are kept exact for the total; shown to the cent.
        shown = self.amount.quantize(CENT, rounding=ROUND_HALF_UP) if self.estimated else self.amount
        return {"purchase_id": self.purchase_id, "amount": shown, "estimated": self.estimated, "assumption": self.assumption}

    def to_json(self) -> dict[str, Any]:
        """``to_jsonable(self.to_dict())``, built directly: a diagnosis can hold a line per purchase."""
        shown = self.amount.quantize(CENT, rounding=ROUND_HALF_UP) if self.estimated else self.amount
        return {"purchase_id": self.purchase_id, "amount": str(shown), "estimated": self.estimated, "assumption": self.assumption}


@dataclass(frozen=True)
class SpendCount:
    """What was counted against the threshold for one calendar year.

    ``method``: "declared" (Buyer.declared_spend), "spend" (Purchase.spend_by_year),
    "estimate" (contract amounts spread over their duration), "notified" (pre-2023
    reading: amounts of contracts notified in the year), "mixed" (spend + an
    estimated complement) or "none" (no data).
    """

    year: int
    basis: str  # parameter spaser.assiette: "depenses" | "montants_notifies"
    method: str
    total: Decimal | None
    is_estimate: bool
    method_text: str  # French
    lines: tuple[SpendLine, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    assumptions: tuple[str, ...] = ()  # French
    uncounted: tuple[str, ...] = ()  # French: purchases that could not be placed (no amount, no date)

    @property
    def excluded_total(self) -> Decimal:
        return sum((e.amount for e in self.exclusions if e.amount is not None), Decimal(0))

    def to_dict(self, *, lines: bool = True) -> dict[str, Any]:
        """``lines=False``: an empty list in place of the lines (the caller adds them, see Diagnosis.to_dict)."""
        return {
            "year": self.year,
            "basis": self.basis,
            "method": self.method,
            "total": self.total,
            "is_estimate": self.is_estimate,
            "method_text": self.method_text,
            "lines": [x.to_dict() for x in self.lines] if lines else [],
            "exclusions": [x.to_dict() for x in self.exclusions],
            "excluded_total": self.excluded_total,
            "assumptions": list(self.assumptions),
            "uncounted": list(self.uncounted),
        }


@dataclass(frozen=True)
class Scope:
    """Whether the buyer's kind is among the buyers the article names at a date."""

    concerned: bool | None  # None: depends on facts the data does not give
    text: str  # French
    to_confirm: bool

    def to_dict(self) -> dict[str, Any]:
        return {"concerned": self.concerned, "text": self.text, "to_confirm": self.to_confirm}


@dataclass(frozen=True)
class Obligation:
    """The answer: obliged, not obliged, or undetermined (and what would settle it)."""

    buyer_name: str
    buyer_kind: BuyerKind
    year: int
    at: date
    status: Status
    scope: Scope
    threshold: Decimal | None
    spend: SpendCount
    margin: Decimal | None  # spend - threshold (positive: above)
    explanation: str  # French, cites the articles
    to_settle: tuple[str, ...]  # French: the data that would settle an "indéterminé"
    articles: tuple[str, ...]
    references: tuple[Reference, ...]
    to_confirm: bool

    def to_dict(self, *, spend_lines: bool = True) -> dict[str, Any]:
        """``spend_lines=False``: see SpendCount.to_dict."""
        return {
            "buyer_name": self.buyer_name,
            "buyer_kind": self.buyer_kind.value,
            "year": self.year,
            "at": self.at,
            "status": self.status,
            "scope": self.scope.to_dict(),
            "threshold": self.threshold,
            "spend": self.spend.to_dict(lines=spend_lines),
            "margin": self.margin,
            "explanation": self.explanation,
            "to_settle": list(self.to_settle),
            "articles": list(self.articles),
            "references": [r.to_dict() for r in self.references],
            "to_confirm": self.to_confirm,
        }


# -- who is concerned -----------------------------------------------------------

_LOCAL_AUTHORITIES = {BuyerKind.COMMUNE, BuyerKind.DEPARTEMENT, BuyerKind.REGION, BuyerKind.COLLECTIVITE_AUTRE}

# Reading of "acheteurs soumis au présent code dont le statut est fixé par la loi"
# (wording in force until the Industrie verte law). Not a number: an interpretation,
# each one stated to the user; uncertain ones are "à confirmer".
_BEFORE_EXTENSION: dict[BuyerKind, tuple[bool | None, str, bool]] = {
    BuyerKind.EPCI: (True, "établissement public de coopération intercommunale, dont le statut est fixé par la loi (lecture retenue)", True),
    BuyerKind.ETAT: (False, "l'État n'était pas visé : il a été inclus par l'extension de la loi n° 2023-973", False),
    BuyerKind.HOPITAL: (
        False,
        "les hôpitaux ont été inclus explicitement par la loi n° 2023-973 ; une lecture « statut fixé par la loi » "
        "les inclurait déjà avant",
        True,
    ),
    BuyerKind.ETABLISSEMENT_PUBLIC_ETAT: (None, "dépend de ce que son statut soit ou non fixé par la loi", True),
    BuyerKind.ETABLISSEMENT_PUBLIC_LOCAL: (None, "dépend de ce que son statut soit ou non fixé par la loi", True),
    BuyerKind.ENTITE_ADJUDICATRICE: (None, "dépend de ce que son statut soit ou non fixé par la loi", True),
    BuyerKind.AUTRE: (None, "dépend de ce que son statut soit ou non fixé par la loi", True),
}


def scope(kind: BuyerKind, at: date, *, law: Law | None = None) -> Scope:
    """Is a buyer of this kind among those L2111-3 names at ``at``? (``law``: default :func:`~spaser.law.current_law`)"""
    every = parameters_of(law).spaser.tous_acheteurs.at(at)
    if every is None:
        return Scope(None, f"Aucune obligation de SPASER n'était en vigueur au {_fr(at)}.", False)
    if every.value:
        return Scope(True, f"Depuis le {_fr(every.start)}, tout acheteur soumis au code de la commande publique est visé (L2111-3).", every.to_confirm)
    if kind in _LOCAL_AUTHORITIES:
        return Scope(True, "Collectivité territoriale : visée par L2111-3.", every.to_confirm)
    concerned, why, to_confirm = _BEFORE_EXTENSION[kind]
    head = {True: "Visé", False: "Non visé", None: "Situation à vérifier"}[concerned]
    return Scope(
        concerned,
        f"{head} à cette date (collectivités territoriales et acheteurs dont le statut est fixé par la loi, L2111-3) : {why}.",
        to_confirm or every.to_confirm,
    )


# -- what is counted -------------------------------------------------------------


_CONCESSION = ContractKind.CONCESSION


def _exclusion(p: Purchase) -> tuple[str, str] | None:
    if p.kind == ContractKind.CONCESSION:
        return "contrat de concession, hors des marchés comptés (lecture du texte, à confirmer)", "D2111-3"
    if p.livre_v:
        return f"marché relevant du livre V ({p.livre_v})", "D2111-3"
    return None


def count_spend(portfolio: Portfolio, year: int, at: date, *, law: Law | None = None) -> SpendCount:
    """What counts against the threshold for ``year``, read with the basis in force at ``at``."""
    counter = spend_counter(portfolio, year, at, law=law)
    if isinstance(counter, SpendCount):
        return counter
    for p in portfolio.purchases:
        counter.add(p)
    return counter.result()


def spend_counter(portfolio: Portfolio, year: int, at: date, *, law: Law | None = None) -> SpendCount | _NotifiedCounter | _SpendCounter:
    """The count for ``year`` when it needs no purchase (declared spend), else a counter to feed every purchase.

    ``count_spend`` feeds it in its own pass; ``check`` feeds it in the one pass it makes for everything.
    """
    ps = parameters_of(law)
    basis_value = ps.spaser.assiette.at(at)
    if basis_value is None:  # before any SPASER rule: nothing to compare, nothing counted
        return SpendCount(year, "aucune", "none", None, False, f"Aucune règle SPASER en vigueur au {_fr(at)} : aucun seuil ni assiette, la dépense n'est pas comptée.")
    basis = basis_value.value
    buyer = portfolio.buyer
    if year in buyer.declared_spend:
        total = buyer.declared_spend[year]
        text = (
            f"Dépenses déclarées par l'acheteur pour {year} ({format_eur(total)}), "
            "supposées hors contrats de concession et hors marchés relevant du livre V."
        )
        return SpendCount(year, basis, "declared", total, False, text, assumptions=("montant déclaré supposé hors concessions et hors livre V",))
    if basis == "montants_notifies":
        return _NotifiedCounter(year, basis)
    return _SpendCounter(year, basis, ps.estimation.duree_defaut_mois.value_at(at))


class _NotifiedCounter:
    """Amounts of the contracts notified in the year (reading before 2023)."""

    __slots__ = ("year", "basis", "lines", "exclusions", "uncounted")

    def __init__(self, year: int, basis: str) -> None:
        self.year, self.basis = year, basis
        self.lines: list[SpendLine] = []
        self.exclusions: list[Exclusion] = []
        self.uncounted: list[str] = []

    def add(self, p: Purchase) -> None:
        if p.year != self.year:
            if p.notification_date is None:
                self.uncounted.append(f"{p.id} : date de notification inconnue")
            return
        excl = _exclusion(p)
        if excl:
            self.exclusions.append(Exclusion(p.id, excl[0], excl[1], p.amount_ht))
        elif p.amount_ht is None:
            self.uncounted.append(f"{p.id} : montant inconnu")
        else:
            self.lines.append(SpendLine(p.id, p.amount_ht, False))

    def result(self) -> SpendCount:
        year, lines = self.year, self.lines
        total = sum((x.amount for x in lines), Decimal(0)) if lines else None
        text = f"Montants HT des marchés notifiés en {year} (lecture applicable avant 2023 : marchés conclus au cours de l'année de référence)."
        return SpendCount(year, self.basis, "notified" if lines else "none", total, False, text, tuple(lines), tuple(self.exclusions), (), tuple(self.uncounted))


class _SpendCounter:
    """Spend of the year: given per purchase (spend_by_year), else estimated from the contract amounts."""

    __slots__ = ("year", "basis", "default_months", "has_spend", "lines", "exclusions", "assumptions", "uncounted", "estimated")

    def __init__(self, year: int, basis: str, default_months: int) -> None:
        self.year, self.basis = year, basis
        self.default_months = default_months
        self.has_spend = False  # some purchase gives its actual spend for the year
        self.lines: list[SpendLine] = []
        self.exclusions: list[Exclusion] = []
        self.assumptions: list[str] = []
        self.uncounted: list[str] = []
        self.estimated = 0  # lines that are estimates

    def add(self, p: Purchase) -> None:
        year = self.year
        given = p.spend_by_year
        amount: Decimal | None
        if given:
            if year not in given:
                return  # actual spend given for other years only: nothing spent this year
            amount, estimated, assumption = given[year], False, None
            self.has_spend = True
        else:
            notified = p.notification_date
            if notified is not None and notified.year > year:
                return  # notified after the year: no share in it, and nothing to report (_could_fall_in)
            amount, assumption = contract_share(p, year, default_months=self.default_months)
            estimated = True
            if amount is None:
                if _could_fall_in(p, year):
                    why = implausible_amount(p.amount_ht)
                    if why:
                        self.uncounted.append(f"{p.id} : montant invraisemblable ({why}), écarté de l'estimation {year}")
                    else:
                        missing = "montant inconnu" if p.amount_ht is None else "date de notification inconnue"
                        self.uncounted.append(f"{p.id} : {missing}, dépense {year} impossible à estimer")
                return
            if amount == 0:
                return  # contract not running that year
        excl = _exclusion(p) if p.livre_v or p.kind == _CONCESSION else None  # the usual case without a call
        if excl:
            self.exclusions.append(Exclusion(p.id, excl[0], excl[1], amount))
            return
        self.lines.append(SpendLine(p.id, amount, estimated, assumption))
        if estimated:
            self.estimated += 1
        if assumption:
            self.assumptions.append(f"{p.id} : {assumption}")

    def result(self) -> SpendCount:
        year, lines, default_months = self.year, self.lines, self.default_months
        if not lines:
            method = "none"
        elif not self.estimated:
            method = "spend"
        elif self.has_spend:
            method = "mixed"
        else:
            method = "estimate"
        total = sum((x.amount for x in lines), Decimal(0)) if lines else None
        if total is not None and self.estimated:
            total = total.quantize(CENT, rounding=ROUND_HALF_UP)  # estimated parts are exact; round the total only, as the scan does
        texts = {
            "none": f"Aucune dépense ni aucun montant de marché exploitable pour {year}.",
            "spend": f"Dépenses effectuées en {year} sur les marchés (hors concessions et hors livre V), telles que fournies par marché.",
            "mixed": (
                f"Dépenses effectuées en {year} fournies pour une partie des marchés ; pour les autres, ESTIMATION. "
                + method_text(year, default_months)
            ),
            "estimate": (
                f"ESTIMATION de la dépense {year}. " + method_text(year, default_months)
                + " À confirmer par la comptabilité."
            ),
        }
        return SpendCount(
            year, self.basis, method, total, bool(self.estimated), texts[method], tuple(lines), tuple(self.exclusions), tuple(self.assumptions), tuple(self.uncounted)
        )


def _could_fall_in(p: Purchase, year: int) -> bool:
    # Without a date, any contract could have been running that year; with a date, only if notified by then.
    return p.notification_date is None or p.notification_date.year <= year


# -- the answer -------------------------------------------------------------------


def spaser_obligation(portfolio: Portfolio, *, year: int, at: date, spend: SpendCount | None = None, law: Law | None = None) -> Obligation:
    """Obligation of ``portfolio.buyer`` at ``at`` given the purchases of calendar ``year`` (``spend``: already counted)."""
    buyer: Buyer = portfolio.buyer
    ps = parameters_of(law)
    sc = scope(buyer.kind, at, law=law)
    threshold_value = ps.spaser.seuil.at(at)
    if spend is None:
        spend = count_spend(portfolio, year, at, law=law)
    refs: list[Reference] = []
    to_confirm = sc.to_confirm
    for v in (ps.spaser.tous_acheteurs.at(at), threshold_value, ps.spaser.assiette.at(at)):
        if v is not None:
            refs.extend(r for r in v.references if r not in refs)
            to_confirm = to_confirm or v.to_confirm
    articles = ("L2111-3", "D2111-3")
    if threshold_value is None:
        return Obligation(
            buyer.name, buyer.kind, year, at, NON_OBLIGE, sc, None, spend, None,
            f"Au {_fr(at)}, aucun seuil d'obligation de SPASER n'était en vigueur (D2111-3) : aucune règle n'est appliquée, "
            f"pas d'obligation à cette date{_first_threshold_text(ps.spaser.seuil.values)}.",
            (), articles, tuple(refs), to_confirm,
        )  # fmt: skip
    threshold = threshold_value.value
    margin = None if spend.total is None else spend.total - threshold
    settle: list[str] = []
    thr = format_eur(threshold, cents=False)
    if sc.concerned is False:
        status: Status = NON_OBLIGE
        why = f"{sc.text} Le seuil de dépenses ne s'applique donc pas."
    else:
        status, why = _against_threshold(spend, threshold, ps.estimation.marge_incertitude, at, settle)
        if sc.concerned is None:
            settle.insert(0, "le statut juridique de l'acheteur (fixé par la loi ou non)")
            if status != NON_OBLIGE:
                status = INDETERMINE
            why = f"{sc.text} {why}"
    explanation = (
        f"{_status_sentence(status)} au {_fr(at)} (art. L2111-3 et D2111-3 du code de la commande publique ; "
        f"seuil en vigueur : {thr} HT, comparaison stricte « supérieur à »). {why}"
    )
    return Obligation(
        buyer.name, buyer.kind, year, at, status, sc, threshold, spend, margin, explanation, tuple(settle), articles, tuple(refs), to_confirm
    )


def _first_threshold_text(values: tuple[ParameterValue, ...]) -> str:
    first = next((v for v in values if v.value is not None), None)
    return f" (premier seuil applicable à partir du {_fr(first.start)} : {first.references[0]})" if first else ""


def _status_sentence(status: Status) -> str:
    return {OBLIGE: "Obligé d'adopter un SPASER", NON_OBLIGE: "Non obligé d'adopter un SPASER", INDETERMINE: "Obligation indéterminée"}[status]


def _against_threshold(spend: SpendCount, threshold: Decimal, margin: Parameter, at: date, settle: list[str]) -> tuple[Status, str]:
    thr = format_eur(threshold, cents=False)
    if spend.total is None:
        settle.append(f"les dépenses effectuées en {spend.year} sur les marchés (comptabilité), ou les montants et dates des marchés")
        return INDETERMINE, spend.method_text
    total = format_eur(spend.total)
    above = spend.total > threshold
    if not spend.is_estimate:
        if not above and spend.uncounted:
            settle.append(f"les montants ou dates manquants de {format_number(len(spend.uncounted))} marché(s), qui pourraient faire dépasser le seuil")
            return INDETERMINE, f"{spend.method_text} Total compté : {total}, non supérieur à {thr}, mais {format_number(len(spend.uncounted))} marché(s) n'ont pu être comptés."
        verdict = "supérieur" if above else "non supérieur"
        return (OBLIGE if above else NON_OBLIGE), f"{spend.method_text} Total : {total}, {verdict} au seuil de {thr}."
    margin_ratio = margin.value_at(at)  # read for an estimate only
    distance = abs(spend.total - threshold) / threshold if threshold else None  # a what-if threshold of 0: no margin around it
    if distance is not None and distance <= margin_ratio:
        settle.append(
            f"les dépenses réelles {spend.year} (comptabilité) : l'estimation ({total}) est à {format_percent(distance)} du seuil, "
            f"en deçà de la marge d'incertitude retenue ({format_percent(margin_ratio, 0)})"
        )
        return INDETERMINE, f"{spend.method_text} Estimation : {total}, trop proche du seuil de {thr} pour conclure."
    if not above and spend.uncounted:
        settle.append(f"les montants ou dates manquants de {format_number(len(spend.uncounted))} marché(s)")
        return INDETERMINE, f"{spend.method_text} Estimation : {total}, sans {format_number(len(spend.uncounted))} marché(s) impossibles à estimer."
    verdict = "nettement supérieure" if above else "nettement inférieure"
    return (OBLIGE if above else NON_OBLIGE), f"{spend.method_text} Estimation : {total}, {verdict} au seuil de {thr}."


# -- the rule of a calendar year, for a national scan -----------------------------------


@dataclass(frozen=True)
class YearRule:
    """The SPASER rule for buyers' figures of a calendar ``year``, as in force on 31 December.

    ``basis`` "montants_notifies" (before 2023): the threshold is compared with the amount of
    the contracts concluded in the year; "depenses": with the yearly spend (estimated from
    DECP with the uncertainty ``margin``); None: no rule in force, nothing is compared.
    """

    year: int
    threshold: Decimal | None
    to_confirm: bool
    source: str  # French: the references of the threshold
    basis: str | None
    margin: Decimal
    notes: tuple[str, ...]  # French: what was compared, with which scope

    def status(self, estimate: Decimal, notified_amount: Decimal) -> str:
        """ "au-dessus" | "en dessous" | "indéterminé" | "n.d." for one buyer."""
        t = self.threshold
        if t is None or self.basis is None:
            return "n.d."
        if self.basis == "montants_notifies":  # contract values, not an estimate: strict comparison
            return "au-dessus" if notified_amount > t else "en dessous"
        if estimate > t * (1 + self.margin):
            return "au-dessus"
        if estimate <= t * (1 - self.margin):
            return "en dessous"
        return "indéterminé"

    def compared(self, estimate: Decimal, notified_amount: Decimal) -> Decimal:
        """The buyer's figure the threshold is compared with."""
        return notified_amount if self.basis == "montants_notifies" else estimate


def year_rule(year: int, *, law: Law | None = None) -> YearRule:
    """The threshold, basis, scope and margin that apply to the figures of ``year`` (never raises NotInForce)."""
    at = date(year, 12, 31)
    ps = parameters_of(law)
    seuil = ps.spaser.seuil
    v, basis = seuil.at(at), ps.spaser.assiette.at(at)
    margin = ps.estimation.marge_incertitude.at(at)
    if v is None or basis is None:
        first = next((x.start for x in seuil.values if x.value is not None), None)
        when = f" ; le premier seuil s'applique à partir du {_fr(first)} ({seuil.values[0].references[0]})" if first else ""
        note = f"Aucune règle SPASER en vigueur au 31/12/{year}{when} : aucun seuil n'est appliqué, aucun acheteur n'est classé."
        return YearRule(year, None, False, f"aucun seuil en vigueur au 31/12/{year}", None, Decimal(0), (note,))
    notes = []
    if basis.value == "montants_notifies":
        notes.append(
            f"Assiette en {year} : montant des marchés conclus dans l'année ({'; '.join(str(r) for r in basis.references)}), "
            f"comparé strictement au seuil de {format_eur(v.value, cents=False)} HT : colonne « montant_notifie_annee_ht », "
            "montants publiés dans les DECP (marchés sous le seuil de publication absents), pas la dépense estimée."
        )
    every = ps.spaser.tous_acheteurs.at(at)
    if every is not None and not every.value:
        local = ", ".join(k.label.lower() for k in sorted(_LOCAL_AUTHORITIES, key=lambda k: k.value))
        notes.append(
            f"Champ en {year} (L2111-3 avant la loi n° 2023-973) : collectivités territoriales ({local}) et acheteurs dont le statut "
            "est fixé par la loi ; l'État n'était pas visé. Les DECP ne donnent pas la nature de l'acheteur : un acheteur « au-dessus » "
            "n'était obligé que s'il entrait dans ce champ (à vérifier)."
        )
    return YearRule(
        year, v.value, v.to_confirm or basis.to_confirm, " ; ".join(str(r) for r in v.references), str(basis.value),
        Decimal(margin.value) if margin else Decimal(0), tuple(notes),
    )  # fmt: skip


# -- what an adopted SPASER must contain ----------------------------------------------


@dataclass(frozen=True)
class ContentItem:
    """One thing an adopted SPASER must contain at a date (for the document generator)."""

    key: str  # parameter name under spaser.contenu
    label: str  # French
    articles: tuple[str, ...]  # e.g. ("Code de la commande publique, L2111-3", "Loi n° 2021-1104 ..., art. 35")
    since: date
    to_confirm: bool
    references: tuple[Reference, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "articles": list(self.articles),
            "since": self.since,
            "to_confirm": self.to_confirm,
            "references": [r.to_dict() for r in self.references],
        }



# Reading order of the checklist (objectives, follow-up, then publication and figures).
_ORDER = ["objectifs_sociaux", "objectifs_ecologiques", "suivi_annuel", "economie_circulaire", "rendu_public", "publication_site", "indicateurs", "objectifs_cibles", "indicateurs_par_acheteur"]


def required_contents(at: date, *, joint: bool = False, law: Law | None = None) -> list[ContentItem]:
    """What an adopted SPASER must contain at ``at`` (``joint``: a scheme shared by several buyers).

    >>> [i.key.rsplit(".", 1)[1] for i in required_contents(date(2022, 12, 31))]
    ['objectifs_sociaux', 'objectifs_ecologiques', 'suivi_annuel', 'economie_circulaire', 'rendu_public']
    >>> len(required_contents(date(2023, 1, 1))), len(required_contents(date(2023, 10, 25), joint=True))
    (8, 9)
    """
    items = []
    ps = parameters_of(law)
    joint_only = ps.spaser.contenu.indicateurs_par_acheteur  # a scheme shared by several buyers only
    for p, v in ps.spaser.contenu.in_force(at):
        if not v.value or (p.name == joint_only.name and not joint):
            continue
        since = v.start
        for earlier in reversed([x for x in p.values if x.start < v.start]):
            if not earlier.value:
                break
            since = earlier.start
        items.append(ContentItem(p.name, p.description, tuple(str(r) for r in v.references), since, v.to_confirm, v.references))
    rank = {k: i for i, k in enumerate(_ORDER)}
    return sorted(items, key=lambda c: (rank.get(c.key.rsplit(".", 1)[1], len(rank)), c.key))
