"""Reading a purchase table from a spreadsheet (.xlsx, .csv).

Workbooks are read with python-calamine (Rust, fast); the zip container is
checked first (zip bombs), and the sheet XML is scanned for formulas
without a cached value (calamine returns those as empty cells). CSV files
are decoded (UTF-8, UTF-8 with BOM, UTF-16 with BOM, Windows-1252 bytes
repaired with a warning) and their delimiter (``;``, ``,``, tab, ``|``)
is chosen by the header it yields.

On each sheet the header row is searched in the first
:data:`HEADER_SCAN_ROWS` rows (title rows above it are common), columns
are recognised by :mod:`spaser.io.columns`, and every non-empty row below
is counted once in the report: accepted (possibly with warnings) or
rejected. Row numbers are the spreadsheet's own (1-based), for messages
and :class:`~spaser.model.SourceRef`.

Safety limits (not legal numbers; documented in the README):

- :data:`MAX_FILE_BYTES` (200 Mo) for a workbook, :data:`MAX_CSV_BYTES`
  (2 Gio) for a CSV file: larger files are refused. A workbook is read whole
  by calamine; a CSV file is streamed (decoded chunk by chunk, rows read one
  at a time, never the whole text in memory), so only the purchases it
  yields stay in memory (about 1 million lines take 2 Gio of CSV at most);
- :data:`MAX_UNCOMPRESSED_BYTES` (2 Gio) and :data:`MAX_COMPRESSION_RATIO`
  (200:1 for a member above :data:`RATIO_CHECK_FROM_BYTES`): a workbook
  that would expand beyond them is refused before being opened (zip bomb);
- :data:`MAX_ROWS_PER_SHEET` (2 000 000) and :data:`MAX_CELLS` (40 000 000
  per file): :class:`~spaser._errors.LimitExceeded`;
- :data:`MAX_CELL_CHARS` (32 767, Excel's own limit): longer texts are cut,
  with a ``limit-string`` warning;
- amounts above :data:`AMOUNT_PLAUSIBLE_MAX` (1 Md€ HT per line) are kept
  with an ``amount-absurd`` warning; above :data:`AMOUNT_IMPOSSIBLE`
  (1 000 Md€) the row is rejected (no French contract is that size);
- dates before :data:`DATE_PLAUSIBLE_FROM` (1990) are kept with a warning.

Speed (a million CSV lines, issue #7): rows are read a chunk at a time and
column by column. Each column is converted in one go: a cell is converted
and checked by the functions below once per distinct text (values, and
problems, are cached per column; a cell seen before costs one dictionary
look-up made in C), common amounts skip the general parser, and the
purchases are built from these checked values without pydantic validating
them a second time (``spaser.model._row_builder``). A row with anything to
report (a problem, a duplicate, a « Total » line, a blank or short row) is
read by the row path instead, cell by cell, in its place: the column path
gives exactly the purchases, issues and order of the row path
(tests/test_spreadsheet_fast.py compares them). The cyclic garbage
collector is paused during the import. A CSV file is streamed: its text is
never held whole, nor its rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
import re
import zipfile
import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from spaser import cpv as _cpv
from spaser._gc import paused
from spaser._errors import InputError, InvalidChecksum, InvalidCode, LimitExceeded, UnknownCode
from spaser.ids import validate_company_id
from spaser.io import ImportOptions, ImportResult
from spaser import _fork
from spaser.io.columns import COLUMNS, is_known_field, match_header, normalise, spend_year
from spaser.io.dates import DateError, to_date
from spaser.io.report import MESSAGES, ImportIssue, ImportReport, IssueCode, Severity
from spaser.model import (
    AGEC_CATEGORIES,
    AgecKind,
    Buyer,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration,
    SocialExemption,
    SourceRef,
    Supplier,
    SupplierKind,
    _build_validated,
    _row_builder,
)
from spaser.money import AMOUNT_PLAUSIBLE_MAX as _PLAUSIBLE_MAX
from spaser.money import CENT, AmountError, parse_amount

__all__ = [
    "read_spreadsheet",
    "MAX_FILE_BYTES",
    "MAX_CSV_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_COMPRESSION_RATIO",
    "RATIO_CHECK_FROM_BYTES",
    "MAX_ROWS_PER_SHEET",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "HEADER_SCAN_ROWS",
    "AMOUNT_PLAUSIBLE_MAX",
    "AMOUNT_IMPOSSIBLE",
    "DATE_PLAUSIBLE_FROM",
    "DURATION_MAX_MONTHS",
]

# -- limits (see the module docstring) --------------------------------------
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CSV_BYTES = 2 * 1024 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 10 * 1024 * 1024
MAX_ROWS_PER_SHEET = 2_000_000
MAX_CELLS = 40_000_000
MAX_CELL_CHARS = 32_767
HEADER_SCAN_ROWS = 30
AMOUNT_PLAUSIBLE_MAX = _PLAUSIBLE_MAX  # shared with the DECP reader (spaser.money)
AMOUNT_IMPOSSIBLE = Decimal(10) ** 12
DATE_PLAUSIBLE_FROM = date(1990, 1, 1)
DURATION_MAX_MONTHS = 1200

_EXPECTED = "« Montant HT » (ou « Montant », « Montant total HT », « Amount »)"
_SUGGEST = "Utilisez « spaser template » pour obtenir un modèle de tableau."
_MONEY_FIELDS = frozenset({"amount_ht", "amount_ttc", "insertion_hours_planned", "insertion_hours_achieved"})


class _Bad(Exception):
    """A cell problem: the issue code, a detail, and whether it rejects the row."""

    def __init__(self, code: IssueCode, detail: str | None = None, *, error: bool | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.error = code, detail, error


# -- cell converters ---------------------------------------------------------
def _empty(v: object) -> bool:
    return v is None or v == "" or (type(v) is str and not v.strip())


def _text(v: object) -> str:
    if type(v) is str:
        s = v.strip()
        if s[:1] == "'" and s[1:2] in _QUOTED:
            s = s[1:]  # the quote spaser.io.safe.safe_cell adds against formula injection
    elif type(v) is float and v.is_integer():
        s = str(int(v))
    else:
        s = str(v).strip()
    return s


# What safe_cell quotes: formula starts, and a quote itself (so "'=" survives a round trip).
_QUOTED = ("=", "+", "-", "@", "'")


def _decimal(v: object) -> Decimal:
    """Decimal from a cell; AmountError with a code when it is not a number."""
    t = type(v)
    if t is float:
        if v != v or v in (float("inf"), float("-inf")):  # type: ignore[comparison-overlap]
            raise AmountError("non numérique", "amount-not-finite")
        d = Decimal(int(v)) if v.is_integer() else Decimal(repr(v))  # type: ignore[attr-defined]
    elif t is int:
        d = Decimal(v)  # type: ignore[arg-type]
    elif t is str:
        d = parse_amount(v)  # type: ignore[arg-type]
    else:
        raise AmountError(f"« {v} » n'est pas un nombre")
    if d.as_tuple().exponent < -2:  # type: ignore[operator]
        d = d.quantize(CENT, rounding=ROUND_HALF_UP)  # float artefacts: 1234.5600000001
    return d


_AMOUNT_CODES = {
    "amount-missing": IssueCode.AMOUNT_MISSING,
    "amount-ttc": IssueCode.AMOUNT_TTC,
    "amount-not-finite": IssueCode.AMOUNT_NOT_FINITE,
}


def _amount(v: object) -> Decimal:
    try:
        d = _decimal(v)
    except AmountError as e:
        code = _AMOUNT_CODES.get(e.code, IssueCode.AMOUNT_INVALID)
        raise _Bad(code, None if code is IssueCode.AMOUNT_TTC else f"(« {v} »)") from None
    if d < 0:
        raise _Bad(IssueCode.AMOUNT_NEGATIVE, f"(« {v} »)")
    if d > AMOUNT_IMPOSSIBLE:
        raise _Bad(IssueCode.AMOUNT_ABSURD, "Au-delà de 1 000 milliards d'euros, la ligne est rejetée.", error=True)
    return d


def _hours(v: object) -> Decimal:
    try:
        d = _decimal(v)
    except AmountError:
        raise _Bad(IssueCode.VALUE_INVALID, f"Nombre d'heures attendu (« {v} »).") from None
    if d < 0:
        raise _Bad(IssueCode.VALUE_INVALID, f"Nombre d'heures négatif (« {v} »).")
    return d


_DURATION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(mois|m|months?|ans?|annees?|years?|jours?|j|days?)?$")


def _duration(v: object) -> int:
    if type(v) in (int, float):
        n = float(v)  # type: ignore[arg-type]
        unit = None
    else:
        m = _DURATION.match(str(v).strip().lower())
        if not m:
            raise _Bad(IssueCode.DURATION_INVALID, f"Nombre de mois attendu (« {v} »).")
        n, unit = float(m.group(1).replace(",", ".")), m.group(2) or ""
        if unit.startswith(("an", "year")):
            n *= 12
        elif unit.startswith(("j", "day")):
            n /= 30
    if not 0 <= n <= DURATION_MAX_MONTHS:
        raise _Bad(IssueCode.DURATION_INVALID, f"(« {v} »)")
    return int(Decimal(str(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


_CPV_HEAD = re.compile(r"^\s*(\d{2}[ .]?\d{3}[ .]?\d{3}|\d{7})(?:\s*[-–]\s*(\d))?(?![\d])")


@lru_cache(maxsize=8192)
def _cpv_code(v: object) -> tuple[str | None, IssueCode | None]:
    """(8-digit code or None, issue code or None) for a CPV cell; cached (codes repeat)."""
    s = _text(v)
    m = _CPV_HEAD.match(s)
    if not m:
        return None, IssueCode.CPV_MALFORMED
    code = re.sub(r"[ .]", "", m.group(1)) + (f"-{m.group(2)}" if m.group(2) else "")
    try:
        return _cpv.validate(code), None
    except InvalidChecksum:
        return _cpv.split(code)[0], IssueCode.CPV_CHECK_DIGIT
    except UnknownCode:
        return None, IssueCode.CPV_UNKNOWN
    except InvalidCode:
        return None, IssueCode.CPV_MALFORMED


@lru_cache(maxsize=8192)
def _nature_of(code: str) -> Nature:
    return Nature(_cpv.nature(code))


@lru_cache(maxsize=8192)
def _company_id(v: str) -> str:
    return validate_company_id(v)


def _siret(v: object) -> str:
    try:
        return _company_id(_text(v))
    except InvalidCode as e:
        raise _Bad(IssueCode.SIRET_INVALID, str(e)) from None


def _vocab(pairs: dict[str, Any]) -> dict[str, Any]:
    return {normalise(k): val for k, val in pairs.items()}


_NATURES = _vocab({"travaux": Nature.TRAVAUX, "works": Nature.TRAVAUX, "t": Nature.TRAVAUX, "travail": Nature.TRAVAUX,
                   "fournitures": Nature.FOURNITURES, "fourniture": Nature.FOURNITURES, "supplies": Nature.FOURNITURES,
                   "supply": Nature.FOURNITURES, "goods": Nature.FOURNITURES, "f": Nature.FOURNITURES,
                   "services": Nature.SERVICES, "service": Nature.SERVICES, "s": Nature.SERVICES})
_KINDS = _vocab({
    **{k.label: k for k in ContractKind}, **{k.value.replace("_", " "): k for k in ContractKind},
    "marché public": ContractKind.MARCHE, "accord cadre": ContractKind.ACCORD_CADRE, "ac": ContractKind.ACCORD_CADRE,
    "framework agreement": ContractKind.ACCORD_CADRE, "contract": ContractKind.MARCHE,
    "partenariat": ContractKind.MARCHE_PARTENARIAT, "concession": ContractKind.CONCESSION,
    "dépense": ContractKind.DEPENSE, "marché défense sécurité": ContractKind.MARCHE_DEFENSE,
})
_BUYER_KINDS = _vocab({**{k.label: k for k in BuyerKind}, **{k.value.replace("_", " "): k for k in BuyerKind},
                       "métropole": BuyerKind.EPCI, "communauté d'agglomération": BuyerKind.EPCI,
                       "communauté de communes": BuyerKind.EPCI, "ville": BuyerKind.COMMUNE, "chu": BuyerKind.HOPITAL,
                       "ch": BuyerKind.HOPITAL, "département": BuyerKind.DEPARTEMENT, "région": BuyerKind.REGION,
                       "autre acheteur soumis au code": BuyerKind.AUTRE})
_SUPPLIER_KINDS = _vocab({
    "siae": SupplierKind.SIAE, "iae": SupplierKind.SIAE, "structure d'insertion": SupplierKind.SIAE,
    "structure d'insertion par l'activité économique": SupplierKind.SIAE, "ei": SupplierKind.SIAE,
    "aci": SupplierKind.SIAE, "etti": SupplierKind.SIAE, "ai": SupplierKind.SIAE, "geiq": SupplierKind.SIAE,
    "ea": SupplierKind.EA, "entreprise adaptée": SupplierKind.EA, "esat": SupplierKind.ESAT,
    "esus": SupplierKind.ESUS, "ess": SupplierKind.ESS, **{k.label: k for k in SupplierKind},
})
_NO_WORDS = frozenset(_vocab({w: 1 for w in ("non", "no", "aucun", "aucune", "sans objet", "néant", "neant", "none", "sans", "autre",
                                             "classique", "-", "n", "0", "faux", "false")}))
_YES_WORDS = frozenset(_vocab({w: 1 for w in ("oui", "o", "x", "yes", "y", "1", "vrai", "true")}))
_EXEMPTIONS = _vocab({**{k.label: k for k in SocialExemption}, **{k.value.replace("_", " "): k for k in SocialExemption}})
_EGALIM = _vocab({**{k.label: k for k in EgalimCategory}, **{k.value.replace("_", " "): k for k in EgalimCategory},
                  "bio": EgalimCategory.BIO, "biologique": EgalimCategory.BIO, "agriculture biologique": EgalimCategory.BIO,
                  "ab": EgalimCategory.BIO, "en conversion": EgalimCategory.BIO, "durable": EgalimCategory.DURABLE,
                  "durable et de qualité": EgalimCategory.DURABLE, "egalim": EgalimCategory.DURABLE,
                  "siqo": EgalimCategory.DURABLE, "label rouge": EgalimCategory.DURABLE, "aop": EgalimCategory.DURABLE,
                  "igp": EgalimCategory.DURABLE, "hve": EgalimCategory.DURABLE, "autre": EgalimCategory.AUTRE,
                  "non": EgalimCategory.AUTRE, "conventionnel": EgalimCategory.AUTRE,
                  "autre produit alimentaire": EgalimCategory.AUTRE})
_AGEC_LABELS = {normalise(label): n for n, label in AGEC_CATEGORIES.items()}
_SPLIT = re.compile(r"[;,/|+\n]+")


def _none_word(n: str) -> bool:
    return n in _NO_WORDS or n.startswith(("pas ", "aucun", "sans ", "non "))


def _one_of(table: dict[str, Any], what: str) -> Callable[[object], Any]:
    def conv(v: object) -> Any:
        hit = table.get(normalise(v))
        if hit is None:
            raise _Bad(IssueCode.VALUE_INVALID, f"{what} (« {v} »).")
        return hit

    return conv


def _considerations(v: str, kinds: tuple[tuple[str, Any], ...], none: Any, clause: Any, clause_words: tuple[str, ...]) -> frozenset[Any]:
    """A cell of considerations: each part is a kind (by keyword, in order), "none", or a clause."""
    out: set[Any] = set()
    for part in _SPLIT.split(v):
        n = normalise(part)
        if not n:
            continue
        kind = next((member for word, member in kinds if word in n), None)
        if kind is not None:
            out.add(kind)
        elif _none_word(n):
            out.add(none)
        elif n in _YES_WORDS or any(w in n for w in clause_words):
            out.add(clause)
        else:
            raise _Bad(IssueCode.CONSIDERATION_INVALID, f"(« {part.strip()} ») : valeur laissée inconnue.")
    return _drop_none(out, none)


@lru_cache(maxsize=1024)
def _social(v: str) -> frozenset[SocialConsideration]:
    S = SocialConsideration
    return _considerations(v, (("reserv", S.RESERVE), ("critere", S.CRITERE)), S.AUCUNE, S.CLAUSE, ("clause", "insertion"))


@lru_cache(maxsize=1024)
def _environmental(v: str) -> frozenset[EnvironmentalConsideration]:
    E = EnvironmentalConsideration
    return _considerations(v, (("critere", E.CRITERE),), E.AUCUNE, E.CLAUSE, ("clause",))


def _drop_none(values: set, none: Any) -> frozenset:  # type: ignore[type-arg]
    # "Pas de ..." next to a real consideration: the real one wins.
    if none in values and len(values) > 1:
        values.discard(none)
    return frozenset(values)


@lru_cache(maxsize=1024)
def _supplier_kinds(v: str) -> frozenset[SupplierKind]:
    out = set()
    for part in _SPLIT.split(v):
        n = normalise(part)
        if not n or _none_word(n):
            continue
        hit = _SUPPLIER_KINDS.get(n)
        if hit is None:
            raise _Bad(IssueCode.VALUE_INVALID, f"Type de structure attendu : SIAE, EA, ESAT, ESUS ou ESS (« {part.strip()} »).")
        out.add(hit)
    return frozenset(out)


def _exemption(v: object) -> SocialExemption:
    n = normalise(v)
    hit = _EXEMPTIONS.get(n)
    if hit is None:
        if "lien" in n:
            hit = SocialExemption.NO_LINK
        elif "concurrence" in n or "difficulte" in n:
            hit = SocialExemption.COMPETITION_OR_DIFFICULTY
        elif "immediat" in n or "disponible" in n:
            hit = SocialExemption.IMMEDIATELY_AVAILABLE
        else:
            raise _Bad(IssueCode.VALUE_INVALID, f"Motif d'exemption non reconnu (« {v} »).")
    return hit


def _egalim(v: object) -> EgalimCategory:
    n = normalise(v)
    hit = _EGALIM.get(n)
    if hit is None:
        if "bio" in n:
            return EgalimCategory.BIO
        if "durable" in n or "qualite" in n or "label" in n:
            return EgalimCategory.DURABLE
        raise _Bad(IssueCode.VALUE_INVALID, f"Catégorie EGalim attendue : Bio, Durable et de qualité ou Autre (« {v} »).")
    return hit


def _yes_no(v: object) -> bool:
    if type(v) is bool:
        return v  # type: ignore[return-value]
    n = normalise(v)
    if n in _YES_WORDS:
        return True
    if n in _NO_WORDS:
        return False
    raise _Bad(IssueCode.VALUE_INVALID, f"Oui ou Non attendu (« {v} »).")


def _agec_category(v: object) -> int:
    if type(v) in (int, float) and float(v).is_integer() and 1 <= v <= 17:  # type: ignore[operator]
        return int(v)  # type: ignore[call-overload]
    n = normalise(v)
    if n in _AGEC_LABELS:
        return _AGEC_LABELS[n]
    m = re.match(r"^(?:cat\w*\s*)?(\d{1,2})\b", n)
    if m and 1 <= int(m.group(1)) <= 17:
        return int(m.group(1))
    for label, num in _AGEC_LABELS.items():
        if n and label.startswith(n):
            return num
    raise _Bad(IssueCode.VALUE_INVALID, f"Catégorie AGEC attendue : numéro de 1 à 17 (« {v} »).")


def _agec_kind(v: object) -> AgecKind:
    n = normalise(v)
    if "reemploi" in n or "reutilis" in n or "reconditionn" in n:
        return AgecKind.REEMPLOI
    if "recycl" in n:
        return AgecKind.RECYCLE
    if "neuf" in n or "autre" in n or n in _NO_WORDS:
        return AgecKind.AUTRE
    raise _Bad(IssueCode.VALUE_INVALID, f"Réemploi, Recyclé ou Neuf attendu (« {v} »).")


def _livre_v(v: object) -> str | None:
    s = _text(v)
    return None if _none_word(normalise(s)) else s


def _techniques(v: object) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;,\n]+", _text(v)) if p.strip())


def _sentence(e: Exception) -> str:
    s = str(e)
    return s[:1].upper() + s[1:] + ("" if s.endswith(".") else ".")


# -- sheets ------------------------------------------------------------------
@dataclass
class _Sheet:
    name: str | None  # None for a CSV file
    rows: list[list[Any]]
    hidden: bool = False
    formulas: frozenset[tuple[int, int]] = frozenset()  # (1-based row, 0-based column) without value
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    # CSV only: line number of each row (a record may span lines), the delimiter, the records
    # after ``rows`` (streamed, read once, in blocks: see _Block) and what closes the file.
    line_numbers: list[int] | None = None
    delimiter: str | None = None
    rest: Iterator[_Block] | None = None
    close: Callable[[], None] | None = None


# Rows read together: (row or first line numbers, rows).
_Block = tuple[Sequence[int], Sequence[list[Any]]]


@dataclass
class _Table:
    sheet: _Sheet
    header_row: int  # 0-based index in rows
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> header text as written
    ttc_rate: Decimal | None  # set when the amount is read from a TTC column


def read_spreadsheet(path: Path, kind: str, opts: ImportOptions) -> ImportResult:
    """Read a .xlsx or .csv purchase table into portfolios and a report.

    ``kind`` comes from :func:`spaser.io.sniff`: 'xlsx', 'csv', 'ods' or
    'ole2' (the last two are refused with a French message saying what to do).
    """
    name = str(path)
    size = path.stat().st_size
    limit = MAX_CSV_BYTES if kind == "csv" else MAX_FILE_BYTES
    if size > limit:
        raise LimitExceeded(
            f"fichier trop volumineux ({size // (1024 * 1024)} Mo pour {limit // (1024 * 1024)} Mo au plus) : "
            "découpez-le (par année ou par feuille).",
            code=IssueCode.FILE_TOO_LARGE.value,
            file=name,
        )
    if kind == "ods":
        raise InputError(
            "fichier OpenDocument (.ods) : ouvrez-le dans votre tableur (LibreOffice Calc) et enregistrez-le au format .xlsx, puis réessayez.",
            code=IssueCode.FILE_OLD_FORMAT.value,
            file=name,
        )
    if kind == "ole2":
        _refuse_ole2(path)
    report = ImportReport(file=name, max_issues=opts.max_issues)
    # The cyclic garbage collector would rescan every object built so far while the import
    # creates hundreds of thousands of acyclic ones (about 30 % of the time): paused meanwhile
    # and restored as it was (spaser._gc). No gc.freeze(): a library must not change the
    # collector for the rest of the caller's process (the web server lives long).
    sheets: list[_Sheet] = []
    with paused(promote=True):
        try:
            if kind == "xlsx":
                sheets = _read_xlsx(path, report)
            elif kind == "csv":
                sheets = [_read_csv(path, report, opts)]
            else:  # pragma: no cover - load() only sends the kinds above
                raise InputError(MESSAGES[IssueCode.FILE_FORMAT], code=IssueCode.FILE_FORMAT.value, file=name)
            report.formats.append(kind)
            if opts.sheet is not None:
                names = [s.name for s in sheets]
                sheets = [s for s in sheets if s.name == opts.sheet]
                if not sheets:
                    raise InputError(
                        f"feuille « {opts.sheet} » introuvable ; feuilles du classeur : {', '.join(map(str, names))}.",
                        code="sheet-not-found",
                        file=name,
                    )
            tables = _find_tables(sheets, report, opts, name)
            return _Reader(path, report, opts).read(tables)
        finally:
            for sh in sheets:
                if sh.close is not None:
                    sh.close()


def _refuse_ole2(path: Path) -> None:
    data = path.read_bytes()
    name = str(path)
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise InputError(
            "classeur protégé par un mot de passe : ouvrez-le dans votre tableur, retirez le mot de passe "
            "(Fichier > Informations > Protéger le classeur) et enregistrez-le au format .xlsx, puis réessayez.",
            code=IssueCode.FILE_ENCRYPTED.value,
            file=name,
        )
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        raise InputError(
            "ancien format Excel (.xls, 97-2003) : ouvrez-le dans votre tableur et enregistrez-le au format .xlsx "
            "(Fichier > Enregistrer sous > Classeur Excel), puis réessayez.",
            code=IssueCode.FILE_OLD_FORMAT.value,
            file=name,
        )
    raise InputError(
        "document Office ancien (format OLE2) qui n'est pas un classeur : attendu un tableur .xlsx ou .csv.",
        code=IssueCode.FILE_FORMAT.value,
        file=name,
    )


# -- xlsx ----------------------------------------------------------------------
def _check_zip(path: Path) -> zipfile.ZipFile:
    name = str(path)
    try:
        z = zipfile.ZipFile(path)
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(
            f"{MESSAGES[IssueCode.FILE_CORRUPT]} (archive ZIP invalide). Ouvrez-le dans votre tableur et enregistrez-le à nouveau.",
            code=IssueCode.FILE_CORRUPT.value,
            file=name,
        ) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        z.close()
        raise LimitExceeded(
            f"classeur refusé : il occuperait {total / 1024**3:.1f} Gio une fois décompressé "
            f"(limite : {MAX_UNCOMPRESSED_BYTES // 1024**3} Gio). Fichier piégé ou trop volumineux.",
            code=IssueCode.FILE_TOO_LARGE.value,
            file=name,
        )
    for i in infos:
        if i.file_size > RATIO_CHECK_FROM_BYTES and i.file_size > MAX_COMPRESSION_RATIO * max(i.compress_size, 1):
            z.close()
            raise LimitExceeded(
                f"classeur refusé : la partie « {i.filename} » est compressée {i.file_size // max(i.compress_size, 1)} fois "
                f"(limite : {MAX_COMPRESSION_RATIO}). Fichier piégé (bombe de décompression) ou anormal.",
                code=IssueCode.FILE_TOO_LARGE.value,
                file=name,
            )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        z.close()
        what = "un document Word" if "word/document.xml" in names else "une présentation" if any(
            n.startswith("ppt/") for n in names) else "une archive ZIP"
        raise InputError(
            f"ce fichier est {what}, pas un classeur Excel (.xlsx).", code=IssueCode.FILE_FORMAT.value, file=name
        )
    return z


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>')


def _has_formula_tag(data: bytes) -> bool:
    """True when ``data`` holds a ``<f`` element (``bytes.find``: several times faster than a regex on a big sheet)."""
    i = data.find(b"<f")
    while i >= 0:
        if data[i + 2 : i + 3] in (b" ", b">", b"/"):
            return True
        i = data.find(b"<f", i + 2)
    return False


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> XML member path, from workbook.xml and its relationships."""
    from defusedxml import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - formulas are a best-effort check; calamine reports real damage
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for s in wb.iter(f"{ns_main}sheet"):
        t = targets.get(s.get(f"{ns_rel}id"), "")
        out[s.get("name", "")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


def _formula_cells(path: Path, member: str) -> frozenset[tuple[int, int]]:
    """Cells holding a formula but no cached value (never computed by a spreadsheet).

    The workbook is opened again: a ZipFile is not shared between threads.
    """
    try:
        with zipfile.ZipFile(path) as z, z.open(member) as fh:
            found, tail = False, b""
            while chunk := fh.read(1 << 22):
                if _has_formula_tag(tail + chunk):
                    found = True
                    break
                tail = chunk[-8:]
            if not found:
                return frozenset()
            data = z.read(member)
    except (KeyError, zipfile.BadZipFile, OSError):
        return frozenset()
    return frozenset((int(m.group(2)), _column_index(m.group(1))) for m in _CELL_REF.finditer(data))


def _read_xlsx(path: Path, report: ImportReport) -> list[_Sheet]:
    import python_calamine as pc

    name = str(path)
    z = _check_zip(path)
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        try:
            wb = pc.CalamineWorkbook.from_path(str(path))
        except pc.PasswordError:
            raise InputError(MESSAGES[IssueCode.FILE_ENCRYPTED], code=IssueCode.FILE_ENCRYPTED.value, file=name) from None
        except Exception as e:  # noqa: BLE001 - calamine's errors are many; all mean "cannot read"
            raise InputError(
                f"{MESSAGES[IssueCode.FILE_CORRUPT]} (détail technique : {e}). Ouvrez-le dans votre tableur et enregistrez-le à nouveau.",
                code=IssueCode.FILE_CORRUPT.value,
                file=name,
            ) from None
        members = _sheet_paths(z)
        sheets: list[_Sheet] = []
        cells = 0
        # The formula scan inflates each sheet's XML in a thread while calamine parses it: zlib
        # and calamine let go of the GIL, and inflating is a fifth of calamine's time.
        scans = {sheet: pool.submit(_formula_cells, path, member) for sheet, member in members.items()}
        with wb:
            for meta in wb.sheets_metadata:
                if str(meta.typ) != str(pc.SheetTypeEnum.WorkSheet):
                    continue
                try:
                    sh = wb.get_sheet_by_name(meta.name)
                except Exception as e:  # noqa: BLE001
                    raise InputError(
                        f"{MESSAGES[IssueCode.FILE_CORRUPT]} ({e}).", code=IssueCode.FILE_CORRUPT.value, file=name, sheet=meta.name
                    ) from None
                end = sh.end
                height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
                if height > MAX_ROWS_PER_SHEET + HEADER_SCAN_ROWS:
                    raise LimitExceeded(
                        f"{height} lignes : au plus {MAX_ROWS_PER_SHEET} lignes par feuille. Découpez le tableau.",
                        code=IssueCode.LIMIT_ROWS.value, file=name, sheet=meta.name,
                    )
                cells += height * width
                if cells > MAX_CELLS:
                    raise LimitExceeded(
                        f"plus de {MAX_CELLS} cellules : découpez le classeur.", code=IssueCode.LIMIT_CELLS.value, file=name, sheet=meta.name
                    )
                rows = sh.to_python(skip_empty_area=False) if end else []
                scan = scans.get(meta.name)
                sheets.append(
                    _Sheet(
                        name=meta.name,
                        rows=rows,
                        hidden=str(meta.visible) != str(pc.SheetVisibleEnum.Visible),
                        formulas=scan.result() if scan else frozenset(),
                        merged=list(sh.merged_cell_ranges or []),
                    )
                )
    finally:
        z.close()
        pool.shutdown(cancel_futures=True)
    return sheets


# -- csv -----------------------------------------------------------------------
def _cp1252_repair(err: UnicodeDecodeError) -> tuple[str, int]:
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="replace"), err.end  # type: ignore[union-attr]


