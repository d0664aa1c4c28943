"""Builders: law and advice results + configuration -> view models.

This is the only module that reads :mod:`spaser.law` and :mod:`spaser.clauses`
results; the renderers only see :mod:`spaser.documents.views`. No legal logic
here: obligation, indicators, national targets and findings come from the
Diagnosis; clause suggestions from the clause engine. What is decided here is
presentation (which rows, in which order, with which words) and the default
trajectory of the buyer's own objectives (a practice choice, stated as such).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from spaser.clauses._tables import SAFE_LOADER
from spaser.clauses.hours import round_hours
from spaser.documents.config import AXES, DEFAULT_STEPS, OBJECTIVE_SHORT, OBJECTIVES, DocumentConfig
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
from spaser._french import counted
from spaser.io.safe import xml_text
from spaser.money import MONEY_OUT_OF_RANGE, format_number

if TYPE_CHECKING:
    from spaser.clauses.opportunities import AdviceProgress

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
            f"{format_number(len(spend.exclusions))} contrat(s) hors du calcul (concessions, marchés relevant du livre V) "
            f"pour {format_eur(spend.excluded_total, cents=False)} sur l'année."
        )
    if spend.uncounted:
        exclusions.append(f"{format_number(len(spend.uncounted))} contrat(s) n'ont pas pu être comptés (montant ou date manquant).")
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
        # What may be unconfirmed is the date from which the content is required, not the texts.
        from spaser.documents._docx import date_fr

        since = f" (exigé depuis le {date_fr(item.since)}{', date à confirmer' if item.to_confirm else ''})"
        ref = " ; ".join(a for a in item.articles[:2]) + since
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
            text = (f"{counted(c.checked, 'marché soumis', 'marchés soumis')} à ces règles dans les données : {format_number(missing)} sans cette condition, "
                    f"{format_number(to_check)} à vérifier")
            if c.approximate:
                text += (f" ; {counted(c.approximate, 'de ces marchés repose', 'de ces marchés reposent')} sur une date approximative "
                         "(date de lancement de la consultation inconnue : jamais comptés comme manquement)")
        elif c.switch is not None and c.not_yet:
            text = f"{counted(c.not_yet, 'marché des données a été engagé', 'marchés des données ont été engagés')} avant cette date"
        else:
            text = ""
        articles = sorted({a for f in findings for a in f.articles}) or _RULE_ARTICLES[rule]
        out.append(ContractRule(title, _RULE_TEXTS[rule], c.switch, c.switch is not None and diagnosis.at >= c.switch, articles, text))
    return out


# The codes' official consolidated texts (Légifrance): stable addresses.
_CODES = {
    "Code de la commande publique": "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000037701019",
    "Code rural et de la pêche maritime": "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006071367",
    "Code du travail": "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072050",
    "Code de l'environnement": "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006074220",
}
_MONTH_NUMBERS = {m: i for i, m in enumerate(("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                                "septembre", "octobre", "novembre", "décembre"), 1)}
# "Loi n° 2014-856 du 31 juillet 2014 ...": a law or a decree whose title gives its number and date.
_DATED_TEXT = re.compile(r"^(Loi|Décret) n° (\d{4}-\d+) du (1er|\d{1,2}) (\w+) (\d{4})")
# What reads as an article (« art. 13 », « L2111-3 », « annexe ... »); anything else is a note, not shown.
_ARTICLE = re.compile(r"^(art\.|article|annexe|[LRD]\s?\d)", re.IGNORECASE)


def official_link(title: str) -> str:
    """The stable address of a text's official version, when one is known from its title (else "").

    Laws and decrees: their ELI address on Légifrance, made from the number and date their title gives
    (nothing is guessed when the title has no date); codes: their consolidated text.
    """
    for code, url in _CODES.items():
        if title.startswith(code):
            return url
    m = _DATED_TEXT.match(title)
    if not m or m.group(4) not in _MONTH_NUMBERS:
        return ""
    kind, number, day, month, year = m.groups()
    day = "1" if day == "1er" else day
    return f"https://www.legifrance.gouv.fr/eli/{'loi' if kind == 'Loi' else 'decret'}/{year}/{_MONTH_NUMBERS[month]}/{day}/{number}/jo/texte"


def references(diagnosis: Any) -> list[Reference]:
    """The legal texts the document rests on, one entry per text: its title (with its date), the
    articles cited, its official link where a stable one is known. Practice values (estimates,
    usage) are not legal texts and are left out. « [à confirmer] » marks a text whose every use
    here is unconfirmed, except the codes and the laws themselves (what may be unconfirmed there is
    a date of entry into force, shown where that date is used)."""
    articles: dict[str, list[str]] = {}
    confirmed: dict[str, bool] = {}

    def add(r: Any, to_confirm: bool) -> None:
        title = (r.title or "").strip()
        if not title:
            return
        items = articles.setdefault(title, [])
        for part in re.split(r"\s*;\s*", (r.article or "").strip()):
            if not part.lower().startswith("annexe"):
                part = re.sub(r"\s*\(.*\)$", "", part)  # a note on the article, not the article
            if part and _ARTICLE.match(part) and part not in items:
                items.append(part)
        confirmed[title] = confirmed.get(title, False) or not to_confirm

    for u in diagnosis.parameters:
        if u.kind == "law":
            for r in u.references:
                add(r, u.to_confirm)
    for item in diagnosis.required_contents:
        for r in item.references:
            add(r, item.to_confirm)
    for r in diagnosis.obligation.references:
        add(r, diagnosis.obligation.to_confirm)
    at = diagnosis.at
    from spaser.documents._docx import date_fr

    out = []
    for title, arts in articles.items():
        code = title.startswith("Code")
        unsure = not confirmed[title] and not code and not title.startswith("Loi")
        out.append(Reference(article=", ".join(_article_order(arts)), title=title, url=official_link(title), to_confirm=unsure,
                             subject=f"version en vigueur au {date_fr(at)}" if code else ""))
    kinds = ("Code", "Loi", "Décret")
    return sorted(out, key=lambda r: (next((i for i, k in enumerate(kinds) if r.title.startswith(k)), len(kinds)), _text_date(r.title), r.title))


def _article_order(arts: list[str]) -> list[str]:
    """Code articles by number, the legislative part before the regulatory one (L2111-3, D2111-3)."""
    def key(a: str) -> tuple[list[int], int, str]:
        numbers = [int(n) for n in re.findall(r"\d+", a)]
        return numbers, "LRD".find(a[:1]) if a[:1] in "LRD" else 3, a
    return sorted(arts, key=key)


def _text_date(title: str) -> tuple[int, int]:
    m = re.search(r"n° (\d{4})-(\d+)", title)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


# -- figures: one definition per indicator, read by every document ----------------------------

# The figures measured like the national targets (PNAD): on each year's national measurement
# perimeter (contracts at or above that year's floor), exactly as ``check`` compares them.
NATIONAL_KEYS = frozenset({"social_nombre", "social_valeur", "environnement_nombre", "environnement_valeur"})


@dataclass(frozen=True)
class Figure:
    """One indicator for one year: numerator, denominator, rate and the perimeter it measures."""

    numerator: Decimal | None  # None: unknown (never 0 for "not given")
    denominator: Decimal | None
    rate: Decimal | None
    scope: str  # French: what is counted


def perimeter(mi: Any, short: bool = False) -> str:
    """French: the perimeter of a year's national measure."""
    from spaser.money import format_eur

    if mi.floor is None:
        return "tous les marchés" if short else "marchés notifiés dans l'année (aucun seuil de mesure national cette année)"
    floor = format_eur(mi.floor, cents=False)
    return f"marchés d'au moins {floor} HT" if short else f"marchés notifiés dans l'année d'au moins {floor} HT (mesure nationale)"


