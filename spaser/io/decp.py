"""DECP files (données essentielles de la commande publique): JSON and XML, formats 2019 and 2024.

Layouts read (recognised from the content):

- 2019 (schema 1.5): ``{"marches": [ ... ]}``, each entry with ``_type``
  ("Marché" or "Contrat de concession");
- 2024 (schema 2.0.x): ``{"marches": {"marche": [...], "contrat-concession": [...]}}``
  with wrapped lists (``considerationsSociales.considerationSociale[]``,
  ``titulaires[].titulaire``, ``modifications[].modification``...);
- variants: the 2.0.0 draft (plain string arrays, no wrapper objects),
  tabular exports (values joined with ", ", "Sans objet" for "Pas de ..."),
  a bare list of contracts, or ``{"marche": [...]}`` without ``marches``;
- XML 2019 and 2024 (``<marches><marche>...``), tags repeated for lists, read with
  defusedxml: DTDs, entities and external references are refused.

Everything is streamed (ijson for JSON, iterparse for XML), so the same core
(:func:`iter_decp_records` then :class:`Extractor`) serves a small import and
``spaser scan`` over a national file, in ONE pass over the file (the two 2024
lists are read as one, see ``_LISTS``). Before the JSON parser sees a byte, a
guard (:class:`_Guard`) checks nesting depth and string length
(:data:`MAX_DEPTH`, :data:`MAX_STRING`): a hostile file fails with a clear
message instead of exhausting memory. It also replaces what the parser would
stop or crash on by marker strings: a bare ``NaN``/``Infinity`` (pandas
writes them), a number longer than :data:`MAX_NUMBER_CHARS` (the C parser
crashed on an integer of 4 301 digits) and a lone UTF-16 half (``\\udc00``);
the record reader then drops that one value with a warning (a NUL, ``\\u0000``,
is removed with a warning too).

The national scan reads the same guarded bytes in batches decoded by msgspec
(:meth:`DecpStream.fast_records`): a batch ends where msgspec proves a record
ends, and whatever it cannot take goes on with the plain reader (ijson), so
both give the same records; see :mod:`spaser.scan`.

Values are converted by :mod:`spaser.io.convert` (shared with the spreadsheet
reader): ASCII digits only, bounded lengths and exponents. The report names the
file's real format from its records: ``decp-2019``, ``decp-2024``,
``decp-2024-brouillon`` (2.0.0 draft), ``-tabulaire`` (joined values,
``donneesActuelles``), ``-xml``.

What the import does with each record (every record is counted:
``read == accepted + rejected``):

- one portfolio per buyer (``acheteur.id``, ``autoriteConcedante.id`` for
  concessions); the buyer kind stays ``BuyerKind.AUTRE``: DECP does not say it;
- amounts are ``Decimal`` (JSON numbers parsed as Decimal, never float);
  ``montant`` for contracts, ``valeurGlobale`` for concessions;
- modifications are applied in order: the latest ``montant``/``valeurGlobale``,
  ``dureeMois`` and ``titulaires`` replace the initial ones (the initial
  values are listed in ``result.extra["modifications"]``);
- concessions are kept as ``ContractKind.CONCESSION`` with a warning: they
  are outside the SPASER count;
- duplicates (same buyer, identifier, notification date, amount and holders)
  are rejected, naming the first record; the same contract with other holders
  is a co-contractor's line: its holders are added to the first record's
  contract, counted once (``report.merged``, as for spreadsheets);
- tabular versions: a record with ``donneesActuelles`` false is an earlier
  version of a contract, not counted (``superseded``);
- dates keep their calendar day; a time zone ("2018-12-17+01:00") is dropped;
  an impossible date is a warning and the contract is kept without date;
- 2019 records have no consideration fields: social and environmental
  considerations are ``None`` (unknown), never "none". In 2024 a missing field
  is also unknown (no warning).

Duplicate keys inside a JSON object: the LAST value is kept (as every JSON
parser does) and a warning names the key.
"""

from __future__ import annotations

import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec

from spaser._gc import paused
from spaser._errors import InputError, InvalidChecksum, InvalidCode, LimitExceeded, UnknownCode
from spaser.io.report import ImportReport, IssueCode, MESSAGES, Severity
from spaser.model import (
    Buyer,
    BuyerKind,
    ContractKind,
    EnvironmentalConsideration,
    Portfolio,
    Purchase,
    SocialConsideration,
    SourceRef,
    Supplier,
)
from spaser.io import cells as cv
from spaser.io.cells import CellProblem
from spaser.io.dates import DATE_PLAUSIBLE_FROM
from spaser.money import AMOUNT_PLAUSIBLE_MAX, SMALLEST_IMPLAUSIBLE, implausible_amount

__all__ = [
    "MAX_DEPTH",
    "MAX_STRING",
    "MAX_NUMBER_CHARS",
    "AMOUNT_PLAUSIBILITY_CEILING",
    "MAX_DURATION_MONTHS",
    "PLAUSIBLE_YEAR_MIN",
    "Contract",
    "DecpStream",
    "Extractor",
    "implausible_amount",
    "iter_decp_records",
    "read_decp",
]

# -- limits and plausibility rules (safety and data-quality choices, not law) --
MAX_DEPTH = 64  # nesting of JSON arrays/objects or XML elements (real DECP: < 10)
MAX_STRING = 1_000_000  # characters in one JSON string or XML text
# Amount plausibility is shared with the other readers: spaser.money.implausible_amount.
AMOUNT_PLAUSIBILITY_CEILING = AMOUNT_PLAUSIBLE_MAX
MAX_DURATION_MONTHS = cv.DURATION_MAX_MONTHS  # 100 years: longer is a typing error
PLAUSIBLE_YEAR_MIN = DATE_PLAUSIBLE_FROM.year  # notification dates before are typing errors

_CHUNK = 64 * 1024  # < MAX_STRING: see _Guard
# A JSON number longer than this is no DECP value: replaced before the parser sees it
# (CPython refuses int() of more than 4 300 digits; the C parser crashed on it).
MAX_NUMBER_CHARS = 40
_NUMBER_CHARS = b"0123456789.eE+-"
_TOKEN_TAIL = _NUMBER_CHARS + b"NaIfintyuUbcdABCDF\\"  # numbers, NaN, Infinity, \\uXXXX escapes
_MAX_HOLD = 64
# Digits -> "0", "N" and "y" kept, anything else ".": a run of 41 digits is then found by a plain (C-speed)
# substring search, and NaN or Infinity are looked for only where an "N" or a "y" is.
_CLASSES = bytes(48 if 48 <= b <= 57 else b if b in b"Ny" else 46 for b in range(256))
_LONG_RUN = b"0" * (MAX_NUMBER_CHARS + 1)
_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.S)
_SPECIAL_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\Z)|(-?(?:NaN|Infinity))|(-?[0-9][0-9.eE+\-]*)', re.S)
# A lone UTF-16 half (\\ud800 without its pair): the parser would give bytes that are no UTF-8.
# A NUL character (\\u0000) is counted as a marker: the record reader then removes it with a warning, whatever
# was read before (the markers start with NUL, so a record holding one is always looked at).
_SURROGATE_FAST = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")
_SURROGATE = re.compile(rb"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})|(\\u0000)")
# 2024: the two lists "marche" and "contrat-concession" become one list "marche" whose parts
# start with a marker record naming the list, so the file is parsed once (ijson follows one path).
_LISTS = re.compile(rb'(?<!\\)"(marche|contrat-concession)"(\s*:\s*)\[(\s*\])?')
_LIST_PARTIAL = re.compile(rb'"(?:marche|contrat-concession)"\s*(?::\s*(?:\[\s*)?)?\Z')


_HIGH_HALF = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")


def _safe_cut(data: bytes, cut: int) -> int:
    """``cut`` moved back so that no escape is split: ``\\uXXXX``, a surrogate pair, ``\\"``."""
    b = data.rfind(b"\\", max(0, cut - 6), cut)  # an escape that may be incomplete
    if b >= 0:
        cut = b
    if cut >= 6 and _HIGH_HALF.match(data, cut - 6):  # the first half of a pair: keep the pair together
        cut -= 6
    stop = max(0, cut - 4096)
    while cut > stop and data[cut - 1] == 92:  # never between a backslash and what it escapes
        cut -= 1
    return cut


def _list_hold(data: bytes) -> int:
    """How many bytes at the end of ``data`` may be the start of a list key and its bracket (held for the next chunk)."""
    p = data.rfind(b'"')
    if p < 0:
        return 0
    q = data.rfind(b'"', 0, p)
    if q >= 0 and _LIST_PARTIAL.match(data, q):  # a whole key, then perhaps « : » and « [ »
        return len(data) - q
    tail = data[p + 1 :]
    if b"marche".startswith(tail) or b"contrat-concession".startswith(tail):  # an opening quote, part of a key
        return len(data) - p
    return 0


_LIST_KEY = "\x00liste"


def _list_started(rec: Any) -> str | None:
    """The list (``marche``, ``contrat-concession``) whose start the guard's marker record ``rec`` is; None for a record."""
    return rec[_LIST_KEY] if isinstance(rec, dict) and len(rec) == 1 and _LIST_KEY in rec else None


_MARK = "\x00"  # first character of a marker string (a JSON string cannot hold it unescaped)

_KIND_MARCHE = "Marché"
_KIND_CONCESSION = "Contrat de concession"


# -- the national scan's reader (DecpStream.fast_records) --------------------------------
_BATCH = 1 << 18  # bytes of records decoded at once (about 350 national records: flat memory)
_TRIES = 4  # cuts tried per batch before the plain reader takes the rest
_SCAN_LIMIT = 10_000  # ``}`` looked at per batch for a cut
_SEP = re.compile(rb"\s*(?:,\s*(?=\{)|(?=\]))")  # after a record's ``}``: the next record, or the list's end
_MARKER = re.compile(rb'\{"\\u0000liste": "[a-z-]+"\},(\s*)')  # the guard's mark of a 2024 list, first in it


