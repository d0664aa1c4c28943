"""``spaser check``: the legal diagnosis of a buyer's purchases, in French."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from spaser.cli._common import (
    say,
    add_common,
    add_input,
    add_law,
    exit_code,
    law_of,
    load_input,
    parse_date,
    print_json,
    progress_step,
    require_portfolio,
    year_arg,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "check",
        help="diagnostic juridique : obligation de SPASER, objectifs nationaux, conformité par contrat",
        description=(
            "Lit les achats d'un acheteur et dit, à une date : s'il est obligé d'adopter un SPASER "
            "(L2111-3, D2111-3), où il en est des objectifs nationaux (PNAD, EGalim, AGEC) et quels contrats "
            "ne respectent pas les obligations par contrat de la loi Climat et résilience. Chaque point cite son article."
        ),
    )
    add_input(p)
    p.add_argument("--year", metavar="ANNÉE", type=year_arg, help="année civile examinée (défaut : dernière année complète présente dans les données)")
    p.add_argument("--date", metavar="DATE", help="date à laquelle lire le droit (défaut : aujourd'hui)")
    p.add_argument("--joint", action="store_true", help="schéma commun : diagnostic de chaque acheteur du fichier (L2111-3, depuis le 25/10/2023)")
    p.add_argument("--agec-taux", metavar="FICHIER", help="table des taux AGEC art. 58 complétée par vous (CSV ou YAML : categorie, type, annee, taux)")
    p.add_argument("--lignes-depense", dest="spend_lines", action="store_true",
                   help="avec --json : la dépense comptée pour chaque achat (une ligne par achat ; volumineux)")
    add_law(p)
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.law import check, check_joint, load_agec_rates
    from spaser.law.report import render_joint_text, render_text

    at = parse_date(args.date)  # a bad date is refused before the import
    result, portfolio = load_input(args)
    rates = load_agec_rates(args.agec_taux) if args.agec_taux else None
    law = law_of(args, at)
    key: str
    data: dict[str, Any]
    text: Callable[[], str]
    if args.joint:
        members = [portfolio] if portfolio is not None and args.buyer else list(result.portfolios)
        if args.liste or args.en_ligne:  # each member classified with the lists (its own suppliers and kind)
            from spaser.cli.suppliers import classify_members

            members = classify_members(args, members)
        with progress_step("Diagnostic de chaque acheteur"):
            joint = check_joint(members, year=args.year, at=at, agec_rates=rates, law=law)
        key, text = "joint", lambda: render_joint_text(joint)
        data = joint.to_dict() if args.json else {}
    else:
        portfolio = require_portfolio(result, portfolio)
        with progress_step("Diagnostic"):
            diagnosis = check(portfolio, year=args.year, at=at, agec_rates=rates, law=law)
        key, text = "diagnosis", lambda: render_text(diagnosis)
        data = diagnosis.to_dict(spend_lines=args.spend_lines) if args.json else {}
    suppliers = _suppliers(result, portfolio if not args.joint else None)
    if args.json:
        print_json({"import": result.report.to_dict(), key: data, **({"suppliers": suppliers[0]} if suppliers else {})})
    else:
        say(f"Import : {result.report.summary_fr()}")
        say()
        say(text())
        if suppliers:
            say()
            say("\n".join(suppliers[1]))
    return exit_code(args, result)


def _suppliers(result, portfolio) -> tuple[dict, list[str]] | None:  # type: ignore[no-untyped-def]
    """(JSON, text lines) of the supplier section: lists given (--liste), or a buyer of unknown kind."""
    from spaser.cli.suppliers import CLASSIFICATION
    from spaser.suppliers import GENERIC_BUYER_NOTE, supplier_indicators
    from spaser.suppliers.render import render_buyer, render_indicators, render_lists

    c = result.extra.get(CLASSIFICATION)
    if c is None:
        if portfolio is None or portfolio.buyer.kind.value != "autre":
            return None
        return {"buyer": {"generic": True, "note": GENERIC_BUYER_NOTE}}, [GENERIC_BUYER_NOTE]
    ind = supplier_indicators(c)
    lines = ["FOURNISSEURS : ESUS ET ENTREPRISES INCLUSIVES (L2111-3, objectifs cibles)", *("   " + x for x in render_lists(c)),
             *("   " + x for x in render_buyer(c)), *("   " + x for x in render_indicators(ind, c))]
    return {**c.to_dict(), "indicators": ind.to_dict()}, lines
