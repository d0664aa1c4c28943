"""Builders: law and advice results + configuration -> view models.

This is the only module that reads :mod:`spaser.law` and :mod:`spaser.clauses`
results; the renderers only see :mod:`spaser.documents.views`. No legal logic
here: obligation, indicators, national targets and findings come from the
Diagnosis; clause suggestions from the clause engine. What is decided here is
presentation (which rows, in which order, with which words) and the default
trajectory of the buyer's own objectives (a practice choice, stated as such).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from spaser.clauses._tables import SAFE_LOADER
from spaser.documents.config import AXES, OBJECTIVE_SHORT, OBJECTIVES, DocumentConfig
from spaser.documents.views import (
    ActionView,
    AnnualReportView,
    AxisView,
    ContractRule,
    DeliberationView,
    DraftView,
    IndicatorRow,
    NationalTarget,
    ObjectiveRow,
    ObligationView,
    OpportunitySummary,
    PublicationRow,
    Reference,
    ReportRow,
    Requirement,
    SuggestionRow,
    VolumeRow,
    WorkbookView,
    YearIndicators,
)
from spaser.model import BuyerKind, Portfolio, SupplierKind

__all__ = [
    "Opportunity",
    "assembly_for",
    "opportunities_for",
    "build_draft_view",
    "build_deliberation_view",
    "build_annual_view",
    "build_publication_rows",
    "build_workbook_view",
    "objective_rows",
]

RATE_STEP = Decimal("0.01")  # objectives are rounded to the percentage point
TO_COMPLETE = "[à compléter]"


# -- assembly and act, by buyer kind --------------------------------------------------

# kind -> (assembly, act, signatory)
_ASSEMBLIES: dict[BuyerKind, tuple[str, str, str]] = {
    BuyerKind.COMMUNE: ("conseil municipal", "délibération", "Le Maire"),
    BuyerKind.EPCI: ("conseil communautaire", "délibération", "Le Président"),
    BuyerKind.DEPARTEMENT: ("conseil départemental", "délibération", "Le Président du conseil départemental"),
    BuyerKind.REGION: ("conseil régional", "délibération", "Le Président du conseil régional"),
    BuyerKind.COLLECTIVITE_AUTRE: ("assemblée délibérante", "délibération", "Le Président"),
    BuyerKind.ETAT: ("autorité compétente", "arrêté", "Le ministre [à compléter]"),
    BuyerKind.HOPITAL: ("conseil de surveillance", "délibération", "Le Président du conseil de surveillance"),
    BuyerKind.ETABLISSEMENT_PUBLIC_ETAT: ("conseil d'administration", "délibération", "Le Président du conseil d'administration"),
    BuyerKind.ETABLISSEMENT_PUBLIC_LOCAL: ("conseil d'administration", "délibération", "Le Président du conseil d'administration"),
    BuyerKind.ENTITE_ADJUDICATRICE: ("conseil d'administration", "délibération", "Le Président du conseil d'administration"),
    BuyerKind.AUTRE: ("organe délibérant", "délibération", "Le Président"),
}
_LOCAL_AUTHORITIES = {BuyerKind.COMMUNE, BuyerKind.EPCI, BuyerKind.DEPARTEMENT, BuyerKind.REGION, BuyerKind.COLLECTIVITE_AUTRE}


def assembly_for(kind: BuyerKind, name: str = "") -> tuple[str, str, str]:
    """(assembly, act, signatory) for a buyer kind; a métropole has a conseil métropolitain.

    >>> assembly_for(BuyerKind.EPCI, "Métropole de Lyon")[0]
    'conseil métropolitain'
    >>> assembly_for(BuyerKind.ETAT)[1]
    'arrêté'
    """
    assembly, act, signatory = _ASSEMBLIES[kind]
    if kind == BuyerKind.EPCI and "métropole" in name.lower():
        assembly = "conseil métropolitain"
    return assembly, act, signatory


# -- small helpers ---------------------------------------------------------------------


def _round_rate(v: Decimal) -> Decimal:
    return v.quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def _ref(r: Any, subject: str = "", to_confirm: bool = False) -> Reference:
    """A law parameter Reference (title, article, url) as shown to the reader."""
    article = (r.article or "").strip()
    return Reference(article=article, title=r.title, url=r.url or "", to_confirm=to_confirm, subject=subject)


def _period(config: DocumentConfig, at: date) -> tuple[int, int]:
    start = config.start or at.year
    end = config.end or start + 5
    return start, max(end, start)


# -- obligation, contents, national targets, per-contract rules ---------------------------


def obligation_view(diagnosis: Any) -> ObligationView:
    o = diagnosis.obligation
    spend = o.spend
    exclusions = []
    if spend.exclusions:
        from spaser.money import format_eur

        exclusions.append(
            f"{len(spend.exclusions)} contrat(s) hors du calcul (concessions, marchés relevant du livre V) "
            f"pour {format_eur(spend.excluded_total, cents=False)} sur l'année."
        )
    if spend.uncounted:
        exclusions.append(f"{len(spend.uncounted)} contrat(s) n'ont pas pu être comptés (montant ou date manquant).")
    return ObligationView(
        status=o.status,
        explanation=o.explanation,
        year=o.year,
        threshold=o.threshold,
        counted=spend.total,
        estimated=spend.is_estimate,
        method=spend.method_text,
        margin=o.margin,
        exclusions=exclusions,
        references=[_ref(r, "obligation", o.to_confirm) for r in o.references],
    )


# Where the draft answers each required content (by the parameter's last name segment).
_WHERE = {
    "objectifs_sociaux": "Objectifs ; Plan d'action (axes insertion, handicap, ESS)",
    "objectifs_ecologiques": "Objectifs ; Plan d'action (axe environnement)",
    "suivi_annuel": "Suivi et publication — suivi annuel",
    "economie_circulaire": "Plan d'action (axe environnement et économie circulaire)",
    "rendu_public": "Suivi et publication",
    "publication_site": "Suivi et publication",
    "indicateurs": "Diagnostic ; Suivi et publication ; annexe des définitions",
    "objectifs_cibles": "Objectifs (ESUS, structures d'insertion et de travail adapté)",
    "indicateurs_par_acheteur": "Diagnostic (indicateurs de chaque acheteur)",
}


def requirements(diagnosis: Any) -> list[Requirement]:
    out = []
    for item in diagnosis.required_contents:
        short = item.key.rsplit(".", 1)[-1]
        ref = "; ".join(a for a in item.articles[:2]) + (" [à confirmer]" if item.to_confirm else "")
        out.append(Requirement(label=item.label, reference=ref, where=_WHERE.get(short, TO_COMPLETE)))
    return out


def national_targets(diagnosis: Any) -> list[NationalTarget]:
    from spaser.law.law import current_parameters

    ps = current_parameters()  # the law the document is made under
    horizon_v = ps.pnad.echeance.at(diagnosis.at)
    level2 = ps.egalim.certification_niveau_2.at(date(diagnosis.year, 12, 31))
    out = []
    for t in diagnosis.targets:
        if t.target is None:
            continue  # e.g. AGEC categories whose rate the reference does not give
        is_pnad = t.name.startswith("pnad.")
        ref = t.references[0] if t.references else None
        out.append(
            NationalTarget(
                key=t.name,
                label=t.label,
                rate=t.target,
                basis=t.basis,
                horizon=int(horizon_v.value) if (is_pnad and horizon_v is not None) else None,
                reference=(f"{ref.title}" + (f", {ref.article}" if ref.article else "")) if ref else "",
                to_confirm=t.to_confirm,
                current=t.actual,
                gap=t.gap,
                note=(level2.note or "") if level2 is not None and t.name.startswith("egalim.") else "",
            )
        )
    return out


_RULE_TITLES = {
    "condition_environnementale": "Condition d'exécution environnementale",
    "critere_environnemental": "Critère d'attribution environnemental",
    "condition_sociale": "Condition d'exécution sociale au-delà des seuils européens",
}
_RULE_TEXTS = {
    "condition_environnementale": "les conditions d'exécution de tout marché prennent en compte des considérations environnementales",
    "critere_environnemental": "le prix seul n'est plus un critère d'attribution : au moins un critère prend en compte les caractéristiques environnementales de l'offre",
    "condition_sociale": "les marchés d'une valeur estimée égale ou supérieure aux seuils européens comportent des conditions d'exécution sociales ou relatives à l'emploi, sauf exceptions motivées",
}
_RULE_ARTICLES = {
    "condition_environnementale": ["L2112-2 CCP"],
    "critere_environnemental": ["L2152-7 CCP", "R2152-7 CCP"],
    "condition_sociale": ["L2112-2-1 CCP"],
}


def contract_rules(diagnosis: Any) -> list[ContractRule]:
    c = diagnosis.compliance
    out = []
    for rule, title in _RULE_TITLES.items():
        findings = [f for f in c.findings if f.rule == rule]
        missing = sum(1 for f in findings if f.status == "manquant")
        to_check = sum(1 for f in findings if f.status == "à vérifier")
        if c.checked:
            text = f"{c.checked} marché(s) soumis à ces règles dans les données : {missing} sans cette condition, {to_check} à vérifier"
            if c.approximate:
                text += f" ; {c.approximate} de ces marchés reposent sur une date approximative (date de lancement de la consultation inconnue : jamais comptés comme manquement)"
        elif c.switch is not None and c.not_yet:
            text = f"{c.not_yet} marché(s) des données ont été engagés avant cette date"
        else:
            text = ""
        articles = sorted({a for f in findings for a in f.articles}) or _RULE_ARTICLES[rule]
        out.append(ContractRule(title, _RULE_TEXTS[rule], c.switch, c.switch is not None and diagnosis.at >= c.switch, articles, text))
    return out


def references(diagnosis: Any) -> list[Reference]:
    """Every legal reference the diagnosis relied on, once, law before practice."""
    seen: dict[tuple[str, str], Reference] = {}
    for u in sorted(diagnosis.parameters, key=lambda u: (u.kind != "law", u.name)):
        for r in u.references:
            key = (r.title, r.article or "")
            if key not in seen:
                subject = u.description if u.kind == "law" else f"{u.description} (pratique, non juridique)"
                seen[key] = _ref(r, subject, u.to_confirm)
    for item in diagnosis.required_contents:
        for r in item.references:
            key = (r.title, r.article or "")
            if key not in seen:
                seen[key] = _ref(r, item.label, item.to_confirm)
    return sorted(seen.values(), key=lambda r: (not r.title.startswith("Code"), r.title, r.article))


# -- indicators ---------------------------------------------------------------------------


_INCLUSION = frozenset({SupplierKind.SIAE, SupplierKind.EA, SupplierKind.ESAT})


def _inclusion(portfolio: Portfolio, yi: Any) -> tuple[int, Decimal, Decimal | None]:
    """Purchases from an SIAE, an EA or an ESAT (any of them), in the year: count, value, value share.

    The law engine gives one measure per supplier kind; a purchase from a group of
    several kinds must count once here, hence the union over the same purchases.
    """
    base = yi.suppliers[SupplierKind.SIAE.value]
    year = yi.year
    # p.year and p.supplier_kinds, cheapest test first: this reads every purchase of the portfolio.
    items = [p for p in portfolio.purchases
             if p.suppliers and p.notification_date is not None and p.notification_date.year == year and p.supplier_kinds & _INCLUSION]
    value = sum((p.amount_ht for p in items if p.amount_ht is not None and p.amount_ht > 0), Decimal(0))
    share = min(value / base.denominator_value, Decimal(1)) if base.denominator_value else None
    return len(items), value, share


_DEFINITIONS = {
    "social": "Marchés notifiés dans l'année comportant au moins une considération sociale (clause, critère ou réservation), rapportés aux marchés dont l'information est connue ; en valeur, montants HT correspondants.",
    "environnement": "Marchés notifiés dans l'année comportant au moins une clause ou un critère environnemental, rapportés aux marchés dont l'information est connue ; en valeur, montants HT correspondants.",
    "reserves": "Marchés réservés (L2113-12 à L2113-15) rapportés à l'ensemble des marchés notifiés dans l'année.",
    "fournisseur": "Achats de l'année (marchés et lignes de dépense) dont un titulaire relève de la catégorie, rapportés à l'ensemble des achats de l'année.",
    "inclusion": "Achats de l'année dont un titulaire est une SIAE, une EA ou un ESAT (comptés une fois), rapportés à l'ensemble des achats de l'année.",
    "heures": "Heures de travail réalisées par des personnes en insertion au titre des clauses, déclarées pour les marchés notifiés dans l'année.",
    "inconnu": "Marchés de l'année pour lesquels les données ne disent pas si une considération sociale a été prévue.",
}


def indicator_rows(portfolio: Portfolio, yi: Any) -> list[IndicatorRow]:
    rows = []
    for key, dim, word in (("social", yi.social, "sociale"), ("environnement", yi.environmental, "environnementale")):
        m = dim.yes_among_known
        rows.append(IndicatorRow(key, f"Marchés avec au moins une considération {word}", m.count, m.share_count, m.value, m.share_value, _DEFINITIONS[key]))
        for kind, km in dim.by_kind.items():
            if km.count:
                rows.append(IndicatorRow(f"{key}:{kind}", f"dont {kind[0].lower()}{kind[1:]}", km.count, km.share_count, km.value, km.share_value))
    r = yi.reserved
    rows.append(IndicatorRow("reserves", "Marchés réservés", r.count, r.share_count, r.value, r.share_value, _DEFINITIONS["reserves"]))
    n, value, share = _inclusion(portfolio, yi)
    rows.append(IndicatorRow("inclusion", "Achats auprès de SIAE, EA ou ESAT", n, None, value, share, _DEFINITIONS["inclusion"]))
    from spaser.suppliers.documents import indicator_rows as supplier_rows

    rows += supplier_rows(portfolio, yi.year)  # ESUS / inclusive from the official lists, with the unknown apart
    for kind in SupplierKind:
        m = yi.suppliers[kind.value]
        rows.append(IndicatorRow(f"fournisseur:{kind.value}", f"Achats auprès : {kind.label}", m.count, m.share_count, m.value, m.share_value,
                                 _DEFINITIONS["fournisseur"] if kind == SupplierKind.SIAE else ""))
    hours = yi.insertion_hours_achieved if yi.contracts_with_insertion_hours else None
    rows.append(IndicatorRow("heures", "Heures d'insertion réalisées", None if hours is None else int(hours), unit="hours", definition=_DEFINITIONS["heures"]))
    u = yi.social.unknown
    rows.append(IndicatorRow("inconnu", "Marchés dont la considération sociale est inconnue", u.count, u.share_count, u.value, u.share_value, _DEFINITIONS["inconnu"]))
    return rows


def history(diagnosis: Any) -> list[YearIndicators]:
    out = []
    for year, yi in sorted(diagnosis.indicators.items()):
        out.append(
            YearIndicators(
                year=year,
                contracts=yi.contracts,
                amount=yi.value,
                social_count_share=yi.social.yes_among_known.share_count,
                environmental_count_share=yi.environmental.yes_among_known.share_count,
                social_value_share=yi.social.yes_among_known.share_value,
                environmental_value_share=yi.environmental.yes_among_known.share_value,
                unknown_share=yi.social.unknown.share_count,
            )
        )
    return out


def _volumes(diagnosis: Any, attr: str, top: int | None = None) -> list[VolumeRow]:
    """Volumes over every year of the data (sum of the yearly breakdowns)."""
    count: dict[str, int] = {}
    amount: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    for yi in diagnosis.indicators.values():
        for key, b in getattr(yi, attr).items():
            count[key] = count.get(key, 0) + b.contracts
            amount[key] = amount.get(key, Decimal(0)) + b.value
            labels[key] = b.label
    total = sum(amount.values(), Decimal(0))
    rows = [VolumeRow(k if k != "inconnu" else "—", labels[k], count[k], amount[k], (amount[k] / total) if total else None) for k in amount]
    rows.sort(key=lambda r: (-r.amount, r.code))
    return rows[:top] if top else rows


# -- objectives ---------------------------------------------------------------------------


def _current(key: str, portfolio: Portfolio, yi: Any | None) -> Decimal | None:
    if yi is None:
        return None
    if key == "social_nombre":
        return yi.social.yes_among_known.share_count
    if key == "social_valeur":
        return yi.social.yes_among_known.share_value
    if key == "environnement_nombre":
        return yi.environmental.yes_among_known.share_count
    if key == "environnement_valeur":
        return yi.environmental.yes_among_known.share_value
    if key in ("esus_valeur", "inclusion_valeur"):
        from spaser.suppliers.documents import nothing_classified

        if nothing_classified(portfolio, yi.year, key.split("_", 1)[0]):
            return None  # lists given, but none classifies a supplier of the year: unknown, not 0 %
    if key == "esus_valeur":
        return yi.suppliers[SupplierKind.ESUS.value].share_value
    if key == "inclusion_valeur":
        return _inclusion(portfolio, yi)[2]
    if key == "reserves_nombre":
        return yi.reserved.share_count
    if key == "heures_insertion":
        return yi.insertion_hours_achieved if yi.contracts_with_insertion_hours else None
    raise KeyError(key)


def _national(key: str, diagnosis: Any) -> tuple[Decimal | None, str]:
    """The national rate a key is measured against (PNAD, in number; applied in value too)."""
    name = {"social": "pnad.social", "environnement": "pnad.environnement"}.get(key.split("_")[0])
    for t in diagnosis.targets:
        if t.name == name and t.target is not None:
            ref = t.references[0].title if t.references else ""
            return t.target, ref
    return None, ""


def _interpolate(points: dict[int, Decimal], years: Sequence[int]) -> dict[int, Decimal | None]:
    """Linear between given points, held after the last, empty before the first."""
    known = sorted(points.items())
    out: dict[int, Decimal | None] = {}
    for y in years:
        before = [(a, v) for a, v in known if a <= y]
        after = [(a, v) for a, v in known if a >= y]
        if not before:
            out[y] = None
        elif not after:
            out[y] = before[-1][1]
        else:
            (a, va), (b, vb) = before[-1], after[0]
            out[y] = va if a == b else va + (vb - va) * (y - a) / (b - a)
    return out


def objective_rows(portfolio: Portfolio, diagnosis: Any, config: DocumentConfig, start: int, end: int) -> list[ObjectiveRow]:
    """The scheme's objectives year by year: the user's, else a trajectory to the national target."""
    years = list(range(start, end + 1))
    yi = diagnosis.indicators.get(diagnosis.year)
    rows = []
    for key, (label, basis, unit) in OBJECTIVES.items():
        current = _current(key, portfolio, yi)
        national, ref = _national(key, diagnosis)
        user = config.targets.get(key)
        if user:
            points = dict(user)
            if current is not None and diagnosis.year < min(points):
                points[diagnosis.year] = current  # start the line from today's value
            by_year = _interpolate(points, years)
            source = "acheteur"
        elif national is not None:
            origin = current if current is not None else national
            goal = max(national, origin)
            points = {min(diagnosis.year, start - 1): origin, end: goal}
            by_year = _interpolate(points, years)
            source = "vers cible nationale"
        else:
            by_year = {y: None for y in years}
            source = "à fixer"
        if unit == "pct":
            by_year = {y: (None if v is None else _round_rate(v)) for y, v in by_year.items()}
        else:
            by_year = {y: (None if v is None else v.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for y, v in by_year.items()}
        rows.append(ObjectiveRow(key, label, basis, unit, current, by_year, national, source, ref, OBJECTIVE_SHORT[key]))
    return rows


# -- action plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Opportunity:
    """One purchase worth acting on, as the documents need it (adapted from the clause engine)."""

    purchase_id: str
    object: str
    cpv: str
    amount: Decimal | None
    clause_ids: tuple[str, ...]
    clause_titles: tuple[str, ...]
    reason: str


RESERVABLE = "reservation"  # marker id: the clause engine says the purchase could be reserved


def opportunities_for(portfolio: Portfolio, *, year: int | None, at: date, top: int) -> tuple[list[Opportunity], OpportunitySummary]:
    """The clause engine's opportunities for ``year``, adapted, and its portfolio-level figures."""
    from spaser.clauses import opportunities

    found = opportunities(portfolio, year=year, at=at, top=top)
    scenarios = [found.top.sentence()] + ([found.all.sentence()] if found.all.contracts != found.top.contracts else [])
    summary = OpportunitySummary(
        year=found.year,
        candidates=found.candidates,
        listed=len(found.purchases),
        value_without_social=found.value_without_social,
        value_without_environmental=found.value_without_environmental,
        total_hours=found.total_hours,
        reservable=found.reservable,
        scenarios=scenarios,
    )
    return [_adapt_opportunity(o) for o in found.purchases], summary