class FastRecord(msgspec.Struct, gc=False):
    """The fields of a DECP record the scan reads (msgspec skips the others without making objects).

    ``UNSET``: the key is absent. Values are as the plain reader gives them (numbers as int or
    Decimal, never float); the buyer and the considerations, which repeat, are kept as their JSON
    text (:class:`msgspec.Raw`): read once per distinct text. The 2024-only keys are here to tell
    the record's format.
    """

    id: Any = msgspec.UNSET
    type_: Any = msgspec.field(default=msgspec.UNSET, name="_type")
    element_: Any = msgspec.field(default=msgspec.UNSET, name="_element")
    nature: Any = msgspec.UNSET
    acheteur: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    acheteur_id: Any = msgspec.field(default=msgspec.UNSET, name="acheteur.id")
    montant: Any = msgspec.UNSET
    dateNotification: Any = msgspec.UNSET
    dureeMois: Any = msgspec.UNSET
    titulaires: Any = msgspec.UNSET
    modifications: Any = msgspec.UNSET
    codeCPV: Any = msgspec.UNSET
    donneesActuelles: Any = msgspec.UNSET
    idAccordCadre: Any = msgspec.UNSET
    # _FIELDS_2024 (techniques/technique and the considerations are read too)
    considerationsSociales: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    considerationsEnvironnementales: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    considerationSociale: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    considerationEnvironnementale: msgspec.Raw | msgspec.UnsetType = msgspec.UNSET
    techniques: Any = msgspec.UNSET
    technique: Any = msgspec.UNSET
    modalitesExecution: Any = msgspec.UNSET
    modaliteExecution: Any = msgspec.UNSET
    typesPrix: Any = msgspec.UNSET
    typePrix: Any = msgspec.UNSET
    ccag: Any = msgspec.UNSET
    offresRecues: Any = msgspec.UNSET
    sousTraitanceDeclaree: Any = msgspec.UNSET
    typeGroupementOperateurs: Any = msgspec.UNSET
    attributionAvance: Any = msgspec.UNSET
    tauxAvance: Any = msgspec.UNSET
    actesSousTraitance: Any = msgspec.UNSET


# JSON numbers as the plain reader gives them: int, or Decimal from the number's text (never float).
_FAST = msgspec.json.Decoder(FastRecord, float_hook=Decimal)
_ANY = msgspec.json.Decoder(float_hook=Decimal)
_RAWS = msgspec.json.Decoder(list[msgspec.Raw])
_BATCH_FAST = msgspec.json.Decoder(list[FastRecord], float_hook=Decimal)


def _head_pattern(prefix: str) -> re.Pattern[bytes]:
    """The file's start up to its list of records, for an ijson prefix (``marches.marche.item``)."""
    keys = prefix.split(".")[:-1]
    body = b"".join(rb'\{\s*"' + re.escape(k.encode()) + rb'"\s*:\s*' for k in keys)
    return re.compile(rb"\s*" + body + rb"\[\s*")


def _cut(buf: bytes, sep: bytes | None = None) -> tuple[list[FastRecord] | None, bytes, int] | None:
    """(records, ``[batch]``, start of what follows) of the longest batch of whole records found at the end of ``buf``.

    ``records`` is None when an item of the batch is no object (each is then read on its own).
    ``sep``: what separates two records of this file (``},`` then the first record's indentation,
    then ``{``), looked for first: a list of objects inside a record is indented deeper.
    """

    def attempt(p: int, more: int) -> tuple[list[FastRecord] | None, bytes, int] | None:
        batch = b"".join((b"[", memoryview(buf)[: p + 1], b"]"))
        try:
            return _BATCH_FAST.decode(batch), batch, more
        except msgspec.ValidationError:  # an item is no object (msgspec stops there: is the rest JSON?)
            try:
                _RAWS.decode(batch)
            except msgspec.DecodeError:
                return None
            return None, batch, more
        except msgspec.DecodeError:  # not a record's end (a list of objects inside a record), or bad JSON
            return None

    pos = len(buf)
    if sep:
        for _ in range(_TRIES):
            p = buf.rfind(sep, 0, pos)
            if p < 0:
                break
            got = attempt(p, p + len(sep) - 1)
            if got is not None:
                return got
            pos = p
    pos, tries, looked = len(buf), 0, 0
    while tries < _TRIES and looked < _SCAN_LIMIT:
        p = buf.rfind(b"}", 0, pos)
        if p < 0:
            return None
        pos, looked = p, looked + 1
        m = _SEP.match(buf, p + 1)
        if m is None:
            continue
        tries += 1
        got = attempt(p, m.end())
        if got is not None:
            return got
    # The last records hold lists of objects written like the records' separator: follow the brackets (slower,
    # rare) to the last record's end, then prove it the same way.
    for p in reversed(_record_ends(buf)[-_TRIES:]):
        m = _SEP.match(buf, p + 1)
        if m is not None:
            return attempt(p, m.end())
    return None


_STRUCTURE = re.compile(rb'\\.|["\[\]{}]', re.S)


def _record_ends(buf: bytes) -> list[int]:
    """Where the objects at the top of ``buf`` (a list's items, from the first) end: their ``}``."""
    ends: list[int] = []
    depth, in_string = 0, False
    for m in _STRUCTURE.finditer(buf):
        c = buf[m.start()]
        if in_string:
            in_string = c != 34  # a closing quote (escapes are matched whole)
        elif c == 34:
            in_string = True
        elif c in (91, 123):  # [ {
            depth += 1
        elif c in (93, 125):  # ] }
            depth -= 1
            if depth < 0:
                break
            if depth == 0 and c == 125:
                ends.append(m.start())
    return ends


class _Feed:
    """Bytes already read, then the rest of the guarded file: what the plain reader reads after the batches."""

    def __init__(self, data: bytes, guard: _Guard) -> None:
        self._data = data
        self._guard = guard

    def read(self, n: int = _CHUNK) -> bytes:
        if n == 0:
            return b""
        if self._data:
            data, self._data = self._data, b""
            return data
        return self._guard.read(n)


# ---------------------------------------------------------------------------
# Reading: records as plain dicts, streamed
# ---------------------------------------------------------------------------


def _fatal(code: IssueCode, detail: str, file: str, *, row: int | None = None, limit: bool = False) -> InputError:
    cls = LimitExceeded if limit else InputError
    return cls(f"{MESSAGES[code]} {detail}".strip(), code=code.value, file=file, row=row)


def _n(x: int) -> str:
    from spaser.money import format_number

    return format_number(x)


_KEEP = b'"[]{}'
_DROP_ALL_BUT = bytes(b for b in range(256) if b not in _KEEP)
_STRINGS = re.compile(rb'"[^"]*"')


class _Guard:
    """A binary file wrapper that checks depth and string length as bytes go by.

    Without it a file of 100 000 ``[`` makes the JSON parser build prefixes of
    quadratic size (gigabytes) before any error. The check is done with C-speed
    bytes operations on each chunk: escapes are removed, then strings, and
    the brackets left give an upper bound of the depth reached.
    """

    def __init__(self, raw: Any, file: str) -> None:
        self._raw = raw
        self.file = file
        self.pos = 0
        self._depth = 0
        self._in_string = False
        self._run = 0  # length of the string being read, when in a string
        self._carry = b""  # trailing backslashes of the previous chunk
        self._first = True
        self._hold = b""  # end of the previous chunk, given with the next one
        self._skip = False  # dropping the digits of an over-long number
        self.marked = 0  # values replaced by a marker (see _rewrite)
        self.merge_lists = False  # 2024: both lists read in one pass (see _LISTS)
        self._lists_ahead = [b'"marche"', b'"contrat-concession"']  # list keys not met yet
        # DecpStream.fast_records: msgspec refuses NaN and Infinity, and a list's key ends the batches:
        # both are looked for only in what the plain reader will read (see resume).
        self.lazy = False

    def read(self, n: int = _CHUNK) -> bytes:
        if n == 0:  # ijson probes the type with read(0)
            return b""
        while True:
            chunk = self._raw.read(_CHUNK)
            eof = not chunk
            data = self._hold + chunk if self._hold else chunk
            self._hold = b""
            if self._first and data:
                self._first = False
                if data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
            if not eof:
                # A number, NaN or an escape may go on in the next chunk: keep its start for then.
                keep = len(data) - len(data.rstrip(_TOKEN_TAIL))
                if keep > _MAX_HOLD:
                    keep = 0
                if self.merge_lists and not self.lazy:  # so may a list's key and its bracket
                    keep = max(keep, _list_hold(data))
                cut = _safe_cut(data, len(data) - keep)
                if cut < len(data):
                    self._hold, data = data[cut:], data[:cut]
            if self._skip:  # the rest of an over-long number already replaced
                rest = data.lstrip(_NUMBER_CHARS)
                self._skip = not rest and not eof
                data = rest
            if b"\\" in data and b"\\u" in data and _SURROGATE_FAST.search(data):  # memchr first: most chunks have no escape
                data = _SURROGATE.sub(self._lone_half, data)
            if self.merge_lists and not self.lazy and any(k in data for k in self._lists_ahead):
                data = _LISTS.sub(self._list_start, data)
            # One C pass (translate) then substring searches: digits become "0", N and y stay, the rest ".".
            t = data.translate(_CLASSES)
            if data and (_LONG_RUN in t or (not self.lazy and ((b"N" in t and b"NaN" in data) or (b"y" in t and b"Infinity" in data)))):
                data = self._rewrite(data, eof)
            if data or eof:
                break
        self._check(data)
        self.pos += len(data)
        return data

    def resume(self, data: bytes) -> bytes:
        """Leave the lazy mode: ``data`` (read in it, starting outside any string, no list's key cut at
        its end) gets what was not looked for, as the next chunks will."""
        self.lazy = False
        if self.merge_lists and any(k in data for k in self._lists_ahead):
            data = _LISTS.sub(self._list_start, data)
        if b"NaN" in data or b"Infinity" in data:
            in_string, self._in_string = self._in_string, False
            data = self._rewrite(data, True)
            self._in_string = in_string
        return data

    def _list_start(self, m: re.Match[bytes]) -> bytes:
        key = b'"' + m.group(1) + b'"'
        if key in self._lists_ahead:
            self._lists_ahead.remove(key)
            if not self._lists_ahead:
                self.merge_lists = False  # both met: nothing more to look for
        marker = b'{"\\u0000liste": "' + m.group(1) + b'"}'
        return b'"marche"' + m.group(2) + b"[" + marker + (b"]" if m.group(3) else b",")

    def _lone_half(self, m: re.Match[bytes]) -> bytes:
        if m.group(2) is not None:  # a NUL of the file: left as it is, noted
            self.marked += 1
            return m.group(0)
        if m.group(1) is None:
            return m.group(0)  # an escaped backslash, or a well-formed pair
        self.marked += 1
        return b"\\u0000S"  # marker inside the string: replaced by U+FFFD with a warning

    def _rewrite(self, data: bytes, eof: bool) -> bytes:
        """Bare ``NaN``/``Infinity`` and over-long numbers (outside strings) become marker strings.

        The JSON parser would stop the whole file at ``NaN`` (pandas writes it) and
        crash on an integer of more than 4 300 digits; as markers, the record
        reader drops that one value with a warning (:meth:`Extractor._unmark`).
        """
        start = 0
        if self._in_string:  # the chunk starts inside a string: skip to its end
            m = _STRING_REST.match(data)
            if m is None:
                return data
            start = m.end()
        end = len(data)

        def repl(m: re.Match[bytes]) -> bytes:
            if m.group(1):
                self.marked += 1
                return b'"\\u0000NaN"'
            num = m.group(2)
            if num and len(num) > MAX_NUMBER_CHARS:
                self.marked += 1
                if m.end() + start == end and not eof:
                    self._skip = True
                return b'"\\u0000L%d"' % len(num)
            return m.group(0)

        return data[:start] + _SPECIAL_TOKENS.sub(repl, data[start:])

    def _check(self, chunk: bytes) -> None:
        data = self._carry + chunk
        tail = len(data) - len(data.rstrip(b"\\")) if chunk else 0
        self._carry = data[len(data) - tail :] if tail else b""
        data = data[: len(data) - tail] if tail else data
        if b"\\" in data:  # most generated files have no escape at all
            data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
        # String length: gaps between quotes inside a chunk are < _CHUNK < MAX_STRING,
        # so only a string spanning chunks can be too long.
        first = data.find(b'"')
        if self._in_string:
            self._run += len(chunk) if first < 0 else first  # raw length: escapes count too
            if self._run > MAX_STRING:
                raise _fatal(
                    IssueCode.LIMIT_STRING,
                    f"Un texte dépasse {_n(MAX_STRING)} caractères (vers l'octet {_n(self.pos)}).",
                    self.file,
                    limit=True,
                )
        # Depth: keep quotes and brackets, drop strings, then matched pairs.
        s = data.translate(None, _DROP_ALL_BUT)
        quotes = s.count(b'"')  # escaped ones were removed above
        was_in = self._in_string
        if quotes % 2:
            self._in_string = not self._in_string
        if self._in_string and quotes:
            self._run = len(data) - data.rfind(b'"') - 1
        if was_in:
            s = b'"' + s
        # Every string closed in the chunk is two quotes side by side (no bracket in one): drop the quotes, and
        # what follows a string left open at the end.
        body = s[: s.rfind(b'"')] if self._in_string else s
        if body.count(b'""') * 2 == quotes + was_in - self._in_string:
            s = body.translate(None, b'"')
        else:
            s = s.replace(b'""', b"")  # most strings hold no bracket: drop them in C
            if b'"' in s:
                s = _STRINGS.sub(b"", s)
        cut = s.find(b'"')
        if cut >= 0:
            s = s[:cut]
        passes = 0
        while True:
            t = s.replace(b"[]", b"").replace(b"{}", b"")
            if t == s:
                break
            s = t
            passes += 1
            if self._depth + passes > MAX_DEPTH:
                break
        opens = s.count(b"[") + s.count(b"{")
        closes = len(s) - opens
        if self._depth + passes + opens > MAX_DEPTH:
            raise _fatal(
                IssueCode.LIMIT_DEPTH,
                f"Plus de {MAX_DEPTH} niveaux de crochets ou d'accolades imbriqués (vers l'octet {_n(self.pos)}) : "
                "ce n'est pas un fichier DECP.",
                self.file,
                limit=True,
            )
        self._depth = max(0, self._depth + opens - closes)


