"""What each page shows, taken from the library's own results (no computation here).

Numbers come from ``ImportReport``, ``Diagnosis.to_dict()`` (the same
dictionary ``spaser check --json`` prints) and the clause suggestions; this
module only picks fields and formats them in French for the templates.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from spaser._french import agree, counted, plural_forms
from spaser.money import format_eur, format_number, format_percent
from spaser.web import charts

if TYPE_CHECKING:
    from spaser.clauses.opportunities import AdviceProgress

__all__ = ["FILTERS", "report_view", "buyers_view", "buyer_view", "buyer_slug"]


# -- French formatting filters for the templates ------------------------
def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def eur(value: Any) -> str:
    d = _dec(value)
    return "—" if d is None else format_eur(d, cents=False)


def num(value: Any, digits: int = 0) -> str:
    d = _dec(value)
    return "—" if d is None else format_number(d, digits)


def pct(value: Any, digits: int = 1) -> str:
    """A ratio (0.25) as a French percentage ('25,0 %')."""
    d = _dec(value)
    return "—" if d is None else format_percent(d, digits)


def fr_date(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
    return "—" if value in (None, "") else str(value)


def yes_no(value: Any) -> str:
    return {True: "oui", False: "non", None: "inconnu"}.get(value, str(value))


def param_value(value: Any, unit: str = "") -> str:
    """A legal parameter's value as ``spaser law`` writes it (the page gets it in JSON form)."""
    from spaser.law.format import format_value

    if value is None:
        return "—"
    if unit in ("ratio", "EUR_HT", "EUR", "EUR_per_hour", "hours"):
        value = _dec(value)
    elif unit == "date" and isinstance(value, str):
        value = date.fromisoformat(value)
    return "—" if value is None else format_value(value, unit)


def points(value: Any, digits: int = 1) -> str:
    """A gap between two ratios (0.473) in percentage points ('47,3 points')."""
    d = _dec(value)
    if d is None:
        return "—"
    text = format_number(abs(d) * 100, digits)
    return f"{text}\xa0" + agree(abs(d) * 100, "point", "points")


def plural(count: Any, one: str, many: str) -> str:
    """« 1 achat », « 2 917 achats »: the count formatted as amounts are, and no « (s) ».

    >>> plural(2917, "achat", "achats"), plural(1, "achat", "achats"), plural(0, "achat", "achats")
    ('2\u202f917 achats', '1 achat', '0 achat')
    """
    d = _dec(count)
    if d is None:
        return f"— {many}"
    return counted(d, one, many)


FILTERS = {"accord": plural_forms, "eur": eur, "num": num, "pct": pct, "points": points, "plural": plural, "fr_date": fr_date, "yes_no": yes_no, "param_value": param_value}


def issue_label(code: str) -> str:
    """A French label for an issue code, from its message (the one declaration of each code's text).

    >>> issue_label("duplicate"), issue_label("cpv-check-digit")
    ('Doublon', 'Clé de contrôle du code CPV incorrecte')
    """
    from spaser.io import MESSAGES, IssueCode

    try:
        message = MESSAGES[IssueCode(code)]
    except ValueError:
        return code
    return re.split(r" ?[:;.(]", message, maxsplit=1)[0].strip() or code


# -- import report -----------------------------------------------------
def report_view(report: Any) -> dict[str, Any]:
    """The ImportReport as the page shows it (counts straight from the report)."""
    return {
        "read": report.read,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "warned": report.warned,
        "formats": list(report.formats),
        "summary": report.summary_fr(),
        "truncated": report.truncated,
        "has_sheets": any(issue.sheet for issue in report.issues),
        "max_issues": report.max_issues,
        "counts": [{"code": k, "label": issue_label(k), "count": v} for k, v in sorted(report.counts.items(), key=lambda kv: (-kv[1], kv[0]))],
        "issues": [
            {
                "severity": issue.severity.value,
                "error": issue.severity.value == "erreur",
                "code": issue.code.value,
                "label": issue_label(issue.code.value),
                "sheet": issue.sheet,
                "row": issue.row,
                "column": issue.column,
                "message": issue.message,
                "value": issue.value,
            }
            for issue in report.issues
        ],
    }


