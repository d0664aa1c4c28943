"""``spaser export``: the analysis workbook (.xlsx)."""

from __future__ import annotations

import argparse
import time

from spaser.cli._common import add_common, add_input, add_output, parse_date
from spaser.cli.draft import add_document_options, config_of, done, portfolio_of


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export",
        help="classeur d'analyse (Excel) : portefeuille, rapport d'import, indicateurs, objectifs, suggestions",
        description=(
            "Écrit un classeur Excel mis en forme : Portefeuille (les achats), Rapport d'import, Indicateurs "
            "(par année), Objectifs et écarts, Suggestions (achats à fort potentiel et clauses conseillées)."
        ),
    )
    add_input(p)
    add_output(p, default="analyse.xlsx")
    add_document_options(p, year_help="année civile du diagnostic (défaut : dernière année complète)")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.documents import write_workbook
    from spaser.io.safe import check_target

    started = time.perf_counter()
    check_target(args.out, force=args.force)
    config = config_of(args)
    result, portfolio = portfolio_of(args)
    write_workbook(portfolio, args.out, report=result.report, config=config, year=args.year, at=parse_date(args.date), force=args.force)
    return done(args, result, {"Classeur d'analyse": args.out}, started)