codecs.register_error("spaser-cp1252", _cp1252_repair)


_CHUNK = 1 << 20  # bytes read at a time from a CSV file


def _scan_encoding(path: Path, report: ImportReport) -> tuple[str, str, bool]:
    """(encoding, error handler, has NUL) for a CSV file, read once in chunks without keeping the text.

    UTF-16 with a BOM, else UTF-8 (BOM or not); bytes that are not UTF-8 are
    read as Windows-1252, with one warning naming the first faulty line.
    Raises InputError for invalid UTF-16 and for a file with nothing but blanks.
    """
    name = str(path)
    nul = nonblank = False
    with open(path, "rb") as fh:
        start = fh.read(2)
        fh.seek(0)
        if start in (b"\xff\xfe", b"\xfe\xff"):
            encoding, errors = "utf-16", "strict"
            decoder = codecs.getincrementaldecoder("utf-16")()
            try:
                while True:
                    chunk = fh.read(_CHUNK)
                    text = decoder.decode(chunk, final=not chunk)
                    nul = nul or "\x00" in text
                    nonblank = nonblank or bool(text.replace("\x00", "").strip())
                    if not chunk:
                        break
            except UnicodeDecodeError:
                raise InputError(
                    f"{MESSAGES[IssueCode.ENCODING]} (UTF-16 invalide). Enregistrez le fichier en CSV UTF-8.",
                    code=IssueCode.ENCODING.value, file=name,
                ) from None
        else:
            encoding, errors = "utf-8-sig", "strict"
            pending, newlines = b"", 0
            # The BOM is read on its own: a chunk that held only the BOM would look like the end of the file.
            chunk = fh.read(len(codecs.BOM_UTF8)).removeprefix(codecs.BOM_UTF8)
            chunk += fh.read(_CHUNK)  # a regular file gives whole chunks until its end
            while True:
                buf = pending + chunk
                try:
                    text, used = codecs.utf_8_decode(buf, errors, not chunk)
                except UnicodeDecodeError as e:
                    line = newlines + buf[: e.start].count(b"\n") + 1
                    report.issue(
                        IssueCode.ENCODING,
                        detail=f"Le fichier n'est pas entièrement en UTF-8 (premier caractère fautif ligne {line}) : "
                        "les caractères accentués ont été lus en Windows-1252. Vérifiez les textes, ou enregistrez le fichier en CSV UTF-8.",
                        row=line,
                    )
                    errors = "spaser-cp1252"
                    text, used = codecs.utf_8_decode(buf, errors, not chunk)
                nul = nul or "\x00" in text
                nonblank = nonblank or bool(text.replace("\x00", "").strip())
                newlines += buf.count(b"\n", 0, used)
                pending = buf[used:]
                if not chunk:
                    break
                chunk = fh.read(_CHUNK)
    if nul:
        report.issue(IssueCode.ENCODING, detail="Caractères nuls (NUL) supprimés : le fichier a peut-être été mal exporté.")
    if not nonblank:
        raise InputError(MESSAGES[IssueCode.FILE_EMPTY], code=IssueCode.FILE_EMPTY.value, file=name)
    return encoding, errors, nul