@dataclass
class DecpStream:
    """The records of one DECP file, streamed: ``for index, record in DecpStream(path)``.

    ``index`` is 1-based in the order of the file (2024: the list met first,
    then the other). Concessions of the 2024 list ``contrat-concession`` get
    ``_type = "Contrat de concession"`` (as in 2019) so the record says what it is.
    After iteration: ``layout`` ("2019", "2024", "liste", "xml-2024") and
    ``duplicate_keys`` (record index -> keys seen twice).
    """

    path: str | os.PathLike[str]
    kind: str | None = None  # 'json' or 'xml'; sniffed when None
    # Noting duplicate keys costs a Python call per key (about half the JSON
    # parsing time): the national scan turns it off (the last value is kept either way).
    check_duplicate_keys: bool = True
    layout: str = ""
    duplicate_keys: dict[int, list[str]] = field(default_factory=dict)
    marked: int = 0  # values the guard replaced by a marker so far (NaN, over-long numbers)
    _batch: bytes = b"[]"  # fast_records: the batch being read, as JSON text
    _raws: list[Any] | None = None  # its records' texts, when asked for

    def __post_init__(self) -> None:
        self.file = str(self.path)
        p = Path(self.path)
        if not p.exists():
            raise _fatal(IssueCode.FILE_NOT_FOUND, "", self.file)
        if p.is_dir():
            raise _fatal(IssueCode.FILE_FORMAT, "C'est un dossier, pas un fichier.", self.file)
        if p.stat().st_size == 0:
            raise _fatal(IssueCode.FILE_EMPTY, "", self.file)
        if self.kind is None:
            from spaser.io import sniff

            self.kind = sniff(self.path)

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        if self.kind == "xml":
            return self._iter_xml()
        if self.kind == "json":
            return self._iter_json()
        raise _fatal(IssueCode.FILE_FORMAT, "Un fichier DECP JSON ou XML est attendu.", self.file)

    # -- JSON ----------------------------------------------------------
    def _open(self) -> tuple[Any, _Guard]:
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as e:
            raise _fatal(IssueCode.FILE_NOT_FOUND, f"({e.strerror or e})", self.file) from None
        return fh, _Guard(fh, self.file)

    def _json_error(self, e: Exception, guard: _Guard, last: int) -> InputError:
        text = str(e)
        where = f"vers l'enregistrement n° {last + 1}, octet {_n(guard.pos)}"
        if "premature EOF" in text:
            return _fatal(IssueCode.JSON_INVALID, f"Le fichier est tronqué (il s'arrête au milieu des données, {where}).", self.file)
        if "lexical error" in text and re.search(r"[:\[,]\s*-?(NaN|Infinity)", text):
            return _fatal(
                IssueCode.JSON_INVALID,
                f"Valeur NaN ou Infinity ({where}) : ce n'est pas un montant et ce n'est pas du JSON valide.",
                self.file,
            )
        if "UTF8" in text or "utf-8" in text.lower():
            return _fatal(IssueCode.ENCODING, f"Le fichier n'est pas en UTF-8 ({where}).", self.file)
        first = text.strip().splitlines()[0] if text.strip() else type(e).__name__
        return _fatal(IssueCode.JSON_INVALID, f"Erreur de syntaxe ({where}) : {first}.", self.file)

    def _layout(self) -> list[str]:
        """Find where the records are: a list of ijson prefixes, in file order."""
        import ijson

        fh, guard = self._open()
        prefixes: list[str] = []
        try:
            events = ijson.parse(guard, use_float=False)
            prefix, event, value = next(events, ("", "eof", None))
            if event == "start_array":
                # A bare list: contracts only if the first item is an object.
                _, event2, value2 = next(events, ("", "eof", None))
                if event2 == "end_array":
                    self.layout = "liste"
                    return []
                if event2 != "start_map":
                    what = "des nombres" if event2 == "number" else "des textes" if event2 == "string" else "autre chose"
                    raise _fatal(IssueCode.JSON_ROOT, f"La racine est une liste qui contient {what}, pas des marchés.", self.file)
                self.layout = "liste"
                return ["item"]
            if event != "start_map":
                raise _fatal(IssueCode.JSON_ROOT, "La racine doit être un objet {\"marches\": ...}.", self.file)
            depth = 1
            for prefix, event, value in events:
                if event in ("start_map", "start_array"):
                    depth += 1
                elif event in ("end_map", "end_array"):
                    depth -= 1
                    if depth == 0:
                        break
                if event == "start_array" and prefix in ("marches", "marche", "contrat-concession", "marches.marche", "marches.contrat-concession"):
                    if prefix == "marches":
                        self.layout = "2019"
                        return ["marches.item"]
                    prefixes.append(prefix + ".item")
                    break
                if event == "start_map" and prefix == "marches":
                    self.layout = "2024"
        except ijson.JSONError as e:
            raise self._json_error(e, guard, 0) from None
        finally:
            fh.close()
        if not prefixes:
            raise _fatal(
                IssueCode.JSON_ROOT,
                "Aucune liste de marchés trouvée : on attend {\"marches\": [...]} (format 2019) "
                "ou {\"marches\": {\"marche\": [...], \"contrat-concession\": [...]}} (format 2024).",
                self.file,
            )
        if not self.layout:
            self.layout = "2024"  # {"marche": [...]} without "marches"
        # 2024: the list met first, then the other one (its place is unknown before).
        base = "marches." if prefixes[0].startswith("marches.") else ""
        other = "marche" if "contrat-concession" in prefixes[0] else "contrat-concession"
        prefixes.append(f"{base}{other}.item")
        return prefixes

    def _iter_json(self) -> Iterator[tuple[int, Any]]:
        for index, _, rec in self._json_records(fast=False):
            yield index, rec

    def fast_records(self) -> Iterator[tuple[int, Any, Any]]:
        """The records in file order, ONE pass, mostly in batches: the national scan's reader.

        Gives ``(index, records, offset)``: a list of :class:`FastRecord` (only the fields the
        scan reads) whose first has number ``index``, record ``j`` being the item
        ``offset + j`` of the batch (:meth:`decode` gives its dict, until the next batch); or
        ``(index, None, record)``: one record as the plain reader gives it (an item that is no
        object, one holding a marker of the guard, a concession of a 2024 list, XML).

        JSON: batches of whole records are cut from the guarded bytes and decoded by msgspec
        (C). Whatever the batches cannot take (an odd layout, a syntax error, the end of a list)
        is read by the plain reader from that record on, so both give the same records.
        """
        if self.kind == "json":
            return self._json_records(fast=True)
        return ((index, None, rec) for index, rec in self)

    def decode(self, k: int) -> Any:
        """The plain reader's record (a dict) of the last :meth:`fast_records` record, ``k`` in its batch."""
        return self._typed(_ANY.decode(self._batch_raws()[k]), False)  # a concession's record is given decoded (see _fast)

    def _typed(self, rec: Any, concession: bool) -> Any:
        """``rec`` with the 2024 list it was read from as its ``_type`` (unless it names one itself)."""
        if isinstance(rec, dict) and self.layout == "2024":
            rec.setdefault("_type", _KIND_CONCESSION if concession else _KIND_MARCHE)
        return rec

    def _batch_raws(self) -> list[Any]:
        if self._raws is None:
            self._raws = _RAWS.decode(self._batch)
        return self._raws

    def _json_records(self, *, fast: bool) -> Iterator[tuple[int, Any, Any]]:
        import ijson

        prefixes = self._layout()
        dups: list[str] = []

        class _Obj(dict):  # type: ignore[type-arg]
            """dict that notes duplicate keys (the last value wins, like json.loads)."""

            __slots__ = ()

            def __setitem__(self, key: str, value: Any) -> None:
                if key in self:
                    dups.append(key)
                dict.__setitem__(self, key, value)

        if len(prefixes) > 1:  # 2024: both lists in one pass, under one name (see _LISTS)
            prefixes = [prefixes[0].rsplit(".", 2)[0] + ".marche.item" if prefixes[0].count(".") > 1 else "marche.item"]
        merge = self.layout == "2024" and prefixes[0].endswith("marche.item")
        state: list[Any] = [0, False]  # records given, in a list of concessions
        for prefix in prefixes:
            fh, guard = self._open()
            guard.merge_lists = merge
            marked = self.marked
            source: Any = guard
            try:
                if fast:
                    source = yield from self._fast(guard, prefix, merge, state, marked)
                for rec in ijson.items(source, prefix, use_float=False, map_type=_Obj if self.check_duplicate_keys else dict):
                    if merge and (started := _list_started(rec)) is not None:
                        state[1] = started == "contrat-concession"
                        dups.clear()
                        continue
                    state[0] += 1
                    self.marked = marked + guard.marked
                    if dups:
                        self.duplicate_keys[state[0]] = sorted(set(dups))
                        dups.clear()
                    yield state[0], None, self._typed(rec, state[1])
            except ijson.JSONError as e:
                raise self._json_error(e, guard, state[0]) from None
            except InputError:
                raise
            finally:
                fh.close()

    def _fast(self, guard: _Guard, prefix: str, merge: bool, state: list[Any], marked: int) -> Generator[tuple[int, Any, Any], None, Any]:
        """The batches of :meth:`fast_records`; returns what the plain reader reads next (a file-like object).

        A batch ends after a ``}`` followed by ``,`` or ``]``: msgspec decoding ``[batch]``
        proves it (JSON is read one way only: a cut inside a string, an object or a list
        leaves the wrapped text invalid). So the records of a batch are exactly those the
        plain reader would give, and what is left (from the next record on) is given to it
        after the file's head, the ``[`` included.
        """
        head_re = _head_pattern(prefix)
        data, eof = b"", False
        while not eof and len(data) < 4096:
            chunk = guard.read(_CHUNK)
            eof = not chunk
            data += chunk
        m = head_re.match(data)
        if m is None:  # another layout (keys before the list...): all of it to the plain reader
            return _Feed(data, guard)
        head, buf = data[: m.end()], data[m.end() :]
        guard.lazy = True
        # The records' indentation, after the list's marker (2024) if any: "},\n    {" between two records.
        lead = head[head.rindex(b"[") + 1 :]
        marker = _MARKER.match(buf)
        if marker:
            lead = marker.group(1)
        sep = b"}," + lead + b"{" if b"\n" in lead else None

        def handover(buf: bytes) -> _Feed:
            nonlocal eof
            while not eof and _list_hold(buf):  # a list's key may go on in the next chunk
                chunk = guard.read(_CHUNK)
                eof = not chunk
                buf += chunk
            return _Feed(head + guard.resume(buf), guard)

        while True:
            parts, size = [buf], len(buf)
            while not eof and size < _BATCH:
                chunk = guard.read(_CHUNK)
                eof = not chunk
                parts.append(chunk)
                size += len(chunk)
            buf = b"".join(parts)
            got = _cut(buf, sep)
            if got is None:
                return handover(buf)
            recs, batch, more = got
            self.marked = marked + guard.marked
            self._batch, self._raws = batch, None
            if recs is not None and (b"\\" not in batch or b"\\u0000" not in batch) and not (state[1] and self.layout == "2024"):
                yield state[0] + 1, recs, 0  # the common case: the whole batch, decoded at once
                state[0] += len(recs)
            else:  # one by one: items that are no object, a list's marker, a value the guard replaced, concessions
                for k, raw in enumerate(self._batch_raws()):
                    rec: Any = None
                    if b"\\u0000" in bytes(raw):
                        rec = _ANY.decode(raw)
                        if merge and (started := _list_started(rec)) is not None:
                            state[1] = started == "contrat-concession"
                            continue
                    else:
                        try:
                            fast = _FAST.decode(raw)
                        except msgspec.ValidationError:  # not an object
                            rec = _ANY.decode(raw)
                        else:
                            if not (state[1] and fast.type_ is msgspec.UNSET and self.layout == "2024"):
                                state[0] += 1
                                yield state[0], [fast], k
                                continue
                            rec = _ANY.decode(raw)  # a concession of the 2024 list: given as the plain reader does
                    state[0] += 1
                    yield state[0], None, self._typed(rec, state[1])
            buf = buf[more:]
            if not more or buf[:1] != b"{":  # the end of the list: the plain reader takes the rest
                return handover(buf)

    # -- XML -----------------------------------------------------------
    def _iter_xml(self) -> Iterator[tuple[int, Any]]:
        from xml.etree.ElementTree import ParseError

        import defusedxml
        from defusedxml.ElementTree import iterparse

        self.layout = "xml-2024"
        index = 0
        depth = 0
        root = None
        try:
            for event, elem in iterparse(
                self.file, events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
            ):
                if event == "start":
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _fatal(
                            IssueCode.LIMIT_DEPTH, f"Plus de {MAX_DEPTH} niveaux d'éléments imbriqués.", self.file, row=index + 1, limit=True
                        )
                    if root is None:
                        root = elem
                        if _tag(elem) != "marches":
                            raise _fatal(IssueCode.XML_INVALID, f"L'élément racine doit être <marches>, pas <{_tag(elem)}>.", self.file)
                    continue
                depth -= 1
                if elem.text and len(elem.text) > MAX_STRING:
                    raise _fatal(
                        IssueCode.LIMIT_STRING, f"Un texte dépasse {MAX_STRING} caractères.", self.file, row=index + 1, limit=True
                    )
                if depth == 1:
                    index += 1
                    tag = _tag(elem)
                    rec = _element_dict(elem)
                    if isinstance(rec, dict):
                        rec.setdefault("_type", _KIND_CONCESSION if tag == "contrat-concession" else _KIND_MARCHE)
                        if tag not in ("marche", "contrat-concession"):
                            rec["_element"] = tag
                    yield index, rec
                    root.clear()  # type: ignore[union-attr]  # flat memory
        except defusedxml.DefusedXmlException as e:
            raise _fatal(
                IssueCode.XML_FORBIDDEN,
                f"Le fichier déclare une DTD, des entités ou des références externes ({type(e).__name__}) ; rien n'a été lu ni résolu.",
                self.file,
            ) from None
        except ParseError as e:
            line, col = getattr(e, "position", (None, None))
            where = f" (ligne {line}, colonne {col})" if line else ""
            reason = str(e).split(":")[0]
            raise _fatal(IssueCode.XML_INVALID, f"Document mal formé{where} : {reason}.", self.file) from None
        except OSError as e:
            raise _fatal(IssueCode.FILE_CORRUPT, f"({e.strerror or e})", self.file) from None


