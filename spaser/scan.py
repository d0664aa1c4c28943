"""National scan of a DECP file: which buyers may be above the SPASER threshold.

The DECP ``montant`` is the maximum value of a contract over its whole
duration, not a yearly spend. The yearly spend is therefore ESTIMATED: each
contract's amount is spread evenly over its ``dureeMois`` months, from the
month of notification (that month counts as the first). It is always shown as
"dépense annuelle estimée (montant réparti sur la durée)", never as the legal
figure (D2111-3 counts the spending actually made in a calendar year).

Parameters read from ``spaser.law`` (never written here): the threshold
``spaser.seuil`` in force on 31 December of the year, the uncertainty margin
``estimation.marge_incertitude`` (an estimate that close to the threshold is
"indéterminé"), the assumed duration ``estimation.duree_defaut_mois`` for a
contract whose duration is unknown, and ``spaser.assiette`` (what the
threshold was compared with in that year), all read by
:func:`spaser.law.obligation.year_rule` (before 2023: the contracts concluded in
the year, compared strictly, within the scope of the time).

The file is streamed in ONE pass: per buyer a few counters, per dated marché
about 20 bytes in columns (:class:`_Dated`, no object per contract); the
year's figures are computed after the pass, once the year is known (about
145 MB for 1 000 000 contracts and 50 000 buyers).

CSV columns (UTF-8 with BOM, ";" separator, amounts with a decimal comma):
see :data:`CSV_COLUMNS`.

The estimate itself (one rule for ``check`` and ``scan``) is in
:mod:`spaser.law.estimate`.
"""

from __future__ import annotations

import time
from collections import Counter
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from spaser.io.report import ImportReport
from spaser.money import CENT as _CENT
from spaser.law.estimate import (
    SPEND_LABEL,
    default_duration,
    method_text,
    share_in_year,
)
from spaser.law.law import Law, current_law, simulation_notes
from spaser.law.obligation import year_rule
from spaser.model import ContractKind, EnvironmentalConsideration, SocialConsideration

__all__ = [
    "SPEND_LABEL",
    "CSV_COLUMNS",
    "BuyerLine",
    "ScanResult",
    "scan_decp",
    "write_csv",
    "write_xlsx",
    "format_table",
]



# ---------------------------------------------------------------------------
# The national scan
# ---------------------------------------------------------------------------

_ZERO = Decimal(0)
_SOCIAL_NONE = frozenset({SocialConsideration.AUCUNE})
_ENV_NONE = frozenset({EnvironmentalConsideration.AUCUNE})

# per-year slots of a buyer's accumulator
_EST, _USED, _ASSUMED, _NOTIF, _NOTIF_AMT, _SY, _SN, _SU, _EY, _EN, _EU = range(11)


class _Acc:
    __slots__ = ("index", "siret", "name", "contracts", "marches", "concessions", "total", "implausible", "no_amount", "no_date")

    def __init__(self, index: int, siret: str | None, name: str) -> None:
        self.index = index
        self.siret = siret
        self.name = name
        self.contracts = self.marches = self.concessions = self.implausible = self.no_amount = self.no_date = 0
        self.total = Decimal(0)


_NO_DURATION = 0xFFFF  # in _Dated.months: unknown, the default duration of the chosen year applies


