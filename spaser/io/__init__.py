"""Reading portfolios: one entry point, :func:`load`, for every file a buyer has.

The format is recognised from the content, not the name: a zip is a
workbook, ``{`` or ``[`` is DECP JSON, ``<`` is DECP XML, anything else
text is CSV. Every import returns the portfolios AND a report.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from spaser._errors import InputError, SpaserError
from spaser._french import counted, records_read
from spaser.io.report import ImportIssue, ImportReport, IssueCode, MESSAGES, Severity
from spaser.model import Buyer, Portfolio
from spaser.money import format_number

__all__ = [
    "ImportOptions",
    "ImportResult",
    "load",
    "sniff",
    "ImportReport",
    "ImportIssue",
    "IssueCode",
    "Severity",
    "MESSAGES",
]


@dataclass(frozen=True)
class ImportOptions:
    """Options shared by every reader (all optional)."""

    # Explicit column mapping: field name -> header text in the file (spreadsheets).
    mapping: dict[str, str] | None = None
    sheet: str | None = None  # read only this sheet
    buyer: Buyer | None = None  # the buyer, when the file does not say
    vat_rate: Decimal | None = None  # to turn a TTC column into HT, explicitly (e.g. 0.20)
    today: date | None = None  # for "date in the future" checks (default: today)
    max_issues: int = 1000
    # Called with the number of records read so far, every 20 000 records (a progress bar).
    progress: Callable[[int], None] | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import gives: one portfolio per buyer, and the report."""

    portfolios: tuple[Portfolio, ...]
    report: ImportReport
    path: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def portfolio(self) -> Portfolio:
        """The only portfolio; an error naming the buyers when there are several."""
        if len(self.portfolios) == 1:
            return self.portfolios[0]
        if not self.portfolios:
            r = self.report
            causes = ", ".join(f"{code} ({n})" for code, n in r.counts.most_common(5))
            first = next((i for i in r.issues if i.severity is Severity.ERROR), None)
            example = f" Premier rejet : {first.location} : {first.message}" if first is not None else ""
            raise InputError(
                f"aucun achat n'a pu être importé ({records_read(r.read)}, {counted(r.rejected, 'rejeté', 'rejetés')}"
                f"{' ; problèmes : ' + causes if causes else ''}).{example} Le détail : spaser inspect.",
                code="no-data", file=self.path,
            )
        names = ", ".join(f"{p.buyer.siret or '?'} ({p.buyer.name})" for p in self.portfolios[:10])
        more = f" et {format_number(len(self.portfolios) - 10)} autres" if len(self.portfolios) > 10 else ""
        raise SpaserError(
            f"Le fichier contient {format_number(len(self.portfolios))} acheteurs : choisissez-en un avec --buyer SIRET "
            f"(par exemple {names}{more}).",
            code="several-buyers",
        )

    def select(self, siret: str) -> Portfolio:
        """The portfolio of one buyer, by SIRET or SIREN (prefix match on SIREN)."""
        key = "".join(ch for ch in siret if ch.isdigit())
        hits = [p for p in self.portfolios if p.buyer.siret and (p.buyer.siret == key or p.buyer.siret[:9] == key)]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise SpaserError(f"Aucun acheteur « {siret} » dans « {self.path} ».", code="buyer-not-found")
        raise SpaserError(f"Plusieurs établissements correspondent au SIREN « {siret} » : précisez le SIRET.", code="several-buyers")


def sniff(path: str | os.PathLike[str], head: bytes | None = None) -> str:
    """'xlsx', 'xls', 'ods', 'json', 'xml', 'csv', or 'pdf'/'image'/'binary' for what is not ours."""
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument" in head[:200]:
            return "ods"
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .xls, or an encrypted .xlsx
        return "ole2"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head[:8] in (b"\x89PNG\r\n\x1a\n",) or head[:3] == b"\xff\xd8\xff" or head[:4] in (b"GIF8",):
        return "image"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:1] == b"<":
        return "xml"
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return "binary"
    return "csv"


def load(
    path: str | os.PathLike[str],
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    buyer: Buyer | None = None,
    vat_rate: Decimal | None = None,
    today: date | None = None,
    max_issues: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a spreadsheet (.xlsx, .csv) or a DECP file (JSON 2019/2024, XML 2024).

    Raises :class:`InputError` (French message, file named) when the file
    cannot be read at all; row problems are in ``result.report``. ``progress(n)`` is told the
    number of records read, every 20 000 records (for a progress bar).
    """
    opts = ImportOptions(mapping=mapping, sheet=sheet, buyer=buyer, vat_rate=vat_rate, today=today, max_issues=max_issues,
                         progress=progress)
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(MESSAGES[IssueCode.FILE_NOT_FOUND], code=IssueCode.FILE_NOT_FOUND.value, file=name)
    if p.is_dir():
        raise InputError("c'est un dossier, pas un fichier.", code=IssueCode.FILE_FORMAT.value, file=name)
    if p.stat().st_size == 0:
        raise InputError(MESSAGES[IssueCode.FILE_EMPTY], code=IssueCode.FILE_EMPTY.value, file=name)
    kind = sniff(p)
    result: ImportResult | None = None
    if kind in ("xlsx", "csv", "ods", "ole2"):
        from spaser.io.spreadsheet import read_spreadsheet

        result = read_spreadsheet(p, kind, opts)
    elif kind in ("json", "xml"):
        from spaser.io.decp import read_decp

        result = read_decp(p, kind, opts)
    if result is not None:
        result.report.progress = None  # the callback is this call's, not the result's (which may be kept, pickled)
        return result
    what = {"pdf": "un document PDF", "image": "une image"}.get(kind, "un fichier binaire")
    raise InputError(
        f"ce fichier est {what}, pas un tableur (.xlsx, .csv) ni des données DECP (.json, .xml).",
        code=IssueCode.FILE_FORMAT.value,
        file=name,
    )