def _tag(elem: Any) -> str:
    t = elem.tag
    return t.rsplit("}", 1)[-1] if isinstance(t, str) else str(t)


def _element_dict(elem: Any) -> Any:
    """An element as a dict (children by tag, repeated tags as lists) or its text.

    Iterative (no recursion), so depth is never a problem here.
    """
    out: dict[str, Any] = {}
    stack = [(elem, out)]
    while stack:
        node, target = stack.pop()
        for child in node:
            tag = _tag(child)
            if len(child):
                value: Any = {}
                stack.append((child, value))
            else:
                value = (child.text or "").strip()
            if tag in target:
                prev = target[tag]
                if isinstance(prev, list) and getattr(prev, "_repeated", False):
                    prev.append(value)
                else:
                    lst = _Repeated([prev, value])
                    target[tag] = lst
            else:
                target[tag] = value
    if not len(elem):
        return (elem.text or "").strip()
    return out


class _Repeated(list):  # type: ignore[type-arg]
    """A list made of repeated XML tags (not a list that was in the data)."""

    _repeated = True


def iter_decp_records(path: str | os.PathLike[str], kind: str | None = None) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, record)`` for each contract of a DECP file, streaming.

    ``index`` is 1-based; ``record`` is the raw dict (numbers as ``Decimal``
    or ``int``, never float). Fatal problems raise :class:`InputError`.
    """
    return iter(DecpStream(path, kind))


# ---------------------------------------------------------------------------
# Normalising one record
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Contract:
    """One DECP record, normalised (light: no pydantic, for the national scan)."""

    row: int
    id: str
    buyer_key: str  # SIRET when valid, else "?" + what the file says
    buyer_siret: str | None
    buyer_name: str
    kind: ContractKind
    amount: Decimal | None
    implausible: str | None  # why the amount is not plausible, or None
    date: date | None
    duration: int | None
    cpv: str | None
    social: frozenset[SocialConsideration] | None
    environmental: frozenset[EnvironmentalConsideration] | None
    object: str = ""
    procedure: str | None = None
    techniques: tuple[str, ...] = ()
    suppliers: tuple[tuple[str, str | None], ...] = ()
    location: str | None = None
    purchase: Purchase | None = None
    # A co-contractor's line of a contract already read: the row of that contract's first line.
    merge_into: int | None = None


def name_text(v: Any) -> str:
    """A name or object text of a record, as the reader keeps it ("" when absent)."""
    t = _text(v)
    return "" if t is None else cv.text(t)


def _text(v: Any) -> str | None:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, Decimal)):
        return str(v)
    return None


@lru_cache(maxsize=4096)
def _fold(s: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", s.strip().casefold())
    return "".join(c for c in s if not unicodedata.combining(c)).replace("’", "'")


def _flat_values(v: Any, inner: str) -> list[str] | None:
    """The strings of a wrapped, plain or joined list; None when absent."""
    if v is None:
        return None
    if isinstance(v, dict):
        return _flat_values(v.get(inner), inner) if inner in v else []
    if isinstance(v, str):
        return [p.strip() for p in v.split(",") if p.strip()]
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        return [str(v)]
    if isinstance(v, list):
        out: list[str] = []
        for item in v:
            out.extend(_flat_values(item, inner) or [])
        return out
    return []


def _items(v: Any, inner: str) -> list[dict[str, Any]]:
    """Objects of a list in any of its shapes (2019, 2024 wrapped, XML repeated, lists nested by exports)."""
    if v is None:
        return []
    if isinstance(v, dict):
        if inner in v:
            return _items(v[inner], inner)
        return [v]
    if isinstance(v, list):
        out: list[dict[str, Any]] = []
        for item in v:  # depth is bounded by the reader (MAX_DEPTH)
            if type(item) is dict:
                x = item.get(inner, item)
                if type(x) is dict:  # the common shapes, without a call
                    out.append(x)
                    continue
            out.extend(_items(item, inner))
        return out
    return []


_KINDS = {
    "marche": ContractKind.MARCHE,
    "marche public": ContractKind.MARCHE,
    "accord-cadre": ContractKind.ACCORD_CADRE,
    "accord cadre": ContractKind.ACCORD_CADRE,
    "marche subsequent": ContractKind.MARCHE_SUBSEQUENT,
    "marche de partenariat": ContractKind.MARCHE_PARTENARIAT,
    "marche de defense ou de securite": ContractKind.MARCHE_DEFENSE,
}


@lru_cache(maxsize=1024)
def _kind_of_nature(nature: str | None) -> ContractKind | None:
    if nature is None:
        return None
    f = _fold(nature)
    if f.startswith(("concession", "delegation de service public", "contrat de concession")):
        return ContractKind.CONCESSION
    return _KINDS.get(f)


def _framework_kind(techniques: Any, framework_id: Any) -> ContractKind | None:
    """2024: 'Accord-cadre' is a technique; a contract under a framework names it (the rule of both extractors)."""
    if any(_fold(t) == "accord-cadre" for t in _flat_values(techniques, "technique") or ()):
        return ContractKind.ACCORD_CADRE
    if _text(framework_id):
        return ContractKind.MARCHE_SUBSEQUENT
    return None


# Fields that only the 2024 format (schema 2.0.x) has: a record with one is a 2024 record.
# (Some 2019 files carry `origineUE` or `marcheInnovant` too: not decisive.)
_FIELDS_2024 = frozenset(
    {
        "considerationsSociales", "considerationsEnvironnementales", "considerationSociale",
        "considerationEnvironnementale", "techniques", "technique", "modalitesExecution", "modaliteExecution",
        "typesPrix", "typePrix", "ccag", "offresRecues", "sousTraitanceDeclaree", "typeGroupementOperateurs",
        "attributionAvance", "tauxAvance", "actesSousTraitance",
    }
)
# The 2.0.0 draft named its lists in the singular, without a wrapper object.
_FIELDS_DRAFT = frozenset({"technique", "modaliteExecution", "typePrix"})
_GET_2024 = attrgetter(*sorted(_FIELDS_2024))  # FastRecord's 2024-only fields, in one call




class _Seen:
    """Open-addressing table of 64-bit keys -> (row, 32-bit tag) of the first record (about 32 bytes per record).

    A dict would take ~100 bytes per record: too much for a national file. Each slot is two
    64-bit words side by side (the key; the row and the tag), so a look-up reads one place.
    """

    def __init__(self, expected: int = 0) -> None:
        """``expected``: records foreseen (the table is sized for them at once: no growing)."""
        self._size = 1 << max(12, (2 * expected).bit_length())
        self._slots = array("Q", [0]) * (2 * self._size)
        self._n = 0

    def get(self, key: int) -> tuple[int, int] | None:
        """(row, tag) recorded for ``key``, or None (nothing recorded)."""
        key = key or 1
        slots, mask = self._slots, self._size - 1
        i = key & mask
        while True:
            k = slots[2 * i]
            if k == 0:
                return None
            if k == key:
                v = slots[2 * i + 1]
                return v >> 32, v & 0xFFFFFFFF
            i = (i + 1) & mask

    def first(self, key: int, row: int, tag: int = 0) -> tuple[int, int] | None:
        """(row, tag) already recorded for ``key``, or None after recording ``row`` and ``tag``."""
        key = key or 1  # 0 marks an empty slot
        slots, mask = self._slots, self._size - 1
        i = key & mask
        while True:
            k = slots[2 * i]
            if k == 0:
                slots[2 * i] = key
                slots[2 * i + 1] = (row & 0xFFFFFFFF) << 32 | tag
                self._n += 1
                if self._n * 2 > self._size:
                    self._grow()
                return None
            if k == key:
                v = slots[2 * i + 1]
                return v >> 32, v & 0xFFFFFFFF
            i = (i + 1) & mask

    def _grow(self) -> None:
        old = self._slots
        self._size *= 2
        self._slots = slots = array("Q", [0]) * (2 * self._size)
        mask = self._size - 1
        for j in range(0, len(old), 2):
            k = old[j]
            if k:
                i = k & mask
                while slots[2 * i]:
                    i = (i + 1) & mask
                slots[2 * i] = k
                slots[2 * i + 1] = old[j + 1]


def _digest(text: str, size: int = 8) -> int:
    """A ``size``-byte digest, stable within the process (the table lives as long as one read)."""
    return hash(text) & ((1 << (8 * size)) - 1)


def _holders_tag(holders: list[dict[str, Any]]) -> int:
    """The 4-byte digest of a record's holders (identifiers, else names; in any order) kept beside its
    duplicate key: the same key with another tag is a co-contractor's line."""
    ids = [str(_text(h.get("id")) or _text(h.get("denominationSociale")) or "") for h in holders]
    return _digest("\x1f".join(sorted(ids)) if len(ids) > 1 else ids[0] if ids else "", 4)