class _Dated:
    """The dated marchés of the file, columnar: about 20 bytes each, no object per contract.

    The year to show is known only after the file (the one with the most
    notifications), so the pass keeps what each contract needs (buyer, month of
    notification, duration, amount in cents, consideration statuses) and
    :meth:`slots` computes the chosen year's figures afterwards, in file order.
    """

    def __init__(self) -> None:
        self.buyer = array("I")
        self.month = array("I")  # year * 12 + month - 1
        self.months = array("H")
        self.cents = array("q")  # -1: no usable amount
        self.flags = array("B")  # social slot | environmental slot << 4
        self.exact: dict[int, Decimal] = {}  # the rare amounts finer than the cent

    def add(self, buyer: int, d: date, months: int | None, amount: Decimal | None, flags: int) -> None:
        cents = -1
        if amount is not None:
            q = amount.scaleb(2)
            cents = int(q)
            if q != cents:
                self.exact[len(self.cents)] = amount
        self.buyer.append(buyer)
        self.month.append(d.year * 12 + d.month - 1)
        self.months.append(_NO_DURATION if months is None else months)
        self.cents.append(cents)
        self.flags.append(flags)

    def slots(self, year: int, default: int) -> dict[int, list[Any]]:
        """Per buyer index: the figures of ``year`` (indices _EST ... _EU)."""
        out: dict[int, list[Any]] = {}
        exact = self.exact
        first_month, last_month = year * 12, year * 12 + 11
        for i, (b, mi, mo, cents, flags) in enumerate(zip(self.buyer, self.month, self.months, self.cents, self.flags)):
            assumed = mo == _NO_DURATION
            if assumed:
                mo = default
            notified = first_month <= mi <= last_month
            if not notified and (cents < 0 or mi > last_month or mi + max(mo, 1) - 1 < first_month):
                continue  # nothing of this contract in the year
            slot = out.get(b)
            if slot is None:
                slot = out[b] = [_ZERO, 0, 0, 0, _ZERO, 0, 0, 0, 0, 0, 0]
            amount = None if cents < 0 else exact.get(i) or Decimal(cents).scaleb(-2)
            if notified:
                slot[_NOTIF] += 1
                if amount is not None:
                    slot[_NOTIF_AMT] += amount
                slot[flags & 15] += 1
                slot[flags >> 4] += 1
            if amount is None:
                continue
            share = share_in_year(amount, date(mi // 12, mi % 12 + 1, 1), mo, year)
            if share is not None:
                slot[_EST] += share
                slot[_USED] += 1
                if assumed:
                    slot[_ASSUMED] += 1
        return out


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if whole else None


@dataclass(frozen=True, slots=True)  # slots: a national file has tens of thousands of buyers
class BuyerLine:
    """One buyer in the scan (figures for the chosen year unless said)."""

    siret: str | None
    name: str
    contracts: int  # records accepted in the file (all years, concessions included)
    concessions: int
    total_amount: Decimal  # marchés, all years, plausible amounts only
    implausible: int  # contracts whose amount is implausible (excluded from figures)
    estimate: Decimal  # SPEND_LABEL, for the year
    used: int  # contracts with a share in the year
    assumed_duration: int  # among used: duration unknown
    no_amount: int
    no_date: int
    notified: int  # marchés notified in the year
    notified_amount: Decimal
    social_yes: int
    social_no: int
    social_unknown: int
    env_yes: int
    env_no: int
    env_unknown: int
    status: str  # "au-dessus", "en dessous", "indéterminé", "n.d."

    # As in the law engine (PNAD): unknown counts as "without", but when nothing
    # is known (DECP 2019) there is no share to show, not a zero.
    @property
    def social_share(self) -> Decimal | None:
        return None if self.social_unknown == self.notified else _share(self.social_yes, self.notified)

    @property
    def social_unknown_share(self) -> Decimal | None:
        return _share(self.social_unknown, self.notified)

    @property
    def env_share(self) -> Decimal | None:
        return None if self.env_unknown == self.notified else _share(self.env_yes, self.notified)

    @property
    def env_unknown_share(self) -> Decimal | None:
        return _share(self.env_unknown, self.notified)

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(
            social_share=self.social_share,
            social_unknown_share=self.social_unknown_share,
            env_share=self.env_share,
            env_unknown_share=self.env_unknown_share,
        )
        return d


@dataclass(frozen=True)
class ScanResult:
    file: str
    year: int
    buyers: tuple[BuyerLine, ...]  # sorted by estimate, largest first
    report: ImportReport
    threshold: Decimal | None
    threshold_to_confirm: bool
    threshold_source: str
    margin: Decimal
    assiette: str | None
    default_duration_months: int
    layout: str
    elapsed: float
    years: dict[int, int]  # notifications per year (marchés), to choose a year
    label: str = SPEND_LABEL
    law_notes: tuple[str, ...] = ()  # French: the rule applied to the year (basis, scope, or none)

    @property
    def method(self) -> str:
        return method_text(self.year, self.default_duration_months)

    def above(self, amount: Decimal) -> list[BuyerLine]:
        """Buyers whose estimate is strictly above ``amount``."""
        return [b for b in self.buyers if b.estimate > amount]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "year": self.year,
            "label": self.label,
            "method": self.method,
            "threshold": self.threshold,
            "threshold_to_confirm": self.threshold_to_confirm,
            "threshold_source": self.threshold_source,
            "margin": self.margin,
            "assiette": self.assiette,
            "law_notes": list(self.law_notes),
            "default_duration_months": self.default_duration_months,
            "layout": self.layout,
            "elapsed_seconds": round(self.elapsed, 3),
            "notifications_by_year": {str(k): v for k, v in sorted(self.years.items())},
            "buyers_count": len(self.buyers),
            "buyers_above": sum(1 for b in self.buyers if b.status == "au-dessus"),
            "buyers_undetermined": sum(1 for b in self.buyers if b.status == "indéterminé"),
            "report": {k: v for k, v in self.report.to_dict().items() if k != "issues"},
            "issues": [i.to_dict() for i in self.report.issues],
            "buyers": [b.to_dict() for b in self.buyers],
        }


def scan_decp(
    path: str | Path,
    *,
    year: int | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10_000,
    max_issues: int = 1000,
    law: Law | None = None,
) -> ScanResult:
    """Stream a DECP file and estimate each buyer's yearly spend.

    ``year`` defaults to the year with the most notifications in the file.
    ``progress(n)`` is called every ``progress_every`` records.
    ``law``: the law to apply (default: the current law, see :func:`spaser.law.current_law`),
    read on 31 December of the year; a what-if law (``law.replace(...)``) is said first in the notes.
    Fatal problems raise :class:`spaser.InputError`.
    """
    from spaser.io.decp import DecpStream, Extractor

    started = time.perf_counter()
    today = today or date.today()
    name = str(path)
    report = ImportReport(file=name, max_issues=max_issues)
    law = law if law is not None else current_law(today)
    stream = DecpStream(Path(path), check_duplicate_keys=False)
    ext = Extractor(report, today=today, suppliers=False, purchases=False)
    accs: dict[str, _Acc] = {}
    dated = _Dated()
    years: Counter[int] = Counter()
    for index, raw in stream:
        c = ext.extract(index, raw, duplicate_keys=stream.duplicate_keys.pop(index, None), marked=stream.marked > 0)
        if progress is not None and index % progress_every == 0:
            progress(index)
        if c is None or c.merge_into is not None:  # rejected, or a co-contractor's line of a contract counted
            continue
        acc = accs.get(c.buyer_key)
        if acc is None:
            acc = accs[c.buyer_key] = _Acc(len(accs), c.buyer_siret, c.buyer_name)
        elif not acc.name and c.buyer_name:
            acc.name = c.buyer_name
        acc.contracts += 1
        if c.kind is ContractKind.CONCESSION:
            acc.concessions += 1
            continue
        acc.marches += 1
        amount = c.amount
        if amount is None:
            acc.no_amount += 1
        elif c.implausible:
            acc.implausible += 1
            amount = None
        else:
            acc.total += amount
        d = c.date
        if d is None:
            acc.no_date += 1
            continue
        years[d.year] += 1
        s, e = c.social, c.environmental
        flags = (_SU if s is None else _SN if not s or s == _SOCIAL_NONE else _SY) | (
            (_EU if e is None else _EN if not e or e == _ENV_NONE else _EY) << 4
        )
        dated.add(acc.index, d, c.duration, amount, flags)
    report.formats.append(ext.format_label(stream.layout, stream.kind))
    report.check()
    del ext, stream  # the duplicate table: freed before the year's figures are computed (peak memory)
    if year is None:
        year = max(years, key=lambda y: (years[y], y)) if years else today.year - 1
    default = default_duration(date(year, 12, 31), law=law)
    slots = dated.slots(year, default)
    del dated  # the columns: freed before the lines are built
    rule = year_rule(year, law=law)  # threshold, basis and scope of that year (spaser.law)
    lines = []
    empty = [Decimal(0), 0, 0, 0, Decimal(0), 0, 0, 0, 0, 0, 0]
    for key, acc in accs.items():
        slot = slots.get(acc.index, empty)
        est = slot[_EST].quantize(_CENT, rounding=ROUND_HALF_UP)
        bname = acc.name or f"Acheteur {acc.siret or key[1:]}"
        if key.startswith("?"):
            bname = f"{bname} (identifiant invalide « {key[1:]} »)"
        lines.append(
            BuyerLine(
                siret=acc.siret,
                name=bname,
                contracts=acc.contracts,
                concessions=acc.concessions,
                total_amount=acc.total,
                implausible=acc.implausible,
                estimate=est,
                used=slot[_USED],
                assumed_duration=slot[_ASSUMED],
                no_amount=acc.no_amount,
                no_date=acc.no_date,
                notified=slot[_NOTIF],
                notified_amount=slot[_NOTIF_AMT],
                social_yes=slot[_SY],
                social_no=slot[_SN],
                social_unknown=slot[_SU],
                env_yes=slot[_EY],
                env_no=slot[_EN],
                env_unknown=slot[_EU],
                status=rule.status(est, slot[_NOTIF_AMT]),
            )
        )
    lines.sort(key=lambda b: (-rule.compared(b.estimate, b.notified_amount), -b.estimate, -b.total_amount, b.siret or "", b.name))
    return ScanResult(
        file=name,
        year=year,
        buyers=tuple(lines),
        report=report,
        threshold=rule.threshold,
        threshold_to_confirm=rule.to_confirm,
        threshold_source=rule.source,
        margin=rule.margin,
        assiette=rule.basis,
        default_duration_months=default,
        layout=report.formats[-1].removeprefix("decp-"),
        elapsed=time.perf_counter() - started,
        years=dict(years),
        law_notes=(*simulation_notes(law, "ce classement"), *rule.notes),
    )


# ---------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------

# (header, description) — the CSV and xlsx columns, in order.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("rang", "rang par dépense annuelle estimée décroissante"),
    ("siret", "SIRET de l'acheteur (vide si l'identifiant du fichier est invalide)"),
    ("acheteur", "nom de l'acheteur tel que publié"),
    ("contrats", "contrats acceptés dans le fichier (toutes années, concessions comprises)"),
    ("concessions", "contrats de concession (hors champ SPASER)"),
    ("montant_total_ht", "somme des montants des marchés, toutes années (montants invraisemblables exclus)"),
    ("depense_annuelle_estimee_ht", SPEND_LABEL + ", pour l'année choisie"),
    ("statut_seuil", "au-dessus / en dessous / indéterminé (estimation proche du seuil) / n.d."),
    ("contrats_dans_estimation", "marchés ayant une part dans l'année"),
    ("duree_supposee", "dont marchés de durée inconnue (durée par défaut supposée)"),
    ("montants_invraisemblables", "marchés exclus : montant invraisemblable"),
    ("sans_montant", "marchés exclus : montant inconnu"),
    ("sans_date", "marchés exclus : date de notification inconnue"),
    ("notifies_annee", "marchés notifiés dans l'année"),
    ("montant_notifie_annee_ht", "montant des marchés notifiés dans l'année"),
    ("part_considerations_sociales", "part des marchés notifiés dans l'année avec au moins une considération sociale"),
    ("part_sociale_inconnue", "part des marchés notifiés dans l'année dont la considération sociale est inconnue"),
    ("part_considerations_environnementales", "idem, considération environnementale"),
    ("part_environnementale_inconnue", "idem, inconnue"),
]


