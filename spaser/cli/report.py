"""``spaser report``: the yearly follow-up report (bilan annuel) and the indicators to publish."""

from __future__ import annotations

import argparse
import time

from spaser.cli._common import add_common, add_input, add_law, add_output, check_outputs, law_of, output_path, parse_date, progress_step, year_arg
from spaser.cli.draft import config_of, done, portfolio_of


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="bilan annuel du SPASER (Word) et indicateurs à publier (CSV, xlsx)",
        description=(
            "Produit le bilan annuel prévu par l'article L2111-3 : indicateurs de l'année comparés aux "
            "objectifs du schéma (fichier de configuration), en nombre et en valeur. Avec --csv et --xlsx, "
            "écrit aussi le tableau des indicateurs à publier tous les deux ans (années N-1 et N)."
        ),
    )
    add_input(p)
    p.add_argument("--year", metavar="ANNÉE", type=year_arg, required=True, help="année du bilan (marchés notifiés cette année-là)")
    add_output(p, default="bilan.docx")
    p.add_argument("--csv", metavar="FICHIER", help="écrire aussi les indicateurs en CSV (UTF-8, séparateur « ; »)")
    p.add_argument("--xlsx", metavar="FICHIER", help="écrire aussi les indicateurs en classeur Excel")
    p.add_argument("--config", metavar="FICHIER", help="fichier de configuration TOML avec les objectifs du schéma")
    p.add_argument("--date", metavar="DATE", help="date du bilan, à laquelle le droit est lu (défaut : aujourd'hui)")
    add_law(p)
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.documents import write_annual_report, write_indicators_csv, write_indicators_xlsx
    started = time.perf_counter()
    check_outputs(args, args.out, args.csv, args.xlsx)
    at = parse_date(args.date)
    config = config_of(args)
    law = law_of(args, at or config.at)
    result, portfolio = portfolio_of(args)
    written = {}
    with progress_step("Bilan annuel"):
        with output_path(args.out, ".docx") as target:
            write_annual_report(portfolio, target, year=args.year, config=config, at=at, force=args.force, law=law)
        written["Bilan annuel"] = args.out
        if args.csv:
            with output_path(args.csv, ".csv") as target:
                write_indicators_csv(portfolio, target, year=args.year, config=config, at=at, force=args.force, law=law)
            written["Indicateurs (CSV)"] = args.csv
        if args.xlsx:
            with output_path(args.xlsx, ".xlsx") as target:
                write_indicators_xlsx(portfolio, target, year=args.year, config=config, at=at, force=args.force, law=law)
            written["Indicateurs (xlsx)"] = args.xlsx
    return done(args, result, written, started)
