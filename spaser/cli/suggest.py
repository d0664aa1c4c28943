"""``spaser suggest``: clauses for one purchase (existing or planned), or a portfolio's opportunities."""

from __future__ import annotations

import argparse
import textwrap
from datetime import date
from typing import IO

from spaser._errors import UsageError
from spaser.cli._common import (
    advice_progress,
    say,
    STDOUT,
    add_common,
    add_input,
    check_outputs,
    exit_code,
    load_input,
    output_path,
    parse_date,
    months_arg,
    positive_int,
    print_json,
    progress_step,
    require_portfolio,
    summary_stream,
    year_arg,
)


_EPILOG = """exemples :
  spaser suggest achats.xlsx                      opportunités du portefeuille (les 20 premières)
  spaser suggest achats.xlsx --id M2024-017       clauses pour un achat du fichier
  spaser suggest --cpv 90910000 --amount "300 000" --object "Nettoyage des écoles" --date 2026-09-01
  spaser suggest achats.xlsx --xlsx conseils.xlsx --force
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "suggest",
        help="conseils de clauses : clauses sociales et environnementales, réservation, allotissement",
        description=(
            "Propose, pour un achat du fichier (--id) ou un achat en projet (--cpv, --amount, --object), les clauses "
            "adaptées : d'abord les obligatoires à la date de la consultation, puis les recommandées, avec leur "
            "justification, leur fondement juridique et un texte prêt à reprendre (RC, CCAP, CCTP). Sans --id ni --cpv, "
            "classe les achats du portefeuille selon leur potentiel et estime l'effet sur les indicateurs nationaux (PNAD)."
        ),
        epilog=_EPILOG,
    )
    add_input(p, file_required=False)
    g = p.add_argument_group("achat")
    g.add_argument("--id", metavar="ID", help="identifiant de l'achat du fichier à examiner")
    g.add_argument("--cpv", metavar="CODE", help="achat en projet : code CPV (ex. 90910000)")
    g.add_argument("--amount", metavar="MONTANT", help="achat en projet : valeur estimée HT (ex. « 300 000 »)")
    g.add_argument("--object", metavar="TEXTE", default="", help="achat en projet : objet du marché")
    g.add_argument("--duration", metavar="MOIS", type=months_arg, help="achat en projet : durée en mois")
    p.add_argument("--date", metavar="DATE", help="date de lancement de la consultation (défaut : celle de l'achat, sinon aujourd'hui)")
    p.add_argument("--year", metavar="ANNÉE", type=year_arg, help="portefeuille : année de notification examinée (défaut : dernière année complète)")
    p.add_argument("--top", metavar="N", type=positive_int, help="nombre maximal de suggestions ou d'achats affichés (portefeuille : 20 par défaut)")
    p.add_argument("--xlsx", metavar="FICHIER", help="exporter les suggestions dans un classeur .xlsx à partager (« - » : sur la sortie standard)")
    p.add_argument("--force", action="store_true", help="remplacer le classeur s'il existe déjà")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from spaser.clauses import opportunities, planned_purchase, suggest
    from spaser.clauses.engine import advice_date
    from spaser.model import Buyer, BuyerKind
    from spaser.money import parse_amount

    if args.xlsx and args.xlsx != STDOUT and not args.xlsx.lower().endswith(".xlsx"):
        raise UsageError(f"Le classeur « {args.xlsx} » doit avoir l'extension .xlsx.")
    at = parse_date(args.date)
    planned = args.cpv is not None or args.amount is not None
    if planned and args.id:
        raise UsageError("Choisir soit --id (achat du fichier), soit --cpv et --amount (achat en projet).")
    if planned and (args.cpv is None or args.amount is None):
        raise UsageError("Un achat en projet demande --cpv et --amount (et de préférence --object).")
    if not planned and not args.file:
        raise UsageError("Indiquer un fichier d'achats, ou un achat en projet avec --cpv et --amount.")
    check_outputs(args, args.xlsx)
    out = summary_stream(args.xlsx)

    result = portfolio = None
    if args.file:
        result, portfolio = load_input(args)
        portfolio = require_portfolio(result, portfolio)
    buyer = portfolio.buyer if portfolio else None
    if buyer is None and args.buyer_kind:
        try:
            buyer = Buyer(name=args.buyer_name or "Acheteur", kind=BuyerKind(args.buyer_kind))
        except ValueError:
            choices = ", ".join(k.value for k in BuyerKind)
            raise UsageError(f"Type d'acheteur « {args.buyer_kind} » inconnu : choisir parmi {choices}.") from None

    if planned:
        try:
            amount = parse_amount(args.amount)
        except ValueError as e:
            raise UsageError(f"Montant « {args.amount} » illisible : {e}.") from None
        purchase = planned_purchase(args.object, args.cpv, amount, at or date.today(), duration_months=args.duration)
    elif args.id:
        try:
            purchase = portfolio.get(args.id)  # type: ignore[union-attr]
        except KeyError:
            raise UsageError(f"Aucun achat d'identifiant « {args.id} » dans « {args.file} ».") from None
    else:
        with progress_step("Recherche des opportunités"):
            opp = opportunities(portfolio, year=args.year, at=at, top=args.top or 20, progress=advice_progress)  # type: ignore[arg-type]
            if args.xlsx:
                rows = [(o.purchase_id, suggest(portfolio.purchases[o.index], at=opp.at, portfolio=portfolio)) for o in opp.purchases]  # type: ignore[union-attr]
                with output_path(args.xlsx, ".xlsx") as target:
                    _write_xlsx(target, rows, opp, force=args.force)
        if args.json:
            print_json({"import": result.report.to_dict(), "opportunities": opp.to_dict()} if result else opp.to_dict(), file=out)
        else:
            if result is not None:
                say(f"Import : {result.report.summary_fr()}", file=out)
                say(file=out)
            say(render_opportunities(opp), file=out)
            if args.xlsx:
                say(f"\nClasseur écrit : {args.xlsx}", file=out)
        return exit_code(args, result)

    if at is None and args.id:
        at = given_today = date.today()  # a purchase of the file: advice for its renewal, as in the portfolio's opportunities
    else:
        given_today = None
    with progress_step("Suggestions"):
        suggestions = suggest(purchase, at=at, buyer=buyer, portfolio=portfolio, limit=args.top)
    if args.xlsx:
        with output_path(args.xlsx, ".xlsx") as target:
            _write_xlsx(target, [(purchase.id, suggestions)], None, force=args.force)
    if args.json:
        print_json({"purchase": purchase.model_dump(mode="json"), "at": advice_date(purchase, at).isoformat(), "suggestions": [s.to_dict() for s in suggestions]}, file=out)
    else:
        say(render_suggestions(purchase, suggestions, at, default=given_today is not None), file=out)
        if args.xlsx:
            say(f"\nClasseur écrit : {args.xlsx}", file=out)
    return exit_code(args, result)


# -- text output -------------------------------------------------------------
def _indent(text: str, prefix: str = "     ") -> str:
    out = []
    for para in text.splitlines():
        if not para.strip():
            out.append(prefix.rstrip())
            continue
        out.extend(textwrap.wrap(para, width=100, initial_indent=prefix, subsequent_indent=prefix + ("  " if para.startswith("- ") else "")))
    return "\n".join(out)


def render_suggestions(purchase, suggestions, at: date | None, *, default: bool = False) -> str:  # type: ignore[no-untyped-def]
    from spaser import cpv as _cpv
    from spaser.clauses.engine import advice_date
    from spaser.money import format_eur

    when = advice_date(purchase, at).strftime("%d/%m/%Y")
    bits = []
    if purchase.cpv:
        bits.append(f"CPV {_cpv.format(purchase.cpv)}")
    if purchase.amount_ht is not None:
        bits.append(f"{format_eur(purchase.amount_ht, cents=False)} HT")
    head = f"Suggestions pour « {purchase.object or purchase.id} »" + (f" ({', '.join(bits)})" if bits else "") + f" — consultation au {when}"
    if default:
        why = "date du jour, par défaut : la prochaine consultation de cet achat, comme dans « spaser suggest FICHIER » ; --date pour une autre date"
    elif at is not None:
        why = "date donnée"
    else:
        why = "date de consultation de l'achat, sinon date du jour"
    lines = [head, f"Droit lu au {when} ({why}).", ""]
    if not suggestions:
        lines.append("Aucune suggestion pour cet achat.")
        return "\n".join(lines)
    for status, title in (("obligatoire", "OBLIGATOIRE à cette date"), ("recommandé", "RECOMMANDÉ")):
        group = [s for s in suggestions if s.status == status]
        if not group:
            continue
        lines.append(f"{title} ({len(group)})")
        lines.append("")
        for i, s in enumerate(group, 1):
            flag = " [à confirmer]" if s.to_confirm else ""
            lines.append(f"{i}. {s.title} [{s.clause_id}]{flag}")
            lines.append(f"   {s.mechanism} — dimension : {s.dimension} — à insérer dans : {s.document}")
            lines.append(f"   Fondement : {s.legal_basis}")
            lines.append("   Pourquoi :")
            lines.extend(_indent(f"- {r}") for r in s.rationale)
            lines.append(_indent(f"Effet attendu : {s.expected_effect}", "   "))
            lines.append("   Texte à reprendre :")
            lines.append(_indent(s.text, "     | "))
            lines.append("")
    return "\n".join(lines).rstrip()


def render_opportunities(opp) -> str:  # type: ignore[no-untyped-def]
    from spaser.money import format_eur, format_number

    lines = [f"Opportunités — contrats notifiés en {opp.year}", "", opp.explain(), ""]
    if not opp.purchases:
        lines.append("Aucun achat de l'année ne présente d'opportunité.")
        return "\n".join(lines)
    lines.append("Achats au plus fort potentiel :")
    for i, o in enumerate(opp.purchases, 1):
        amount = format_eur(o.amount_ht, cents=False) + " HT" if o.amount_ht is not None else "montant inconnu"
        lines.append(f"{i:>3}. [{o.purchase_id}] {o.object or '(objet non renseigné)'} — {amount}")
        parts = []
        if o.mandatory:
            parts.append(f"obligatoire : {', '.join(o.mandatory)}")
        if o.social:
            parts.append(f"social : {o.social.clause_id}" + (f" (≈ {format_number(o.hours)} h d'insertion)" if o.hours else ""))
        if o.environmental:
            parts.append(f"environnement : {o.environmental.clause_id}")
        if o.reservable:
            parts.append("réservable")
        lines.append("       " + " ; ".join(parts))
    lines.append("")
    lines.append("Détail d'un achat : spaser suggest FICHIER --id IDENTIFIANT")
    return "\n".join(lines)


# -- spreadsheet export --------------------------------------------------------
_COLUMNS = [
    ("Achat", 14),
    ("Rang", 6),
    ("Statut", 13),
    ("Clause", 26),
    ("Titre", 40),
    ("Dimension", 16),
    ("Mécanisme", 22),
    ("Document", 14),
    ("Fondement juridique", 30),
    ("Pourquoi", 60),
    ("Effet attendu", 40),
    ("Texte de la clause", 90),
    ("Contrôle en exécution", 40),
    ("Source", 40),
    ("À confirmer", 12),
]


def _write_xlsx(path: str, rows, opp, *, force: bool) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from spaser.io.safe import check_target, safe_cell, write_with

    check_target(path, force=force)  # fail before any work
    wb = Workbook()
    ws = wb.active
    ws.title = "Suggestions"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([name for name, _ in _COLUMNS])
    for i, (_, width) in enumerate(_COLUMNS, 1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(i)].width = width
    for purchase_id, suggestions in rows:
        for rank, s in enumerate(suggestions, 1):
            values = [
                purchase_id, rank, s.status, s.clause_id, s.title, s.dimension, s.mechanism, s.document, s.legal_basis,
                "\n".join(f"- {r}" for r in s.rationale), s.expected_effect, s.text, s.verification, s.source,
                "oui" if s.to_confirm else "non",
            ]
            ws.append([safe_cell(v) for v in values])
            for cell in ws[ws.max_row]:
                cell.alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(_COLUMNS))}{max(ws.max_row, 1)}"
    if opp is not None:
        _opportunity_sheet(wb, opp, bold, fill, wrap)

    def writer(fh: IO[bytes]) -> None:
        wb.save(fh)

    write_with(path, writer, force=force)


def _opportunity_sheet(wb, opp, bold, fill, wrap) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter

    from spaser.io.safe import safe_cell

    ws = wb.create_sheet("Opportunités")
    cols = [("Achat", 14), ("Objet", 50), ("CPV", 12), ("Montant HT (€)", 16), ("Considération sociale", 14), ("Considération environnementale", 14),
            ("Obligatoire à la date", 40), ("Clause sociale proposée", 26), ("Heures d'insertion sur la durée (≈)", 16), ("Heures d'insertion par an (≈)", 14), ("Clause environnementale proposée", 26), ("Réservable", 11)]
    ws.append([c for c, _ in cols])
    for i, (_, width) in enumerate(cols, 1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(i)].width = width
    for o in opp.purchases:
        ws.append([safe_cell(v) for v in (
            o.purchase_id, o.object, o.cpv, o.amount_ht, o.social_status, o.environmental_status, ", ".join(o.mandatory),
            o.social.clause_id if o.social else "", o.hours, o.hours_per_year, o.environmental.clause_id if o.environmental else "", "oui" if o.reservable else "non",
        )])
        for cell in ws[ws.max_row]:
            cell.alignment = wrap
        ws.cell(row=ws.max_row, column=4).number_format = "#,##0"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(ws.max_row, 1)}"
    notes = wb.create_sheet("Lecture")
    for line in opp.explain().splitlines():
        notes.append([safe_cell(line)])
    notes.column_dimensions["A"].width = 140