def _row(rank: int, b: BuyerLine) -> list[Any]:
    return [
        rank,
        b.siret or "",
        b.name,
        b.contracts,
        b.concessions,
        b.total_amount,
        b.estimate,
        b.status,
        b.used,
        b.assumed_duration,
        b.implausible,
        b.no_amount,
        b.no_date,
        b.notified,
        b.notified_amount,
        b.social_share,
        b.social_unknown_share,
        b.env_share,
        b.env_unknown_share,
    ]


def _csv_value(v: Any) -> str:
    from spaser.io.safe import safe_cell

    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f").replace(".", ",")
    if isinstance(v, int):
        return str(v)
    return str(safe_cell(str(v)))


def write_csv(result: ScanResult, path: str | Path, *, force: bool = False) -> Path:
    """The whole table as CSV (UTF-8 with BOM, ";" separator), written atomically."""
    import csv
    import io

    from spaser.io.safe import write_with

    def writer(fh: Any) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        w = csv.writer(text, delimiter=";", lineterminator="\r\n")
        w.writerow([h for h, _ in CSV_COLUMNS])
        for rank, b in enumerate(result.buyers, 1):
            w.writerow([_csv_value(v) for v in _row(rank, b)])
        text.flush()
        text.detach()

    return write_with(path, writer, force=force)


