"""``spaser law``: the legal parameters in force at a date, with their references."""

from __future__ import annotations

import argparse
from datetime import date

from spaser.cli._common import add_common, parse_date, print_json, say


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "law",
        help="paramètres juridiques en vigueur à une date (seuils, taux, cibles) et leurs références",
        description=(
            "Liste les paramètres juridiques (seuils, taux, cibles, dates de bascule) en vigueur à une date, "
            "avec leur texte de référence. Les valeurs non vérifiées dans le texte officiel sont marquées « à confirmer »."
        ),
    )
    p.add_argument("--date", metavar="DATE", help="date à laquelle lire le droit (AAAA-MM-JJ ou JJ/MM/AAAA ; défaut : aujourd'hui)")
    p.add_argument("--prefix", metavar="NOM", help="ne lister que les paramètres sous ce nom (ex. spaser, pnad, seuils_europeens)")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.law import params
    from spaser.law.format import format_date, format_value

    at = parse_date(args.date) or date.today()
    rows = params.in_force(at, prefix=args.prefix)
    if args.json:
        print_json(
            {
                "date": at,
                "parameters": [
                    {"name": p.name, "description": p.description, "unit": p.unit, "kind": p.kind, **v.to_dict()} for p, v in rows
                ],
            }
        )
        return 0
    kinds = {"law": "droit", "practice": "pratique (valeur par défaut, pas une règle)", "context": "contexte"}
    say(f"Paramètres en vigueur au {format_date(at)} : {len(rows)}")
    if not rows:
        say("Aucun paramètre en vigueur à cette date (les règles encodées sont postérieures).")
        return 0
    say("(« à confirmer » : valeur non vérifiée dans le texte officiel, à ne pas présenter comme certaine)")
    for p, v in rows:
        say()
        flag = "  [à confirmer]" if v.to_confirm else ""
        say(f"{p.name} — {p.description}{flag}")
        say(f"  valeur : {format_value(v.value, p.unit)} (depuis le {format_date(v.start)} ; {kinds[p.kind]})")
        for r in v.references:
            url = f" <{r.url}>" if r.url else ""
            say(f"  référence : {r}{url} (vérifiée le {format_date(r.checked)})")
        if v.note:
            say(f"  note : {v.note}")
    return 0