_EMPTY_TAG = _holders_tag([])  # no holder
_DIGEST_MASK = (1 << 64) - 1  # _digest of 8 bytes


class FastBuyer:
    """A buyer as :meth:`Extractor.extract_batch` gives it: identifier, SIRET, ``nom`` as in the file.

    ``index`` is the caller's (the scan keeps its buyer's number there: no look-up per record).
    """

    __slots__ = ("id", "siret", "nom", "index")

    def __init__(self, id: str, siret: str, nom: Any) -> None:  # noqa: A002
        self.id, self.siret, self.nom = id, siret, nom
        self.index: int | None = None


class Extractor:
    """Turns raw DECP records into :class:`Contract` and records the issues.

    One per file: it keeps the duplicate-detection keys (64-bit digests,
    about 32 bytes per record) and small caches. Values are converted by
    :mod:`spaser.io.convert`, the converters every reader shares.
    """

    def __init__(
        self,
        report: ImportReport,
        *,
        today: date,
        default_buyer: Buyer | None = None,
        suppliers: bool = True,
        purchases: bool = True,
        expected: int = 0,
    ) -> None:
        self.report = report
        self.file = report.file or ""
        self.today = today
        self.default_buyer = default_buyer
        self.with_suppliers = suppliers
        self.with_purchases = purchases
        self._seen = _Seen(expected)
        self.modified: list[dict[str, Any]] = []  # initial vs final values (capped)
        self.modified_count = 0
        self.variants: set[str] = set()
        # What the records say of their format: "2019", "2024", "brouillon", "tabulaire" -> records.
        self.votes: Counter[str] = Counter()
        self._buyers: dict[str, str | None] = {}  # identifier as written -> SIRET (None: invalid)
        # extract_batch's answers per value met (None or False: the record needs extract)
        self._fast_buyer: dict[bytes, FastBuyer | None] = {}
        self._fast_date: dict[str, int | None] = {}
        self._fast_cpv: dict[str, bool] = {}
        self._fast_nature: dict[str, ContractKind | None] = {}
        self._fast_social: dict[bytes, Any] = {}
        self._fast_env: dict[bytes, Any] = {}

    def format_label(self, layout: str, kind: str | None) -> str:
        """The file's real format, from its records: ``decp-2019``, ``decp-2024``, ``decp-2024-brouillon``,
        ``decp-2024-tabulaire``..., with ``-xml`` for XML."""
        v = self.votes
        if v["2024"] or v["2019"]:
            year = "2024" if v["2024"] >= v["2019"] else "2019"
        else:
            year = "2019" if layout == "2019" else "2024"
        label = f"decp-{year}"
        if year == "2024" and v["brouillon"]:
            label += "-brouillon"
        if v["tabulaire"]:
            label += "-tabulaire"
        return label + ("-xml" if kind == "xml" else "")

    # -- helpers -------------------------------------------------------
    def _issue(self, state: list[bool], code: IssueCode, row: int, **kw: Any) -> None:
        it = self.report.issue(code, row=row, **kw)
        if it.severity is Severity.ERROR:
            state[0] = True
        else:
            state[1] = True

    def _problem(self, state: list[bool], p: CellProblem, row: int, *, field: str, value: Any, detail: str | None = None,
                 error: bool | None = None) -> None:
        """Record a converter's problem; ``error`` (else the problem's own) says if it rejects the record."""
        err = p.error if error is None else error
        sev = None if err is None else (Severity.ERROR if err else Severity.WARNING)
        text = " ".join(x for x in (p.detail, detail) if x) or None
        self._issue(state, p.code, row, severity=sev, field=field, value=value, detail=text)

    def extract(self, row: int, raw: Any, *, duplicate_keys: list[str] | None = None, marked: bool = False) -> Contract | None:
        """Normalise one record; count it in the report; None when rejected.

        ``marked``: the file had values the reader replaced by markers (NaN, over-long numbers).
        """
        state = [False, False]  # rejected, warned
        if marked and isinstance(raw, (dict, list)):
            self._unmark(raw, row, state)
        c = None if state[0] else self._extract(row, raw, state, duplicate_keys)
        if c is not None and not state[0] and self.with_purchases and c.merge_into is None:
            c.purchase = self._purchase(c, state)
        self.report.count_row(rejected=state[0], warned=state[1])
        return None if state[0] else c

    def extract_batch(self, row: int, recs: list[FastRecord], start: int) -> list[tuple[FastBuyer, int, int, int, int | None, Any, Any]]:
        """Records of :meth:`DecpStream.fast_records` from ``recs[start]`` (number ``row + start``) that
        raise no issue, read with cached answers: per record (the buyer, amount in cents, the amount's exponent if negative else 0, month of notification as
        ``year * 12 + month - 1``, duration, social, environmental). It stops before the first record
        that needs :meth:`extract` (which reads it as if this was never called: nothing is noted
        before a record is known to be clean), so records stay in file order. The caller counts
        the records (``report.count_accepted``).

        The rules of :meth:`_extract`, for the records that raise nothing; each answer is kept per
        value met (dates, codes, buyers repeat). ``tests/test_scan_fast.py`` checks that both give
        the same scan on random and hostile files.
        """
        U = msgspec.UNSET
        fast_nature, fast_buyer, fast_date, fast_cpv = self._fast_nature, self._fast_buyer, self._fast_date, self._fast_cpv
        buyer_of, consideration, fast_kind = self._fast_buyer_of, self._fast_consideration, self._fast_kind
        first, votes, today = self._seen.first, self.votes, self.today
        out: list[tuple[FastBuyer, int, int, int, int | None, Any, Any]] = []
        append = out.append
        n2019 = n2024 = 0  # votes, cast at the end
        for row, r in enumerate(islice(recs, start, None), row + start):
            if r.donneesActuelles is not U or r.element_ is not U or r.acheteur_id is not U:
                break  # tabular versions, an XML element, a flattened export
            t = r.type_
            if t is not U and t != _KIND_MARCHE:
                break
            # -- kind: only whether an issue is raised (the scan needs no more) --
            nature = r.nature
            if nature is not U and nature is not None:
                kind = fast_nature.get(nature, 0) if type(nature) is str else None
                if kind == 0:
                    kind = fast_nature[nature] = _kind_of_nature(_text(nature))  # a handful of values
                if kind is ContractKind.CONCESSION:
                    break
            else:
                kind = None
            if kind is None and not fast_kind(r):
                break  # « Nature inconnue »
            # -- buyer and identifier --
            b = r.acheteur
            if b is U:
                break
            bkey = bytes(b)  # type: ignore[arg-type]
            buyer: Any = fast_buyer.get(bkey, 0)
            if buyer == 0:
                buyer = buyer_of(bkey)
                if len(fast_buyer) < 1_000_000:
                    fast_buyer[bkey] = buyer
            if buyer is None:
                break
            b_id = buyer.id
            rid = r.id
            rid = rid.strip() if type(rid) is str else _text(None if rid is U else rid)
            if not rid or len(rid) > cv.MAX_ID_CHARS:
                break
            # -- amount, duration, no modification --
            amount_raw = r.montant
            if type(amount_raw) is int:
                if not 0 < amount_raw < SMALLEST_IMPLAUSIBLE:
                    break  # zero, negative, or to be looked at (implausible_amount)
                cents, exp = amount_raw * 100, 0
            elif type(amount_raw) is Decimal:
                if not 0 < amount_raw < SMALLEST_IMPLAUSIBLE:
                    break
                exp = amount_raw.as_tuple().exponent  # type: ignore[assignment]
                if exp < -2:  # type: ignore[operator]
                    exp = -2  # cv.number rounds it to the cent
                    amount = cv.number(amount_raw)
                    if not 0 < amount < SMALLEST_IMPLAUSIBLE:
                        break
                else:
                    amount = amount_raw  # what cv.number gives for a finite, small Decimal
                    if exp > 0:  # type: ignore[operator]
                        exp = 0
                cents = int(amount.scaleb(2))
            else:
                break
            duration = r.dureeMois
            if duration is U or duration is None:
                duration = None
            elif type(duration) is not int or not 0 <= duration <= MAX_DURATION_MONTHS:
                break
            mods = r.modifications
            if mods is not U and mods is not None and mods != [] and _items(mods, "modification"):
                break
            # -- date --
            date_raw = r.dateNotification
            got = fast_date.get(date_raw, 0) if type(date_raw) is str else None
            if got == 0:
                got = None
                if not cv.is_empty(date_raw):
                    d = _date(date_raw.strip())
                    if not isinstance(d, CellProblem) and d <= today and d.year >= PLAUSIBLE_YEAR_MIN:
                        got = d.year * 12 + d.month - 1
                if len(fast_date) < 1_000_000:
                    fast_date[date_raw] = got
            if got is None:
                break
            month = got
            # -- considerations (2024 shape) --
            if r.considerationSociale is not U or r.considerationEnvironnementale is not U:
                break  # a flattened export
            social = consideration(r.considerationsSociales, True)
            if social is False:
                break
            environmental = consideration(r.considerationsEnvironnementales, False)
            if environmental is False:
                break
            # -- CPV --
            code = r.codeCPV
            ok = fast_cpv.get(code) if type(code) is str else None
            if ok is None:
                cpv_raw = _text(None if code is U else code)
                ok = not (cpv_raw is None or cv.is_empty(cpv_raw) or isinstance(_cpv(cpv_raw), CellProblem))
                if type(code) is str and len(fast_cpv) < 1_000_000:
                    fast_cpv[code] = ok
            if not ok:
                break
            # -- duplicates and co-contractors (last: a record met before is for _extract, nothing noted) --
            key = hash(f"{b_id}\x1f{rid}\x1f{date_raw}\x1f{amount_raw}") & _DIGEST_MASK  # _digest, inlined
            holders = r.titulaires
            if type(holders) is list and len(holders) == 1 and type(holders[0]) is dict and type(h := holders[0].get("titulaire", holders[0])) is dict:
                hid = h.get("id")  # the common case: one holder
                hid = hid.strip() if type(hid) is str else None
                tag = _digest(hid or str(_text(h.get("id")) or _text(h.get("denominationSociale")) or ""), 4)
            elif holders is U or holders is None or holders == []:
                tag = _EMPTY_TAG
            else:
                tag = _holders_tag(_items(holders, "titulaire"))
            if first(key, row, tag) is not None:
                break  # recorded before: a duplicate or a co-contractor's line (nothing recorded now)
            # Clean: the votes _extract would have cast.
            if r.considerationsSociales is not U or r.considerationsEnvironnementales is not U or _GET_2024(r).count(U) != len(_FIELDS_2024):
                n2024 += 1
                if r.technique is not U or r.modaliteExecution is not U or r.typePrix is not U:  # _FIELDS_DRAFT
                    votes["brouillon"] += 1
            else:
                n2019 += 1
            append((buyer, cents, exp, month, duration, social, environmental))
        if n2019:
            votes["2019"] += n2019
        if n2024:
            votes["2024"] += n2024
        return out

    def _fast_buyer_of(self, text: bytes) -> FastBuyer | None:
        """(identifier, SIRET, ``nom``) of a buyer's JSON text; None when :meth:`_extract` would say more."""
        b = _ANY.decode(text)
        if type(b) is not dict:
            return None
        b_id = _text(b.get("id"))
        if b_id is None:
            return None
        siret = self._buyers.get(b_id, "")  # not noted there: this cache serves the fast path (memory)
        if siret == "":
            try:
                siret = cv.siret(b_id)
            except CellProblem:
                return None
        if siret is None:  # known invalid (read by extract before)
            return None
        return FastBuyer(b_id, b_id if siret == b_id else siret, b.get("nom"))  # one string when they are the same

    def _fast_consideration(self, raw: Any, social: bool) -> Any:
        """:meth:`_considerations` of the 2024 shape, per JSON text met; False when it would say more."""
        if raw is msgspec.UNSET:
            return None
        text = bytes(raw)
        cache = self._fast_social if social else self._fast_env
        got = cache.get(text, 0)
        if got == 0:
            got = False
            v = _ANY.decode(text)
            inner = "considerationSociale" if social else "considerationEnvironnementale"
            w = v.get(inner) if type(v) is dict else None
            if v is None:
                got = None
            elif type(w) is list and all(type(x) is str for x in w):
                found, problem, incoherent = _considered(tuple(w), social)
                if problem is None and not incoherent:
                    got = found
            if len(cache) < 100_000:
                cache[text] = got
        return got

    @staticmethod
    def _fast_kind(r: FastRecord) -> bool:
        """Whether :meth:`_kind_2024` finds a kind (accord-cadre, subsequent contract)."""
        U = msgspec.UNSET
        if r.techniques is U and r.technique is U and r.idAccordCadre is U:
            return False
        tech = r.techniques if r.techniques is not U else None if r.technique is U else r.technique
        return _framework_kind(tech, None if r.idAccordCadre is U else r.idAccordCadre) is not None

    def _unmark(self, raw: Any, row: int, state: list[bool]) -> None:
        """Replace the reader's markers by None: a warning each; an error for the contract's amount."""
        found: list[tuple[str, str]] = []
        stack: list[tuple[Any, str]] = [(raw, "")]
        while stack:
            node, path = stack.pop()
            pairs = node.items() if isinstance(node, dict) else enumerate(node)
            for k, v in list(pairs):
                if isinstance(v, str) and _MARK in v:
                    if v[:1] == _MARK and len(v) > 1 and v[1] in "NL":
                        node[k] = None
                        found.append((f"{path}{k}", v))
                    else:
                        half = _MARK + "S" in v
                        node[k] = v.replace(_MARK + "S", "\ufffd").replace(_MARK, "")
                        self._issue(state, IssueCode.VALUE_INVALID, row, field=f"{path}{k}", value=node[k],
                                    detail="Caractère invalide (moitié de caractère UTF-16 isolée) remplacé par « \ufffd »." if half
                                    else "Caractère nul (\\u0000) supprimé.")
                elif isinstance(v, (dict, list)):
                    stack.append((v, f"{path}{k}." if isinstance(v, dict) else f"{path}{k}"))
        for where, v in found:
            nan = v == _MARK + "NaN"
            if where in ("montant", "valeurGlobale"):
                if nan:  # an unknown amount, as an empty one: the contract is kept without it
                    raw[where] = "NaN"
                else:
                    self._issue(state, IssueCode.AMOUNT_INVALID, row, field=where, severity=Severity.ERROR,
                                detail=f"(nombre de {_n(int(v[2:]))} caractères).")
                continue
            what = "NaN ou Infinity (non numérique)" if nan else f"nombre de {_n(int(v[2:]))} caractères"
            self._issue(state, IssueCode.VALUE_INVALID, row, field=where, detail=f"Valeur {what} : ignorée.")

    def _extract(self, row: int, raw: Any, state: list[bool], dup_keys: list[str] | None) -> Contract | None:
        issue = self._issue
        if not isinstance(raw, dict):
            what = "une liste" if isinstance(raw, list) else f"« {str(raw)[:40]} »"
            issue(state, IssueCode.RECORD_INVALID, row, detail=f"Un objet (marché) est attendu, pas {what}.")
            return None
        if dup_keys:
            issue(
                state,
                IssueCode.JSON_DUPLICATE_KEY,
                row,
                detail="Clé(s) : " + ", ".join(f"« {k} »" for k in dup_keys) + ".",
                value=", ".join(dup_keys),
            )
        if "_element" in raw:
            issue(state, IssueCode.RECORD_INVALID, row, detail=f"Élément <{raw['_element']}> inattendu sous <marches>.")
            return None

        # -- format (votes) and tabular versions ---------------------------
        keys = raw.keys()
        if _FIELDS_2024.isdisjoint(keys):
            self.votes["2019"] += 1
        else:
            self.votes["2024"] += 1
            if not _FIELDS_DRAFT.isdisjoint(keys):
                self.votes["brouillon"] += 1
        current = raw.get("donneesActuelles")
        if current is not None:
            self.votes["tabulaire"] += 1
            if current is False or (isinstance(current, str) and _fold(current) in ("false", "faux", "non", "0")):
                issue(state, IssueCode.SUPERSEDED, row, field="donneesActuelles", value=current)
                return None

        # -- kind ---------------------------------------------------------
        concession = _text(raw.get("_type")) == _KIND_CONCESSION
        nature = _text(raw.get("nature"))
        kind = _kind_of_nature(nature)
        if concession or kind is ContractKind.CONCESSION:
            kind = ContractKind.CONCESSION
            concession = True

        # -- buyer --------------------------------------------------------
        b = raw.get("autoriteConcedante") if concession and raw.get("autoriteConcedante") else raw.get("acheteur")
        if b is None and "acheteur.id" in raw:  # flattened tabular export
            b = {"id": raw.get("acheteur.id"), "nom": raw.get("acheteur.nom")}
        b_id = _text(b.get("id")) if isinstance(b, dict) else _text(b)
        b_name = name_text(b.get("nom") if isinstance(b, dict) else None)

        # -- identifier -------------------------------------------------------
        rid = _text(raw.get("id"))
        if rid is not None and len(rid) > cv.MAX_ID_CHARS:
            try:
                cv.identifier(rid)
            except CellProblem as p:
                self._problem(state, p, row, field="id", value=rid)
                return None

        # -- duplicates and co-contractors (on the raw values: cheap, before any other issue) --
        amount_raw = raw.get("valeurGlobale") if concession and raw.get("valeurGlobale") is not None else raw.get("montant")
        date_raw = raw.get("dateSignature") if concession and raw.get("dateSignature") else raw.get("dateNotification")
        titulaires_raw = raw.get("concessionnaires") if concession else raw.get("titulaires")
        inner = "concessionnaire" if concession else "titulaire"
        merge_into = None
        if rid is not None and b_id is not None:
            # 64-bit digest: ~32 bytes per record kept; a false match is ~1e-8 for a million records.
            key = hash(f"{b_id}\x1f{rid}\x1f{date_raw}\x1f{amount_raw}") & _DIGEST_MASK  # _digest, inlined
            tag = _holders_tag(_items(titulaires_raw, inner))
            first = self._seen.first(key, row, tag)
            if first is not None:
                if first[1] == tag:
                    issue(state, IssueCode.DUPLICATE, row, field="id", value=rid,
                          detail=f"Même acheteur, identifiant, date, montant et titulaires que l'enregistrement n° {first[0]} : "
                          "celui-ci est écarté.")
                    return None
                # One line per co-contractor (exports): the same contract, another holder; accepted and
                # counted in report.merged, as the spreadsheet reader does.
                merge_into = first[0]
                self.report.merged += 1

        if b_id is None:
            if self.default_buyer is None:
                issue(state, IssueCode.BUYER_MISSING, row, field="acheteur.id", detail="Le champ « acheteur.id » (SIRET) est absent.")
                return None
            buyer_siret = self.default_buyer.siret
            buyer_key = buyer_siret or "=" + self.default_buyer.name
            b_name = b_name or self.default_buyer.name
        else:
            buyer_siret = self._buyers.get(b_id, "")
            if buyer_siret == "":  # buyers repeat: each identifier is checked once
                try:
                    buyer_siret = cv.siret(b_id)
                except CellProblem:
                    buyer_siret = None
                if len(self._buyers) < 1_000_000:
                    self._buyers[b_id] = buyer_siret
            if buyer_siret is None:
                issue(
                    state,
                    IssueCode.SIRET_INVALID,
                    row,
                    field="acheteur.id",
                    value=b_id,
                    detail="Identifiant de l'acheteur : le contrat est gardé, rattaché à cet identifiant tel quel.",
                )
            buyer_key = buyer_siret or "?" + b_id

        if rid is None:
            rid = f"DECP-{row}"
            issue(state, IssueCode.ID_MISSING, row, field="id")

        if concession:
            issue(state, IssueCode.CONCESSION, row, field="_type", value=nature or _KIND_CONCESSION)
        elif kind is None:
            kind = self._kind_2024(raw)
            if kind is None:
                kind = ContractKind.MARCHE
                detail = f"Nature « {nature} » inconnue : « Marché » retenu." if nature else "Nature absente : « Marché » retenu."
                issue(state, IssueCode.VALUE_INVALID, row, field="nature", value=nature, detail=detail)
        elif kind is ContractKind.MARCHE:
            kind = self._kind_2024(raw) or kind
        assert kind is not None  # every branch above sets it

        # -- amount, then modifications ----------------------------------
        amount: Decimal | None = None
        amount_field = "valeurGlobale" if concession and raw.get("valeurGlobale") is not None else "montant"
        if cv.is_empty(amount_raw):
            issue(state, IssueCode.AMOUNT_MISSING, row, field=amount_field, value=amount_raw or None,
                  detail="Le contrat est gardé sans montant.")
        else:
            try:
                amount = self._number(amount_raw)
            except CellProblem as p:
                self._problem(state, p, row, field=amount_field, value=amount_raw, error=True)
                return None
            if amount < 0:
                issue(state, IssueCode.AMOUNT_NEGATIVE, row, field=amount_field, value=amount_raw)
                return None
        duration = self._duration(raw.get("dureeMois"), row, state, "dureeMois")
        mods = _items(raw.get("modifications"), "modification")
        if mods:
            initial = amount
            amount, duration, titulaires_raw = self._apply_modifications(
                row, rid, mods, amount, duration, titulaires_raw, state, concession
            )
            why = implausible_amount(initial) if initial is not None and initial != amount else None
            if why:  # a typing error replaced since: flagged, the amount in force is used
                issue(state, IssueCode.AMOUNT_ABSURD, row, field=amount_field, value=initial,
                      detail=f"({why}) : montant initial, remplacé par le montant en vigueur après modification.")
        implausible = None
        if amount is not None:
            if amount == 0:
                issue(state, IssueCode.AMOUNT_ZERO, row, field=amount_field, value=amount_raw)
            implausible = implausible_amount(amount) if amount >= SMALLEST_IMPLAUSIBLE else None
            if implausible:
                issue(
                    state,
                    IssueCode.AMOUNT_ABSURD,
                    row,
                    field=amount_field,
                    value=amount,
                    detail=f"({implausible}) : le contrat est gardé mais ce montant est exclu des estimations.",
                )

        # -- date -----------------------------------------------------------
        d: date | None = None
        date_field = "dateSignature" if concession and raw.get("dateSignature") else "dateNotification"
        if cv.is_empty(date_raw):
            issue(state, IssueCode.DATE_MISSING, row, field=date_field)
        elif not isinstance(date_raw, str):
            issue(state, IssueCode.DATE_INVALID, row, severity=Severity.WARNING, field=date_field, value=date_raw,
                  detail="Une date AAAA-MM-JJ est attendue ; le contrat est gardé sans date.")
        else:
            got = _date(date_raw.strip())
            if isinstance(got, CellProblem):
                self._problem(state, got, row, field=date_field, value=date_raw, error=False,
                              detail="Le contrat est gardé sans date.")
            else:
                d = got
                if d > self.today:
                    issue(state, IssueCode.DATE_FUTURE, row, field=date_field, value=date_raw)
                elif d.year < PLAUSIBLE_YEAR_MIN:
                    issue(state, IssueCode.DATE_IMPLAUSIBLE, row, field=date_field, value=date_raw,
                          detail=f"(antérieure à {PLAUSIBLE_YEAR_MIN}).")

        # -- considerations -------------------------------------------------
        social = self._considerations(raw, row, state, social=True)
        environmental = self._considerations(raw, row, state, social=False)

        # -- the rest -------------------------------------------------------
        cpv_code = None
        cpv_raw = _text(raw.get("codeCPV"))
        if cpv_raw is None or cv.is_empty(cpv_raw):
            if not concession:
                issue(state, IssueCode.CPV_MISSING, row, field="codeCPV")
        else:
            code = _cpv(cpv_raw)
            if isinstance(code, CellProblem):
                cpv_code = code.kept
                self._problem(state, code, row, field="codeCPV", value=cpv_raw, error=False)
            else:
                cpv_code = code
        suppliers: tuple[tuple[str, str | None], ...] = ()
        if self.with_suppliers:
            suppliers = self._suppliers(_items(titulaires_raw, inner), row, state)
        c = Contract(
            row=row,
            id=rid,
            buyer_key=buyer_key,
            buyer_siret=buyer_siret,
            buyer_name=b_name,
            kind=kind,
            amount=amount,
            implausible=implausible,
            date=d,
            duration=duration,
            cpv=cpv_code,
            social=social,
            environmental=environmental,
            suppliers=suppliers,
            merge_into=merge_into,
        )
        if self.with_purchases and merge_into is None:  # descriptive fields, not needed by the scan
            c.object = name_text(raw.get("objet"))
            c.procedure = _text(raw.get("procedure"))
            tech = _flat_values(raw.get("techniques", raw.get("technique")), "technique")
            if tech:
                c.techniques = tuple(t for t in tech if _fold(t) != "sans objet")
            loc = raw.get("lieuExecution")
            if isinstance(loc, dict):
                code_l, name_l = _text(loc.get("code")), _text(loc.get("nom"))
                c.location = " ".join(x for x in (code_l, f"({name_l})" if name_l else None) if x) or None
        return c

    @staticmethod
    def _number(v: Any) -> Decimal:
        if isinstance(v, (list, dict)):
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"(« {str(v)[:80]} »)")
        if isinstance(v, bool):
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"(valeur booléenne « {v} »)")
        return cv.number(v)

    def _kind_2024(self, raw: dict[str, Any]) -> ContractKind | None:
        """2024: 'Accord-cadre' is a technique; a contract under a framework names it."""
        if "techniques" not in raw and "technique" not in raw and "idAccordCadre" not in raw:  # 2019: neither field
            return None
        return _framework_kind(raw.get("techniques", raw.get("technique")), raw.get("idAccordCadre"))

    def _duration(self, v: Any, row: int, state: list[bool], fld: str) -> int | None:
        if type(v) is int and 0 <= v <= MAX_DURATION_MONTHS:  # the common case: a plain JSON integer
            return v  # type: ignore[no-any-return]
        if cv.is_empty(v):
            return None
        try:
            if isinstance(v, (bool, list, dict)):
                raise CellProblem(IssueCode.DURATION_INVALID)
            return cv.duration(v)
        except CellProblem:
            self._issue(state, IssueCode.DURATION_INVALID, row, field=fld, value=v,
                        detail=f"(nombre entier de mois entre 0 et {MAX_DURATION_MONTHS} attendu) : durée ignorée.")
            return None

    def _apply_modifications(
        self,
        row: int,
        rid: str,
        mods: list[dict[str, Any]],
        amount: Decimal | None,
        duration: int | None,
        titulaires: Any,
        state: list[bool],
        concession: bool,
    ) -> tuple[Decimal | None, int | None, Any]:
        def order(m: dict[str, Any]) -> tuple[int, int]:
            i = m.get("id")
            if isinstance(i, str) and i.isascii() and i.isdigit() and len(i) <= 9:
                i = int(i)
            return (0, i) if isinstance(i, int) and not isinstance(i, bool) and abs(i) < 10**9 else (1, 0)

        first_amount, first_duration = amount, duration
        for m in sorted(mods, key=order):  # stable: list order when no id
            new = m.get("valeurGlobale") if concession and m.get("valeurGlobale") is not None else m.get("montant")
            if not cv.is_empty(new):
                try:
                    value = self._number(new)
                    if value < 0:
                        raise CellProblem(IssueCode.AMOUNT_NEGATIVE, "(montant négatif)")
                    amount = value
                except CellProblem as p:
                    self._issue(state, IssueCode.VALUE_INVALID, row, field="modifications.montant", value=new,
                                detail=f"Montant de la modification illisible {p.detail or ''} : ignoré.".replace("  ", " "))
            dm = self._duration(m.get("dureeMois"), row, state, "modifications.dureeMois")
            if dm is not None:
                duration = dm
            inner = "concessionnaire" if concession else "titulaire"
            key = "concessionnaires" if concession else "titulaires"
            if _items(m.get(key), inner):
                titulaires = m.get(key)
        if amount != first_amount or duration != first_duration:
            self.modified_count += 1
            if len(self.modified) < self.report.max_issues:
                self.modified.append(
                    {"row": row, "id": rid, "montant_initial": first_amount, "montant_final": amount,
                     "duree_initiale": first_duration, "duree_finale": duration}
                )
        return amount, duration, titulaires

    def _considerations(self, raw: dict[str, Any], row: int, state: list[bool], *, social: bool) -> frozenset[Any] | None:
        outer, inner = (
            ("considerationsSociales", "considerationSociale") if social else ("considerationsEnvironnementales", "considerationEnvironnementale")
        )
        v = raw.get(outer)
        if v is None:
            v = raw.get(inner)  # flattened export with the inner name only
            if v is None:
                return None
        w = v.get(inner) if type(v) is dict else None
        got = None
        if type(w) is list:  # the 2024 shape: the raw list is the cache key (values repeat)
            try:
                got = _considered(tuple(w), social)
            except TypeError:  # an item is not hashable (not a string): the general path below
                got = None
        if got is None:
            flat = _flat_values(v, inner)
            if flat is None:
                return None
            if isinstance(v, str):
                self.variants.add("export tabulaire (valeurs jointes par des virgules)")
                if "," in v:
                    self.votes["tabulaire"] += 1
            elif isinstance(v, list) and v and all(isinstance(x, str) for x in v) and not isinstance(v, _Repeated):
                self.variants.add("brouillon 2.0.0 (listes simples sans objet englobant)")
                self.votes["brouillon"] += 1
            got = _considered(tuple(flat), social)
        found, problem, incoherent = got
        if problem is not None or incoherent:
            values = tuple(x.strip() for x in _flat_values(v, inner) or ())
        if problem is not None:
            self._problem(state, problem, row, field=outer, value=", ".join(values), error=False)
        if incoherent:
            none = SocialConsideration.AUCUNE if social else EnvironmentalConsideration.AUCUNE
            self._issue(state, IssueCode.CONSIDERATION_INVALID, row, field=outer, value=", ".join(values),
                        detail=f"« {none.value} » est déclaré avec d'autres considérations : seules ces dernières sont retenues.")
        return found

    def _suppliers(self, items: list[dict[str, Any]], row: int, state: list[bool]) -> tuple[tuple[str, str | None], ...]:
        out = []
        for t in items:
            sid = _text(t.get("id"))
            name = name_text(t.get("denominationSociale") or t.get("nom"))
            typ = _fold(_text(t.get("typeIdentifiant")) or "")
            siret = None
            if sid is not None and typ in ("siret", "siren", ""):
                try:
                    siret = cv.siret(sid)
                except CellProblem:
                    if typ or (sid.isascii() and sid.isdigit()):
                        self._issue(state, IssueCode.SIRET_INVALID, row, field="titulaires.id", value=sid,
                                    detail="Titulaire : gardé sans SIRET.")
            if not name and sid and siret is None:
                name = sid[:200]
            out.append((name, siret))
        return tuple(out)

    def _purchase(self, c: Contract, state: list[bool]) -> Purchase | None:
        from pydantic import ValidationError

        try:
            return Purchase(
                id=c.id,
                object=c.object,
                cpv=c.cpv,
                kind=c.kind,
                amount_ht=c.amount,
                notification_date=c.date,
                duration_months=c.duration,
                procedure=c.procedure,
                techniques=c.techniques,
                # SIRETs were validated (and cached) above: no second Luhn check.
                suppliers=tuple(Supplier.model_construct(name=n, siret=s) for n, s in c.suppliers),
                social=c.social,
                environmental=c.environmental,
                location=c.location,
                source=SourceRef(file=self.file, row=c.row),
            )
        except (ValidationError, InvalidCode, UnknownCode, InvalidChecksum) as e:
            self._issue(state, IssueCode.RECORD_INVALID, c.row, detail=f"({str(e).splitlines()[0]}).")
            return None