def _measured(diagnosis: Any, year: int) -> Any:
    mi = getattr(diagnosis, "measured_by_year", {}).get(year)
    if mi is None and diagnosis.measured.year == year:
        mi = diagnosis.measured
    return mi


def figure(key: str, diagnosis: Any, year: int, portfolio: Portfolio | None = None) -> Figure | None:
    """The figure of ``key`` for ``year`` (None: no data that year). See NATIONAL_KEYS for the perimeter.
    ``portfolio``: for the supplier figures read from the official lists (spaser.suppliers)."""
    from spaser.law.targets import national_share

    yi = diagnosis.indicators.get(year)
    if yi is None:
        return None
    if key in NATIONAL_KEYS:
        mi = _measured(diagnosis, year)
        if mi is None:
            return None
        dim = mi.social if key.startswith("social") else mi.environmental
        rate, _ = national_share(dim)
        m = dim.yes
        if key.endswith("_nombre"):
            return Figure(Decimal(m.count), Decimal(m.denominator_count), rate, perimeter(mi))
        return Figure(m.value, m.denominator_value, None if rate is None else m.share_value, perimeter(mi))
    whole = "marchés notifiés dans l'année (tous montants)"
    if key.startswith("reserves_"):
        m = yi.reserved
        return Figure(Decimal(m.count), Decimal(m.denominator_count), m.share_count, whole) if key.endswith("_nombre") \
            else Figure(m.value, m.denominator_value, m.share_value, whole)
    if key == "social_inconnu_nombre":
        m = yi.social.unknown
        return Figure(Decimal(m.count), Decimal(m.denominator_count), m.share_count, whole)
    if key in ("esus_inconnu_valeur", "inclusion_inconnu_valeur"):
        from spaser.suppliers.documents import unknown_measure

        if portfolio is None:
            return None
        value, whole, label, rate = unknown_measure(portfolio, year, key.split("_", 1)[0])
        return Figure(value, whole, rate, label)
    if key in ("esus_valeur", "inclusion_valeur") and portfolio is not None:
        from spaser.suppliers.documents import nothing_classified

        if nothing_classified(portfolio, year, key.split("_", 1)[0]):  # lists given, none classifies a supplier of the year
            m = yi.suppliers[SupplierKind.ESUS.value] if key == "esus_valeur" else yi.supplier_unions["inclusion"]
            return Figure(None, m.denominator_value, None, m.denominator_label + " (fournisseurs inconnus des listes)")
    supplier = {"esus_valeur": ("suppliers", SupplierKind.ESUS.value), "siae_valeur": ("suppliers", SupplierKind.SIAE.value),
                "inclusion_valeur": ("supplier_unions", "inclusion"), "ea_esat_valeur": ("supplier_unions", "ea_esat")}.get(key)
    if supplier is not None:
        m = getattr(yi, supplier[0])[supplier[1]]
        return Figure(m.value, m.denominator_value, m.share_value, m.denominator_label)
    if key == "heures_insertion":
        return Figure(yi.insertion_hours_achieved, None, None,
                      f"marchés notifiés dans l'année dont les heures réalisées sont renseignées ({yi.contracts_with_achieved_hours})")
    if key == "heures_insertion_inconnues":
        return Figure(Decimal(yi.contracts_achieved_hours_unknown), None, None,
                      "marchés notifiés dans l'année avec des heures prévues et sans heures réalisées renseignées (réalisé inconnu)")
    raise KeyError(key)


