"""The ``spaser`` command: parse, call the public API, print in French.

Each subcommand lives in its own module of this package with
``register(subparsers)``; it parses, calls the library, prints. No logic of
its own. Exit codes are listed in ``spaser._errors.EXIT_CODES``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence

from spaser._errors import EXIT_CODES, SpaserError
from spaser.cli import _progress as progress
from spaser.cli._common import FrenchParser, ensure_utf8_output, print_error, print_json_error

__all__ = ["main", "console", "build_parser"]

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


# Steps of the progress bar (spaser.cli._progress) per command: the import, then the work.
_STEPS = {"inspect": 1, "check": 2, "suggest": 2, "draft": 2, "deliberation": 2, "report": 2, "export": 2}


def main(argv: Sequence[str] | None = None) -> int:
    ensure_utf8_output()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    FrenchParser.argv = argv  # for « did you mean » and JSON errors, in every sub-parser
    try:
        args = parser.parse_args(argv)
    finally:
        FrenchParser.argv = None
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = getattr(args, "debug", False)
    as_json = bool(getattr(args, "json", False))
    progress.plan(_STEPS.get(args.command, 0))
    try:
        return int(args.func(args) or 0)
    except SpaserError as e:
        progress.finish()
        if debug:
            raise
        code = 2 if e.code == "usage" else e.exit_code
        if as_json:
            print_json_error(str(e), code=e.code, exit_code=code, error=e)
        else:
            print_error(str(e))
        return code
    except BrokenPipeError:
        # The reader went away (`spaser ... | head`): stop quietly, as Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        progress.finish()
        print_error("interrompu.")
        return 130
    except Exception as e:  # noqa: BLE001 - the promise: no traceback without --debug
        progress.finish()
        if debug:
            raise
        message = f"erreur interne inattendue ({type(e).__name__}: {e}). Relancez avec --debug pour le détail."
        if as_json:
            print_json_error(message, code="internal", exit_code=1)
        else:
            print_error(message)
        return 1
    finally:
        progress.finish()


def console() -> None:
    """The ``spaser`` program (and ``python -m spaser``): :func:`main`, then the process ends.

    The objects still alive are left to the system rather than freed one by one: the
    interpreter's last collection would walk and free every purchase (about 1.5 s at
    100 000 purchases, after the work is done). Output files are already closed
    (spaser.io.safe); the standard streams are flushed at exit as usual.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