def _csv_records(reader: Any, name: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, record) for each CSV record, streamed (the first records, for the header)."""
    last = 0
    try:
        for rec in reader:
            yield last + 1, rec
            last = reader.line_num
    except csv.Error:
        raise _quote_error(name, last + 1) from None


def _csv_blocks(reader: Any, name: str, read: int, locate: Callable[[], int]) -> Iterator[_Block]:
    """The records after the first ``read`` ones, :data:`_BATCH_ROWS` at a time: (first line numbers, records).

    The csv module reads a whole chunk (no Python code per record). Line numbers come from the
    reader's count of lines, or, when a record spans lines, from the line breaks inside its
    quoted cells. On a quote error, ``locate()`` reads the file again up to it to name its line.
    """
    limit = MAX_ROWS_PER_SHEET + HEADER_SCAN_ROWS
    last = reader.line_num
    while True:
        try:
            recs = list(itertools.islice(reader, _BATCH_ROWS))
        except csv.Error:
            raise _quote_error(name, locate()) from None
        if not recs:
            return
        read += len(recs)
        if read > limit:
            raise LimitExceeded(
                f"plus de {limit} lignes : au plus {MAX_ROWS_PER_SHEET} lignes par fichier. Découpez le tableau.",
                code=IssueCode.LIMIT_ROWS.value, file=name,
            )
        end = reader.line_num
        numbers: Sequence[int] = range(last + 1, end + 1)
        if end - last != len(recs):
            numbers = _record_lines(recs, last + 1)
        last = end
        yield numbers, recs


def _record_lines(recs: list[list[str]], first: int) -> list[int]:
    """The first line number of each record, when some records span lines.

    A record takes one line plus its cells' line breaks, counted as the file's lines are cut
    (\\n, \\r or \\r\\n). Counted with C-level maps: Python code per cell cost ~3 µs a record.
    """
    joined = list(map("\x1f".join, recs))
    lf, cr, crlf = (map(str.count, joined, itertools.repeat(s)) for s in ("\n", "\r", "\r\n"))
    lines = map(operator.sub, map(operator.add, lf, cr), crlf)  # line breaks inside the record
    return list(itertools.accumulate(map((1).__add__, lines), initial=first))[:-1]


def _quote_error(name: str, line: int) -> InputError:
    return InputError(
        f"{MESSAGES[IssueCode.FILE_CORRUPT]} Guillemet non fermé ou mal placé à partir de la ligne {line} : "
        "corrigez les guillemets (\") de cette ligne, ou enregistrez à nouveau le fichier depuis votre tableur.",
        code=IssueCode.FILE_CORRUPT.value,
        file=name,
        row=line,
    )


def _read_csv(path: Path, report: ImportReport, opts: ImportOptions) -> _Sheet:
    """The CSV file as a sheet whose rows are streamed: the first rows are kept for the header, the rest is read once."""
    name = str(path)
    # A big file is parsed by a child process while this one converts the rows (spaser._fork).
    child = _csv_child(path, name, opts) if path.stat().st_size >= _FORK_MIN_BYTES else None
    if child is None:
        encoding, errors, nul = _scan_encoding(path, report)
    else:  # the child checks the encoding after the rows; the text reads the same (see _csv_child)
        encoding, errors, nul = "utf-8-sig", "spaser-cp1252", True
    try:
        fh, reader, rows, numbers, best = _open_csv(path, name, encoding, errors, nul, opts)
    except BaseException:
        if child is not None:
            child.stop()
        raise

    def reopen() -> tuple[Any, Any]:
        """The file opened again from its start: (file, csv reader)."""
        again = open(path, encoding=encoding, errors=errors, newline="")  # noqa: SIM115 - the callers close it
        return again, csv.reader((x.replace("\x00", "") for x in again) if nul else again, delimiter=best, strict=True)

    def locate() -> int:
        """The first line of the record with a quote error: the file read again, record by record."""
        again, records = reopen()
        with again:
            try:
                for _ in _csv_records(records, name):
                    pass
            except InputError as e:
                return e.row or 1
        return 1  # pragma: no cover - the error came from this file: read again, it comes back

    def resume(got: int) -> Iterator[Any]:
        """What the child did not send, read in this process: the records after the first ``got``, the encoding's issues."""
        again, records = reopen()
        with again:
            skip = len(rows) + got
            for _ in itertools.islice(records, skip):
                pass
            yield from _csv_blocks(records, name, skip, locate)
        yield _encoding_issues(path, name)

    def from_child(items: Iterator[Any]) -> Iterator[_Block]:
        """The child's blocks (the first one must follow the records read here), then its encoding issues, listed first."""
        first = True
        for item in items:
            if type(item) is list:
                report.put_first(item)
                continue
            if first and item[0][0] != reader.line_num + 1:  # pragma: no cover - the child read another text: read it here
                items.close()
                yield from from_child(resume(0))
                return
            first = False
            yield item

    def close() -> None:
        if child is not None:
            child.stop()
        fh.close()

    rest = _csv_blocks(reader, name, len(rows), locate) if child is None else from_child(child.items(resume))
    return _Sheet(name=None, rows=rows, line_numbers=numbers, delimiter=best, rest=rest, close=close)


