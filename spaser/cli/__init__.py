"""The ``spaser`` command: parse, call the public API, print in French.

Each subcommand lives in its own module of this package with
``register(subparsers)``; it parses, calls the library, prints. No logic of
its own. Exit codes are listed in ``spaser._errors.EXIT_CODES``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from spaser._errors import EXIT_CODES, SpaserError
from spaser.cli._common import FrenchParser, print_error

__all__ = ["main", "build_parser"]

# One module per subcommand, in the order of --help.
COMMANDS = [
    "inspect",
    "template",
    "law",
    "check",
    "suppliers",
    "suggest",
    "draft",
    "deliberation",
    "report",
    "export",
    "scan",
    "serve",
]


def build_parser() -> argparse.ArgumentParser:
    epilog = "Codes de sortie :\n" + "\n".join(f"  {k}  {v}" for k, v in EXIT_CODES.items())
    parser = FrenchParser(
        prog="spaser",
        description="Achats publics socialement et écologiquement responsables : import, diagnostic, conseils, SPASER.",
        epilog=epilog,
    )
    parser.add_argument("--version", action="version", version=f"spaser {_version()}", help="afficher la version et quitter")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes", parser_class=FrenchParser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"spaser.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"spaser.cli.{name}":
                raise
            continue  # command not built yet in this checkout
        module.register(sub)
    return parser


def _version() -> str:
    from spaser import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = getattr(args, "debug", False)
    try:
        return int(args.func(args) or 0)
    except SpaserError as e:
        if debug:
            raise
        print_error(str(e))
        return e.exit_code
    except BrokenPipeError:
        # The reader went away (`spaser ... | head`): stop quietly, as Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print_error("interrompu.")
        return 130
    except Exception as e:  # noqa: BLE001 - the promise: no traceback without --debug
        if debug:
            raise
        print_error(f"erreur interne inattendue ({type(e).__name__}: {e}). Relancez avec --debug pour le détail.")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