def _current(key: str, diagnosis: Any, year: int, portfolio: Portfolio | None = None) -> Decimal | None:
    """The value an objective of ``key`` is compared with in ``year`` (rate, or hours)."""
    f = figure(key, diagnosis, year, portfolio)
    if f is None:
        return None
    return f.numerator if key == "heures_insertion" else f.rate


def measure_note(diagnosis: Any) -> str:
    """French, said once: how the shares compared with the national targets are measured."""
    from spaser.money import format_eur

    floors: dict[str, list[int]] = {}
    for y, mi in sorted(getattr(diagnosis, "measured_by_year", {}).items()):
        if y in diagnosis.indicators:
            floors.setdefault(format_eur(mi.floor, cents=False) + " HT" if mi.floor is not None else "", []).append(y)
    parts = [f"{f} ({ys[0]}{'-' + str(ys[-1]) if len(ys) > 1 else ''})" for f, ys in floors.items() if f]
    where = ("sur les marchés d'au moins " + ", puis ".join(parts)) if parts else "sur tous les marchés"
    return (f"Les parts de marchés comportant une considération sociale ou environnementale sont mesurées comme la cible "
            f"nationale, {where}, notifiés dans l'année ; un marché dont l'information est inconnue y est compté sans "
            "considération (leur nombre est donné à part). Elles sont aussi données sur tous les marchés de l'année.")