def _csv_child(path: Path, name: str, opts: ImportOptions) -> _fork.Forked[Any] | None:
    """A child process parsing the file (see _child_items), or None to read it here.

    The child reads with the Windows-1252 fallback and without NUL characters: the text read
    is then the one :func:`_scan_encoding` would have chosen. Not for UTF-16, nor a file that
    starts blank: there the check may refuse the file, and must do so before anything else.
    """
    with open(path, "rb") as fh:
        start = fh.read(_CHUNK)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff") or not start.decode("utf-8", "ignore").replace("\x00", "").strip():
        return None
    return _fork.start(_child_items(path, name, opts), count=_block_size, pack=_shared_texts)


def _child_items(path: Path, name: str, opts: ImportOptions) -> Iterator[Any]:
    """What the child sends: the blocks of records after the first ones, then the encoding's issues (a list).

    On any error it stops: the parent then reads on by itself and reports the error.
    """
    # The check runs in a thread: it works while the child waits for the parent to take a block.
    with ThreadPoolExecutor(max_workers=1) as pool:
        issues = pool.submit(_encoding_issues, path, name)
        fh, reader, rows, _, _ = _open_csv(path, name, "utf-8-sig", "spaser-cp1252", True, opts)
        with fh:
            yield from _csv_blocks(reader, name, len(rows), lambda: 0)
        yield issues.result()


def _encoding_issues(path: Path, name: str) -> list[ImportIssue]:
    """The issues :func:`_scan_encoding` reports for this file."""
    found = ImportReport(file=name)
    _scan_encoding(path, found)
    return found.issues