# The DECP vocabulary is closed (schema enumerations = the model's values); tabular exports write
# « Sans objet » for « Pas de ... ». Free-text cells of spreadsheets go through cells.social instead.
_SOCIAL = {_fold(m.value): m for m in SocialConsideration}
_ENVIRONMENTAL = {_fold(m.value): m for m in EnvironmentalConsideration}
_NONE_WORDS = frozenset({"sans objet"})


@lru_cache(maxsize=4096)
def _consideration(v: str, social: bool) -> SocialConsideration | EnvironmentalConsideration:
    f = _fold(v)
    hit = (_SOCIAL if social else _ENVIRONMENTAL).get(f)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    if f in _NONE_WORDS:
        return SocialConsideration.AUCUNE if social else EnvironmentalConsideration.AUCUNE
    raise CellProblem(IssueCode.CONSIDERATION_INVALID, f"(« {v[:60]} ») : valeur ignorée.")


def _considerations_of(values: tuple[str, ...], social: bool) -> frozenset[Any]:
    """The considerations of DECP values; unknown ones: CellProblem with the known ones ``kept``."""
    out: set[Any] = set()
    bad: list[str] = []
    for v in values:
        try:
            out.add(_consideration(v, social))
        except CellProblem:
            bad.append(v)
    none = SocialConsideration.AUCUNE if social else EnvironmentalConsideration.AUCUNE
    if none in out and len(out) > 1:
        out.discard(none)  # a declared consideration outweighs « Pas de ... »
    if bad:
        raise CellProblem(IssueCode.CONSIDERATION_INVALID, "(" + ", ".join(f"« {b[:60]} »" for b in bad) + ") : valeur(s) ignorée(s).",
                          kept=frozenset(out) or None)
    return frozenset(out)