_DEFINITIONS = {
    "social": "Marchés notifiés dans l'année comportant au moins une considération sociale (clause, critère ou réservation), rapportés à l'ensemble des marchés du périmètre (un marché dont l'information est inconnue est compté sans considération) ; en valeur, montants HT correspondants. Mesure nationale : marchés au-dessus du seuil de mesure de l'année ; aussi donnée sur tous les marchés.",
    "environnement": "Marchés notifiés dans l'année comportant au moins une clause ou un critère environnemental, rapportés à l'ensemble des marchés du périmètre (même règle pour l'information inconnue) ; en valeur, montants HT correspondants.",
    "reserves": "Marchés réservés (L2113-12 à L2113-15) rapportés à l'ensemble des marchés notifiés dans l'année.",
    "fournisseur": "Achats de l'année (marchés et lignes de dépense) dont un titulaire relève de la catégorie, rapportés à l'ensemble des achats de l'année.",
    "inclusion": "Achats de l'année dont un titulaire est une SIAE, une EA ou un ESAT (comptés une fois), rapportés à l'ensemble des achats de l'année.",
    "heures": "Heures de travail réalisées par des personnes en insertion au titre des clauses, déclarées pour les marchés notifiés dans l'année ; un marché sans heures réalisées renseignées est compté à part, jamais pour zéro heure.",
    "inconnu": "Marchés de l'année pour lesquels les données ne disent pas si une considération sociale a été prévue.",
}


def indicator_rows(diagnosis: Any, year: int, portfolio: Portfolio | None = None) -> list[IndicatorRow]:
    """The year's indicators table: each row says its perimeter (national measure or every contract)."""
    from spaser.law.targets import national_share

    yi = diagnosis.indicators.get(year)
    mi = _measured(diagnosis, year)
    if yi is None:
        return []
    rows = []
    for key, word in (("social", "sociale"), ("environnement", "environnementale")):
        label = f"Marchés avec au moins une considération {word}"
        if mi is not None:
            dim = mi.social if key == "social" else mi.environmental
            rate = national_share(dim)[0]
            rows.append(IndicatorRow(key, f"{label} — {perimeter(mi, short=True)} (mesure nationale)", dim.yes.count, rate, dim.yes.value,
                                     None if rate is None else dim.yes.share_value, _DEFINITIONS[key]))
        dim = yi.social if key == "social" else yi.environmental
        rate = national_share(dim)[0]
        rows.append(IndicatorRow(f"{key}:tous", f"{label} — tous les marchés", dim.yes.count, rate, dim.yes.value,
                                 None if rate is None else dim.yes.share_value))
        for kind, km in dim.by_kind.items():
            if km.count:
                rows.append(IndicatorRow(f"{key}:{kind}", f"dont {kind[0].lower()}{kind[1:]}", km.count, km.share_count, km.value, km.share_value))
    r = yi.reserved
    rows.append(IndicatorRow("reserves", "Marchés réservés", r.count, r.share_count, r.value, r.share_value, _DEFINITIONS["reserves"]))
    m = yi.supplier_unions["inclusion"]
    rows.append(IndicatorRow("inclusion", m.label, m.count, None, m.value, m.share_value, _DEFINITIONS["inclusion"]))
    if portfolio is not None:
        from spaser.suppliers.documents import indicator_rows as supplier_rows

        rows += supplier_rows(portfolio, yi.year)  # ESUS / inclusive from the official lists, with the unknown apart
    for kind in SupplierKind:
        m = yi.suppliers[kind.value]
        rows.append(IndicatorRow(f"fournisseur:{kind.value}", f"Achats auprès : {kind.label}", m.count, m.share_count, m.value, m.share_value,
                                 _DEFINITIONS["fournisseur"] if kind == SupplierKind.SIAE else ""))
    hours = yi.insertion_hours_achieved
    rows.append(IndicatorRow("heures", "Heures d'insertion réalisées" + (f" ({yi.contracts_with_achieved_hours} marchés renseignés)" if hours is not None else ""),
                             None if hours is None else int(hours), unit="hours", definition=_DEFINITIONS["heures"]))
    if yi.contracts_achieved_hours_unknown:
        rows.append(IndicatorRow("heures:inconnues", "Marchés avec heures d'insertion prévues, heures réalisées non renseignées",
                                 yi.contracts_achieved_hours_unknown, unit="count"))
    u = yi.social.unknown
    rows.append(IndicatorRow("inconnu", "Marchés dont la considération sociale est inconnue", u.count, u.share_count, u.value, u.share_value, _DEFINITIONS["inconnu"]))
    return rows