def _open_csv(path: Path, name: str, encoding: str, errors: str, nul: bool, opts: ImportOptions) -> tuple[Any, Any, list[list[Any]], list[int], str]:
    """The file opened, its delimiter chosen and its first records read: (file, csv reader, rows, their line numbers, delimiter)."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS * 4))
    fh = io.TextIOWrapper(open(path, "rb", buffering=1 << 20), encoding=encoding, errors=errors, newline="")
    fh._CHUNK_SIZE = _CHUNK  # bytes decoded at a time (8 kB by default)
    try:
        lines: Iterator[str] = (line.replace("\x00", "") for line in fh) if nul else iter(fh)
        # The delimiter is chosen on the first lines (as str.splitlines cuts them).
        head_lines: list[str] = []
        for line in lines:
            head_lines.append(line)
            if len("".join(head_lines).splitlines()) > HEADER_SCAN_ROWS:
                break
        head = "\n".join("".join(head_lines).splitlines()[:HEADER_SCAN_ROWS])
        best, best_score = ";", (-1, -1)
        for d in (";", ",", "\t", "|"):
            try:
                sample = list(csv.reader(io.StringIO(head), delimiter=d))
            except csv.Error:
                continue
            score = max((_header_score(r, _mapping_norm(opts))[0] for r in sample), default=0)
            count = max((len(r) for r in sample), default=0)
            if (score, count) > best_score:
                best, best_score = d, (score, count)
        reader = csv.reader(itertools.chain(head_lines, lines), delimiter=best, strict=True)
        rows: list[list[Any]] = []
        numbers: list[int] = []
        for line_no, rec in _csv_records(reader, name):
            rows.append(rec)
            numbers.append(line_no)
            if len(rows) >= HEADER_SCAN_ROWS:
                break
    except BaseException:
        fh.close()
        raise
    return fh, reader, rows, numbers, best


_FORK_MIN_BYTES = 8 << 20  # a CSV file from this size (some tens of thousands of lines) is parsed by a child process


def _block_size(item: Any) -> int:
    return 0 if type(item) is list else len(item[1])  # a block, or the encoding's issues


def _shared_texts(block: Any) -> Any:
    """The block with equal cells made one object: pickle then sends a repeated text once (about 4x less to load)."""
    if type(block) is list:  # the encoding's issues
        return block
    numbers, recs = block
    same: dict[str, str] = {}
    return numbers, [list(map(same.setdefault, rec, rec)) for rec in recs]


# -- header detection ---------------------------------------------------------
def _mapping_norm(opts: ImportOptions) -> dict[str, str]:
    """Normalised header text -> field, from the explicit mapping."""
    return {normalise(h): f for f, h in (opts.mapping or {}).items()}


def _header_score(row: Sequence[Any], mapping: dict[str, str]) -> tuple[int, dict[int, str]]:
    fields: dict[int, str] = {}
    for j, cell in enumerate(row):
        if type(cell) is not str or not cell.strip():
            continue
        f = mapping.get(normalise(cell)) if mapping else None
        if f is None:
            f = match_header(cell)
        if f is not None:
            fields[j] = f
    return len(set(fields.values())), fields


def _has_amount(fields: dict[int, str]) -> bool:
    return any(f in ("amount_ht", "amount_ttc") for f in fields.values())


def _find_tables(sheets: list[_Sheet], report: ImportReport, opts: ImportOptions, name: str) -> list[_Table]:
    mapping = _mapping_norm(opts)
    if opts.mapping:
        bad = [f for f in opts.mapping if not is_known_field(f)]
        if bad:
            known = ", ".join(c.field for c in COLUMNS)
            raise InputError(
                f"{MESSAGES[IssueCode.MAPPING_INVALID]} Champ(s) inconnu(s) : {', '.join(bad)}. Champs possibles : {known}, "
                "amount_ttc, spend_AAAA.",
                code=IssueCode.MAPPING_INVALID.value, file=name,
            )
    tables: list[_Table] = []
    no_amount: list[tuple[_Sheet, int, dict[int, str]]] = []
    seen_headers: list[str] = []
    for sh in sheets:
        candidates = []
        for i, row in enumerate(sh.rows[:HEADER_SCAN_ROWS]):
            score, fields = _header_score(row, mapping)
            # One recognised header is enough for a one-column table of amounts.
            if score >= 2 or (score == 1 and _has_amount(fields) and sum(1 for c in row if not _empty(c)) == 1):
                candidates.append((score, i, fields))
            seen_headers.extend(str(c).strip() for c in row if type(c) is str and c.strip())
        if mapping:
            wanted = set(mapping)
            candidates = [c for c in candidates if wanted <= {normalise(sh.rows[c[1]][j]) for j in c[2]}]
        if not candidates:
            if sh.name is not None:
                report.issue(IssueCode.SHEET_SKIPPED, sheet=sh.name, detail="(feuille masquée)" if sh.hidden else None)
            continue
        score, i, fields = max(candidates, key=lambda c: (_has_amount(c[2]), c[0], -c[1]))
        others = [c for c in candidates if c[1] != i and _has_amount(c[2])]
        if others:
            report.issue(
                IssueCode.HEADER_AMBIGUOUS, sheet=sh.name, row=i + 1,
                detail=f"En-tête retenu ligne {i + 1} ; autre(s) candidat(s) ligne(s) {', '.join(str(c[1] + 1) for c in others)}.",
            )
        if not _has_amount(fields):
            no_amount.append((sh, i, fields))
            continue
        if sh.hidden:
            report.issue(IssueCode.SHEET_HIDDEN, sheet=sh.name)
        tables.append(_make_table(sh, i, fields, report, opts, name))
    if mapping and not tables and not no_amount:
        missing = sorted(h for h in (opts.mapping or {}).values() if normalise(h) not in {normalise(s) for s in seen_headers})
        raise InputError(
            f"{MESSAGES[IssueCode.MAPPING_INVALID]} Colonne(s) introuvable(s) dans le fichier : "
            f"{', '.join('« ' + m + ' »' for m in missing) or 'aucune ligne ne les réunit toutes'}.",
            code=IssueCode.MAPPING_INVALID.value, file=name,
        )
    if tables:
        for sh, i, _fields in no_amount:
            report.issue(IssueCode.SHEET_SKIPPED, sheet=sh.name, detail="(pas de colonne de montant)")
    if not tables:
        if no_amount:
            sh, i, fields = no_amount[0]
            found = ", ".join(f"« {_text(sh.rows[i][j])} »" for j in sorted(fields))
            raise InputError(
                f"{MESSAGES[IssueCode.COLUMN_MISSING]} Il manque le montant : ajoutez une colonne {_EXPECTED}. "
                f"En-têtes reconnus ligne {i + 1} : {found}.",
                code=IssueCode.COLUMN_MISSING.value, file=name, sheet=sh.name,
            )
        where = f"dans les {HEADER_SCAN_ROWS} premières lignes" + (
            f" des feuilles {', '.join('« ' + str(s.name) + ' »' for s in sheets)}" if sheets and sheets[0].name is not None else "")
        expected = ", ".join(f"« {c.header} »" for c in COLUMNS[:9])
        raise InputError(
            f"{MESSAGES[IssueCode.HEADER_NOT_FOUND]} Rien trouvé {where}. En-têtes attendus : {expected}... {_SUGGEST}",
            code=IssueCode.HEADER_NOT_FOUND.value, file=name,
        )
    return tables


def _make_table(sh: _Sheet, i: int, fields: dict[int, str], report: ImportReport, opts: ImportOptions, name: str) -> _Table:
    header = sh.rows[i]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for j, f in sorted(fields.items()):
        text = _text(header[j])
        if f in columns:
            report.issue(IssueCode.COLUMN_DUPLICATE, sheet=sh.name, row=i + 1, column=text,
                         detail=f"(même donnée que « {headers[f]} »)")
            continue
        columns[f], headers[f] = j, text
    for j, cell in enumerate(header):
        if j not in fields and type(cell) is str and cell.strip():
            report.issue(IssueCode.COLUMN_UNKNOWN, sheet=sh.name, row=i + 1, column=cell.strip())
    ttc_rate = None
    if "amount_ht" not in columns:
        col = headers["amount_ttc"]
        if opts.vat_rate is None:
            raise InputError(
                f"la colonne « {col} » est un montant TTC : seul un montant HT est accepté. Ajoutez une colonne « Montant HT », "
                "ou indiquez le taux de TVA à retirer avec --vat-rate (ex. --vat-rate 0,20).",
                code=IssueCode.AMOUNT_TTC.value, file=name, sheet=sh.name, column=col,
            )
        ttc_rate = opts.vat_rate
        columns["amount_ht"] = columns.pop("amount_ttc")
        headers["amount_ht"] = headers.pop("amount_ttc")
        report.issue(IssueCode.AMOUNT_TTC, severity=Severity.WARNING, sheet=sh.name, column=col,
                     detail=f"Montants HT calculés depuis la colonne TTC avec un taux de TVA de {opts.vat_rate * 100:g} %, arrondis au centime.")
    else:
        columns.pop("amount_ttc", None)
    for f in [f for f in columns if (spend_year(f) or (0, False))[1]]:
        year = spend_year(f)[0]  # type: ignore[index]
        col = headers[f]
        if f"spend_{year}" in columns:
            del columns[f]
            continue
        if opts.vat_rate is None:
            raise InputError(
                f"la colonne « {col} » est une dépense TTC : seul un montant HT est accepté. Ajoutez une colonne HT, "
                "ou indiquez le taux de TVA à retirer avec --vat-rate (ex. --vat-rate 0,20).",
                code=IssueCode.AMOUNT_TTC.value, file=name, sheet=sh.name, column=col,
            )
        report.issue(IssueCode.AMOUNT_TTC, severity=Severity.WARNING, sheet=sh.name, column=col,
                     detail=f"Dépenses HT calculées depuis la colonne TTC (TVA {opts.vat_rate * 100:g} %).")
    return _Table(sh, i, columns, headers, ttc_rate)


# -- rows ----------------------------------------------------------------------
_TOTAL_WORDS = frozenset({"total", "totaux", "total general", "sous total", "total ht", "total ttc", "grand total"})

# field -> converter; the value None from a converter means "leave unset".
_SIMPLE: dict[str, Callable[[Any], Any]] = {
    "object": _text,
    "procedure": _text,
    "lot": _text,
    "location": _text,
    "techniques": _techniques,
    "nature": _one_of(_NATURES, "Nature attendue : Travaux, Fournitures ou Services"),
    "kind": _one_of(_KINDS, "Type de contrat attendu : Marché, Accord-cadre, Marché subséquent, Contrat de concession..."),
    "duration_months": _duration,
    "social": lambda v: _social(_text(v)),
    "environmental": lambda v: _environmental(_text(v)),
    "social_exemption": _exemption,
    "insertion_hours_planned": _hours,
    "insertion_hours_achieved": _hours,
    "livre_v": _livre_v,
    "egalim": _egalim,
    "egalim_meat_fish": _yes_no,
    "agec_category": _agec_category,
    "agec_kind": _agec_kind,
}


_OP_AMOUNT, _OP_DATE, _OP_CPV, _OP_TEXT, _OP_RAW, _OP_SPEND, _OP_SIMPLE = range(7)


def _op(f: str) -> int:
    """How a field's cells are converted (decided once per column, not per cell)."""
    if f == "amount_ht":
        return _OP_AMOUNT
    if f in ("notification_date", "consultation_date"):
        return _OP_DATE
    if f == "cpv":
        return _OP_CPV
    if f in ("id", "object", "lot", "buyer_name", "buyer_kind", "buyer_siret"):
        return _OP_TEXT
    if f in ("supplier_name", "supplier_kinds", "supplier_siret"):
        return _OP_RAW
    if spend_year(f) is not None:
        return _OP_SPEND
    return _OP_SIMPLE


BATCHED = True  # rows read column by column (False: row by row only; the tests compare both)
_BATCH_ROWS = 2048
_CACHE_MAX = 50_000  # distinct cell texts remembered per column (values repeat: vocabularies, objects, dates)
_SUPPLIER_CACHE_MAX = 100_000
_SUPPLIER_COLUMNS = frozenset({"supplier_name", "supplier_siret", "supplier_kinds"})
_NO_SUPPLIER = ("", None, "")  # a row's supplier cells, all empty
_SUPPLIER_FIELDS = {"name", "siret", "kinds"}  # shared by the Supplier objects built (never mutated)
_NOT_PURCHASE_FIELDS = ("supplier_name", "supplier_siret", "supplier_kinds", "buyer_name", "buyer_siret", "buyer_kind")
_NOT_CACHED = frozenset({"id"})
_CACHED_TYPES = (float, int, date, datetime)  # cell types remembered besides texts
_SKIP = object()  # an _Entry's value when the cell sets nothing
_MISS = object()
_Entry = tuple[Any, tuple[tuple[IssueCode, "str | None", "bool | None"], ...], Any]
# Digits, plain spaces, at most two decimals after a comma: money.parse_amount's plain form, to the cent.
_PLAIN_AMOUNT = re.compile(r"\d[\d ]*(?:,\d{1,2})?")
_PLAUSIBLE_MAX_FLOAT = float(AMOUNT_PLAUSIBLE_MAX)


def _plain_amount(v: Any) -> Decimal | None:
    """A common amount read without the general path (which gives exactly the same Decimal), or None.

    « 12 345,67 » or a positive float cell with at most two decimals, from a cent up to
    :data:`AMOUNT_PLAUSIBLE_MAX`: nothing to report on it.
    """
    tv = type(v)
    if tv is str:
        if _PLAIN_AMOUNT.fullmatch(v):
            d = Decimal(v.replace(" ", "").replace(",", "."))
            if d and d <= AMOUNT_PLAUSIBLE_MAX:
                return d
    elif tv is float and 0.0 < v <= _PLAUSIBLE_MAX_FLOAT:
        if v.is_integer():
            return Decimal(int(v))
        r = repr(v)
        k = r.find(".")
        if 0 < k and len(r) - k <= 3 and "e" not in r:
            return Decimal(r)
    return None


# Float cells as repr() writes them, one per line: a cent at most (1234.5, 1234.56, 1234.0).
_FLOAT_CENTS = re.compile(r"(?:\d+\.\d{1,2}\n)*")


def _amount_column(col: Sequence[Any], texts: bool = False) -> tuple[list[Any], set[int]]:
    """_plain_amount over a column: (Decimals, with _MISS where it gives None; the indices of those).

    The usual columns (all texts, or all floats) are converted in one go: one joined string
    replaced and split, the same characters as cell by cell, so the same Decimals.
    """
    types = {str} if texts else set(map(type, col))  # texts: every cell is a text (a CSV file)
    out: list[Any] | None = None
    bad: set[int] = set()
    if types == {str}:
        matches = list(map(_PLAIN_AMOUNT.fullmatch, col))
        if None in matches:
            bad = {i for i, m in enumerate(matches) if m is None}
            col = [c if m is not None else "1" for c, m in zip(col, matches)]
        out = list(map(Decimal, "\n".join(col).replace(" ", "").replace(",", ".").split("\n")))
    elif types == {float} and min(col) > 0.0 and max(col) <= _PLAUSIBLE_MAX_FLOAT:
        text = "\n".join(map(repr, col)) + "\n"
        if _FLOAT_CENTS.fullmatch(text):  # else a cell has an exponent or more decimals: cell by cell
            out = list(map(Decimal, text.replace(".0\n", "\n").split("\n")[:-1]))  # 1234.0 as Decimal(1234)
    if out is None:
        out = list(map(_plain_amount, col))
        bad = {i for i, d in enumerate(out) if d is None}
    elif not min(out) or max(out) > AMOUNT_PLAUSIBLE_MAX:
        bad.update(i for i, d in enumerate(out) if not d or d > AMOUNT_PLAUSIBLE_MAX)
    for i in bad:
        out[i] = _MISS
    return out, bad


def _id_column(col: Sequence[Any], texts: bool = False) -> tuple[list[Any], set[int]]:
    """The identifiers as the row path reads them, and the rows it must read itself.

    Those are the rows without an identifier, with a quoted one, one longer than
    :data:`MAX_CELL_CHARS`, or a « Total » line.
    """
    if texts or set(map(type, col)) == {str}:  # texts: every cell is a text (a CSV file)
        out: list[Any] = list(map(str.strip, col))
        longest = max(map(len, col))
    else:
        out = [c.strip() if type(c) is str else _text(c) for c in col]
        longest = max(len(c) if type(c) is str else 0 for c in col)
    # "" is in any string: an empty identifier is picked up too.
    bad = {i for i, s in enumerate(out) if s[:1] in "TtSsGg'" and (not s or s[0] == "'" or normalise(s) in _TOTAL_WORDS)}
    if longest > MAX_CELL_CHARS:
        bad.update(i for i, c in enumerate(col) if type(c) is str and len(c) > MAX_CELL_CHARS)
    return out, bad


def _unseen(values: list[Any]) -> Iterator[int]:
    """The places of None in ``values`` (a cell not looked up yet), found in C by list.index; ``values`` may be filled meanwhile."""
    i = -1
    while True:
        try:
            i = values.index(None, i + 1)
        except ValueError:
            return
        yield i