def buyer_view(portfolio: Any) -> dict[str, Any]:
    buyer = portfolio.buyer
    return {
        "name": buyer.name,
        "siret": buyer.siret,
        "kind": buyer.kind.label,
        "purchases": len(portfolio.purchases),
        "total_ht": portfolio.total_ht,
    }


def buyers_view(portfolios: Any) -> list[dict[str, Any]]:
    """Every buyer of the file with its index in ``portfolios`` (the URL uses it)."""
    rows = [dict(buyer_view(p), index=i) for i, p in enumerate(portfolios)]
    return sorted(rows, key=lambda r: (-r["purchases"], r["name"]))


def buyer_slug(portfolio: Any) -> str:
    """An ASCII file-name part from the buyer's name ('Métropole de Lyon' -> 'metropole-de-lyon')."""
    text = unicodedata.normalize("NFKD", portfolio.buyer.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return slug or "acheteur"


# -- diagnosis ----------------------------------------------------------
def data_years(portfolio: Any) -> list[int]:
    """Years the file has data for (notification, spending, declared spend): the year choices."""
    years = set(portfolio.years()) | set(portfolio.buyer.declared_spend) | set(portfolio.spend_by_year())
    return sorted(years)


def diagnosis_dict(portfolio: Any, *, year: int | None = None) -> dict[str, Any]:
    """``spaser.law.check(portfolio).to_dict()``: the dictionary ``spaser check --json`` prints."""
    try:
        from spaser.law import check  # the public name the CLI uses
    except ImportError:  # older checkout: the same function, from its module
        from spaser.law.diagnosis import check

    return check(portfolio, year=year).to_dict()


_STATUS_BADGE = {"atteint": "ok", "non atteint": "bad", "manquant": "bad", "à vérifier": "warn"}


def _ref_text(ref: dict[str, Any]) -> str:
    return ", ".join(x for x in (ref.get("title"), ref.get("article")) if x)


def _share_row(measure: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": measure["label"],
        "count": measure["count"],
        "value": measure["value"],
        "denominator_count": measure["denominator_count"],
        "denominator_value": measure["denominator_value"],
        "share_count": measure["share_count"],
        "share_value": measure["share_value"],
    }


def diagnosis_view(d: dict[str, Any]) -> dict[str, Any]:
    """Pick and format fields of ``Diagnosis.to_dict()``; every figure is the library's."""
    o = d["obligation"]
    targets = [
        {
            "name": t["name"],
            "label": t["label"],
            "basis": t["basis"],
            "target": t["target"],
            "actual": t["actual"],
            "gap": t["gap"],
            "status": t["status"],
            "badge": _STATUS_BADGE.get(t["status"], "info"),
            "numerator": t.get("numerator"),
            "denominator": t.get("denominator"),
            "missing": t.get("missing"),
            "notes": t.get("notes", []),
            "references": [_ref_text(r) for r in t.get("references", [])],
            "to_confirm": t.get("to_confirm", False),
        }
        for t in d["targets"]
    ]
    chart_items = [
        {"label": t["label"], "value": _dec(t["actual"]), "target": goal, "value_text": pct(t["actual"], 0), "target_text": pct(t["target"], 0)}
        for t in targets
        if (goal := _dec(t["target"])) is not None and goal <= 1
    ]
    m = d["measured"]
    measured = {
        "year": m["year"],
        "floor": m.get("floor"),
        "floor_note": m.get("floor_note"),
        "contracts": m["contracts"],
        "value": m["value"],
        "rows": [
            _share_row(m["social"]["yes"]),
            _share_row(m["social"]["none"]),
            _share_row(m["social"]["unknown"]),
            _share_row(m["environmental"]["yes"]),
            _share_row(m["environmental"]["none"]),
            _share_row(m["environmental"]["unknown"]),
            _share_row(m["reserved"]),
        ],
        "notes": m.get("notes", []),
    }
    years = [
        {
            "year": y,
            "contracts": i["contracts"],
            "value": i["value"],
            "social": i["social"]["yes"]["share_count"],
            "environmental": i["environmental"]["yes"]["share_count"],
            "social_unknown": i["social"]["unknown"]["count"],
            "environmental_unknown": i["environmental"]["unknown"]["count"],
        }
        for y, i in sorted(d["indicators"].items())
    ]
    year_chart = charts.amount_bars(
        [{"label": str(y["year"]), "value": _dec(y["value"]), "value_text": eur(y["value"])} for y in years],
        title="Montant HT des contrats notifiés, par année",
    )
    c = d["compliance"]
    return {
        "buyer": d["buyer"],
        "year": d["year"],
        "at": d["at"],
        "warnings": d["warnings"],
        "obligation": {
            "status": o["status"],
            "css": {"obligé": "yes", "non obligé": "no"}.get(o["status"], "unknown"),
            "explanation": o["explanation"],
            "threshold": o["threshold"],
            "spend_total": o["spend"]["total"],
            "spend_is_estimate": o["spend"]["is_estimate"],
            "spend_method": o["spend"]["method_text"],
            "spend_lines": len(o["spend"]["lines"]),
            "exclusions": o["spend"]["exclusions"],
            "excluded_total": o["spend"]["excluded_total"],
            "assumptions": o["spend"]["assumptions"],
            "uncounted": o["spend"]["uncounted"],
            "margin": o["margin"],
            "scope": o["scope"]["text"],
            "scope_to_confirm": o["scope"]["to_confirm"],
            "to_settle": o["to_settle"],
            "articles": o["articles"],
            "references": [_ref_text(r) for r in o["references"]],
            "to_confirm": o.get("to_confirm", False),
        },
        "targets": targets,
        "targets_chart": Markup(charts.ratio_bars(chart_items, title="Indicateurs de l'acheteur comparés aux cibles nationales")) if chart_items else "",
        "measured": measured,
        "years": years,
        "years_chart": Markup(year_chart) if years else "",
        "compliance": {
            "switch": c["switch"],
            "checked": c["checked"],
            "compliant": c["compliant"],
            "not_yet": c["not_yet"],
            "approximate": c["approximate_count"],
            "missing_count": c["missing_count"],
            "to_check_count": c["to_check_count"],
            "findings": [dict(f, badge=_STATUS_BADGE.get(f["status"], "info")) for f in c["findings"]],
            "skipped": c["skipped"],
            "notes": c["notes"],
            "references": [_ref_text(r) for r in c["references"]],
        },
        "contents": [
            {"label": x["label"], "articles": x["articles"], "since": x.get("since"), "to_confirm": x.get("to_confirm", False)} for x in d["required_contents"]
        ],
        "parameters": [
            {
                "name": p["name"],
                "description": p["description"],
                "unit": p["unit"],
                "kind": p["kind"],
                "start": p["start"],
                "value": p["value"],
                "references": [_ref_text(r) for r in p["references"]],
                "to_confirm": p["to_confirm"],
                "note": p.get("note"),
            }
            for p in d["parameters"]
        ],
    }


# -- documents ------------------------------------------------------------
# URL name -> the spaser.documents function that makes it.
_DOCUMENT_FUNCTIONS = {
    "projet-spaser.docx": "draft_bytes",
    "deliberation.docx": "deliberation_bytes",
    "bilan-annuel.docx": "annual_report_bytes",
    "classeur.xlsx": "write_workbook",
    "indicateurs.xlsx": "write_indicators_xlsx",
}


def document_available(name: str) -> bool:
    """Whether this installation's spaser.documents can make the document."""
    try:
        import spaser.documents as documents
    except ImportError:
        return False
    return hasattr(documents, _DOCUMENT_FUNCTIONS.get(name, ""))


def build_document(name: str, portfolio: Any, *, report: Any, config: Any = None, year: int | None = None,
                   progress: AdviceProgress | None = None) -> bytes:
    """The document's bytes, made by spaser.documents exactly as the CLI makes it (same config file);
    ``progress``: how far the advice is, for the documents that list it."""
    import spaser.documents as documents

    if name == "projet-spaser.docx":
        return documents.draft_bytes(portfolio, report=report, config=config, progress=progress)
    if name == "deliberation.docx":
        return documents.deliberation_bytes(portfolio, config=config)
    if name == "bilan-annuel.docx":
        return documents.annual_report_bytes(portfolio, year=year or report_year(portfolio), config=config)
    if name in ("classeur.xlsx", "indicateurs.xlsx"):
        # These writers write a file: into a private folder, removed at once.
        folder = tempfile.mkdtemp(prefix="spaser-web-")
        try:
            os.chmod(folder, 0o700)
            path = Path(folder) / name
            if name == "classeur.xlsx":
                documents.write_workbook(portfolio, path, report=report, config=config, progress=progress)
            else:
                documents.write_indicators_xlsx(portfolio, path, year=year or report_year(portfolio), config=config)
            return path.read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    raise KeyError(name)


def report_year(portfolio: Any) -> int:
    """The year of the yearly report by default: the diagnosis's own (last complete year with data)."""
    from spaser.law.diagnosis import default_year

    return default_year(portfolio, date.today())[0]


# -- suggestions ----------------------------------------------------------
# Filters of the suggestions page: what each choice keeps (over all the purchases of the year).
CLAUSE_TYPES = {"sociale": "avec une clause sociale possible", "environnementale": "avec une clause environnementale possible", "reservable": "pouvant être réservés"}
LEVELS = {"obligatoire": "avec une obligation à la date", "recommande": "sans obligation (recommandations seulement)"}


@dataclass(frozen=True)
class SuggestionFilters:
    text: str = ""
    type: str = ""
    level: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, text: str, type_: str, level: str, page: str) -> SuggestionFilters | None:
        """The filters of the query string; None when one is not a known choice."""
        if type_ and type_ not in CLAUSE_TYPES or level and level not in LEVELS:
            return None
        if page and (not page.isdecimal() or int(page) < 1):
            return None
        return cls(text=text, type=type_, level=level, page=int(page) if page else 1)

    def query(self, page: int | None = None) -> dict[str, str]:
        q = {"q": self.text, "type": self.type, "niveau": self.level, "page": str(page or self.page)}
        return {k: v for k, v in q.items() if v and not (k == "page" and v == "1")}

    def keeps(self, o: Any) -> bool:
        if self.type == "sociale" and o.social is None or self.type == "environnementale" and o.environmental is None:
            return False
        if self.type == "reservable" and not o.reservable:
            return False
        if self.level == "obligatoire" and not o.mandatory or self.level == "recommande" and o.mandatory:
            return False
        if self.text:
            hay = _fold(" ".join(str(x) for x in (o.purchase_id, o.object or "", o.cpv or "", *o.mandatory,
                                                   o.social.clause_id if o.social else "", o.environmental.clause_id if o.environmental else "")))
            return all(word in hay for word in _fold(self.text).split())
        return True


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


