"""``spaser inspect FILE``: what was read, and what could not be.

Prints the buyer(s), counts, totals by year, nature and CPV division, and
the import report (problems with their location, a capped list with the
rest announced). ``--json`` gives the same content (amounts as strings).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from decimal import Decimal
from typing import Any

from spaser.cli._common import FrenchParser, add_common, add_input, exit_code, load_input, print_json, say

__all__ = ["register", "run", "summary", "render_text", "TEXT_ISSUES", "TOP_BUYERS"]

TEXT_ISSUES = 30  # problems listed in the text output (all are in --json, up to max_issues)
TOP_BUYERS = 20


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p: FrenchParser = sub.add_parser(
        "inspect",
        help="lire un fichier d'achats et afficher ce qui a été importé (et les problèmes)",
        description="Lit un tableur (.xlsx, .csv) ou des données DECP (.json, .xml) et affiche un résumé : acheteur(s), "
        "nombre de marchés, montants par année, par nature et par division CPV, et le rapport d'import.",
    )
    add_input(p)
    add_common(p)
    p.set_defaults(func=run)


def _merge(dicts: list[dict[Any, Decimal]]) -> dict[Any, Decimal]:
    out: dict[Any, Decimal] = defaultdict(Decimal)
    for d in dicts:
        for k, v in d.items():
            out[k] += v
    return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, str(kv[0]))))


def _division_label(div: str | None) -> str:
    from spaser import cpv

    if div is None:
        return "CPV inconnu"
    entry = cpv.table().get(div + "000000")
    return entry.label_fr if entry else f"Division {div}"


def summary(result: Any, portfolio: Any = None) -> dict[str, Any]:
    """The content of ``inspect`` as plain data (Decimal kept; the JSON printer turns it into strings)."""
    portfolios = [portfolio] if portfolio is not None else list(result.portfolios)
    buyers = sorted(result.portfolios, key=lambda p: p.total_ht, reverse=True)
    purchases = [p for pf in portfolios for p in pf.purchases]
    by_nature = _merge([pf.totals_by_nature() for pf in portfolios])
    by_div = _merge([pf.totals_by_cpv_division() for pf in portfolios])
    counts_year: dict[Any, int] = defaultdict(int)
    for p in purchases:
        counts_year[p.year] += 1
    return {
        "file": result.path,
        "formats": list(result.report.formats),
        "buyer_count": len(result.portfolios),
        "buyers": [
            {
                "name": pf.buyer.name,
                "siret": pf.buyer.siret,
                "kind": pf.buyer.kind.value,
                "kind_label": pf.buyer.kind.label,
                "purchases": len(pf),
                "total_ht": pf.total_ht,
            }
            for pf in buyers[:TOP_BUYERS]
        ],
        "buyers_not_listed": max(0, len(buyers) - TOP_BUYERS),
        "selected_buyer": portfolio.buyer.name if portfolio is not None else None,
        "purchases": len(purchases),
        "total_ht": sum((p.amount_ht for p in purchases if p.amount_ht is not None), Decimal(0)),
        "by_year": [
            {"year": y, "purchases": counts_year.get(y, 0), "total_ht": v}
            for y, v in _merge([pf.totals_by_year() for pf in portfolios]).items()
        ],
        "by_nature": [
            {"nature": n.value if n else None, "label": n.label if n else "Nature inconnue", "total_ht": v}
            for n, v in by_nature.items()
        ],
        "by_cpv_division": [
            {"division": d, "label": _division_label(d), "total_ht": v}
            for d, v in sorted(by_div.items(), key=lambda kv: kv[1], reverse=True)
        ],
        "spend_by_year": _merge([pf.spend_by_year() for pf in portfolios]),
        "social": _status_counts(purchases, "social_status"),
        "environmental": _status_counts(purchases, "environmental_status"),
        "report": result.report.to_dict(),
    }


def _status_counts(purchases: list[Any], attr: str) -> dict[str, int]:
    out = {"oui": 0, "non": 0, "inconnu": 0}
    for p in purchases:
        out[getattr(p, attr)] += 1
    return out


def render_text(s: dict[str, Any], report: Any) -> str:
    from spaser.money import format_eur, format_number

    lines = [f"Fichier : {s['file']} ({', '.join(s['formats'])})"]
    if s["buyer_count"] == 1:
        b = s["buyers"][0]
        lines.append(f"Acheteur : {b['name']}" + (f" (SIRET {b['siret']})" if b["siret"] else "") + f" — {b['kind_label']}")
    elif s["buyer_count"] > 1:
        lines.append(f"{format_number(s['buyer_count'])} acheteurs (les {len(s['buyers'])} premiers par montant) :")
        for b in s["buyers"]:
            lines.append(f"  - {b['name']} ({b['siret'] or 'SIRET inconnu'}) : {b['purchases']} marché(s), {format_eur(b['total_ht'], cents=False)} HT")
        if s["buyers_not_listed"]:
            lines.append(f"  ... et {s['buyers_not_listed']} autres acheteurs")
        if s["selected_buyer"]:
            lines.append(f"Acheteur retenu : {s['selected_buyer']}")
        else:
            lines.append("Totaux ci-dessous : tous acheteurs confondus (choisissez-en un avec --buyer SIRET).")
    lines.append(f"Marchés importés : {format_number(s['purchases'])}, pour {format_eur(s['total_ht'])} HT")
    if s["by_year"]:
        lines.append("\nPar année de notification :")
        for row in s["by_year"]:
            y = row["year"] if row["year"] is not None else "date inconnue"
            lines.append(f"  {y} : {format_number(row['purchases'])} marché(s), {format_eur(row['total_ht'], cents=False)} HT")
    if s["spend_by_year"]:
        lines.append("\nDépenses déclarées par année :")
        for y, v in s["spend_by_year"].items():
            lines.append(f"  {y} : {format_eur(v, cents=False)} HT")
    if s["by_nature"]:
        lines.append("\nPar nature :")
        for row in s["by_nature"]:
            lines.append(f"  {row['label']} : {format_eur(row['total_ht'], cents=False)} HT")
    if s["by_cpv_division"]:
        lines.append("\nPar division CPV (10 premières) :")
        for row in s["by_cpv_division"][:10]:
            d = row["division"] or "??"
            lines.append(f"  {d} {row['label']} : {format_eur(row['total_ht'], cents=False)} HT")
        if len(s["by_cpv_division"]) > 10:
            lines.append(f"  ... et {len(s['by_cpv_division']) - 10} autres divisions")
    if s["purchases"]:
        so, en = s["social"], s["environmental"]
        lines.append(f"\nConsidération sociale : oui {so['oui']}, non {so['non']}, inconnu {so['inconnu']}")
        lines.append(f"Considération environnementale : oui {en['oui']}, non {en['non']}, inconnu {en['inconnu']}")
    lines.append("\nRapport d'import : " + report.summary_fr())
    if report.counts:
        lines.append("Problèmes par type : " + ", ".join(f"{k} ({v})" for k, v in sorted(report.counts.items())))
    shown = report.issues[:TEXT_ISSUES]
    for it in shown:
        value = f" [valeur : {it.value}]" if it.value is not None else ""
        lines.append(f"  - {it.severity.value} : {it.location} : {it.message}{value}")
    rest = sum(report.counts.values()) - len(shown)
    if rest > 0:
        lines.append(f"  ... et {rest} autres problèmes (liste complète avec --json).")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    result, portfolio = load_input(args)
    s = summary(result, portfolio)
    if args.json:
        print_json(s)
    else:
        say(render_text(s, result.report))
    return exit_code(args, result)