@lru_cache(maxsize=4096)
def _considered(values: tuple[Any, ...], social: bool) -> tuple[frozenset[Any] | None, CellProblem | None, bool]:
    """(considerations or None, the converter's problem, « Pas de ... » declared beside others): cached, values repeat."""
    if not all(type(x) is str for x in values):
        values = tuple(x for x in _flat_values(list(values), "") or ())
    values = tuple(x.strip() for x in values if x.strip())
    if not values:
        return None, None, False
    problem = None
    try:
        found = _considerations_of(values, social)
    except CellProblem as p:
        problem, found = p, p.kept or frozenset()
    none = SocialConsideration.AUCUNE if social else EnvironmentalConsideration.AUCUNE
    incoherent = bool(found) and none not in found and any(_is_none(x, social) for x in values)
    return found or None, problem, incoherent


def _is_none(v: str, social: bool) -> bool:
    try:
        return _consideration(v, social) in (SocialConsideration.AUCUNE, EnvironmentalConsideration.AUCUNE)
    except CellProblem:
        return False


def _or_problem(convert: Callable[[Any], Any], size: int) -> Callable[[str], Any]:
    """``convert`` remembered per text (DECP codes and dates repeat), giving its problem instead of raising it."""

    @lru_cache(maxsize=size)
    def converted(raw: str) -> Any:
        try:
            return convert(raw)
        except CellProblem as p:
            return p.detached()  # remembered

    return converted