def opportunities_text(opp: Any) -> str:
    """The potential of the year, in French without « (s) » (the figures of ``Opportunities``; one line each)."""
    lines = [
        f"{plural(opp.candidates, 'achat', 'achats')} de {opp.year} {'pourrait' if opp.candidates < 2 else 'pourraient'} intégrer une clause sociale ou environnementale.",
        f"Valeur des contrats sans considération sociale pouvant en recevoir une : {eur(opp.value_without_social)} HT ; "
        f"sans considération environnementale : {eur(opp.value_without_environmental)} HT.",
        f"Heures d'insertion possibles : ≈ {num(opp.total_hours)} heures sur toute la durée des marchés (valeurs d'usage, à ajuster avec le facilitateur).",
        f"Achats pouvant être réservés aux structures d'insertion par l'activité économique (SIAE), aux entreprises adaptées (EA), "
        f"aux établissements et services d'aide par le travail (ESAT) ou à l'économie sociale et solidaire (ESS) : {num(opp.reservable)}.",
    ]
    sc = opp.all
    if sc.contracts:
        lines.append(
            f"Si ces {plural(sc.contracts, 'marché', 'marchés')} comportaient les clauses suggérées, la part des contrats avec une considération "
            f"sociale passerait de {pct(sc.social_before, 0)} à {pct(sc.social_after, 0)}, et avec une considération environnementale de "
            f"{pct(sc.environmental_before, 0)} à {pct(sc.environmental_after, 0)} (sur {plural(sc.counted, 'contrat mesuré', 'contrats mesurés')}, "
            "indicateurs du plan national pour des achats durables, PNAD)."
        )
    lines.extend(opp.notes)
    return "\n".join(lines)


