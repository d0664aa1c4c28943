"""The SPASER draft (.docx), rendered from a :class:`~spaser.documents.views.DraftView`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from spaser.documents._compose import Composer, compose_document, section_markup
from spaser.documents._docx import TableSpec
from spaser.documents._text import render_template
from spaser.documents.views import DraftView, IndicatorRow, ObjectiveRow, YearIndicators
from spaser.money import format_eur, format_number, format_percent

__all__ = ["render_draft", "DRAFT_SECTIONS"]

# Chapters in order; each is templates/draft/<key>.md.j2 unless [textes] replaces it.
DRAFT_SECTIONS = ("avant_propos", "preambule", "contexte", "diagnostic", "objectifs", "plan", "gouvernance", "suivi", "annexes")


def eur(v: Decimal | None) -> str:
    return "n.d." if v is None else format_eur(v, cents=False)


def pct(v: Decimal | None) -> str:
    return format_percent(v)


def objective_value(o: ObjectiveRow, v: Decimal | None) -> str:
    if v is None:
        return "à fixer"
    return format_number(v) if o.unit == "hours" else format_percent(v, 0 if v * 100 == int(v * 100) else 1)


def _indicator_cells(r: IndicatorRow) -> list[str]:
    if r.unit == "hours":
        return [r.label, "inconnues" if r.count is None else format_number(r.count) + "\u00a0h", "", "", ""]
    if r.unit == "count":
        return [r.label, format_number(r.count or 0), "", "", ""]
    return [
        r.label,
        "n.d." if r.count is None else format_number(r.count),
        pct(r.count_share),
        eur(r.amount),
        pct(r.value_share),
    ]


def indicators_table(indicators: Sequence[IndicatorRow], caption: str) -> TableSpec | None:
    """The indicators of a year (the draft and the yearly report show the same table)."""
    if not indicators:
        return None
    return TableSpec(["Indicateur", "Nombre", "Part en nombre", "Montant HT", "Part en valeur"],
                     [_indicator_cells(r) for r in indicators], align="lrrrr", widths_cm=[7, 1.8, 2.2, 3, 2.2], caption=caption)


def history_table(history: Sequence[YearIndicators], caption: str) -> TableSpec | None:
    """The indicators year by year, when there are two years at least."""
    if len(history) < 2:
        return None
    rows = [[str(h.year), format_number(h.contracts), eur(h.amount), pct(h.social_count_share),
             pct(h.environmental_count_share), pct(h.unknown_share)] for h in history]
    return TableSpec(["Année", "Marchés (tous)", "Montant HT", "Social, en nombre (mesure nationale)", "Environnement, en nombre (mesure nationale)", "Considération inconnue"],
                     rows, align="rrrrrr", caption=caption)


# The objectives table's « Source » column (the text under the table says what each means).
_SOURCES = {"proposition": "proposé", "acheteur": "fixé", "à fixer": "à fixer"}


def _gap_text(gap: Decimal | None) -> str:
    if gap is None:
        return "n.d."
    return "atteinte" if gap <= 0 else format_number(gap * 100, 1) + " pts"


def render_draft(view: DraftView) -> bytes:
    """The .docx bytes of the draft."""
    ctx = {"v": view}

    def body(composer: Composer) -> list:  # type: ignore[type-arg]
        markup = "\n\n".join(section_markup(key, f"draft/{key}.md.j2", ctx, view.texts, file=view.config_file)
                             for key in DRAFT_SECTIONS)
        return composer.render(markup)  # numbered over the whole document

    return compose_document(render_template("draft/couverture.md.j2", ctx), body, tables=_tables(view), charts=_charts(view), reference=view.reference_docx)


def _tables(v: DraftView):  # type: ignore[no-untyped-def]
    def exigences(_: list[str]) -> TableSpec:
        return TableSpec(["Exigence (article L2111-3)", "Référence", "Dans ce document"],
                         [[r.label, r.reference, r.where] for r in v.requirements], widths_cm=[7.4, 5.0, 4.0],
                         caption="Contenu exigé par l'article L2111-3 et réponse du présent document")

    def cibles(_: list[str]) -> TableSpec | None:
        if not v.national_targets:
            return None
        rows = [[t.label + (" [à confirmer]" if t.to_confirm else ""), t.basis, format_percent(t.rate, 0),
                 str(t.horizon or ""), pct(t.current), _gap_text(t.gap),
                 t.reference] for t in v.national_targets]
        return TableSpec(["Cible", "Base", "Cible", "Échéance", "Situation actuelle", "Écart", "Référence"], rows,
                         align="llrrrrl", widths_cm=[4.2, 1.5, 1.3, 1.8, 1.9, 1.7, 4.0],
                         caption="Cibles nationales et situation de l'acheteur")

    def volumes_nature(_: list[str]) -> TableSpec | None:
        if not v.by_nature:
            return None
        rows = [[r.label, format_number(r.count), eur(r.amount), pct(r.share)] for r in v.by_nature]
        total = ["Total", format_number(sum(r.count for r in v.by_nature)), eur(v.total_amount), pct(Decimal(1))]
        return TableSpec(["Nature", "Nombre d'achats", "Montant HT", "Part du montant"], rows, align="lrrr",
                         total=total, caption="Achats par nature")

    def volumes_cpv(_: list[str]) -> TableSpec | None:
        if not v.by_division:
            return None
        rows = [[r.code, r.label, format_number(r.count), eur(r.amount), pct(r.share)] for r in v.by_division]
        return TableSpec(["Division", "Domaine d'achat (CPV)", "Nombre", "Montant HT", "Part"], rows, align="llrrr",
                         widths_cm=[1.6, 7.4, 1.8, 3.2, 1.8], caption="Principaux domaines d'achat (divisions CPV)")

    def indicateurs(_: list[str]) -> TableSpec | None:
        return indicators_table(v.indicators, "Indicateurs" + (f" de l'année {v.year}" if v.year else ""))

    def historique(_: list[str]) -> TableSpec | None:
        return history_table(v.history, "Évolution des indicateurs par année de notification")

    def objectifs(_: list[str]) -> TableSpec | None:
        if not v.objectives:
            return None
        years = list(range(v.start, v.end + 1))
        rows = []
        for o in v.objectives:
            current = ("inconnu" if o.unit == "hours" else "n.d.") if o.current is None else objective_value(o, o.current)
            label = o.label + ("" if o.basis == "heures" else f", en {o.basis}")
            rows.append([label, current, *[objective_value(o, o.by_year.get(y)) for y in years], _SOURCES.get(o.source, o.source)])
        return TableSpec(["Indicateur", f"Actuel ({v.year})", *[str(y) for y in years], "Source"], rows,
                         align="lr" + "r" * len(years) + "l", caption=f"Objectifs cibles {v.start}-{v.end}")

    def action(args: list[str]) -> TableSpec | None:
        try:
            a = v.axes[int(args[0]) - 1].actions[int(args[1]) - 1]
        except (IndexError, ValueError):
            return None
        return TableSpec(["Pilote proposé", "Début proposé", "Indicateur de suivi"], [[a.owner, a.deadline, a.indicator]],
                         widths_cm=[4, 3.5, 9])

    def definitions(_: list[str]) -> TableSpec | None:
        rows = [[r.label, r.definition] for r in v.indicators if r.definition]
        return TableSpec(["Indicateur", "Définition"], rows, widths_cm=[5.5, 11]) if rows else None

    def references(_: list[str]) -> TableSpec | None:
        if not v.references:
            return None
        rows = [[r.article + (" [à confirmer]" if r.to_confirm else ""), r.title, r.subject] for r in v.references]
        return TableSpec(["Article", "Texte", "Objet"], rows, widths_cm=[3.5, 6.5, 6.5])

    def suggestions(_: list[str]) -> TableSpec | None:
        if not v.suggestions:
            return None
        rows = [[str(i), s.purchase_id, s.object, s.cpv, eur(s.amount), s.clauses]
                for i, s in enumerate(v.suggestions, 1)]
        return TableSpec(["N°", "Achat", "Objet", "CPV", "Montant HT", "Suggestions"], rows, align="lllrrl",
                         widths_cm=[0.8, 2.2, 4.6, 1.8, 2.3, 5.3], caption="Achats prioritaires et clauses suggérées")

    def calendrier(_: list[str]) -> TableSpec:
        # A proposed rhythm (practice, not law): the yearly report before the summer, a publication every
        # two years from the first full year, a mid-term review.
        published = ", ".join(str(y) for y in range(v.start + 1, v.end + 1, 2))
        rows = [
            ["Chaque année, de janvier à mars", "Collecte des données de l'année écoulée : considérations de chaque marché, titulaires (ESS, SIAE, EA, ESAT), heures d'insertion transmises par le facilitateur"],
            ["Chaque année, avant l'été", f"Bilan annuel présenté au comité de pilotage, puis au {v.assembly} ; rencontre avec les acteurs du territoire"],
            ["Chaque année, à l'automne", "Programmation des achats de l'année suivante et repérage des marchés à clauses ou à réserver"],
            [published or str(v.end), "Publication des indicateurs sur le site internet (format ouvert)"],
            [str((v.start + v.end) // 2), "Bilan à mi-parcours et, si besoin, révision du schéma"],
            [str(v.end), "Bilan final et préparation du schéma suivant"],
        ]
        return TableSpec(["Échéance", "Étape"], rows, widths_cm=[4.4, 12], caption="Calendrier de suivi du schéma")

    return {"calendrier": calendrier, "exigences": exigences, "cibles_nationales": cibles, "volumes_nature": volumes_nature,
            "volumes_cpv": volumes_cpv, "indicateurs": indicateurs, "historique": historique,
            "objectifs": objectifs, "action": action, "definitions": definitions, "references": references,
            "suggestions": suggestions}


def _charts(v: DraftView):  # type: ignore[no-untyped-def]
    from spaser.documents import charts as ch

    million = Decimal(1_000_000)

    def nature(_: list[str]) -> tuple[bytes, str] | None:
        if not v.by_nature:
            return None
        png = ch.bar_chart([r.label for r in v.by_nature], [("Montant HT", [r.amount / million for r in v.by_nature])],
                           unit="meur", size=(6.5, 2.5))
        return png, "Montant des achats par nature (millions d'euros HT)"

    def cpv(_: list[str]) -> tuple[bytes, str] | None:
        top = v.by_division[:10]
        if not top:
            return None
        png = ch.bar_chart([f"{r.code} {r.label}" for r in top], [("Montant HT", [r.amount / million for r in top])],
                           unit="meur", horizontal=True, size=(7.0, 0.55 * len(top) + 0.9))
        return png, "Principaux domaines d'achat (millions d'euros HT)"

    def indicateurs(_: list[str]) -> tuple[bytes, str] | None:
        short = {"social": "Considération sociale", "environnement": "Considération environnementale",
                 "reserves": "Marchés réservés", "inclusion": "Achats SIAE, EA, ESAT", "fournisseur:ESUS": "Achats ESUS"}
        rows = [r for r in v.indicators if r.key in short and (r.count_share is not None or r.value_share is not None)]
        if not rows:
            return None
        png = ch.bar_chart([_wrap(short[r.key], 13) for r in rows],
                           [("En nombre", [r.count_share for r in rows]), ("En valeur", [r.value_share for r in rows])],
                           unit="pct", size=(7.0, 3.2))
        return png, "Indicateurs de l'année, en nombre de marchés et en valeur (considérations : mesure nationale)"

    def historique(_: list[str]) -> tuple[bytes, str] | None:
        png = ch.history_chart(v.history)
        return (png, "Part des marchés comportant une considération, par année (en nombre, mesure nationale)") if png else None

    def trajectoire(_: list[str]) -> tuple[bytes, str] | None:
        years = list(range(v.start, v.end + 1))
        series = [(f"{o.short or o.label} ({o.basis})", [o.by_year.get(y) for y in years])
                  for o in v.objectives if o.unit == "pct" and any(o.by_year.get(y) is not None for y in years)][:6]
        if not series:
            return None
        return ch.line_chart(years, series, unit="pct", size=(7.0, 3.4)), "Trajectoire des objectifs cibles"

    return {"nature": nature, "cpv": cpv, "indicateurs": indicateurs, "historique": historique, "trajectoire": trajectoire}


def _wrap(label: str, width: int = 22) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3])
