"""The yearly follow-up report (bilan annuel, .docx) from an :class:`AnnualReportView`."""

from __future__ import annotations

from decimal import Decimal

from spaser.documents._compose import Composer, compose_document, section_markup
from spaser.documents._docx import TableSpec
from spaser.documents.draft import history_table, indicators_table
from spaser.documents._text import render_template
from spaser.documents.views import AnnualReportView, ReportRow
from spaser.money import format_number, format_percent

__all__ = ["render_annual_report"]


def report_value(r: ReportRow, v: Decimal | None) -> str:
    if v is None:
        return "n.d." if r.unit == "hours" or r.objective is not None else "—"
    return format_number(v) + "\u00a0h" if r.unit == "hours" else format_percent(v)


def report_gap(r: ReportRow) -> str:
    if r.gap is None:
        return ""
    if r.unit == "hours":
        return ("+" if r.gap > 0 else "") + format_number(r.gap) + " h"
    return ("+" if r.gap > 0 else "") + format_number(r.gap * 100, 1) + " pts"


def render_annual_report(view: AnnualReportView) -> bytes:
    ctx = {"v": view}

    def body(composer: Composer) -> list:  # type: ignore[type-arg]
        markup = render_template("bilan/corps.md.j2", ctx)
        if "bilan" in view.texts:
            markup += "\n\n" + section_markup("bilan", "", ctx, view.texts, file=view.config_file)
        return composer.render(markup)

    return compose_document(render_template("bilan/couverture.md.j2", ctx), body, tables=_tables(view), charts=_charts(view), reference=view.reference_docx)


def _tables(v: AnnualReportView):  # type: ignore[no-untyped-def]
    def bilan(_: list[str]) -> TableSpec | None:
        if not v.rows:
            return None
        rows = [[r.label, r.basis, report_value(r, r.objective) if r.objective is not None else "—",
                 ("inconnues" if r.unit == "hours" and r.achieved is None else report_value(r, r.achieved)), report_gap(r), r.status]
                for r in v.rows]
        return TableSpec(["Indicateur", "Base", f"Objectif {v.year}", "Réalisé", "Écart", "Statut"], rows,
                         align="llrrrl", widths_cm=[6.4, 1.6, 2.1, 2.1, 1.9, 2.3],
                         caption=f"Indicateurs {v.year} comparés aux objectifs du schéma")

    def indicateurs(_: list[str]) -> TableSpec | None:
        return indicators_table(v.indicators, f"Indicateurs de l'année {v.year}")

    def historique(_: list[str]) -> TableSpec | None:
        return history_table(v.history, "Évolution par année de notification")

    return {"bilan": bilan, "indicateurs": indicateurs, "historique": historique}


def _charts(v: AnnualReportView):  # type: ignore[no-untyped-def]
    from spaser.documents import charts as ch

    def bilan(_: list[str]) -> tuple[bytes, str] | None:
        rows = [r for r in v.rows if r.unit == "pct" and r.objective is not None][:6]
        if not rows:
            return None
        labels = [f"{r.short or r.label} ({r.basis})" for r in rows]
        png = ch.bar_chart(labels, [("Objectif", [r.objective for r in rows]), ("Réalisé", [r.achieved for r in rows])],
                           unit="pct", size=(7.0, 3.4))
        return png, f"Objectifs et réalisations {v.year}"

    def historique(_: list[str]) -> tuple[bytes, str] | None:
        png = ch.history_chart(v.history)
        return (png, "Part des marchés comportant une considération (en nombre, mesure nationale)") if png else None

    return {"bilan": bilan, "historique": historique}