def all_opportunities(portfolio: Any, progress: AdviceProgress | None = None) -> Any:
    """Every purchase of the year with an opportunity, ranked (``spaser suggest --top`` without a cap); ``progress``: as opportunities'."""
    from spaser.clauses import opportunities

    return opportunities(portfolio, top=len(portfolio.purchases) + 1, progress=progress)


def suggestions_page(portfolio: Any, opp: Any, filters: SuggestionFilters, cached: Any, *, page_size: int) -> dict[str, Any]:
    """One page of the ranked purchases kept by ``filters``, each with ``suggest(...)`` (as ``spaser suggest --id``)."""
    from spaser.clauses import suggest

    kept = [o for o in opp.purchases if filters.keeps(o)]
    pages = max(1, -(-len(kept) // page_size))
    start = (filters.page - 1) * page_size
    purchases = []
    counter = start * 100
    for o in kept[start : start + page_size]:
        p = portfolio.purchases[o.index]
        items = []
        for sug in cached(p.id, lambda p=p: suggest(p, at=opp.at, portfolio=portfolio)):
            counter += 1
            items.append(dict(sug.to_dict(), anchor=f"clause-{counter}"))
        purchases.append(
            {
                "id": p.id,
                "object": p.object,
                "cpv": p.cpv,
                "amount_ht": p.amount_ht,
                "date": p.notification_date,
                "social_status": p.social_status,
                "environmental_status": p.environmental_status,
                "hours": o.hours,
                "reservable": o.reservable,
                "suggestions": items,
            }
        )
    return {
        "purchases": purchases,
        "count": sum(len(p["suggestions"]) for p in purchases),
        "matching": len(kept),
        "total": len(opp.purchases),
        "pages": pages,
        "page": filters.page,
        "first": start + 1,
        "last": start + len(purchases),
        "opportunities": {"year": opp.year, "explanation": opportunities_text(opp)},
        "types": CLAUSE_TYPES,
        "levels": LEVELS,
    }


# -- joint scheme -----------------------------------------------------------
def joint_view(portfolios: Any) -> dict[str, Any]:
    """``spaser.law.check_joint`` over every buyer of the file (``spaser check --joint``), as the page shows it."""
    from spaser.law import check_joint

    joint = check_joint(list(portfolios)).to_dict()
    members = []
    for index, m in enumerate(joint["members"]):
        o = m["obligation"]
        members.append(
            {
                "index": index,
                "name": m["buyer"]["name"],
                "siret": m["buyer"].get("siret"),
                "status": o["status"],
                "css": {"obligé": "bad", "non obligé": "ok"}.get(o["status"], "warn"),
                "spend": o["spend"]["total"],
                "estimate": o["spend"]["is_estimate"],
                "threshold": o["threshold"],
                "year": m["year"],
            }
        )
    members.sort(key=lambda r: (r["status"] != "obligé", r["name"]))
    return {
        "at": joint["at"],
        "allowed": joint["allowed"],
        "members": members,
        "obliged": sum(1 for r in members if r["status"] == "obligé"),
        "warnings": joint["warnings"],
        "contents": [{"label": c["label"], "articles": c["articles"]} for c in joint["required_contents"]],
        "references": [_ref_text(r) for r in joint["references"]],
    }
