"""``spaser draft``: the SPASER draft (.docx) from a buyer's purchases."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from spaser.cli._common import (
    advice_progress,
    say,
    add_common,
    add_input,
    add_law,
    add_output,
    check_outputs,
    exit_code,
    law_of,
    load_input,
    output_path,
    parse_date,
    print_json,
    progress_step,
    require_portfolio,
    summary_stream,
    year_arg,
)


def add_document_options(p: argparse.ArgumentParser, *, year_help: str) -> None:
    """Options shared by the document commands."""
    p.add_argument("--config", metavar="FICHIER", help="fichier de configuration TOML (voir examples/spaser.toml)")
    p.add_argument("--year", metavar="ANNÉE", type=year_arg, help=year_help)
    p.add_argument("--date", metavar="DATE", help="date du document, à laquelle le droit est lu (défaut : celle de la configuration, sinon aujourd'hui)")


def portfolio_of(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """(import result, portfolio); the French error naming the buyers when the file holds several."""
    result, portfolio = load_input(args)
    return result, require_portfolio(result, portfolio)


def config_of(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from spaser.documents import DocumentConfig, load_config

    return load_config(args.config) if args.config else DocumentConfig()


def done(args: argparse.Namespace, result, written: dict[str, str], started: float) -> int:  # type: ignore[no-untyped-def]
    out = summary_stream(*written.values())  # standard error when a document took standard output
    if args.json:
        print_json({"fichiers": written, "import": result.report.to_dict(), "duree_secondes": round(time.perf_counter() - started, 2)}, file=out)
    else:
        say(f"Import : {result.report.summary_fr()}", file=out)
        for what, path in written.items():
            say(f"{what} : {'sortie standard' if path == '-' else path}", file=out)
    return exit_code(args, result)


def register_document(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    *,
    help: str,  # noqa: A002 - argparse's word
    description: str,
    default_out: str,
    year_help: str,
    label: str,
    write: Callable[..., object],
) -> None:
    """A command that writes one document from a file: the same options and flow for each."""

    def run(args: argparse.Namespace) -> int:
        started = time.perf_counter()
        check_outputs(args, args.out)  # before the import: fail fast
        config = config_of(args)
        at = parse_date(args.date)
        law = law_of(args, at or config.at)  # before the import: a bad hypothesis fails fast
        result, portfolio = portfolio_of(args)
        with progress_step(label), output_path(args.out, os.path.splitext(default_out)[1]) as target:
            write(portfolio, target, result=result, config=config, year=args.year, at=at, force=args.force, law=law)
        return done(args, result, {label: args.out}, started)

    p = sub.add_parser(name, help=help, description=description)
    add_input(p)
    add_output(p, default=default_out)
    add_document_options(p, year_help=year_help)
    add_law(p)
    add_common(p)
    p.set_defaults(func=run)


def _write_draft(portfolio, path, *, result, **kw):  # type: ignore[no-untyped-def]
    from spaser.documents import write_draft

    return write_draft(portfolio, path, report=result.report, progress=advice_progress, **kw)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    register_document(
        sub,
        "draft",
        help="projet de SPASER (Word) : cadre juridique, diagnostic, objectifs, plan d'action",
        description=(
            "Produit un projet de schéma de promotion des achats publics socialement et écologiquement "
            "responsables (SPASER, art. L2111-3) au format Word : page de garde, sommaire, cadre juridique "
            "à la date, diagnostic chiffré avec graphiques, objectifs année par année, plan d'action, "
            "gouvernance, suivi et annexes. Les passages « [à compléter] » sont à préciser par vos services."
        ),
        default_out="spaser.docx",
        year_help="année civile du diagnostic (défaut : dernière année complète présente dans les données)",
        label="Projet de SPASER",
        write=_write_draft,
    )
