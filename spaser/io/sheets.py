"""Files into raw sheets: rows of cells with their row numbers, before any meaning.

Workbooks (.xlsx, .xlsm, .xls, .ods) are read with python-calamine (Rust). An
.xlsx container is checked first (zip bombs) and its sheet XML is scanned once,
before calamine loads it: the area its cells span (a lone cell at ``XFD1048576``
would make calamine allocate 549 GB) and the formulas without a cached value
(calamine returns those as empty cells). CSV files are decoded (UTF-8, UTF-8 with
BOM, UTF-16 with BOM, Windows-1252 bytes repaired with a warning) and their
delimiter (``;``, ``,``, tab, ``|``) is the one whose header is best recognised.

Safety limits (not legal numbers; the README's « Limites et erreurs » lists them):
:data:`MAX_FILE_BYTES`, :data:`MAX_CSV_BYTES`, :data:`MAX_UNCOMPRESSED_BYTES`,
:data:`MAX_COMPRESSION_RATIO`, :data:`MAX_ROWS_PER_SHEET`, :data:`MAX_CELLS`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spaser._errors import InputError, LimitExceeded
from spaser.io.report import MESSAGES, ImportReport, IssueCode
from spaser.money import format_number

__all__ = [
    "Sheet",
    "read_workbook",
    "read_csv",
    "check_ole2",
    "quote_error",
    "MAX_FILE_BYTES",
    "MAX_CSV_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_COMPRESSION_RATIO",
    "RATIO_CHECK_FROM_BYTES",
    "MAX_ROWS_PER_SHEET",
    "MAX_CELLS",
    "HEADER_SCAN_ROWS",
]

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CSV_BYTES = 2 * 1024 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 10 * 1024 * 1024
MAX_ROWS_PER_SHEET = 2_000_000
MAX_CELLS = 40_000_000
HEADER_SCAN_ROWS = 30


@dataclass
class Sheet:
    """One sheet's cells, as read. ``numbers[i]`` is the 1-based row (or CSV line) of ``rows[i]``."""

    name: str | None  # None for a CSV file
    rows: list[list[Any]]
    numbers: list[int]
    hidden: bool = False
    formulas: frozenset[tuple[int, int]] = frozenset()  # (1-based row, 0-based column) without value
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    delimiter: str | None = None  # CSV only
    rest: Iterator[tuple[int, list[Any]]] | None = None  # CSV only: the (line, record) pairs after ``rows``, read once
    close: Callable[[], None] = lambda: None

    def below(self, start: int) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) of the rows from ``rows[start]`` on, then the streamed rest."""
        for i in range(start, len(self.rows)):
            yield self.numbers[i], self.rows[i]
        if self.rest is not None:
            yield from self.rest


def _limit_rows(n: int, name: str, sheet: str | None) -> None:
    if n > MAX_ROWS_PER_SHEET + HEADER_SCAN_ROWS:
        raise LimitExceeded(
            f"{n} lignes : au plus {MAX_ROWS_PER_SHEET} lignes par feuille. Découpez le tableau.",
            code=IssueCode.LIMIT_ROWS.value, file=name, sheet=sheet,
        )


def check_ole2(path: Path) -> None:
    """An OLE2 file is read only if it is an unencrypted .xls workbook; a French error otherwise."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES)
    name = str(path)
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise InputError(
            "classeur protégé par un mot de passe : ouvrez-le dans votre tableur, retirez le mot de passe "
            "(Fichier > Informations > Protéger le classeur) et enregistrez-le, puis réessayez.",
            code=IssueCode.FILE_ENCRYPTED.value, file=name,
        )
    if "Workbook".encode("utf-16-le") not in data and "Book".encode("utf-16-le") not in data:
        raise InputError(
            "document Office ancien (format OLE2) qui n'est pas un classeur : attendu un tableur (.xlsx, .xls, .ods) ou un .csv.",
            code=IssueCode.FILE_FORMAT.value, file=name,
        )


# -- workbooks -------------------------------------------------------------------
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
    if "xl/workbook.xml" not in names and "content.xml" not in names:
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


def _formula_cells(data: bytes) -> frozenset[tuple[int, int]]:
    """Cells of a sheet's XML holding a formula but no cached value (never computed by a spreadsheet)."""
    if not _has_formula_tag(data):
        return frozenset()
    return frozenset((int(m.group(2)), _column_index(m.group(1))) for m in _CELL_REF.finditer(data))