_cpv = _or_problem(cv.cpv, 16384)  # the CPV code, or the converter's problem
_date = _or_problem(cv.a_date, 8192)  # the date, or the converter's problem


# ---------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------


def read_decp(path: str | os.PathLike[str], kind: str, opts: Any) -> Any:
    """Import a DECP file into one portfolio per buyer (called by :func:`spaser.io.load`).

    ``opts`` is an :class:`spaser.io.ImportOptions`. Returns an
    :class:`spaser.io.ImportResult`; ``extra`` holds ``layout``, ``variants``,
    ``modifications`` (initial and final amount/duration of modified contracts)
    and ``modified`` (their number).
    """
    from spaser.io import ImportResult

    name = str(path)
    report = ImportReport(file=name, max_issues=opts.max_issues, progress=opts.progress)
    stream = DecpStream(Path(path), kind)
    ext = Extractor(report, today=opts.today or date.today(), default_buyer=opts.buyer)
    groups: dict[str, list[Purchase]] = {}
    where: dict[int, tuple[str, int]] = {}  # row -> (buyer key, place in its group), for co-contractors' lines
    names: dict[str, str] = {}
    sirets: dict[str, str | None] = {}
    # Many acyclic objects kept: the cyclic collector would rescan them again and again (spaser._gc).
    with paused(promote=True):
        for index, raw in stream:
            c = ext.extract(index, raw, duplicate_keys=stream.duplicate_keys.pop(index, None), marked=stream.marked > 0)
            if c is None:
                continue
            if c.merge_into is not None:
                at = where.get(c.merge_into)
                if at is not None:
                    group = groups[at[0]]
                    p = group[at[1]]
                    more = tuple(Supplier.model_construct(name=n, siret=s) for n, s in c.suppliers)
                    seen = {(s.name, s.siret) for s in p.suppliers}
                    add = tuple(s for s in more if (s.name, s.siret) not in seen)
                    if add:
                        group[at[1]] = p.model_copy(update={"suppliers": p.suppliers + add})
                    continue
                c.purchase = ext._purchase(c, [False, False])  # its first line was rejected: this one stands alone
                report.merged -= 1
            if c.purchase is None:
                continue
            group = groups.setdefault(c.buyer_key, [])
            where[c.row] = (c.buyer_key, len(group))
            group.append(c.purchase)
            if c.buyer_key not in names or (not names[c.buyer_key] and c.buyer_name):
                names[c.buyer_key] = c.buyer_name
            sirets[c.buyer_key] = c.buyer_siret
    report.formats.append(ext.format_label(stream.layout, stream.kind))
    if report.read == 0:
        report.issue(IssueCode.NO_DATA, detail="Le fichier ne contient aucun marché.")
    report.check()
    single = len(groups) == 1
    portfolios = []
    for key, purchases in groups.items():
        siret = sirets[key]
        bname = names.get(key) or ""
        kind_b = BuyerKind.AUTRE
        if opts.buyer is not None and single:
            bname = bname or opts.buyer.name
            kind_b = opts.buyer.kind
        if not bname:
            bname = f"Acheteur {siret or key[1:]}"
        if key.startswith("?"):  # the file's identifier is not a valid SIRET
            bname = f"{bname} (identifiant invalide « {key[1:]} »)"
        portfolios.append(Portfolio(buyer=Buyer(name=bname, siret=siret, kind=kind_b), purchases=tuple(purchases)))
    extra: dict[str, object] = {
        "layout": stream.layout,
        "format": report.formats[-1],
        "variants": sorted(ext.variants),
        "modified": ext.modified_count,
        "modifications": ext.modified,
    }
    return ImportResult(portfolios=tuple(portfolios), report=report, path=name, extra=extra)
