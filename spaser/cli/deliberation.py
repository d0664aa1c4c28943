"""``spaser deliberation``: the draft act adopting the scheme (.docx)."""

from __future__ import annotations

import argparse

from spaser.cli.draft import register_document


def _write(portfolio, path, *, result, **kw):  # type: ignore[no-untyped-def]
    from spaser.documents import write_deliberation

    return write_deliberation(portfolio, path, **kw)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    register_document(
        sub,
        "deliberation",
        help="projet de délibération adoptant le SPASER (Word)",
        description=(
            "Produit le projet d'acte adoptant le schéma : délibération du conseil municipal, communautaire "
            "ou métropolitain, départemental, régional, du conseil d'administration ou de surveillance, "
            "ou arrêté pour l'État, selon le type d'acheteur (option --buyer-kind ou configuration)."
        ),
        default_out="deliberation.docx",
        year_help="année civile examinée pour l'obligation (défaut : dernière année complète)",
        label="Projet de délibération",
        write=_write,
    )