_ROW_NUM = re.compile(rb'<row [^>]*?r="([0-9]{1,9})"[^>]*(?<!/)>\s*<c[ >]')  # rows that hold cells
_CELL_COLUMN = {n: re.compile(rb'<c r="([A-Z]{%d})[0-9]' % n) for n in (3, 2)}
_FAR_CELL = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{7,})"')
_UNUSUAL_CELL = re.compile(rb'<c r="(?:[A-Z]{2,3}[0-9]|[A-Z][0-9]{7,}")')


def _scan_sheet(path: Path, member: str) -> tuple[int, int, frozenset[tuple[int, int]]]:
    """(rows, columns) of the area a sheet's cells span, and its formulas without value, read from its XML once.

    Read before calamine loads the sheet, which allocates the whole area. Columns beyond Z
    are rare: only then are cell references read one by one.
    """
    with zipfile.ZipFile(path) as z:
        try:
            data = z.read(member)
        except KeyError:
            return 0, 0, frozenset()
    height = max((int(m) for m in _ROW_NUM.findall(data)), default=0)
    width = 26
    if _UNUSUAL_CELL.search(data):  # one pass finds whether any cell is beyond Z or below row 999 999
        height = max(height, max((int(m) for m in _FAR_CELL.findall(data)), default=0))
        for letters in (3, 2):  # the widest columns first
            found = _CELL_COLUMN[letters].findall(data)
            if found:
                width = max(_column_index(f) + 1 for f in set(found))
                break
    return height, width, _formula_cells(data)


def _too_many_cells(e: Exception, name: str, sheet: str | None) -> None:
    """calamine's own cap on the cells of a sheet (.ods, .xls), met before it allocates them: a French refusal."""
    if "limit exceeded" in str(e).lower():
        raise LimitExceeded(
            f"une feuille s'étend sur trop de cellules (au plus {format_number(MAX_CELLS)}) : découpez le classeur "
            "ou supprimez les cellules lointaines.",
            code=IssueCode.LIMIT_CELLS.value, file=name, sheet=sheet,
        ) from None


def read_workbook(path: Path, report: ImportReport) -> list[Sheet]:
    """Every worksheet of an .xlsx, .xlsm, .xls or .ods workbook."""
    import python_calamine as pc

    name = str(path)
    members: dict[str, str] = {}
    if zipfile.is_zipfile(path):
        with _check_zip(path) as z:
            if "xl/workbook.xml" in z.namelist():
                members = _sheet_paths(z)
    # Refused before calamine allocates the area the cells span.
    cells = 0
    formulas: dict[str, frozenset[tuple[int, int]]] = {}
    for sheet, member in members.items():
        height, width, formulas[sheet] = _scan_sheet(path, member)
        _limit_rows(height, name, sheet)
        cells += height * width
        if cells > MAX_CELLS:
            raise LimitExceeded(
                f"plus de {format_number(MAX_CELLS)} cellules (la feuille « {sheet} » s'étend sur {format_number(height)} lignes "
                f"et {format_number(width)} colonnes) : "
                "découpez le classeur ou supprimez les cellules lointaines.",
                code=IssueCode.LIMIT_CELLS.value, file=name, sheet=sheet,
            )
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise InputError(MESSAGES[IssueCode.FILE_ENCRYPTED], code=IssueCode.FILE_ENCRYPTED.value, file=name) from None
    except Exception as e:  # noqa: BLE001 - calamine's errors are many; all mean "cannot read"
        _too_many_cells(e, name, None)
        raise InputError(
            f"{MESSAGES[IssueCode.FILE_CORRUPT]} (détail technique : {str(e)[:200]}). Ouvrez-le dans votre tableur et enregistrez-le à nouveau.",
            code=IssueCode.FILE_CORRUPT.value, file=name,
        ) from None
    sheets: list[Sheet] = []
    cells = 0  # counted again on what calamine found (.ods and .xls have no pre-scan)
    with wb:
        for meta in wb.sheets_metadata:
            if str(meta.typ) != str(pc.SheetTypeEnum.WorkSheet):
                continue
            try:
                sh = wb.get_sheet_by_name(meta.name)
            except Exception as e:  # noqa: BLE001
                _too_many_cells(e, name, meta.name)
                raise InputError(f"{MESSAGES[IssueCode.FILE_CORRUPT]} ({str(e)[:200]}).", code=IssueCode.FILE_CORRUPT.value,
                                 file=name, sheet=meta.name) from None
            end = sh.end
            height = end[0] + 1 if end else 0
            _limit_rows(height, name, meta.name)
            cells += height * (end[1] + 1 if end else 0)
            if cells > MAX_CELLS:
                raise LimitExceeded(f"plus de {format_number(MAX_CELLS)} cellules : découpez le classeur.", code=IssueCode.LIMIT_CELLS.value,
                                    file=name, sheet=meta.name)
            rows = sh.to_python(skip_empty_area=False) if end else []
            sheets.append(Sheet(
                name=meta.name, rows=rows, numbers=list(range(1, len(rows) + 1)),
                hidden=str(meta.visible) != str(pc.SheetVisibleEnum.Visible),
                formulas=formulas.get(meta.name, frozenset()),
                merged=list(sh.merged_cell_ranges or []),
            ))
    return sheets


