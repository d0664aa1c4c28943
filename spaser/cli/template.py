"""``spaser template``: write the empty import workbook to fill in."""

from __future__ import annotations

import argparse

from spaser.cli._common import FrenchParser, add_output, check_outputs, output_path, summary_stream, say

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p: FrenchParser = sub.add_parser(
        "template",
        help="écrire le modèle de tableau d'achats à remplir (.xlsx)",
        description=(
            "Écrit un classeur vide au format attendu par spaser : feuille « Achats » (une ligne par marché ou lot, "
            "listes déroulantes pour les valeurs fermées) et feuille « Aide » (explication de chaque colonne)."
        ),
    )
    add_output(p, default="achats_modele.xlsx")
    p.add_argument("--debug", action="store_true", help="afficher la trace complète en cas d'erreur")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.io.template import write_template

    check_outputs(args, args.out)
    with output_path(args.out, ".xlsx") as target:
        path = write_template(target, force=args.force)
    shown = path if args.out != "-" else "sortie standard"
    out = summary_stream(args.out)
    say(f"Modèle écrit : {shown}", file=out)
    say("Remplissez la feuille « Achats » (seule la colonne « Montant HT » est obligatoire), puis : spaser inspect " + (str(path) if args.out != "-" else "FICHIER"), file=out)
    return 0