def history(diagnosis: Any) -> list[YearIndicators]:
    """Year by year: volumes of every contract; shares as the national measure of each year."""
    out = []
    for year, yi in sorted(diagnosis.indicators.items()):
        out.append(
            YearIndicators(
                year=year,
                contracts=yi.contracts,
                amount=yi.value,
                social_count_share=_current("social_nombre", diagnosis, year),
                environmental_count_share=_current("environnement_nombre", diagnosis, year),
                social_value_share=_current("social_valeur", diagnosis, year),
                environmental_value_share=_current("environnement_valeur", diagnosis, year),
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


def _national(key: str, diagnosis: Any) -> tuple[Decimal | None, str]:
    """The national rate a key is compared with: the PNAD target, in number only (no national target in value)."""
    if key not in ("social_nombre", "environnement_nombre"):
        return None, ""
    name = "pnad." + key.split("_")[0]
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


def proposal_rule(key: str, national: Decimal | None, origin: Decimal, since: int, diagnosis_year: int) -> str:
    """French: the rule that made a default objective (shown in the draft, the council may change it)."""
    from spaser.money import format_number, format_percent

    step = DEFAULT_STEPS[key]
    when = f"{since}" + (" (année en cours)" if since > diagnosis_year else "")
    if key == "heures_insertion":
        return (f"{format_number(origin)} heures de l'année {since} (réalisées si elles sont connues, sinon prévues), "
                f"augmentées de {format_number(step * 100)} % par an")
    rise = (f"part la plus haute constatée depuis {diagnosis_year}, {format_percent(origin)} en {when}, "
            f"augmentée d'au moins {format_number(step * 100, 1).removesuffix(',0')} point par an")
    return rise + (f", jusqu'à la cible nationale de {format_percent(national, 0)} à la fin du schéma" if national is not None and national > origin else "")


def _origin(key: str, diagnosis: Any, portfolio: Portfolio | None = None) -> tuple[Decimal | None, int]:
    """The value a default objective starts from, and its year: the highest measured in the diagnosis
    year or after (partial years included: an objective never asks less than what is already done).
    Hours: the achieved hours when known, else the planned hours of the year (stated in the rule)."""
    best: tuple[Decimal | None, int] = (None, diagnosis.year)
    for y in sorted(diagnosis.indicators):
        if y < diagnosis.year:
            continue
        v = _current(key, diagnosis, y, portfolio)
        if key == "heures_insertion":
            if y != diagnosis.year:
                continue  # a partial year's hours are not a yearly figure
            yi = diagnosis.indicators[y]
            v = v if v is not None else (yi.insertion_hours_planned or None)
        if v is not None and (best[0] is None or v > best[0]):
            best = (v, y)
    return best


def objective_rows(portfolio: Portfolio, diagnosis: Any, config: DocumentConfig, start: int, end: int) -> list[ObjectiveRow]:
    """The scheme's objectives year by year: the council's (configuration), else a proposal by a stated rule."""
    years = list(range(start, end + 1))
    rows = []
    for key, (label, basis, unit) in OBJECTIVES.items():
        current = _current(key, diagnosis, diagnosis.year, portfolio)
        national, ref = _national(key, diagnosis)
        user = config.targets.get(key)
        if user:
            points = dict(user)
            if current is not None and diagnosis.year < min(points):
                points[diagnosis.year] = current  # start the line from today's value
            by_year = _interpolate(points, years)
            source, rule = "acheteur", ""
        else:
            origin, since = _origin(key, diagnosis, portfolio)
            step = DEFAULT_STEPS[key]
            by_year = {}
            for y in years:
                if origin is None:
                    by_year[y] = None
                    continue
                n = max(y - since, 0)
                if unit == "hours":
                    # Held within what a count of hours can be: from a diagnosis centuries before the
                    # scheme, the yearly growth made a number no rounding could hold (InvalidOperation).
                    by_year[y] = max(-MONEY_OUT_OF_RANGE, min(origin * (1 + step) ** n, MONEY_OUT_OF_RANGE))
                    continue
                v = origin + step * n
                if national is not None and end > since:
                    v = max(v, origin + (national - origin) * Decimal(max(y - since, 0)) / Decimal(end - since))
                by_year[y] = min(v, Decimal(1))
            source, rule = ("proposition", proposal_rule(key, national, origin, since, diagnosis.year)) if origin is not None else ("à fixer", "")
        if source == "proposition" and unit == "pct":  # rounded up: a proposal never asks less than what is done
            by_year = {y: (None if v is None else min(v.quantize(RATE_STEP, rounding=ROUND_CEILING), Decimal(1))) for y, v in by_year.items()}
        elif unit == "pct":
            by_year = {y: (None if v is None else _round_rate(v)) for y, v in by_year.items()}
        else:
            by_year = {y: (None if v is None else round_hours(v)) for y, v in by_year.items()}
        rows.append(ObjectiveRow(key, label, basis, unit, current, by_year, national, source, ref, OBJECTIVE_SHORT[key], rule))
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


def opportunities_for(
    portfolio: Portfolio, *, year: int | None = None, at: date | None = None, top: int, diagnosis: Any = None,
    progress: AdviceProgress | None = None,
) -> tuple[list[Opportunity], OpportunitySummary]:
    """The clause engine's opportunities for ``year``, adapted, and its portfolio-level figures.

    ``diagnosis``: the document's diagnosis, whose year, date and measured indicators are shared;
    ``progress``: as :func:`spaser.clauses.opportunities`'.
    """
    from spaser.clauses import opportunities

    found = opportunities(portfolio, year=year, at=at, top=top, diagnosis=diagnosis, progress=progress)
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
        yearly = f" (≈ {format_number(o.hours_per_year)} par an)" if o.hours_per_year else ""
        reasons.append(f"≈ {format_number(o.hours)} heures d'insertion possibles sur la durée du marché{yearly}")
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


def axes(config: DocumentConfig, opps: Sequence[Opportunity], *, start: int, per_action: int = 5) -> list[AxisView]:
    """The action plan: each action with its clause examples and the purchases that match it (its
    clauses and, when given, its field by CPV code); a purchase illustrates one action only."""
    data = _axes_data()
    used: set[str] = set()
    out = []
    for key in config.axes:
        spec = data[key]
        actions = []
        for a in spec["actions"]:
            wanted = set(a.get("clauses") or ())
            if any(c.startswith(("reserve-", "lot-reserve")) for c in wanted):
                wanted.add(RESERVABLE)
            field = tuple(a.get("cpv") or ())
            examples = [e for e in (_clause_example(cid) for cid in a.get("clauses") or ()) if e][:4]
            purchases: list[str] = []
            for o in opps:
                if len(purchases) >= per_action:
                    break
                if o.purchase_id in used or not wanted & set(o.clause_ids) or (field and not o.cpv.startswith(field)):
                    continue
                used.add(o.purchase_id)
                purchases.append(_purchase_line(o))
            begins = start + int(a.get("from", 0))
            actions.append(ActionView(a["title"], " ".join(a["description"].split()), examples, purchases, a.get("indicator", ""),
                                      owner=spec["pilot"], deadline=f"dès {begins}"))
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
    # A buyer with no name (the model allows it) is named as what is left to fill in, not left blank.
    name = xml_text(config.buyer_name or portfolio.buyer.name).strip() or f"Acheteur {TO_COMPLETE}"  # « \x08 » is nothing in a document
    return name, (config.buyer_kind or portfolio.buyer.kind)


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
        indicators=indicator_rows(diagnosis, diagnosis.year, portfolio),
        history=history(diagnosis),
        measure_note=measure_note(diagnosis),
        objectives=objective_rows(portfolio, diagnosis, config, start, end),
        axes=axes(config, opps, start=start),
        suggestions=suggestion_rows(opps, config.suggestions),
        opportunity_summary=opportunity_summary,
        unknown_share=yi.social.unknown.share_count if yi is not None else None,
        import_summary=report.summary_fr() if report is not None else "",
        notes=council_notes(diagnosis.warnings),
        texts=dict(config.texts),
        config_file=config.file,
        reference_docx=config.reference_docx,
        signatory=config.signatory or assembly_for(kind, name)[2],
    )


# The law engine's warnings speak to the tool's user; a council document says the same in its words.
_COUNCIL_WORDS = {
    "Certaines valeurs juridiques utilisées sont « à confirmer » (voir la liste des paramètres) : ne pas les présenter comme certaines.":
        "Certaines dates ou valeurs juridiques n'ont pas été vérifiées dans le texte officiel : elles sont signalées « à confirmer » et ne sont pas à présenter comme certaines.",
}


def council_notes(notes: Sequence[str]) -> list[str]:
    return [_COUNCIL_WORDS.get(n, n) for n in notes]


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
        reference_docx=config.reference_docx,
    )