# -- csv -------------------------------------------------------------------------
def _cp1252_repair(err: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 read as Windows-1252 (the usual French export)."""
    if not isinstance(err, UnicodeDecodeError):  # pragma: no cover - registered for decoding only
        raise err
    return err.object[err.start : err.end].decode("cp1252", errors="replace"), err.end


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


def quote_error(name: str, line: int) -> InputError:
    """A CSV text whose quotes do not close, from ``line`` on (the imports' CSV and the suppliers' text lists)."""
    return InputError(
        f"{MESSAGES[IssueCode.FILE_CORRUPT]} Guillemet non fermé ou mal placé à partir de la ligne {line} : "
        "corrigez les guillemets (\") de cette ligne, ou enregistrez à nouveau le fichier depuis votre tableur.",
        code=IssueCode.FILE_CORRUPT.value,
        file=name,
        row=line,
    )


def read_csv(path: Path, report: ImportReport, score: Callable[[list[Any]], int]) -> Sheet:
    """The CSV file as one sheet whose records are streamed after the first ones (never the whole text in memory).

    ``score(row)`` rates a row as a header, to choose the delimiter. The caller closes the sheet.
    """
    name = str(path)
    encoding, errors, nul = _scan_encoding(path, report)
    csv.field_size_limit(max(csv.field_size_limit(), 32_767 * 4))
    fh = open(path, encoding=encoding, errors=errors, newline="")  # noqa: SIM115 - closed by Sheet.close
    try:
        lines: Iterator[str] = (line.replace("\x00", "") for line in fh) if nul else iter(fh)
        head_lines: list[str] = []
        for line in lines:
            head_lines.append(line)
            if len(head_lines) > HEADER_SCAN_ROWS * 4:
                break
        head = "".join(head_lines)
        best, best_score = ";", (-1, -1)
        for d in (";", ",", "\t", "|"):
            try:
                sample = list(csv.reader(io.StringIO(head), delimiter=d))[:HEADER_SCAN_ROWS]
            except csv.Error:
                continue
            key = (max((score(r) for r in sample), default=0), max((len(r) for r in sample), default=0))
            if key > best_score:
                best, best_score = d, key
        records = _records(csv.reader(itertools.chain(head_lines, lines), delimiter=best, strict=True), name)
        rows: list[list[Any]] = []
        numbers: list[int] = []
        for number, rec in records:
            rows.append(rec)
            numbers.append(number)
            if len(rows) >= HEADER_SCAN_ROWS:
                break
    except BaseException:
        fh.close()
        raise
    return Sheet(name=None, rows=rows, numbers=numbers, delimiter=best, rest=records, close=fh.close)


def _records(reader: Any, name: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, record) of each CSV record; a quote error names the line where its record starts."""
    last = count = 0
    try:
        for rec in reader:
            count += 1
            if count > MAX_ROWS_PER_SHEET + HEADER_SCAN_ROWS:
                _limit_rows(count, name, None)
            yield last + 1, rec
            last = reader.line_num
    except csv.Error:
        raise quote_error(name, last + 1) from None
