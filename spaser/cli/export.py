"""``spaser export``: the analysis workbook (.xlsx)."""

from __future__ import annotations

import argparse

from spaser.cli._common import advice_progress
from spaser.cli.draft import register_document


def _write(portfolio, path, *, result, **kw):  # type: ignore[no-untyped-def]
    from spaser.documents import write_workbook

    return write_workbook(portfolio, path, report=result.report, progress=advice_progress, **kw)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    register_document(
        sub,
        "export",
        help="classeur d'analyse (Excel) : portefeuille, rapport d'import, indicateurs, objectifs, suggestions",
        description=(
            "Écrit un classeur Excel mis en forme : Portefeuille (les achats), Rapport d'import, Indicateurs "
            "(par année), Objectifs et écarts, Suggestions (achats à fort potentiel et clauses conseillées)."
        ),
        default_out="analyse.xlsx",
        year_help="année civile du diagnostic (défaut : dernière année complète)",
        label="Classeur d'analyse",
        write=_write,
    )