def _adapt_opportunity(o: Any) -> Opportunity:
    from spaser.clauses import catalogue
    from spaser.money import format_number

    cat = catalogue()
    ids: list[str] = []
    titles: list[str] = []
    for cid in o.mandatory:
        if cid not in ids:
            ids.append(cid)
            titles.append((cat.get(cid).title if cid in cat else cid) + " (obligatoire)")
    for s in (o.social, o.environmental):
        if s is not None and s.clause_id not in ids:
            ids.append(s.clause_id)
            titles.append(s.title)
    if o.reservable:
        ids.append(RESERVABLE)
        titles.append("Marché ou lot réservable (SIAE, EA, ESAT ou ESS)")
    reasons = []
    if o.hours:
        reasons.append(f"≈ {format_number(o.hours)} heures d'insertion possibles")
    for s in (o.social, o.environmental):
        if s is not None and s.rationale:
            reasons.append(s.rationale[0])
    return Opportunity(o.purchase_id, o.object, o.cpv or "", o.amount_ht, tuple(ids), tuple(titles), " ; ".join(reasons))


@lru_cache(maxsize=1)
def _axes_data() -> dict[str, Any]:
    text = resources.files("spaser").joinpath("templates/draft/axes.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def _clause_example(clause_id: str) -> str | None:
    from spaser.clauses import catalogue

    cat = catalogue()
    if clause_id not in cat:
        return None
    c = cat.get(clause_id)
    return f"{c.title} ({c.mechanism.label.lower()}, {c.basis_text})"


def axes(config: DocumentConfig, opps: Sequence[Opportunity], *, per_action: int = 5) -> list[AxisView]:
    data = _axes_data()
    out = []
    for key in config.axes:
        spec = data[key]
        actions = []
        for a in spec["actions"]:
            wanted = set(a.get("clauses") or ())
            if any(c.startswith(("reserve-", "lot-reserve")) for c in wanted):
                wanted.add(RESERVABLE)
            examples = [e for e in (_clause_example(cid) for cid in a.get("clauses") or ()) if e][:4]
            purchases = []
            for o in opps:
                if wanted & set(o.clause_ids):
                    purchases.append(_purchase_line(o))
                if len(purchases) >= per_action:
                    break
            actions.append(ActionView(a["title"], " ".join(a["description"].split()), examples, purchases, a.get("indicator", "")))
        out.append(AxisView(key, AXES[key], " ".join(spec["intro"].split()), actions))
    return out


def _purchase_line(o: Opportunity) -> str:
    from spaser.money import format_eur

    amount = f" — {format_eur(o.amount, cents=False)} HT" if o.amount is not None else ""
    obj = o.object if len(o.object) <= 90 else o.object[:89] + "…"
    return f"{o.purchase_id} : {obj}{amount}"


def suggestion_rows(opps: Sequence[Opportunity], top: int) -> list[SuggestionRow]:
    return [SuggestionRow(o.purchase_id, o.object, o.cpv, o.amount, " ; ".join(o.clause_titles[:4]), o.reason) for o in opps[:top]]


# -- the documents ---------------------------------------------------------------------------


def _buyer(portfolio: Portfolio, config: DocumentConfig) -> tuple[str, BuyerKind]:
    return (config.buyer_name or portfolio.buyer.name), (config.buyer_kind or portfolio.buyer.kind)


def build_draft_view(
    portfolio: Portfolio,
    diagnosis: Any,
    opps: Sequence[Opportunity],
    config: DocumentConfig,
    *,
    report: Any = None,
    opportunity_summary: OpportunitySummary | None = None,
) -> DraftView:
    at = diagnosis.at
    name, kind = _buyer(portfolio, config)
    start, end = _period(config, at)
    yi = diagnosis.indicators.get(diagnosis.year)
    total = sum((v.value for v in diagnosis.indicators.values()), Decimal(0))
    count = sum(v.contracts for v in diagnosis.indicators.values())
    return DraftView(
        buyer_name=name,
        buyer_kind=kind.label,
        assembly=config.assembly or assembly_for(kind, name)[0],
        start=start,
        end=end,
        at=at,
        year=diagnosis.year,
        obligation=obligation_view(diagnosis),
        requirements=requirements(diagnosis),
        national_targets=national_targets(diagnosis),
        contract_rules=contract_rules(diagnosis),
        references=references(diagnosis),
        purchase_count=count,
        total_amount=total,
        years=sorted(diagnosis.indicators),
        by_nature=_volumes(diagnosis, "by_nature"),
        by_division=_volumes(diagnosis, "by_cpv_division", top=15),
        indicators=indicator_rows(portfolio, yi) if yi is not None else [],
        history=history(diagnosis),
        objectives=objective_rows(portfolio, diagnosis, config, start, end),
        axes=axes(config, opps),
        suggestions=suggestion_rows(opps, config.suggestions),
        opportunity_summary=opportunity_summary,
        unknown_share=yi.social.unknown.share_count if yi is not None else None,
        import_summary=report.summary_fr() if report is not None else "",
        notes=list(diagnosis.warnings),
        texts=dict(config.texts),
        config_file=config.file,
    )


def _visas(refs: Sequence[Any]) -> list[str]:
    """"Vu ..." lines: the laws and decrees behind the obligation and the contents, oldest first."""
    import re

    titles: dict[str, tuple[int, int]] = {}
    for r in refs:
        m = re.search(r"n° (\d{4})-(\d+)", r.title)
        if r.title.startswith(("Loi", "Décret")) and m:
            titles.setdefault(r.title, (int(m.group(1)), int(m.group(2))))
    out = []
    for title in sorted(titles, key=titles.__getitem__):
        article = "la" if title.startswith("Loi") else "le"
        out.append(f"{article} {title[0].lower()}{title[1:]}")
    return out


def build_deliberation_view(portfolio: Portfolio, diagnosis: Any, config: DocumentConfig) -> DeliberationView:
    at = diagnosis.at
    name, kind = _buyer(portfolio, config)
    start, end = _period(config, at)
    assembly, act, signatory = assembly_for(kind, name)
    visas = _visas([r for item in diagnosis.required_contents for r in item.references] + list(diagnosis.obligation.references))
    return DeliberationView(
        buyer_name=name,
        buyer_kind=kind.label,
        assembly=config.assembly or assembly,
        act=act,
        is_state=kind == BuyerKind.ETAT,
        start=start,
        end=end,
        at=at,
        obligation=obligation_view(diagnosis),
        objectives=objective_rows(portfolio, diagnosis, config, start, end),
        axes=[AXES[a] for a in config.axes],
        signatory=config.signatory or signatory,
        visas=visas,
        local_authority=kind in _LOCAL_AUTHORITIES,
        purchase_count=sum(v.contracts for v in diagnosis.indicators.values()),
        total_amount=sum((v.value for v in diagnosis.indicators.values()), Decimal(0)),
        place=config.place or "",
        texts=dict(config.texts),
        config_file=config.file,
    )


def _report_rows(
    portfolio: Portfolio, diagnosis: Any, config: DocumentConfig, year: int, start: int, end: int, *, national_only: bool = False
) -> list[ReportRow]:
    """Objective vs achieved for ``year``; ``national_only``: no scheme configured, compare with the national targets."""
    yi = diagnosis.indicators.get(year)
    rows = []
    for o in objective_rows(portfolio, diagnosis, config, start, end):
        if national_only and o.key not in config.targets:
            target, source = o.national, ("cible nationale" if o.national is not None else "à fixer")
        else:
            target, source = o.by_year.get(year), o.source
        if target is None and o.national is not None:
            target, source = o.national, "cible nationale"  # outside the scheme's years: the national minimum
        achieved = _current(o.key, portfolio, yi)
        if target is None:
            status = "sans objectif"
        elif achieved is None:
            status = "non mesurable"
        else:
            status = "atteint" if achieved >= target else "non atteint"
        gap = (achieved - target) if (target is not None and achieved is not None) else None
        rows.append(ReportRow(o.key, o.label, o.basis, o.unit, target, achieved, gap, status, o.short, year, source))
    return rows


def build_annual_view(portfolio: Portfolio, diagnosis: Any, config: DocumentConfig) -> AnnualReportView:
    year = diagnosis.year
    name, kind = _buyer(portfolio, config)
    national_only = config.start is None
    start, end = _period(config, date(year, 1, 1))
    notes = list(diagnosis.warnings)
    if national_only:
        notes.append("Aucune période de schéma n'est configurée (section [schema]) : l'année est comparée aux cibles nationales et aux objectifs fixés dans la configuration.")
    elif not start <= year <= end:
        notes.append(f"L'année {year} est hors de la période du schéma ({start}-{end}) : elle est comparée aux cibles nationales.")
    yi = diagnosis.indicators.get(year)
    return AnnualReportView(
        buyer_name=name,
        buyer_siret=portfolio.buyer.siret or "",
        assembly=config.assembly or assembly_for(kind, name)[0],
        year=year,
        at=diagnosis.at,
        start=start,
        end=end,
        purchase_count=yi.contracts if yi else 0,
        total_amount=yi.value if yi else Decimal(0),
        rows=_report_rows(portfolio, diagnosis, config, year, start, end, national_only=national_only),
        indicators=indicator_rows(portfolio, yi) if yi else [],
        history=history(diagnosis),
        contract_rules=contract_rules(diagnosis),
        obligation=obligation_view(diagnosis),
        unknown_share=yi.social.unknown.share_count if yi else None,
        notes=notes,
        texts=dict(config.texts),
        config_file=config.file,
    )


_PUBLISHED = (
    # key, label, basis
    ("social_nombre", "Marchés avec au moins une considération sociale", "nombre"),
    ("social_valeur", "Marchés avec au moins une considération sociale", "valeur"),
    ("environnement_nombre", "Marchés avec au moins une considération environnementale", "nombre"),
    ("environnement_valeur", "Marchés avec au moins une considération environnementale", "valeur"),
    ("reserves_nombre", "Marchés réservés", "nombre"),
    ("reserves_valeur", "Marchés réservés", "valeur"),
    ("esus_valeur", "Achats auprès d'entreprises solidaires d'utilité sociale (ESUS)", "valeur"),
    ("inclusion_valeur", "Achats auprès de SIAE, EA ou ESAT", "valeur"),
    ("siae_valeur", "Achats auprès de SIAE", "valeur"),
    ("ea_esat_valeur", "Achats auprès d'EA ou d'ESAT", "valeur"),
    ("esus_inconnu_valeur", "Achats dont le titulaire est inconnu des listes ESUS (ni oui ni non)", "valeur"),
    ("inclusion_inconnu_valeur", "Achats dont le titulaire est inconnu des listes d'entreprises inclusives (ni oui ni non)", "valeur"),
    ("heures_insertion", "Heures d'insertion réalisées", "heures"),
    ("social_inconnu_nombre", "Marchés dont la considération sociale est inconnue", "nombre"),
)


def build_publication_rows(
    portfolio: Portfolio, diagnosis: Any, config: DocumentConfig, years: Sequence[int] | None = None
) -> list[PublicationRow]:
    """The open-data indicators, one row per indicator and year (default: the diagnosis year and the one before)."""
    years = list(years) if years else [y for y in (diagnosis.year - 1, diagnosis.year) if y in diagnosis.indicators] or [diagnosis.year]
    start, end = _period(config, diagnosis.at)
    objectives = {o.key: o for o in objective_rows(portfolio, diagnosis, config, start, end)}
    out = []
    for y in years:
        yi = diagnosis.indicators.get(y)
        if yi is None:
            continue
        for key, label, basis in _PUBLISHED:
            num, den, scope, rate = _published_measure(key, portfolio, yi)
            objective = objectives[key].by_year.get(y) if key in objectives else None
            measured = num if basis == "heures" else rate
            gap = (measured - objective) if (objective is not None and measured is not None) else None
            unit = {"nombre": "marchés", "valeur": "euros HT", "heures": "heures"}[basis]
            out.append(PublicationRow(y, key, label, basis, num, den, rate, unit, scope, objective, gap))
    return out


def _published_measure(key: str, portfolio: Portfolio, yi: Any) -> tuple[Decimal | None, Decimal | None, str, Decimal | None]:
    def of(m: Any, basis: str) -> tuple[Decimal, Decimal, str, Decimal | None]:
        if basis == "nombre":
            return Decimal(m.count), Decimal(m.denominator_count), m.denominator_label, m.share_count
        return m.value, m.denominator_value, m.denominator_label, m.share_value

    basis = key.rsplit("_", 1)[-1]
    if key.startswith("social_inconnu"):
        return of(yi.social.unknown, "nombre")
    if key.startswith("social_"):
        return of(yi.social.yes_among_known, basis)
    if key.startswith("environnement_"):
        return of(yi.environmental.yes_among_known, basis)
    if key.startswith("reserves_"):
        return of(yi.reserved, basis)
    if key == "esus_valeur":
        return of(yi.suppliers[SupplierKind.ESUS.value], "valeur")
    if key == "siae_valeur":
        return of(yi.suppliers[SupplierKind.SIAE.value], "valeur")
    if key in ("inclusion_valeur", "ea_esat_valeur"):
        base = yi.suppliers[SupplierKind.SIAE.value]
        kinds = _INCLUSION if key == "inclusion_valeur" else frozenset({SupplierKind.EA, SupplierKind.ESAT})
        items = [p for p in portfolio.purchases if p.year == yi.year and p.supplier_kinds & kinds]
        value = sum((p.amount_ht for p in items if p.amount_ht is not None and p.amount_ht > 0), Decimal(0))
        rate = min(value / base.denominator_value, Decimal(1)) if base.denominator_value else None
        return value, base.denominator_value, base.denominator_label, rate
    if key in ("esus_inconnu_valeur", "inclusion_inconnu_valeur"):
        from spaser.suppliers.documents import unknown_measure

        return unknown_measure(portfolio, yi.year, key.split("_", 1)[0])
    if key == "heures_insertion":
        hours = yi.insertion_hours_achieved if yi.contracts_with_insertion_hours else None
        return hours, None, "marchés notifiés dans l'année avec heures déclarées", None
    raise KeyError(key)


def build_workbook_view(
    portfolio: Portfolio, diagnosis: Any, opps: Sequence[Opportunity], config: DocumentConfig, *, report: Any = None
) -> WorkbookView:
    name, _ = _buyer(portfolio, config)
    start, end = _period(config, diagnosis.at)
    years = sorted(diagnosis.indicators)
    gaps: list[ReportRow] = []
    for y in sorted(set(years) | set(range(start, end + 1))):
        if y in diagnosis.indicators or start <= y <= end:
            gaps.extend(_report_rows(portfolio, diagnosis, config, y, start, end))
    return WorkbookView(
        buyer_name=name,
        buyer_siret=portfolio.buyer.siret or "",
        at=diagnosis.at,
        purchases=portfolio.purchases,
        report=report,
        indicators=build_publication_rows(portfolio, diagnosis, config, years),
        gaps=gaps,
        suggestions=suggestion_rows(opps, max(config.suggestions, 200)),
    )