def _report_rows(
    diagnosis: Any, objectives: Sequence[ObjectiveRow], year: int, start: int, end: int, portfolio: Portfolio | None = None
) -> list[ReportRow]:
    """Each objective against the year's figure (the same figure as ``check``): the scheme's own objective
    for that year when the year is in the scheme's period, else the national target where one exists."""
    rows = []
    for o in objectives:
        if start <= year <= end:
            target, source = o.by_year.get(year), ("objectif du schéma" if o.source == "acheteur" else "objectif proposé du schéma")
        else:
            target, source = None, ""
        if target is None and o.national is not None:
            target, source = o.national, "cible nationale"
        achieved = _current(o.key, diagnosis, year, portfolio)
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
    # The scheme's period and objectives are the draft's (same configuration, same rule): the report
    # compares the year with what the council adopted for it.
    start, end = _period(config, diagnosis.at)
    objectives = objective_rows(portfolio, diagnosis, config, start, end)
    notes = council_notes(diagnosis.warnings)
    if not start <= year <= end:
        notes.append(f"L'année {year} est hors de la période du schéma ({start}-{end}) : elle est comparée aux cibles nationales, "
                     "là où il en existe.")
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
        rows=_report_rows(diagnosis, objectives, year, start, end, portfolio),
        indicators=indicator_rows(diagnosis, year, portfolio),
        history=_scheme_years(history(diagnosis), start, year),
        contract_rules=contract_rules(diagnosis),
        obligation=obligation_view(diagnosis),
        unknown_share=yi.social.unknown.share_count if yi else None,
        notes=notes,
        texts=dict(config.texts),
        config_file=config.file,
        reference_docx=config.reference_docx,
        measure_note=measure_note(diagnosis),
    )