def write_xlsx(result: ScanResult, path: str | Path, *, force: bool = False) -> Path:
    """The table as an .xlsx workbook (openpyxl write-only: flat memory), plus a method sheet."""
    from openpyxl import Workbook

    from spaser.io.safe import atomic_path, safe_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Acheteurs")
    ws.append([h for h, _ in CSV_COLUMNS])
    for rank, b in enumerate(result.buyers, 1):
        ws.append([safe_cell(v) if isinstance(v, str) else v for v in _row(rank, b)])
    info = wb.create_sheet("Méthode")
    for line in _summary_lines(result):
        info.append([safe_cell(line)])
    info.append([])
    for h, d in CSV_COLUMNS:
        info.append([h, safe_cell(d)])
    with atomic_path(path, force=force) as tmp:
        wb.save(tmp)
    return Path(path)


def _summary_lines(r: ScanResult) -> list[str]:
    from spaser.money import format_eur, format_percent

    rep = r.report
    lines = [f"Fichier : {r.file} (format DECP {r.layout})", rep.summary_fr(), f"Année : {r.year} — {len(r.buyers)} acheteur(s)."]
    if r.threshold is None:  # no rule in force: nothing compared (law_notes says why)
        lines += [f"Chiffre présenté : {SPEND_LABEL}, à titre indicatif.", f"Seuil SPASER en vigueur au 31/12/{r.year} : aucun.", r.method]
    else:
        seuil = format_eur(r.threshold, cents=False) + " HT" + (" [à confirmer]" if r.threshold_to_confirm else "")
        if r.assiette == "montants_notifies":
            lines.append(f"Chiffre comparé au seuil : montant des marchés notifiés dans l'année (assiette de {r.year}) ; {SPEND_LABEL} donnée à titre indicatif.")
        else:
            lines.append(f"Chiffre présenté : {SPEND_LABEL}. C'est une ESTIMATION, pas le chiffre légal.")
        lines.append(f"Seuil SPASER en vigueur au 31/12/{r.year} : {seuil} ({r.threshold_source}).")
        if r.assiette != "montants_notifies":
            lines.append(f"Marge d'incertitude : {format_percent(r.margin, 0)} autour du seuil → « indéterminé ».")
        lines.append(r.method)
    lines.extend(r.law_notes)
    return lines


