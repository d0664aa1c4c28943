"""``spaser scan``: estimate every buyer's yearly spend from a (national) DECP file."""

from __future__ import annotations

import argparse
import sys
import time

from spaser.cli._common import STDOUT, add_common, check_outputs, output_path, print_json, summary_stream, year_arg, say
from spaser.scan import CSV_COLUMNS, SPEND_LABEL


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    columns = "\n".join(f"  {h} : {d}" for h, d in CSV_COLUMNS)
    p = sub.add_parser(
        "scan",
        help="repérer dans un fichier DECP les acheteurs probablement soumis au SPASER",
        description=(
            "Lit un fichier DECP (JSON 2019 ou 2024, XML 2024), même national et volumineux, sans le charger "
            f"en mémoire, et calcule pour chaque acheteur une {SPEND_LABEL}, comparée au seuil SPASER "
            "en vigueur au 31 décembre de l'année. C'est une estimation, jamais le chiffre légal "
            "(les dépenses réellement effectuées dans l'année)."
        ),
        epilog="Colonnes des fichiers CSV et xlsx :\n" + columns,
    )
    p.add_argument("file", metavar="FICHIER_DECP", help="données essentielles (.json, .xml)")
    p.add_argument("--year", type=year_arg, metavar="ANNÉE", help="année civile estimée (défaut : l'année comptant le plus de notifications)")
    p.add_argument("--csv", metavar="FICHIER", help="écrire le tableau complet en CSV (UTF-8, « ; »)")
    p.add_argument("--xlsx", metavar="FICHIER", help="écrire le tableau complet en classeur .xlsx")
    p.add_argument("--top", type=int, default=20, metavar="N", help="nombre d'acheteurs affichés (défaut : 20)")
    p.add_argument("--progress", action="store_true", help="afficher l'avancement même hors d'un terminal (automatique dans un terminal)")
    p.add_argument("--force", action="store_true", help="remplacer les fichiers de sortie s'ils existent déjà")
    add_common(p)
    p.set_defaults(func=run)


class _Progress:
    """Prints "N enregistrements lus" on stderr at most every 2 seconds."""

    def __init__(self) -> None:
        self.start = self.last = time.monotonic()

    def __call__(self, n: int) -> None:
        now = time.monotonic()
        if now - self.last >= 2:
            self.last = now
            count = f"{n:,}".replace(",", "\u202f")
            say(f"\rspaser scan : {count} enregistrements lus ({now - self.start:.0f} s)…", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        say("\r\033[K", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from spaser._errors import UsageError
    from spaser.cli._progress import enabled
    from spaser.scan import format_table, scan_decp, write_csv, write_xlsx

    if args.top < 0:
        raise UsageError("--top : un nombre positif est attendu.")
    # Refuse an existing output before a long read, not after.
    check_outputs(args, args.csv, args.xlsx)
    progress = _Progress() if (args.progress or enabled()) else None
    try:
        result = scan_decp(args.file, year=args.year, progress=progress)
    finally:
        if progress is not None:
            progress.done()
    if args.csv:
        with output_path(args.csv, ".csv") as target:
            write_csv(result, target, force=args.force)
    if args.xlsx:
        with output_path(args.xlsx, ".xlsx") as target:
            write_xlsx(result, target, force=args.force)
    out = summary_stream(args.csv, args.xlsx)
    if args.json:
        print_json(result.to_dict(), file=out)
    else:
        say(format_table(result, top=args.top), file=out)
        for label, target in (("CSV", args.csv), ("xlsx", args.xlsx)):
            if target and target != STDOUT:
                say(f"Tableau complet ({label}) écrit dans « {target} ».", file=out)
    return 0