def _row_id(sheet: str | None, rownum: int) -> str:
    """The identifier given to a row without one: its place (« L12 », « Achats-L12 »)."""
    return f"{sheet}-L{rownum}" if sheet else f"L{rownum}"


def _remember(store: dict[type, dict[Any, Any]], tv: type, v: Any, value: Any) -> None:
    """Remember a cell's conversion in its type's dictionary, up to :data:`_CACHE_MAX` cells."""
    d = store.get(tv)
    if d is None:
        d = store[tv] = {}
    if len(d) < _CACHE_MAX:
        d[v] = value


@dataclass
class _Batch:
    """What the column path needs of a table, decided once."""

    table: _Table
    plan: list[tuple[str, int, str, int, Any, dict[type, dict[Any, Any]] | None, dict[type, dict[Any, Any]] | None]]
    buyers: bool  # buyer columns are read
    first: int  # the first recognised column, and its header text (a repeated header)
    header_first: Any
    one: Callable[[int, list[Any]], int]  # the row path
    width: int = 0  # cells a row needs
    formula_rows: frozenset[int] = frozenset()
    texts: bool = False  # every cell is a text (a CSV file)

    def __post_init__(self) -> None:
        self.width = max(self.table.columns.values()) + 1
        if self.table.sheet.delimiter:
            self.width = max(self.width, 2)  # the single-cell check looks at two cells
        self.formula_rows = frozenset(r for r, _ in self.table.sheet.formulas)
        self.texts = self.table.sheet.delimiter is not None


def _only_cell(row: list[Any]) -> Any:
    """The only filled cell of a row, or None (stops at the second filled cell)."""
    found = None
    for c in row:
        if c is not None and c != "" and (type(c) is not str or c.strip()):
            if found is not None:
                return None
            found = c
    return found


def _source_maker(file: str, sheet: str | None, fields_set: set[str]) -> Callable[[int], SourceRef]:
    """``make(row)``: the SourceRef of a row of this file and sheet, built as ``_build_validated`` would.

    Written for SourceRef's three fields (about 1.5 µs a row less than the general builder);
    tests/test_spreadsheet_fast.py re-validates every source and compares.
    """
    new, set_ = SourceRef.__new__, object.__setattr__
    if set(SourceRef.model_fields) != {"file", "sheet", "row"}:  # pragma: no cover - a guard for whoever adds a field
        return lambda row: _build_validated(SourceRef, {"file": file, "sheet": sheet, "row": row}, fields_set)

    def make(row: int) -> SourceRef:
        obj = new(SourceRef)
        d = obj.__dict__
        d["file"] = file
        d["sheet"] = sheet
        d["row"] = row
        set_(obj, "__pydantic_fields_set__", fields_set)
        set_(obj, "__pydantic_extra__", None)
        set_(obj, "__pydantic_private__", None)
        return obj

    return make