def format_table(r: ScanResult, *, top: int = 20) -> str:
    """The terminal output: summary then the ``top`` buyers, aligned, in French."""
    from spaser.money import format_eur, format_percent

    out = _summary_lines(r)
    counts = r.report.counts
    if counts:
        out.append("Problèmes relevés : " + ", ".join(f"{k} : {v}" for k, v in sorted(counts.items())) + ".")
    above = sum(1 for b in r.buyers if b.status == "au-dessus")
    undetermined = sum(1 for b in r.buyers if b.status == "indéterminé")
    notified = r.assiette == "montants_notifies"  # before 2023: the contracts concluded in the year
    basis = "montant des marchés notifiés dans l'année" if notified else "estimation"
    if r.threshold is None:
        out.append("Aucun acheteur classé : aucun seuil SPASER en vigueur cette année-là.")
    else:
        out.append(f"Acheteurs au-dessus du seuil ({basis}) : {above} ; indéterminés : {undetermined}.")
    out.append("")
    figure = f"Marchés notifiés {r.year}" if notified else f"Dépense estimée {r.year}"
    headers = ["Rang", "SIRET", "Acheteur", "Contrats", figure, "Seuil", "Social", "Env.", "Inconnu"]
    rows = []
    for rank, b in enumerate(r.buyers[: max(top, 0)], 1):
        name = b.name if len(b.name) <= 40 else b.name[:39] + "…"
        rows.append(
            [
                str(rank),
                b.siret or "—",
                name,
                str(b.contracts),
                format_eur(b.notified_amount if notified else b.estimate, cents=False),
                b.status,
                format_percent(b.social_share, 0),
                format_percent(b.env_share, 0),
                format_percent(b.social_unknown_share, 0),
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    right = {0, 3, 4, 6, 7, 8}

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out.append(fmt(headers))
    out.append("  ".join("-" * w for w in widths))
    out.extend(fmt(row) for row in rows)
    if len(r.buyers) > top:
        out.append(f"… et {len(r.buyers) - top} autre(s) acheteur(s) (--top N pour en voir plus, --csv/--xlsx pour tout).")
    out.append("")
    out.append("Social / Env. : part des marchés notifiés dans l'année avec au moins une considération ; "
               "Inconnu : part dont la considération sociale n'est pas renseignée (toujours le cas au format 2019).")
    return "\n".join(out)
