"""``spaser deliberation``: the draft act adopting the scheme (.docx)."""

from __future__ import annotations

import argparse
import time

from spaser.cli._common import add_common, add_input, add_output, parse_date
from spaser.cli.draft import add_document_options, config_of, done, portfolio_of


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "deliberation",
        help="projet de délibération adoptant le SPASER (Word)",
        description=(
            "Produit le projet d'acte adoptant le schéma : délibération du conseil municipal, communautaire "
            "ou métropolitain, départemental, régional, du conseil d'administration ou de surveillance, "
            "ou arrêté pour l'État, selon le type d'acheteur (option --buyer-kind ou configuration)."
        ),
    )
    add_input(p)
    add_output(p, default="deliberation.docx")
    add_document_options(p, year_help="année civile examinée pour l'obligation (défaut : dernière année complète)")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.documents import write_deliberation
    from spaser.io.safe import check_target

    started = time.perf_counter()
    check_target(args.out, force=args.force)
    config = config_of(args)
    result, portfolio = portfolio_of(args)
    write_deliberation(portfolio, args.out, config=config, year=args.year, at=parse_date(args.date), force=args.force)
    return done(args, result, {"Projet de délibération": args.out}, started)