class _Reader:
    """Turns the rows of the recognised tables into purchases, counting each row once."""

    def __init__(self, path: Path, report: ImportReport, opts: ImportOptions) -> None:
        self.path, self.report, self.opts = path, report, opts
        self.file = str(path)
        self.today = opts.today or date.today()
        # (buyer, id, lot) -> where first seen: the row number, or (row, sheet) for a workbook.
        # The key is the bare id when the buyer and the lot are empty (one tuple less per row).
        self.seen: dict[Any, Any] = {}
        self.by_buyer: dict[str, list[Purchase]] = {}
        self.buyers: dict[str, Buyer] = {}
        self.suppliers: dict[tuple[str, str | None, frozenset[SupplierKind]], Supplier] = {}
        # (names, sirets, kinds cells) -> (suppliers, [(code, header, value, detail)]): the same
        # co-contractors come back on many rows; their issues are replayed for each row.
        self.supplier_cells: dict[tuple[str, str | None, str], tuple[tuple[Supplier, ...], list[tuple[Any, ...]]]] = {}
        self.builders: dict[tuple[str, ...], Callable[..., Purchase]] = {}  # per table layout (spaser.model._row_builder)
        # (supplier cells of a row, as converted) -> its co-contractors, _SKIP (none) or _MISS (a problem to report)
        self.supplier_rows: dict[tuple[Any, Any, Any], Any] = {}
        self.buyer_cells: dict[tuple[str, str | None, str | None], tuple[str, tuple[tuple[Any, ...], ...]]] = {}
        # One shared set of field names per combination of fields given (pydantic keeps one per
        # instance otherwise: about 700 bytes a purchase). Never mutated: model_copy copies it.
        self.fields_sets: dict[tuple[str, ...], set[str]] = {}
        self.source_fields: set[str] = {"file", "sheet", "row"}
        self.natures: dict[Any, Any] = {_SKIP: _SKIP, _MISS: _SKIP}  # the column path's CPV code -> nature
        self.default_buyer = opts.buyer or Buyer(name=path.stem)

    def read(self, tables: list[_Table]) -> ImportResult:
        rows_total = 0
        for t in tables:
            rows_total += self._table(t)
        if rows_total == 0:
            t = tables[0]
            raise InputError(
                f"{MESSAGES[IssueCode.NO_DATA]} L'en-tête est ligne {t.header_row + 1}, mais aucune ligne de données ne suit.",
                code=IssueCode.NO_DATA.value, file=self.file, sheet=t.sheet.name,
            )
        # Built like the purchases: pydantic would walk every purchase again (about 3 µs each).
        portfolio_fields = {"buyer", "purchases"}
        portfolios = tuple(
            _build_validated(Portfolio, {"buyer": self.buyers[k], "purchases": tuple(ps)}, portfolio_fields)
            for k, ps in self.by_buyer.items() if ps
        )
        self.report.check()
        return ImportResult(portfolios=portfolios, report=self.report, path=self.file)

    # One table (sheet); returns the number of data rows seen.
    def _table(self, t: _Table) -> int:
        sh = t.sheet
        rows = sh.rows
        header_norm = [normalise(c) if type(c) is str else c for c in rows[t.header_row]]
        self._fill_merged(t)
        line_numbers = sh.line_numbers
        cols = t.columns
        # Decided once per column, not per cell: how cells convert, and caches of converted cells.
        # Two caches per column, each a dictionary per cell type: ``plain`` (cell -> value, or
        # _SKIP) for the cells that only set a value, the most common; ``cache`` (cell -> _Entry)
        # for the others.
        plan = [(f, cols[f], t.headers[f], _op(f), spend_year(f), *((None, None) if f in _NOT_CACHED or _op(f) in (_OP_AMOUNT, _OP_SPEND) else ({}, {str: {}})))
                for f in cols]
        header = rows[t.header_row]
        first = min(t.columns.values())  # a recognised header cell, never empty
        # The rows below the header as chunks of (row number, cells): the sheet's own rows, then a CSV file's next ones.
        start = t.header_row + 1
        numbers = line_numbers[start:] if line_numbers is not None else range(start + 1, len(rows) + 1)
        below = rows[start:]
        blocks: Iterator[_Block] = ((numbers[k : k + _BATCH_ROWS], below[k : k + _BATCH_ROWS]) for k in range(0, len(below), _BATCH_ROWS))
        if sh.rest is not None:
            blocks = itertools.chain(blocks, sh.rest)
        drop = tuple(k for k in _NOT_PURCHASE_FIELDS if k in cols)
        self.make_source = _source_maker(self.file, sh.name, self.source_fields)
        buyers = self.opts.buyer is None and ("buyer_name" in cols or "buyer_siret" in cols)

        def one(rownum: int, row: list[Any]) -> int:
            """The row path: one row read cell by cell, every problem reported. 1 if it counts as a row."""
            for c in row:  # blank row? (stops at the first filled cell)
                if c is not None and c != "" and (type(c) is not str or c.strip()):
                    break
            else:
                return 0
            if len(row) > first and row[first] == header[first] and [normalise(c) if type(c) is str else c for c in row] == header_norm:
                return 0  # the header repeated (page breaks in exports)
            self._row(t, row, rownum, plan, drop, buyers)
            return 1

        if not BATCHED or t.ttc_rate is not None:
            return sum(one(rownum, row) for nums, rows_ in blocks for rownum, row in zip(nums, rows_))
        batch = _Batch(t, plan, buyers, first, header[first], one)
        return sum(self._batch(batch, nums, rows_) for nums, rows_ in blocks)

    # -- the column path ---------------------------------------------------------
    def _batch(self, b: _Batch, nums: Sequence[int], rows: Sequence[list[Any]]) -> int:
        """Rows read column by column; returns the number of rows counted.

        Each column is converted in one go through the same caches as the row path. A row with
        anything to report (a problem, a blank or short row, a duplicate, a « Total » line...)
        goes to the row path ``b.one`` instead, in its place, so that the purchases, the
        issues and their order are exactly those of the row path (tests/test_spreadsheet_fast.py).
        """
        t = b.table
        n = len(rows)
        slow: set[int] = set()
        cells: Sequence[list[Any]] = rows
        if min(map(len, rows)) < b.width:  # short CSV records: read as padded, reported by the row path
            slow.update(i for i, r in enumerate(rows) if len(r) < b.width)
            cells = [r if len(r) >= b.width else r + [""] * (b.width - len(r)) for r in rows]

        columns = list(zip(*cells))
        if b.formula_rows:
            slow.update(i for i, r in enumerate(nums) if r in b.formula_rows)
        if t.sheet.delimiter and len(t.columns) > 1:  # a record of one cell may use another delimiter
            for k in (0, 1):
                col = columns[k]
                if not all(map(str.strip, col)):
                    slow.update(i for i, c in enumerate(col) if not c.strip())
        col = columns[b.first]
        if b.header_first in col:
            slow.update(i for i, c in enumerate(col) if c == b.header_first)

        texts = b.texts
        fields: list[str] = []
        values: list[list[Any]] = []
        others: dict[str, list[Any]] = {}  # supplier and buyer cells
        spend: list[dict[int, Decimal]] | None = None
        for f, j, _header, op, sy, cache, plain in b.plan:
            col = columns[j]
            if op == _OP_SPEND:
                spend = spend or [{} for _ in range(n)]
                self._spend_column(col, sy, spend, slow)
                continue
            if op == _OP_AMOUNT:
                out, bad = _amount_column(col, texts)
            elif cache is None:
                out, bad = _id_column(col, texts)
            else:
                out, bad = self._cached_column(col, op, f, cache, plain, not t.sheet.formulas, texts)  # type: ignore[arg-type]
            slow |= bad
            if f in _NOT_PURCHASE_FIELDS:
                others[f] = out
            else:
                fields.append(f)
                values.append(out)
        if "kind" in fields:
            kinds = values[fields.index("kind")]
            if ContractKind.CONCESSION in kinds:  # reported on the row
                slow.update(i for i, k in enumerate(kinds) if k is ContractKind.CONCESSION)
        if "cpv" in fields:  # a Nature cell wins over the CPV code's
            codes = values[fields.index("cpv")]
            natures = self.natures
            for c in set(codes).difference(natures):
                natures[c] = _nature_of(c)
            derived = list(map(natures.__getitem__, codes))
            if "nature" in fields:
                k = fields.index("nature")
                values[k] = [given if given is not _SKIP else d for given, d in zip(values[k], derived)]
            else:
                fields.append("nature")
                values.append(derived)
        sheet = t.sheet.name
        if "id" not in fields:
            fields.append("id")
            values.append([_row_id(sheet, r) for r in nums])
        id_at = fields.index("id")
        lot_at = fields.index("lot") if "lot" in fields else None
        # Each row's co-contractors (or _SKIP), remembered per cells; _MISS where there is something to report.
        suppliers_col: list[Any] = [_SKIP] * n
        if others.keys() & _SUPPLIER_COLUMNS:
            memo = self.supplier_rows
            keys = list(zip(*(others.get(f) or [_SKIP] * n for f in ("supplier_name", "supplier_siret", "supplier_kinds"))))
            suppliers_col = list(map(memo.get, keys))
            for i in _unseen(suppliers_col):
                name_c, siret_c, kinds_c = keys[i]
                cells_ = ("" if name_c is _SKIP else name_c, None if siret_c is _SKIP else siret_c, "" if kinds_c is _SKIP else kinds_c)
                found: Any = _SKIP
                if cells_ != _NO_SUPPLIER:  # as _supplier reads them
                    sups, problems = self._supplier_of(cells_, t)
                    found = _MISS if problems else sups or _SKIP
                if len(memo) < _SUPPLIER_CACHE_MAX:
                    memo[keys[i]] = found
                suppliers_col[i] = found
            if _MISS in suppliers_col:
                slow.update(i for i, x in enumerate(suppliers_col) if x is _MISS)
        buyer_cells = list(zip(*(others.get(f) or [_SKIP] * n for f in ("buyer_name", "buyer_siret", "buyer_kind")))) if b.buyers else None
        if not b.buyers and "" not in self.buyers:
            self.buyers[""] = self.default_buyer

        counted = accepted = 0
        names = tuple(fields)
        build = self.builders.get(names)
        if build is None:
            build = self.builders[names] = _row_builder(Purchase, names, ("suppliers", "spend_by_year", "source"), _SKIP)
        seen, make_source, by_buyer = self.seen, self.make_source, self.by_buyer
        no_spend = [_SKIP] * n if spend is None else [s if s else _SKIP for s in spend]
        for i, row_values, suppliers, spent in zip(itertools.count(), zip(*values), suppliers_col, no_spend):
            if i in slow:
                counted += b.one(nums[i], rows[i])
                continue
            buyer_key = ""
            if buyer_cells is not None:
                name_c, siret_c, kind_c = buyer_cells[i]
                if name_c is _SKIP and siret_c is _SKIP:
                    self.buyers.setdefault("", self.default_buyer)
                else:
                    buyer_key, problems_ = self._buyer_of("" if name_c is _SKIP else name_c, None if siret_c is _SKIP else siret_c,
                                                          None if kind_c is _SKIP else kind_c, t)
                    if problems_:
                        counted += b.one(nums[i], rows[i])
                        continue
            lot = "" if lot_at is None or row_values[lot_at] is _SKIP else row_values[lot_at]
            key = row_values[id_at] if not buyer_key and not lot else (buyer_key, row_values[id_at], lot)
            if key in seen:  # reported by the row path
                counted += b.one(nums[i], rows[i])
                continue
            rownum = nums[i]
            p = build(row_values, suppliers, spent, make_source(rownum))
            seen[key] = rownum if not sheet else (rownum, sheet)
            ps = by_buyer.get(buyer_key)
            if ps is None:
                ps = by_buyer[buyer_key] = []
            ps.append(p)
            accepted += 1
        self.report.count_accepted(accepted)
        return counted + accepted

    def _cached_column(self, col: list[Any], op: int, f: str, cache: dict[type, dict[Any, Any]], plain: dict[type, dict[Any, Any]],
                       keep_empty: bool, texts: bool) -> tuple[list[Any], set[int]]:
        """A cached column's values (or _SKIP), through the row path's caches; _MISS and its index where the row path must read.

        ``keep_empty``: an empty cell may be remembered (not in a sheet with formulas: the row
        path reports an empty formula cell). ``texts``: every cell is a text (a CSV file).
        """
        types = {str} if texts else set(map(type, col))
        if len(types) == 1:
            pt = plain.get(next(iter(types))) or {}
            # A converted value is never None: None is a cell not seen yet (found in C, by list.index).
            out = list(map(pt.get, col))
            local: dict[Any, Any] = {}  # this chunk's new cells (the caches may be full)
            bad: set[int] = set()
            for i in _unseen(out):
                v = col[i]
                val = pt.get(v)
                if val is None:
                    val = local.get(v)
                    if val is None:
                        val = local[v] = self._resolve(op, f, v, cache, plain, keep_empty)
                if val is _MISS:  # only a new cell can be one: the caches keep none
                    bad.add(i)
                out[i] = val
            return out, bad
        # Mixed types (numbers and empty texts in a workbook column): cell by cell.
        out = []
        for v in col:
            pt = plain.get(type(v))
            val = None if pt is None else pt.get(v)
            out.append(self._resolve(op, f, v, cache, plain, keep_empty) if val is None else val)
        return out, {i for i, v in enumerate(out) if v is _MISS}

    def _resolve(self, op: int, f: str, v: Any, cache: dict[type, dict[Any, Any]], plain: dict[type, dict[Any, Any]], keep_empty: bool) -> Any:
        """A cell of a cached column not seen yet: its value, _SKIP (empty), or _MISS (the row path must read it)."""
        if v == "" or (type(v) is str and not v.strip()):
            if keep_empty:
                _remember(plain, str, v, _SKIP)
            return _SKIP
        if type(v) is str and len(v) > MAX_CELL_CHARS:
            return _MISS
        hit = self._learn(op, f, v, cache, plain)
        return hit[0] if not hit[1] and hit[2] is None else _MISS

    def _learn(self, op: int, f: str, v: Any, cache: dict[type, dict[Any, Any]], plain: dict[type, dict[Any, Any]]) -> _Entry:
        """A filled cell not seen yet: its _Entry, remembered when its type is (in ``plain`` if it only sets a value)."""
        hit = self._entry(op, f, v)
        tv = type(v)
        if tv is str or tv in _CACHED_TYPES:
            if not hit[1] and hit[2] is None:
                _remember(plain, tv, v, hit[0])
            else:
                _remember(cache, tv, v, hit)
        return hit

    def _spend_column(self, col: list[Any], sy: tuple[int, bool], spend: list[dict[int, Decimal]], slow: set[int]) -> None:
        """A yearly spend column into each row's spend; a cell the row path must report marks its row."""
        year, ttc = sy
        for i, v in enumerate(col):
            if v == "" or (type(v) is str and not v.strip()):
                continue
            if type(v) is str and len(v) > MAX_CELL_CHARS:
                slow.add(i)
                continue
            try:
                d = _decimal(v)
            except AmountError:
                slow.add(i)
                continue
            if ttc:
                d = (d / (1 + (self.opts.vat_rate or 0))).quantize(CENT, rounding=ROUND_HALF_UP)
            spend[i][year] = d


    def _fill_merged(self, t: _Table) -> None:
        """A text merged over several data rows belongs to each of them (not amounts: they would count twice)."""
        if not t.sheet.merged:
            return
        col_fields = {j: f for f, j in t.columns.items()}
        rows = t.sheet.rows
        for (r1, c1), (r2, c2) in t.sheet.merged:
            if r1 <= t.header_row or r1 >= len(rows):
                continue
            for c in range(c1, c2 + 1):
                f = col_fields.get(c)
                if f is None or f in _MONEY_FIELDS or spend_year(f) or c >= len(rows[r1]):
                    continue
                top = rows[r1][c1] if c == c1 else rows[r1][c]
                for r in range(r1 + 1, min(r2 + 1, len(rows))):
                    if c < len(rows[r]) and rows[r][c] == "":
                        rows[r][c] = top

    @staticmethod
    def _convert(op: int, f: str, v: Any) -> tuple[Any, _Bad | None]:
        """(converted value, problem or None) for a cell of a column whose conversions are cached."""
        if op == _OP_TEXT:
            total = type(v) is str and v.lstrip()[:1] in "TtSsGg" and normalise(v) in _TOTAL_WORDS
            return (_text(v), total), None
        if op == _OP_RAW:
            # Kept whole: several co-contractors are written one per line.
            return (v.rstrip() if type(v) is str else _text(v)), None
        if op == _OP_DATE:
            try:
                return to_date(v), None
            except DateError as e:
                return None, _Bad(IssueCode.DATE_INVALID, _sentence(e))
        if op == _OP_CPV:
            code, problem = _cpv_code(v)
            return (code, None if code is None else _nature_of(code)), (None if problem is None else _Bad(problem))
        try:
            return _SIMPLE[f](v), None
        except _Bad as b:
            return None, b

    def _entry(self, op: int, f: str, v: Any) -> _Entry:
        """What a filled cell of a cached column does to its row: (value or _SKIP, problems, extra).

        ``problems`` are (code, detail, error) issues to raise on the cell; ``extra`` is True for a
        « Total » text, else None.
        """
        out, bad = self._convert(op, f, v)
        problems: tuple[tuple[IssueCode, str | None, bool | None], ...] = () if bad is None else ((bad.code, bad.detail, bad.error),)
        if op == _OP_TEXT:
            return out[0], problems, (True if out[1] else None)
        if op == _OP_SIMPLE:
            return (out if bad is None and out is not None and out != "" else _SKIP), problems, None
        if op == _OP_CPV:  # the nature it implies is set after the row's cells (unless the row gives one)
            return (_SKIP if out[0] is None else out[0]), problems, None
        if op == _OP_DATE:
            if out is not None:
                if out > self.today:
                    problems += ((IssueCode.DATE_FUTURE,
                                  f"({out.strftime('%d/%m/%Y')}, après le {self.today.strftime('%d/%m/%Y')}).", None),)
                elif out < DATE_PLAUSIBLE_FROM:
                    problems += ((IssueCode.DATE_IMPLAUSIBLE, f"({out.strftime('%d/%m/%Y')}, avant {DATE_PLAUSIBLE_FROM.year}).", None),)
            return out, problems, None
        return out, problems, None  # _OP_RAW

    def _row(self, t: _Table, row: list[Any], rownum: int, plan: list[tuple[str, int, str, int, Any, dict[Any, Any] | None, dict[str, Any] | None]],
             drop: tuple[str, ...], buyers: bool) -> None:
        report, sheet = self.report, t.sheet.name
        errors = warnings = 0
        vals: dict[str, Any] = {}
        spend: dict[int, Decimal] = {}
        total_row = False

        delim = t.sheet.delimiter
        # (A CSV row: every cell is a text. Two filled cells first: not a single-cell row, no need to look further.)
        if delim and len(t.columns) > 1 and not (len(row) > 1 and row[0].strip() and row[1].strip()):
            only = _only_cell(row)
            if only is not None and any(d in only for d in ";,\t|" if d != delim):
                self.report.issue(IssueCode.RECORD_INVALID, sheet=sheet, row=rownum, value=only,
                                  detail=f"Une seule colonne lue : cette ligne utilise un autre séparateur que « {delim} » (celui de l'en-tête).")
                report.count_row(rejected=True)
                return

        def issue(code: IssueCode, column: str | None, value: object, detail: str | None, error: bool | None) -> None:
            nonlocal errors, warnings
            sev = None if error is None else (Severity.ERROR if error else Severity.WARNING)
            it = report.issue(code, severity=sev, detail=detail, sheet=sheet, row=rownum, column=column, value=value)
            if it.severity is Severity.ERROR:
                errors += 1
            else:
                warnings += 1

        n = len(row)
        formulas = t.sheet.formulas
        for f, j, header, op, sy, cache, plain in plan:
            v = row[j] if j < n else ""
            if plain is not None and type(v) is str:  # the usual cell: a text already seen
                val = plain[str].get(v, _MISS)
                if val is not _MISS:
                    if val is not _SKIP:
                        vals[f] = val
                    continue
            tv = type(v)
            if cache is not None:
                # A cached cell: its conversion, problems and effect (an _Entry) are reused. Each
                # type has its own dictionaries (1, 1.0 and True are equal keys, but not equal cells).
                if tv is str or tv in _CACHED_TYPES:
                    pt = plain.get(tv)  # type: ignore[union-attr]
                    if pt is not None and tv is not str:  # texts were looked up above
                        val = pt.get(v, _MISS)
                        if val is not _MISS:
                            if val is not _SKIP:
                                vals[f] = val
                            continue
                    ct = cache.get(tv)
                    hit = None if ct is None else ct.get(v)
                    keep = True
                else:
                    hit, keep = None, False
                if hit is None:
                    if v == "" or (tv is str and not v.strip()):
                        if formulas:
                            if (rownum, j) in formulas:
                                issue(IssueCode.FORMULA_NO_VALUE, header, None, None, None)
                        elif keep:  # an empty cell, nothing to say (no formula in the sheet)
                            _remember(plain, tv, v, _SKIP)  # type: ignore[arg-type]
                        continue
                    if tv is str and len(v) > MAX_CELL_CHARS:
                        issue(IssueCode.LIMIT_STRING, header, v, f"Texte coupé à {MAX_CELL_CHARS} caractères.", None)
                        v = v[:MAX_CELL_CHARS]
                    hit = self._learn(op, f, v, cache, plain)  # type: ignore[arg-type]
                val, problems, extra = hit
                for code, detail, error in problems:
                    issue(code, header, v, detail, error)
                if val is not _SKIP:
                    vals[f] = val
                if extra is not None:
                    total_row = True
                continue
            if op == _OP_AMOUNT and t.ttc_rate is None:
                d = _plain_amount(v)
                if d is not None:
                    vals["amount_ht"] = d
                    continue
            if v == "" or (tv is str and not v.strip()):
                if formulas and (rownum, j) in formulas:
                    issue(IssueCode.FORMULA_NO_VALUE, header, None, None, None)
                elif op == _OP_AMOUNT:
                    issue(IssueCode.AMOUNT_MISSING, header, None, None, None)
                continue
            if tv is str and len(v) > MAX_CELL_CHARS:
                issue(IssueCode.LIMIT_STRING, header, v, f"Texte coupé à {MAX_CELL_CHARS} caractères.", None)
                v = v[:MAX_CELL_CHARS]
            try:
                if op == _OP_AMOUNT:
                    d = _amount(v)
                    if t.ttc_rate is not None:
                        d = (d / (1 + t.ttc_rate)).quantize(CENT, rounding=ROUND_HALF_UP)
                    if d == 0:
                        issue(IssueCode.AMOUNT_ZERO, header, v, None, None)
                    elif d > AMOUNT_PLAUSIBLE_MAX:
                        issue(IssueCode.AMOUNT_ABSURD, header, v, "Plus d'un milliard d'euros HT sur une ligne : vérifiez.", None)
                    vals["amount_ht"] = d
                elif op == _OP_SPEND:
                    d = _decimal(v)
                    if sy[1]:
                        d = (d / (1 + (self.opts.vat_rate or 0))).quantize(CENT, rounding=ROUND_HALF_UP)
                    spend[sy[0]] = d
                elif op == _OP_TEXT and tv is str:  # the identifier (not cached: unique per row), as _convert reads it
                    s = v.strip()
                    if s[:1] in "TtSsGg" and normalise(v) in _TOTAL_WORDS:
                        total_row = True
                    if s[:1] == "'" and s[1:2] in _QUOTED:
                        s = s[1:]
                    vals[f] = s
                else:  # another column whose cells are not cached
                    val, problems, extra = self._entry(op, f, v)
                    for code, detail, error in problems:
                        issue(code, header, v, detail, error)
                    if val is not _SKIP:
                        vals[f] = val
                    if extra is not None:
                        total_row = True
            except _Bad as b:
                issue(b.code, header, v, b.detail, b.error)
            except AmountError as e:  # a spend cell
                issue(IssueCode.VALUE_INVALID, header, v, f"Montant de dépense illisible ({e}).", None)

        if "cpv" in vals and "nature" not in vals:  # a Nature cell wins over the CPV code's
            vals["nature"] = _nature_of(vals["cpv"])
        if total_row and (not vals.get("id") or normalise(vals["id"]) in _TOTAL_WORDS):
            self.report.issue(IssueCode.RECORD_INVALID, sheet=sheet, row=rownum,
                              detail="Ligne de total ignorée (elle compterait les montants deux fois).")
            report.count_row(rejected=True)
            return

        supplier = self._supplier(vals, issue, t)
        if buyers:
            buyer_key = self._buyer(vals, issue, t)
        else:  # no buyer column (or --buyer given): the default buyer
            buyer_key = ""
            if "" not in self.buyers:
                self.buyers[""] = self.default_buyer
        if "id" not in vals:
            if "id" in t.columns:
                issue(IssueCode.ID_MISSING, t.headers["id"], None, None, None)
            vals["id"] = _row_id(sheet, rownum)
        lot = vals.get("lot") or ""
        key = vals["id"] if not buyer_key and not lot else (buyer_key, vals["id"], lot)
        if not errors:
            first = self.seen.get(key)
            if first is not None:
                where = f"ligne {first}" if type(first) is int else f"ligne {first[0]} de la feuille « {first[1]} »"
                issue(IssueCode.DUPLICATE, t.headers.get("id"), vals["id"],
                      f"Identifiant « {vals['id']} »{' lot ' + lot if lot else ''} déjà vu {where} : cette ligne est écartée.", None)
        if vals.get("kind") is ContractKind.CONCESSION:
            issue(IssueCode.CONCESSION, t.headers.get("kind"), None, None, None)
        if errors:
            report.count_row(rejected=True)
            return
        for k in drop:
            vals.pop(k, None)
        if supplier:
            vals["suppliers"] = supplier
        if spend:
            vals["spend_by_year"] = spend
        # Every value above is converted and checked cell by cell (types, ranges, CPV code and its
        # nature, considerations): the models are built without pydantic validating them again
        # (about 9 µs a row). test_spreadsheet.py re-validates the purchases of its imports.
        vals["source"] = self.make_source(rownum)
        names = tuple(vals)
        shared = self.fields_sets.get(names)
        if shared is None:
            shared = self.fields_sets[names] = set(names)
        p = _build_validated(Purchase, vals, shared)
        self.seen[key] = rownum if not sheet else (rownum, sheet)
        ps = self.by_buyer.get(buyer_key)
        if ps is None:
            ps = self.by_buyer[buyer_key] = []
        ps.append(p)
        report.count_row(rejected=False, warned=warnings > 0)

    def _supplier(self, vals: dict[str, Any], issue: Callable[..., None], t: _Table) -> tuple[Supplier, ...]:
        names_cell = vals.get("supplier_name", "")
        siret_cell = vals.get("supplier_siret")
        kinds_cell = vals.get("supplier_kinds", "")
        if not names_cell and siret_cell is None and not kinds_cell:
            return ()
        suppliers, problems = self._supplier_of((names_cell, siret_cell, kinds_cell), t)
        for problem in problems:
            issue(*problem, None)
        return suppliers

    def _supplier_of(self, cells: tuple[str, str | None, str], t: _Table) -> tuple[tuple[Supplier, ...], list[tuple[Any, ...]]]:
        """(co-contractors, problems to report on the row) for a row's supplier cells.

        The same co-contractors come back on many rows: remembered per cells.
        """
        hit = self.supplier_cells.get(cells)
        if hit is None:
            problems: list[tuple[Any, ...]] = []
            hit = (self._suppliers(*cells, problems, t), problems)
            if len(self.supplier_cells) < _SUPPLIER_CACHE_MAX:
                self.supplier_cells[cells] = hit
        return hit

    def _suppliers(self, names_cell: str, siret_cell: str | None, kinds_cell: str, problems: list[tuple[Any, ...]],
                   t: _Table) -> tuple[Supplier, ...]:
        # Several co-contractors: one per line in the cell (Alt+Entrée), same order in each column.
        names = names_cell.split("\n") if names_cell else [""]
        sirets = siret_cell.split("\n") if siret_cell else []
        kinds_parts = kinds_cell.split("\n") if kinds_cell else []
        n = max(len(names), len(sirets), 1)
        if len(kinds_parts) != n:
            kinds_parts = [kinds_cell] + [""] * (n - 1)
        out = []
        for k in range(n):
            # safe_cell quotes a cell, not its lines: only the first line may carry its quote.
            name = (_text(names[k]) if k == 0 else names[k].strip()) if k < len(names) else ""
            siret = None
            raw = sirets[k].strip() if k < len(sirets) else ""
            if raw:
                try:
                    siret = _siret(raw)
                except _Bad as b:
                    problems.append((b.code, t.headers.get("supplier_siret"), raw, b.detail + " Le titulaire est gardé sans SIRET."))
            kinds: frozenset[SupplierKind] = frozenset()
            if kinds_parts[k].strip():
                try:
                    kinds = _supplier_kinds(kinds_parts[k])
                except _Bad as b:
                    problems.append((b.code, t.headers.get("supplier_kinds"), kinds_parts[k], b.detail))
            key = (name, siret, kinds)
            s = self.suppliers.get(key)
            if s is None:
                # Every field is already checked (the SIRET by _siret, cached): do not re-validate it (~15 µs a row).
                s = self.suppliers[key] = _build_validated(Supplier, {"name": name, "siret": siret, "kinds": kinds}, _SUPPLIER_FIELDS)
            out.append(s)
        return tuple(out)

    def _buyer(self, vals: dict[str, Any], issue: Callable[..., None], t: _Table) -> str:
        if self.opts.buyer is not None or not ({"buyer_name", "buyer_siret"} & vals.keys()):
            self.buyers.setdefault("", self.default_buyer)
            return ""
        key, problems = self._buyer_of(vals.get("buyer_name") or "", vals.get("buyer_siret"), vals.get("buyer_kind"), t)
        for problem in problems:
            issue(*problem, None)
        return key

    def _buyer_of(self, name: str, siret_cell: str | None, kind_cell: str | None, t: _Table) -> tuple[str, tuple[tuple[Any, ...], ...]]:
        """(buyer key, problems to report on the row) for a row's buyer cells; the buyer is added on first sight.

        Remembered per cells: a table of several buyers repeats them on every row.
        """
        cells = (name, siret_cell, kind_cell)
        hit = self.buyer_cells.get(cells)
        if hit is not None:
            return hit
        problems: tuple[tuple[Any, ...], ...] = ()
        siret = None
        if siret_cell is not None:
            try:
                siret = _siret(siret_cell)
            except _Bad as b:
                problems = ((b.code, t.headers.get("buyer_siret"), siret_cell, b.detail),)
        key = siret or normalise(name)
        if not key:
            self.buyers.setdefault("", self.default_buyer)
        elif key not in self.buyers:
            kind = BuyerKind.AUTRE
            if kind_cell:
                kind = _BUYER_KINDS.get(normalise(kind_cell), BuyerKind.AUTRE)
            self.buyers[key] = Buyer(name=name or siret or self.default_buyer.name, siret=siret, kind=kind)
        hit = (key, problems)
        if len(self.buyer_cells) < _SUPPLIER_CACHE_MAX:
            self.buyer_cells[cells] = hit
        return hit