def _scheme_years(rows: list[YearIndicators], start: int, year: int) -> list[YearIndicators]:
    """The yearly report's history covers the scheme's period: from the year before it (the starting
    point) to the report's year; every year of the data when the report's year is outside the period."""
    kept = [r for r in rows if start - 1 <= r.year <= year]
    return kept if year >= start and len(kept) >= 2 else rows


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
    ("heures_insertion_inconnues", "Marchés avec heures d'insertion prévues dont les heures réalisées sont inconnues", "nombre"),
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
        if y not in diagnosis.indicators:
            continue
        for key, label, basis in _PUBLISHED:
            f = figure(key, diagnosis, y, portfolio)
            if f is None:
                continue
            objective = objectives[key].by_year.get(y) if key in objectives else None
            measured = f.numerator if basis == "heures" else f.rate
            gap = (measured - objective) if (objective is not None and measured is not None) else None
            unit = "heures" if basis == "heures" else ("marchés" if basis == "nombre" else "euros HT")
            out.append(PublicationRow(y, key, label, basis, f.numerator, f.denominator, f.rate, unit, f.scope, objective, gap))
    return out


def build_workbook_view(
    portfolio: Portfolio, diagnosis: Any, opps: Sequence[Opportunity], config: DocumentConfig, *, report: Any = None
) -> WorkbookView:
    name, _ = _buyer(portfolio, config)
    start, end = _period(config, diagnosis.at)
    years = sorted(diagnosis.indicators)
    objectives = objective_rows(portfolio, diagnosis, config, start, end)
    gaps: list[ReportRow] = []
    for y in sorted(set(years) | set(range(start, end + 1))):
        if y in diagnosis.indicators or start <= y <= end:
            gaps.extend(_report_rows(diagnosis, objectives, y, start, end, portfolio))
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
