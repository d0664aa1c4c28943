"""``spaser serve``: the local web page (import, report, diagnosis, suggestions, documents)."""

from __future__ import annotations

import argparse
import sys
import webbrowser

from spaser._errors import SpaserError, UsageError
from spaser.cli._common import say

DEFAULT_PORT = 8765


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "serve",
        help="ouvrir la page web locale (import, diagnostic, suggestions, documents)",
        description=(
            "Lance un serveur web local pour utiliser spaser dans le navigateur. "
            "Par défaut il n'écoute que sur cet ordinateur (127.0.0.1) ; les fichiers importés "
            "restent en mémoire et ne sont envoyés nulle part. Arrêt : Ctrl+C."
        ),
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="PORT", help=f"port d'écoute (défaut : {DEFAULT_PORT} ; 0 = un port libre)")
    p.add_argument("--host", default="127.0.0.1", metavar="ADRESSE", help="adresse d'écoute (défaut : 127.0.0.1, cet ordinateur seulement)")
    p.add_argument("--no-browser", action="store_true", help="ne pas ouvrir le navigateur automatiquement")
    p.add_argument("--verbose", action="store_true", help="afficher chaque requête reçue")
    p.add_argument("--debug", action="store_true", help="afficher la trace complète des erreurs internes (dans le terminal)")
    p.add_argument("--liste", metavar="FICHIER", action="append", default=None,
                   help="liste officielle de fournisseurs appliquée à chaque import (voir spaser suppliers --help) ; répétable")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.web import make_server

    if not 0 <= args.port <= 65535:
        raise UsageError(f"Port « {args.port} » invalide : choisissez un nombre entre 1 et 65535.")
    if args.liste:
        from spaser.suppliers import load_list

        for spec in args.liste:  # fail now, with the French message, not at the first import
            load_list(spec, wanted=set())
    try:
        server = make_server(host=args.host, port=args.port, verbose=args.verbose, debug=args.debug, lists=tuple(args.liste or ()))
    except OSError as e:
        raise SpaserError(
            f"Impossible d'écouter sur {args.host}:{args.port} ({e.strerror or e}) : le port est peut-être déjà utilisé, "
            "choisissez-en un autre avec --port.",
            code="serve-failed",
        ) from None
    url = server.url
    say(f"spaser : page web disponible à l'adresse {url}", flush=True)
    if not server.check_host:
        say(
            "spaser : attention, le serveur écoute sur une adresse accessible depuis le réseau : "
            "toute personne qui peut joindre cette adresse peut importer des fichiers.",
            file=sys.stderr,
        )
    say("spaser : Ctrl+C pour arrêter le serveur.", flush=True)
    if not args.no_browser:
        try:
            webbrowser.open(url)
        except Exception:  # noqa: BLE001 - no browser is not an error: the address is printed
            pass
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("\nspaser : serveur arrêté.")
    finally:
        server.server_close()
    return 0
