"""Loaders of the official lists, one per file format, each accounting for every record like the imports do.

A list file gives :class:`Entry` records (what one source says about one SIRET or SIREN) and an
:class:`~spaser.io.report.ImportReport`: ``read == accepted + rejected``, every rejected record with
its line, column and a French message. The format is recognised from the content (the header),
or named before the path: ``esus=agrements.xlsx``.

Big files (the SIRENE stock: about 30 million lines) are streamed; given ``wanted`` (the SIRENs of a
portfolio), only their lines are parsed and kept, the others are only counted.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from spaser._errors import InputError, InvalidChecksum, InvalidCode
from spaser._french import agree, counted
from spaser.ids import compact_company_id, is_valid_company_id, validate_company_id
from spaser.io.columns import normalise
from spaser.io.report import ImportReport, IssueCode, Severity
from spaser.io.sheets import check_ole2, quote_error, read_workbook
from spaser.money import format_number
from spaser.suppliers.kinds import SOURCES, Dimension, Source, structure_of

__all__ = ["Entry", "SupplierList", "load_list", "FORMATS", "unit_flags"]

_MAX_CELL = 10_000  # characters in one cell (a list of structures has no long text)
_MAX_LINE = 100 * _MAX_CELL  # characters in one line of a text list
_MAX_WORKBOOK = 100 * 2**20  # bytes: a workbook is read whole (the ESUS list is a few hundred kB)


@dataclass(frozen=True, slots=True)
class Entry:
    """What one source says about one SIRET (establishment) or SIREN (legal unit)."""

    source: str  # key of SOURCES
    file: str
    row: int  # line of the file (row of a sheet) where the record starts, 1-based
    siren: str
    siret: str | None  # None: the record is about the whole legal unit
    name: str = ""
    structures: tuple[str, ...] = ()  # codes of STRUCTURES the record proves
    legal_category: str | None = None
    says_no: frozenset[Dimension] = frozenset()  # dimensions the record explicitly denies


@dataclass
class SupplierList:
    """One list file, read."""

    source: Source
    file: str
    report: ImportReport
    entries: list[Entry] = field(default_factory=list)
    skipped: int = 0  # records accepted but not kept (not a supplier of the portfolio)
    notes: list[str] = field(default_factory=list)  # French (e.g. the online look-up could not finish)

    def summary_fr(self) -> str:
        """« ESUS (« f.xlsx ») : 2 917 enregistrements lus : 2 916 acceptés, 1 rejeté ; 12 retenus, 2 904 non retenus (…). »"""
        r = self.report
        warned = f" (dont {format_number(r.warned)} avec avertissement)" if r.warned else ""
        others = f", {counted(self.skipped, 'non retenu', 'non retenus')} (sans lien avec le portefeuille)" if self.skipped else ""
        return (f"{self.source.label} (« {self.file} ») : {counted(r.read, 'enregistrement lu', 'enregistrements lus')} : "
                f"{counted(r.accepted, 'accepté', 'acceptés')}{warned}, {counted(r.rejected, 'rejeté', 'rejetés')} ; "
                f"{counted(len(self.entries), 'retenu', 'retenus')}{others}.")

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source.key, "label": self.source.label, "file": self.file, "kept": len(self.entries),
                "skipped": self.skipped, "notes": list(self.notes), "report": self.report.to_dict()}


# -- identifiers ------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def _identifier(raw: str) -> tuple[str | None, str | None, str | None]:
    """(siren, siret, problem in French) of a cell; SIRET or SIREN, checked (Luhn, La Poste)."""
    raw = raw.strip()
    if raw.endswith(".0"):  # a spreadsheet turned the identifier into a number
        raw = raw[:-2]
    v = compact_company_id(raw)
    if not v:
        return None, None, "identifiant vide"
    if v.isdigit() and len(v) in (8, 13):  # a spreadsheet dropped the leading zero (Luhn keys do not change)
        v = "0" + v
    try:
        v = validate_company_id(v)
    except InvalidChecksum:
        return None, None, f"clé de contrôle du {'SIRET' if len(v) == 14 else 'SIREN'} incorrecte"
    except InvalidCode:
        return None, None, "14 chiffres (SIRET) ou 9 (SIREN) attendus"
    return v[:9], v if len(v) == 14 else None, None


def unit_flags(ess: bool | None, siae: bool | None, types: Iterable[str]) -> tuple[tuple[str, ...], frozenset[Dimension]]:
    """(structures, dimensions denied) from the Annuaire des Entreprises' flags, in its file as in its API:
    member of the ESS or not, inclusive enterprise or not, and the inclusive types (None: not said)."""
    found = (structure_of(t) for t in types)
    structures = tuple(dict.fromkeys(s.code for s in found if s is not None and s.inclusive))
    if siae and not structures:
        structures = ("INCLUSIVE",)  # inclusive, type not given
    if ess:
        structures += ("ESS",)
    no = set()
    if ess is False:
        no.add(Dimension.ESUS)  # an ESUS enterprise belongs to the ESS (loi n° 2014-856, art. 1 and 11)
    if siae is False:
        no.add(Dimension.INCLUSIVE)
    return structures, frozenset(no)


def _flag(raw: str | None) -> bool | None:
    t = (raw or "").strip().lower()
    if t in ("true", "vrai", "1", "o", "oui", "y", "yes", "t"):
        return True
    if t in ("false", "faux", "0", "n", "non", "no", "f"):
        return False
    return None


# -- reading text files --------------------------------------------------------------


def _open_text(path: Path, report: ImportReport) -> IO[str]:
    """The file as text: UTF-8, bytes that are not read as Windows-1252 (the handler of :mod:`spaser.io.sheets`,
    warned when the first 64 KiB have some); a zip's first CSV member, a gzip's content."""
    raw: Any
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic[:2] == b"\x1f\x8b":
        raw = gzip.open(path, "rb")  # noqa: SIM115 - returned, closed by the caller
    elif magic == b"PK\x03\x04":
        zf = zipfile.ZipFile(path)
        members = [m for m in zf.infolist() if not m.is_dir() and m.filename.lower().endswith((".csv", ".txt"))]
        if not members:
            raise InputError("archive sans fichier CSV.", code=IssueCode.FILE_FORMAT.value, file=str(path))
        raw = zf.open(members[0])
    else:
        raw = open(path, "rb")  # noqa: SIM115
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    head = buffered.peek(65536)[:65536]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a character cut at the end of the sample
            report.issue(IssueCode.ENCODING, detail="Le fichier n'est pas en UTF-8 : lu en Windows-1252.")
    # « spaser-cp1252 »: the error handler spaser.io.sheets registers for the CSV imports, byte by byte.
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="spaser-cp1252", newline="")


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


# -- the formats ------------------------------------------------------------------------

_Cols = dict[str, int]


def _find(cols: _Cols, *names: str) -> int | None:
    for n in names:
        if n in cols:
            return cols[n]
    return None


# Header names (as normalised) of the Marché de l'inclusion's identifier and kind columns.
_SIRET = ("siret", "n siret", "numero siret", "siret structure", "structure siret actualise")
_KIND = ("kind", "type", "type structure", "type siae", "categorie")


def _header_format(cols: _Cols) -> str | None:
    """The format a header row names, or None."""
    if "categoriejuridiqueunitelegale" in cols or "economiesocialesolidaireunitelegale" in cols:
        return "sirene"
    if _find(cols, "nature juridique", "naturejuridique") is not None and "siren" in cols:
        return "annuaire"
    if _find(cols, *_SIRET) is not None and _find(cols, *_KIND) is not None:
        return "marche_inclusion"
    if "siren" in cols and any("famille" in c for c in cols):
        return "ess_france"
    if any("esus" in c or "agrement" in c for c in cols) and _find(cols, "siren", "n siren", "numero siren") is not None:
        return "esus"
    return None


class _Reader:
    """Turns rows into entries for one format, recording every problem in the report."""

    def __init__(self, fmt: str, file: str, report: ImportReport, wanted: set[str] | None) -> None:
        self.fmt, self.file, self.report, self.wanted = fmt, file, report, wanted
        self.source = SOURCES[fmt]
        self.entries: list[Entry] = []
        self.skipped = 0
        self.warned = False  # the record being read has a warning (counted when it is kept)

    def reject(self, code: IssueCode, row: int, column: str | None, value: object, detail: str) -> None:
        self.report.add(code, severity=Severity.ERROR, row=row, column=column, value=value, detail=detail)
        self.warned = False

    def identifier(self, row: int, column: str, raw: str) -> tuple[str, str | None] | None:
        """(siren, siret) of the row, or None when it is rejected or not wanted (both counted)."""
        if self.wanted is not None:
            digits = "".join(_DIGITS.findall(raw))
            if len(digits) in (8, 13):
                digits = "0" + digits
            if len(digits) in (9, 14) and digits[:9] not in self.wanted:  # a malformed one is still rejected below
                self.report.count_accepted(1)
                self.skipped += 1
                return None
        siren, siret, problem = _identifier(raw)
        if siren is None:
            digits = "".join(_DIGITS.findall(raw))
            if len(digits) == 14 and is_valid_company_id(digits[:9]):
                # The establishment's key is wrong but its legal unit is known: kept for the SIREN, said.
                self.report.issue(IssueCode.SIRET_INVALID, row=row, column=column, value=raw,
                                  detail="Clé de contrôle du SIRET incorrecte : structure retenue pour son SIREN "
                                         f"{digits[:9]} (l'établissement n'est pas identifié).")
                self.warned = True
                return digits[:9], None
            self.reject(IssueCode.SIRET_INVALID, row, column, raw, f"{problem[0].upper()}{problem[1:]} : enregistrement ignoré.")  # type: ignore[index]
            return None
        return siren, siret

    def keep(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.report.count_row(rejected=False, warned=self.warned)
        self.warned = False

    # One method per format: (row number, cells, header columns).
    def row(self, n: int, cells: list[str], cols: _Cols, headers: list[str]) -> None:
        getattr(self, "_" + self.fmt)(n, cells, cols, headers)

    @staticmethod
    def _cell(cells: list[str], i: int | None) -> str:
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def _marche_inclusion(self, n: int, cells: list[str], cols: _Cols, headers: list[str]) -> None:
        i_id = _find(cols, *_SIRET)
        i_kind = _find(cols, *_KIND)
        i_name = _find(cols, "name", "raison sociale", "nom", "structure denomination", "denomination")
        ids = self.identifier(n, headers[i_id], self._cell(cells, i_id))  # type: ignore[index]
        if ids is None:
            return
        raw_kind = self._cell(cells, i_kind)
        s = structure_of(raw_kind)
        if s is None or not s.inclusive:
            self.reject(IssueCode.VALUE_INVALID, n, headers[i_kind], raw_kind,  # type: ignore[index]
                        "Type de structure inconnu (attendu : EI, ACI, AI, ETTI, EITI, GEIQ, EA, EATT ou ESAT) : enregistrement ignoré.")
            return
        self.keep(Entry(self.fmt, self.file, n, ids[0], ids[1], self._cell(cells, i_name), (s.code,)))

    def _annuaire(self, n: int, cells: list[str], cols: _Cols, headers: list[str]) -> None:
        ids = self.identifier(n, "siren", self._cell(cells, cols["siren"]))
        if ids is None:
            return
        cj = self._cell(cells, _find(cols, "nature juridique", "naturejuridique")) or None
        ess = _flag(self._cell(cells, _find(cols, "est ess", "estess")))
        siae = _flag(self._cell(cells, _find(cols, "est siae", "estentrepriseinclusive", "est entreprise inclusive")))
        types_raw = self._cell(cells, _find(cols, "type siae", "typeentrepriseinclusive", "type entreprise inclusive"))
        structures, no = unit_flags(ess, siae, re.findall(r"[A-Za-z_]+", types_raw))
        name = self._cell(cells, _find(cols, "nom complet", "nomcomplet", "nom raison sociale"))
        self.keep(Entry(self.fmt, self.file, n, ids[0], None, name, structures, cj, no))

    def _sirene(self, n: int, cells: list[str], cols: _Cols, headers: list[str]) -> None:
        ids = self.identifier(n, "siren", self._cell(cells, cols.get("siren")))
        if ids is None:
            return
        cj = self._cell(cells, cols.get("categoriejuridiqueunitelegale")) or None
        ess = _flag(self._cell(cells, cols.get("economiesocialesolidaireunitelegale")))
        name = self._cell(cells, cols.get("denominationunitelegale"))
        self.keep(Entry(self.fmt, self.file, n, ids[0], None, name, ("ESS",) if ess else (), cj,
                        frozenset({Dimension.ESUS}) if ess is False else frozenset()))

    def _ess_france(self, n: int, cells: list[str], cols: _Cols, headers: list[str]) -> None:
        ids = self.identifier(n, "siren", self._cell(cells, cols["siren"]))
        if ids is None:
            return
        name = next((self._cell(cells, i) for c, i in cols.items() if "nom" in c or "raison" in c or "denomination" in c), "")
        self.keep(Entry(self.fmt, self.file, n, ids[0], None, name, ("ESS",)))

    def _esus(self, n: int, cells: list[str], cols: _Cols, headers: list[str]) -> None:
        i_id = _find(cols, "siren", "n siren", "numero siren", "siret")
        i_id = 1 if i_id is None else i_id  # column B, as the DG Trésor publishes it
        ids = self.identifier(n, headers[i_id] if i_id < len(headers) else "B", self._cell(cells, i_id))
        if ids is None:
            return
        name = self._cell(cells, _find(cols, "raison sociale", "denomination", "nom", "entreprise", "structure") or 0)
        self.keep(Entry(self.fmt, self.file, n, ids[0], None, name, ("ESUS",)))

    def _finess(self, n: int, cells: list[str], cols: _Cols, headers: list[str]) -> None:
        cat = self._cell(cells, 18)
        s = {"246": "ESAT", "247": "EA"}.get(cat)
        if s is None:  # another kind of establishment: read, not an inclusive structure
            self.report.count_accepted(1)
            self.skipped += 1
            return
        raw = self._cell(cells, 22)
        if not raw:
            self.reject(IssueCode.SIRET_INVALID, n, "siret (colonne 23)", raw, "SIRET absent : établissement ignoré.")
            return
        ids = self.identifier(n, "siret (colonne 23)", raw)
        if ids is None:
            return
        name = self._cell(cells, 4) or self._cell(cells, 3)
        self.keep(Entry(self.fmt, self.file, n, ids[0], ids[1], name, (s,)))


FORMATS = tuple(k for k in SOURCES if k != "api")


def _split(spec: str) -> tuple[str | None, str]:
    key, sep, rest = spec.partition("=")
    if sep and key in FORMATS:
        return key, rest
    return None, spec


def load_list(spec: str | os.PathLike[str], *, wanted: Iterable[str] | None = None, max_issues: int = 1000) -> SupplierList:
    """Read one list file (``FORMAT=PATH`` to name its format). ``wanted``: SIRENs to keep (all when None).

    Raises :class:`InputError` (French, file named) when the file cannot be read as a list at all.
    """
    fmt, path_text = _split(os.fspath(spec))
    path = Path(path_text)
    report = ImportReport(file=str(path), max_issues=max_issues)
    want = None if wanted is None else {w[:9] for w in wanted}
    if not path.is_file():
        raise InputError("liste introuvable." if not path.exists() else "c'est un dossier, pas un fichier.",
                         code=IssueCode.FILE_NOT_FOUND.value, file=str(path))
    if path.stat().st_size == 0:
        raise InputError("la liste est vide.", code=IssueCode.FILE_EMPTY.value, file=str(path))
    with open(path, "rb") as fh:
        head = fh.read(8)
    is_workbook = head.startswith(b"\xd0\xcf\x11\xe0") or (head.startswith(b"PK\x03\x04") and _is_workbook(path))
    if is_workbook and path.stat().st_size > _MAX_WORKBOOK:
        raise InputError(f"classeur de plus de {_MAX_WORKBOOK // 2**20} Mo : enregistrez-le en CSV (lu en flux).",
                         code=IssueCode.FILE_TOO_LARGE.value, file=str(path))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        check_ole2(path)  # an old .xls, not an encrypted workbook nor a Word document
    try:
        if is_workbook:
            reader = _read_workbook(path, fmt, report, want)
        else:
            reader = _read_text(path, fmt, report, want)
    except (csv.Error, zipfile.BadZipFile, gzip.BadGzipFile, EOFError, OSError) as e:
        raise InputError(f"liste illisible ({e}).", code=IssueCode.FILE_CORRUPT.value, file=str(path)) from None
    if report.read == 0:
        report.issue(IssueCode.NO_DATA)
    report.formats.append(reader.fmt)
    report.check()
    return SupplierList(reader.source, str(path), report, reader.entries, reader.skipped)


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.startswith("xl/") or n == "content.xml" for n in zf.namelist())
    except zipfile.BadZipFile:
        return False


def _unknown_format(path: Path) -> InputError:
    names = ", ".join(f"{k} ({SOURCES[k].label})" for k in FORMATS)
    return InputError(f"format de liste non reconnu : nommez-le devant le chemin (ex. esus={path.name}) parmi {names}.",
                      code=IssueCode.FILE_FORMAT.value, file=str(path))


def _columns(headers: list[str]) -> _Cols:
    cols: _Cols = {}
    for i, h in enumerate(headers):
        n = normalise(h)
        cols.setdefault(n, i)
        cols.setdefault(n.replace(" ", ""), i)  # camelCase headers, split into words or not
    return cols


def _read_text(path: Path, fmt: str | None, report: ImportReport, want: set[str] | None) -> _Reader:
    text = _open_text(path, report)
    with text:
        first = text.readline(_MAX_LINE)
        _check_length(first, path, 1)
        if not first.strip():
            raise InputError("la première ligne de la liste est vide.", code=IssueCode.HEADER_NOT_FOUND.value, file=str(path))
        if fmt == "finess" or (fmt is None and first.lower().startswith(("finess;", "structureet;"))):
            return _read_finess(first, text, path, report, want)
        delim = _delimiter(first)
        records = _Records(_chain(first, text), 1, delim, path)
        rows = iter(records)
        headers = next(rows)[1]
        cols = _columns(headers)
        fmt = fmt or _header_format(cols)
        if fmt is None:
            raise _unknown_format(path)
        _required(fmt, cols, path)
        reader = _Reader(fmt, str(path), report, want)
        if fmt == "sirene" and want is not None and cols.get("siren") == 0:
            # The SIRENE stock starts each line with the SIREN: a line of another unit is counted unparsed.
            def unwanted(line: str) -> bool:
                if line[9:10] == delim and line[:9].isdigit() and line[:9] not in want:
                    report.count_accepted(1)
                    reader.skipped += 1
                    return True
                return False

            records.skip = unwanted
        for n, cells in rows:
            if not any(c.strip() for c in cells):
                continue  # blank line: not a record
            reader.row(n, cells, cols, headers)
        return reader


def _read_finess(first: str, text: IO[str], path: Path, report: ImportReport, want: set[str] | None) -> _Reader:
    """The FINESS Etalab extraction: a « finess;etalab;... » banner, then positional « structureet » lines
    (« ; », no header); the « geolocalisation » lines describe the same establishments, not records of their own."""
    reader = _Reader("finess", str(path), report, want)
    banner = not first.lower().startswith("structureet;")
    for n, cells in _Records(_chain("" if banner else first, text), 2 if banner else 1, ";", path):
        if cells and cells[0] == "structureet":
            reader.row(n, cells, {}, [])
    return reader


def _required(fmt: str, cols: _Cols, path: Path) -> None:
    """The columns a format cannot do without, named when absent (a format given with FORMAT=)."""
    if fmt == "marche_inclusion":
        missing = [n for n, names in (("siret", _SIRET), ("type de structure (kind)", _KIND)) if _find(cols, *names) is None]
    elif fmt in ("annuaire", "sirene", "ess_france"):
        missing = [] if "siren" in cols else ["siren"]
    else:
        missing = []
    if missing:
        raise InputError(f"{agree(len(missing), 'colonne absente', 'colonnes absentes')} pour le format {fmt} : {', '.join(missing)}.",
                         code=IssueCode.COLUMN_MISSING.value, file=str(path))


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    """``first``, then the lines of ``rest``, each read with a bound (a file without line breaks is not read whole)."""
    if first:
        yield first
    yield from iter(partial(rest.readline, _MAX_LINE), "")


# Fed to the CSV reader after the last line: inside a quoted cell left open, it ends up in that cell
# (the reader, lenient like the per-line reading it replaces, says nothing of it at the end of the file).
_END = "\x00spaser : fin du fichier\x00\n"


class _Records:
    """(line of the file where it starts, cells) of each record, read by one CSV reader: a quoted cell
    may span lines, and a problem is placed where its record starts, as :mod:`spaser.io.sheets` does.

    ``lines`` start at line ``first``. ``skip(line)``, when set, is asked of each line that starts a
    record: a line it takes is not parsed (the SIRENE stock's lines of other units). A line longer than
    ``_MAX_LINE`` characters, a cell longer than ``_MAX_CELL`` and a quote left open are refused."""

    def __init__(self, lines: Iterable[str], first: int, delim: str, path: Path) -> None:
        self.lines, self.delim, self.path = lines, delim, path
        self.line = first - 1  # the last line read
        self.start = first  # the line where the record being read starts
        self.at_start = True
        self.ended = False  # the file is read, _END given to the reader
        self.skip: Callable[[str], bool] | None = None

    def _feed(self) -> Iterator[str]:
        n = self.line
        for line in self.lines:
            n += 1
            _check_length(line, self.path, n)
            if self.at_start:
                if self.skip is not None and self.skip(line):
                    continue
                self.start, self.at_start = n, False
            self.line = n
            yield line
        self.ended = True
        yield _END

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._feed(), delimiter=self.delim)
        try:
            for cells in reader:
                self.at_start = True
                if self.ended:  # the record read with _END: _END alone, or a quoted cell left open
                    if cells == [_END.rstrip("\n")]:
                        return
                    raise quote_error(str(self.path), self.start)
                _guard(cells, self.path, self.start)
                yield self.start, cells
        except csv.Error as e:
            if "field larger than field limit" in str(e) and self.line == self.start:  # one line: no quote left open
                raise _cell_too_long(self.path, self.start) from None
            raise quote_error(str(self.path), self.start) from None


def _check_length(line: str, path: Path, n: int) -> None:
    """A line cut at ``_MAX_LINE`` characters (read with that bound) is refused, not read in pieces."""
    if len(line) >= _MAX_LINE and not line.endswith(("\n", "\r")):
        raise InputError(f"ligne de plus de {format_number(_MAX_LINE)} caractères.", code=IssueCode.LIMIT_STRING.value,
                         file=str(path), row=n)


def _guard(cells: list[str], path: Path, n: int) -> None:
    if any(len(c) > _MAX_CELL for c in cells):
        raise _cell_too_long(path, n)


def _cell_too_long(path: Path, n: int) -> InputError:
    return InputError(f"cellule de plus de {format_number(_MAX_CELL)} caractères.", code=IssueCode.LIMIT_STRING.value,
                      file=str(path), row=n)


def _read_workbook(path: Path, fmt: str | None, report: ImportReport, want: set[str] | None) -> _Reader:
    """The first sheet with a list's header among its first rows; the workbook is read by
    :func:`spaser.io.sheets.read_workbook`, with its checks (zip bombs, cells spanning the whole grid)."""
    for sheet in read_workbook(path, report):
        rows = sheet.rows
        for i, row in enumerate(rows[:30]):
            cells = [_text(c) for c in row]
            cols = _columns(cells)
            found = fmt or _header_format(cols) or ("esus" if any("siren" == c for c in cols) else None)
            if found is None:
                continue
            _required(found, cols, path)
            reader = _Reader(found, str(path), report, want)
            report.formats.append("xlsx")
            for n, r in zip(sheet.numbers[i + 1:], rows[i + 1:]):
                cells_r = [_text(c) for c in r]
                if not any(cells_r):
                    continue
                _guard(cells_r, path, n)
                reader.row(n, cells_r, cols, cells)
            return reader
    raise _unknown_format(path)


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
