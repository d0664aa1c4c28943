"""Purchase tables in workbooks and CSV files -> portfolios and an import report.

The plain reference path, row by row, easy to read:

1. :mod:`spaser.io.sheets` reads the file into raw sheets (cells and row numbers);
2. on each sheet the header row is searched in the first :data:`HEADER_SCAN_ROWS`
   rows (title rows above it are common) and its columns are recognised by the
   field registry (:mod:`spaser.io.columns`);
3. every non-empty row below is counted once in the report, accepted (possibly
   with warnings) or rejected: each cell goes through its field's converter
   (:mod:`spaser.io.cells`), and the purchase is built and validated by the model.

Rules a reader of real exports needs (documented in the README):

- **Several amount columns** (« Montant prévu », « Montant HT », « Montant initial »):
  the first of :data:`~spaser.io.columns.AMOUNT_FIELDS` present in the table is the
  amount; where its cell is empty, the next filled one is taken with a warning.
- **One line per co-contractor**: a row with the identifier (and lot, and buyer) of
  a row already read, and the same contract values, adds its holders to that
  purchase (counted in ``report.merged``); different values make it a duplicate.
- **Numbered holder columns** (``titulaire_id_1``, ``titulaire_id_2``...) are
  co-contractors of the row.
- **Section headings and subtotal lines** (« SERVICES », « TOTAL ») are reported as
  such and never read as purchases.
- A placeholder for no value (« NaN », « CDL », « MQ ») is an empty cell.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from operator import itemgetter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spaser._errors import InputError, LimitExceeded
from spaser._gc import paused
from spaser.io import ImportOptions, ImportResult
from spaser.io.dates import DATE_PLAUSIBLE_FROM
from spaser.io.cells import MAX_CELL_CHARS, CellProblem, is_blank, is_empty, nature_of, normalise, siret, supplier_kinds, text
from spaser.io.columns import AMOUNT_FIELDS, COLUMNS, holder_index, is_known_field, match_header, spec, spend_year
from spaser.io.report import MESSAGES, ImportReport, IssueCode, Severity
from spaser.io import sheets as _sheets
from spaser.io.sheets import HEADER_SCAN_ROWS, Sheet, check_ole2, read_csv, read_workbook
from spaser.model import Buyer, BuyerKind, ContractKind, Nature, Portfolio, Purchase, SourceRef, Supplier, SupplierKind
from spaser.money import AMOUNT_PLAUSIBLE_MAX, CENT

__all__ = ["read_spreadsheet", "AMOUNT_PLAUSIBLE_MAX", "DATE_PLAUSIBLE_FROM", "MAX_CELL_CHARS"]

_EXPECTED = "« Montant HT » (ou « Montant », « Montant total HT », « Amount »)"
_SUGGEST = "Utilisez « spaser template » pour obtenir un modèle de tableau."
_HOLDER_FIELDS = ("supplier_name", "supplier_siret", "supplier_kinds")
_BUYER_FIELDS = ("buyer_name", "buyer_siret", "buyer_kind")
_NOT_OUT = frozenset((*_HOLDER_FIELDS, *_BUYER_FIELDS, *AMOUNT_FIELDS, "nature", "kind"))
_MONEY_FIELDS = frozenset({*AMOUNT_FIELDS, "amount_ttc", "insertion_hours_planned", "insertion_hours_achieved"})
_TOTAL_STARTS = ("total", "totaux", "sous total", "grand total", "montant total", "subtotal")
# Columns whose names say a DECP export (labelled « csv-decp »).
_DECP_HEADERS = frozenset({"dateNotification", "codeCPV", "acheteur.id", "acheteur_id", "dureeMois"})


@dataclass
class Table:
    sheet: Sheet
    header_row: int  # 0-based index in rows
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> header text as written
    ttc_rate: Decimal | None  # set when the amount is read from a TTC column
    # The fast path's memory of the co-contractors of each combination of holder cells (with their problems).
    holder_cells: dict[tuple[str, ...], tuple[tuple[Supplier, ...], list[_Problem]]] = field(
        default_factory=dict, repr=False, compare=False)

    @cached_property
    def copied(self) -> frozenset[str]:
        """The fields whose converted value is the purchase's as it is."""
        return frozenset(f for f in self.columns if f not in _NOT_OUT and "#" not in f and not f.startswith("spend_"))

    @cached_property
    def spend_columns(self) -> tuple[tuple[str, int], ...]:
        """(field, year) of the yearly spending columns."""
        return tuple((f, y[0]) for f in self.columns if (y := spend_year(f)))

    @cached_property
    def holders(self) -> tuple[str, ...]:
        """The table's co-contractor columns (name, SIRET, kinds; numbered ones too)."""
        return tuple(f for f in self.columns if holder_index(f)[0] in _HOLDER_FIELDS)


@dataclass(frozen=True, slots=True)
class _Col:
    """How one recognised column of a table is read (decided once per table, not per cell)."""

    field: str
    index: int
    header: str
    convert: Any  # the field's converter (spaser.io.columns); spend columns read as amounts
    spend: tuple[int, bool] | None  # (year, TTC) of a yearly spending column
    cache: dict[Any, Any]  # the fast path's memory of this column's conversions
    empty: Any  # is_empty, or is_blank for a free-text column (where « NaN » is a text)


_CACHE_MAX = 100_000  # distinct cells remembered per column (vocabularies, dates and objects repeat)
# Every field's default, given to model_construct so that it never looks one up (a slow path in pydantic).
_PURCHASE_DEFAULTS: dict[str, Any] = {k: f.default for k, f in Purchase.model_fields.items() if f.default_factory is None}


def read_spreadsheet(path: Path, kind: str, opts: ImportOptions, *, fast: bool = True) -> ImportResult:
    """Read a workbook (.xlsx, .xlsm, .xls, .ods) or a CSV file into portfolios and a report.

    ``kind`` comes from :func:`spaser.io.sniff`: 'xlsx', 'ods', 'ole2' (.xls) or 'csv'.
    ``fast`` (the default) converts the rows by batches, column by column, each distinct cell
    once, and makes the usual rows' purchases from those values, with what is constant decided
    once per table (a row with a cell problem, or anything else the plain path would report, is
    read by the plain path, for its messages); ``fast=False`` is the plain reference path, row by
    row. Both give the same portfolios and report (tests/test_import_paths.py).
    """
    name = str(path)
    size = path.stat().st_size
    limit = _sheets.MAX_CSV_BYTES if kind == "csv" else _sheets.MAX_FILE_BYTES
    if size > limit:
        raise LimitExceeded(
            f"fichier trop volumineux ({size // (1024 * 1024)} Mo pour {limit // (1024 * 1024)} Mo au plus) : "
            "découpez-le (par année ou par feuille).",
            code=IssueCode.FILE_TOO_LARGE.value, file=name,
        )
    if kind == "ole2":
        check_ole2(path)
    report = ImportReport(file=name, max_issues=opts.max_issues, progress=opts.progress)
    mapping = _mapping_norm(opts)
    # The cyclic collector would rescan every purchase built so far: paused meanwhile (spaser._gc).
    with paused(promote=True):
        if kind == "csv":
            sheets = [read_csv(path, report, lambda row: _header_score(row, mapping)[0])]
        else:
            sheets = read_workbook(path, report)
        try:
            return _read_sheets(path, kind, sheets, report, opts, mapping, fast)
        finally:
            for sh in sheets:
                sh.close()


def _read_sheets(path: Path, kind: str, sheets: list[Sheet], report: ImportReport, opts: ImportOptions,
                 mapping: dict[str, str], fast: bool) -> ImportResult:
    name = str(path)
    if opts.sheet is not None:
        names = [s.name for s in sheets]
        sheets = [s for s in sheets if s.name == opts.sheet]
        if not sheets:
            raise InputError(
                f"feuille « {opts.sheet} » introuvable ; feuilles du classeur : {', '.join(map(str, names))}.",
                code="sheet-not-found", file=name,
            )
    tables = _find_tables(sheets, report, opts, name)
    report.formats.append(_format_label(path, kind, tables))
    return _Reader(path, report, opts, fast).read(tables)


def _format_label(path: Path, kind: str, tables: list[Table]) -> str:
    if kind == "csv":
        headers = {text(c) for t in tables for c in t.sheet.rows[t.header_row]}
        return "csv-decp" if headers & _DECP_HEADERS else "csv"
    if kind == "ole2":
        return "xls"
    if kind == "xlsx" and path.suffix.lower() == ".xlsm":
        return "xlsm"
    return kind


# -- tables ------------------------------------------------------------------------
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
    return any(f in AMOUNT_FIELDS or f == "amount_ttc" for f in fields.values())


def _find_tables(sheets: list[Sheet], report: ImportReport, opts: ImportOptions, name: str) -> list[Table]:
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
    tables: list[Table] = []
    no_amount: list[tuple[Sheet, int, dict[int, str]]] = []
    seen_headers: list[str] = []
    for sh in sheets:
        candidates = []
        for i, row in enumerate(sh.rows[:HEADER_SCAN_ROWS]):
            score, fields = _header_score(row, mapping)
            # One recognised header is enough for a one-column table of amounts.
            if score >= 2 or (score == 1 and _has_amount(fields) and sum(1 for c in row if not is_empty(c)) == 1):
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
            found = ", ".join(f"« {text(sh.rows[i][j])} »" for j in sorted(fields))
            raise InputError(
                f"{MESSAGES[IssueCode.COLUMN_MISSING]} Il manque le montant : ajoutez une colonne {_EXPECTED}. "
                f"En-têtes reconnus ligne {i + 1} : {found}.",
                code=IssueCode.COLUMN_MISSING.value, file=name, sheet=sh.name,
            )
        where = f"dans les {HEADER_SCAN_ROWS} premières lignes" + (
            f" des feuilles {', '.join('« ' + str(s.name) + ' »' for s in sheets)}" if sheets and sheets[0].name is not None else "")
        expected = ", ".join(f"« {c.header} »" for c in COLUMNS[:9] if c.template)
        raise InputError(
            f"{MESSAGES[IssueCode.HEADER_NOT_FOUND]} Rien trouvé {where}. En-têtes attendus : {expected}... {_SUGGEST}",
            code=IssueCode.HEADER_NOT_FOUND.value, file=name,
        )
    return tables


def _make_table(sh: Sheet, i: int, fields: dict[int, str], report: ImportReport, opts: ImportOptions, name: str) -> Table:
    header = sh.rows[i]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for j, f in sorted(fields.items()):
        label = text(header[j])
        if f in columns:
            report.issue(IssueCode.COLUMN_DUPLICATE, sheet=sh.name, row=i + 1, column=label,
                         detail=f"(même donnée que « {headers[f]} »)")
            continue
        columns[f], headers[f] = j, label
    for j, cell in enumerate(header):
        if j not in fields and type(cell) is str and cell.strip():
            report.issue(IssueCode.COLUMN_UNKNOWN, sheet=sh.name, row=i + 1, column=cell.strip())
    ttc_rate = None
    if not any(f in columns for f in AMOUNT_FIELDS):
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
    return Table(sh, i, columns, headers, ttc_rate)




# -- rows --------------------------------------------------------------------------
class _Reader:
    """Turns the rows of the recognised tables into purchases, counting each row once."""

    def __init__(self, path: Path, report: ImportReport, opts: ImportOptions, fast: bool) -> None:
        self.report, self.opts, self.fast = report, opts, fast
        self.file = str(path)
        self.today = opts.today or date.today()
        self.default_buyer = opts.buyer or Buyer(name=path.stem)
        self.buyers: dict[str, Buyer] = {}
        self.by_buyer: dict[str, list[Purchase]] = {}
        # (buyer, id, lot) -> place in its buyer's list (the purchase's source says where it was read)
        self.seen: dict[tuple[str, str, str], int] = {}
        self.suppliers: dict[tuple[str, str | None, frozenset[SupplierKind]], Supplier] = {}
        self.fields_sets: dict[tuple[str, ...], set[str]] = {}  # one set per combination of fields given (never mutated)

    def read(self, tables: list[Table]) -> ImportResult:
        rows = sum(self._table(t) for t in tables)
        if rows == 0:
            t = tables[0]
            raise InputError(
                f"{MESSAGES[IssueCode.NO_DATA]} L'en-tête est ligne {t.sheet.numbers[t.header_row]}, mais aucune ligne de données ne suit.",
                code=IssueCode.NO_DATA.value, file=self.file, sheet=t.sheet.name,
            )
        portfolios = tuple(Portfolio(buyer=self.buyers[k], purchases=tuple(ps)) for k, ps in self.by_buyer.items() if ps)
        self.report.check()
        return ImportResult(portfolios=portfolios, report=self.report, path=self.file)

    def build(self, out: dict[str, Any], sheet: str | None, row: int) -> Purchase:
        """The fast path's purchase from values its converters have checked, as the model would make it.

        Each value is already what validation gives (the converters return the model's types,
        the CPV code resolved); the nature is derived from the CPV code as the model's validator
        does. The set of given fields is shared by the purchases that give the same fields, and
        converted values are shared between rows (about half the memory of a validated purchase).
        tests/test_import_paths.py checks the result equals the plain path's, field by field.
        """
        given = self.fields_sets.get(tuple(out))
        if given is None:
            given = self.fields_sets[tuple(out)] = {*out, "source"}
        values = {**_PURCHASE_DEFAULTS, "spend_by_year": {}, **out, "source": SourceRef(self.file, sheet, row)}
        if values["nature"] is None and values["cpv"] is not None:
            values["nature"] = nature_of(values["cpv"])
        return Purchase.model_construct(given, **values)

    def _table(self, t: Table) -> int:
        """Read the rows below the header; the number of rows that count (not blank, not a repeated header)."""
        sh = t.sheet
        _fill_merged(t)
        plan = tuple(_Col(f, j, t.headers[f], spec("amount_ht").convert if spend_year(f) else spec(f).convert, spend_year(f), {},
                          is_empty if spend_year(f) or spec(f).reads_placeholders else is_blank)
                     for f, j in t.columns.items())
        rows = _data_rows(t)
        count = 0
        if not self.fast or sh.formulas:
            for number, row in rows:
                count += 1
                _Row(self, t, plan, row, number).read()
            return count
        shape = _Shape.of(t, self.opts)
        for batch in _batches(rows, _BATCH_ROWS):
            count += len(batch)
            self._batch(t, plan, shape, batch)
        return count

    def _batch(self, t: Table, plan: tuple[_Col, ...], shape: _Shape, batch: list[tuple[int, list[Any]]]) -> None:
        """The fast path: the batch converted column by column (each distinct cell once), then each usual row
        made a purchase from those values. A row the plain path would say something about (a cell problem, an
        amount missing, zero or absurd, a date out of range, a total, a concession, a duplicate...) is found on
        the columns where it can be, and read by the plain path (:class:`_Row`) for its messages."""
        width = 1 + max(c.index for c in plan)
        cells = [r if len(r) >= width else r + [None] * (width - len(r)) for _, r in batch]
        cols: dict[str, list[Any]] = {}
        bad: set[int] = set()
        for c in plan:
            cols[c.field], unread = _column(c, list(map(itemgetter(c.index), cells)), self.opts.vat_rate)
            bad.update(unread)
        amounts = cols[shape.amount] if shape.amount else []
        if shape.amount and t.ttc_rate is not None:
            amounts = [None if d is None else _without_vat(d, t.ttc_rate) for d in amounts]
        odd = bad | shape.unusual(cols, amounts, self.today)
        copied = [(f, cols[f]) for f in shape.copied]
        kinds = [cols[f] for f in shape.kinds]
        spend = [(year, cols[f]) for f, year in shape.spend]
        holders = [cols[f] for f in shape.holders]
        ids, lots = cols.get("id"), cols.get("lot")
        names, sirets, buyer_kinds = (cols.get(f) for f in _BUYER_FIELDS)
        sheet, amount, spending, seen, count = t.sheet.name, shape.amount, shape.spending, self.seen, self.report.count_row
        buyer_key = ""
        if not shape.buyers:
            self.buyers.setdefault("", self.default_buyer)
        for i, (number, row) in enumerate(batch):
            if i in odd or _only_cell(row) is not None:
                self._plain(t, plan, row, number, None if i in bad else cols, i)
                continue
            # A row without any message: its purchase from the converted values, as _Row.purchase makes it.
            out = {f: v for f, col in copied if (v := col[i]) is not None}
            if amount:
                out["amount_ht"] = amounts[i]
            for col in kinds:  # either column may hold either (see cells.nature_or_kind)
                v = col[i]
                if isinstance(v, Nature):
                    out.setdefault("nature", v)
                elif isinstance(v, ContractKind):
                    out.setdefault("kind", v)
            if spending:
                out.setdefault("kind", ContractKind.DEPENSE)
            if spend and (by_year := {year: v for year, col in spend if (v := col[i]) is not None}):
                out["spend_by_year"] = by_year
            suppliers: tuple[Supplier, ...] = ()
            if holders:
                key = tuple([col[i] or "" for col in holders])
                suppliers, problems = t.holder_cells.get(key) or self.holders(t, key)
                if problems:
                    self._plain(t, plan, row, number, cols, i)
                    continue
            if shape.buyers:
                buyer_key, problem = self.buyer((names[i] if names else None) or "", sirets[i] if sirets else None,
                                                buyer_kinds[i] if buyer_kinds else None)
                if problem is not None:
                    self._plain(t, plan, row, number, cols, i)
                    continue
            pid = ids[i] if ids else (f"{sheet}-L{number}" if sheet else f"L{number}")
            place = (buyer_key, pid, (lots[i] if lots else None) or "")
            if place in seen:  # a co-contractor's line or a duplicate: the plain path says which
                self._plain(t, plan, row, number, cols, i)
                continue
            out["id"] = pid
            if suppliers:
                out["suppliers"] = suppliers
            ps = self.by_buyer.setdefault(buyer_key, [])
            seen[place] = len(ps)
            ps.append(self.build(out, sheet, number))
            count(rejected=False)

    def _plain(self, t: Table, plan: tuple[_Col, ...], row: list[Any], number: int, cols: dict[str, list[Any]] | None,
               i: int) -> None:
        """A row of a batch read by the plain path: from its converted values, or from its cells (a cell problem)."""
        _Row(self, t, plan, row, number).read(None if cols is None else {f: col[i] for f, col in cols.items() if col[i] is not None})

    def holders(self, t: Table, cells: tuple[str, ...]) -> tuple[tuple[Supplier, ...], list[_Problem]]:
        """The co-contractors of a row's holder cells (``t.holders``) and their problems; remembered on the fast path."""
        hit = t.holder_cells.get(cells) if self.fast else None
        if hit is None:
            hit = _holders(dict(zip(t.holders, cells)), t.headers, self.suppliers)
            if self.fast and len(t.holder_cells) < _CACHE_MAX:
                t.holder_cells[cells] = hit
        return hit

    def buyer(self, name: str, sid: Any, kind: Any) -> tuple[str, CellProblem | None]:
        """The key of a row's buyer (added on first sight; "" for the file's buyer), and the problem of its SIRET."""
        if self.opts.buyer is not None or (not name and not sid):
            self.buyers.setdefault("", self.default_buyer)
            return "", None
        number = problem = None
        if sid:
            try:
                number = siret(sid)
            except CellProblem as p:
                problem = p
        key = number or normalise(name)
        if not key:
            self.buyers.setdefault("", self.default_buyer)
            return "", problem
        if key not in self.buyers:
            self.buyers[key] = Buyer(name=name or number or self.default_buyer.name, siret=number, kind=kind or BuyerKind.AUTRE)
        return key, problem


@dataclass(frozen=True)
class _Shape:
    """What the fast path decides once per table, where the plain path asks it of each row."""

    amount: str | None  # the table's first amount column: its value is the amount of every usual row
    spending: bool  # that column is a spending line's amount (ContractKind.DEPENSE unless a kind is given)
    kinds: tuple[str, ...]  # the nature and kind columns, in the order the plain path reads them
    copied: tuple[str, ...]  # Table.copied
    spend: tuple[tuple[str, int], ...]  # Table.spend_columns
    holders: tuple[str, ...]  # Table.holders
    buyers: bool  # the rows name their buyer (a buyer column, and no buyer given by the options)
    dates: tuple[str, ...]  # the date columns checked against today and the plausible years

    @classmethod
    def of(cls, t: Table, opts: ImportOptions) -> _Shape:
        amount = next((f for f in AMOUNT_FIELDS if f in t.columns), None)
        return cls(
            amount=amount,
            spending=amount is not None and spec(amount).spending,
            kinds=tuple(f for f in ("nature", "kind") if f in t.columns),
            copied=tuple(f for f in t.columns if f in t.copied),
            spend=t.spend_columns,
            holders=t.holders,
            buyers=opts.buyer is None and ("buyer_name" in t.columns or "buyer_siret" in t.columns),
            dates=tuple(f for f in ("notification_date", "consultation_date") if f in t.columns),
        )

    def unusual(self, cols: dict[str, list[Any]], amounts: list[Any], today: date) -> set[int]:
        """The rows of a batch whose converted values the plain path would say something about."""
        odd: set[int] = set()
        if self.amount:  # missing (or taken from another column), zero, absurd
            odd.update(i for i, d in enumerate(amounts) if d is None or d == 0 or d > AMOUNT_PLAUSIBLE_MAX)
        for f in self.dates:
            odd.update(i for i, d in enumerate(cols[f]) if d is not None and (d > today or d < DATE_PLAUSIBLE_FROM))
        for f in self.kinds:
            odd.update(i for i, k in enumerate(cols[f]) if k is ContractKind.CONCESSION)
        ids, objects = cols.get("id"), cols.get("object")
        if ids is not None:  # an id missing, or a total
            odd.update(i for i, v in enumerate(ids) if not v or (v[0] in "TtSsGgMm" and _is_total(v)))
        if objects is not None:  # a total (the id, when there is one, says first)
            odd.update(i for i, v in enumerate(objects) if v and v[0] in "TtSsGgMm" and (ids is None or not ids[i]) and _is_total(v))
        return odd


_FIRST_BATCH_ROWS = 1_000
_BATCH_ROWS = 20_000  # rows converted together: enough to amortise, small enough to stream a CSV
_NOTHING: tuple[Any, None] = (None, None)
_TOO_LONG: tuple[Any, bool] = (None, True)  # a text the plain path cuts, with its message


def _data_rows(t: Table) -> Iterator[tuple[int, list[Any]]]:
    """The rows below the header that count: not blank, not the header repeated (page breaks in exports)."""
    sh = t.sheet
    header_row = sh.rows[t.header_row]
    header = [normalise(c) for c in header_row]
    first = min(t.columns.values())  # a recognised header cell, never empty
    for number, row in sh.below(t.header_row + 1):
        if all(map(is_empty, row)):
            continue
        if len(row) > first and row[first] == header_row[first] and [normalise(c) for c in row] == header:
            continue
        yield number, row


def _batches(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    """The rows by lists of ``size``; the first list is shorter (:data:`_FIRST_BATCH_ROWS`): the columns'
    memories fill on it, then most cells of a full batch are found there in one look-up, in C."""
    batch = list(islice(rows, min(size, _FIRST_BATCH_ROWS)))
    while batch:
        yield batch
        batch = list(islice(rows, size))


def _column(c: _Col, cells: list[Any], vat_rate: Decimal | None) -> tuple[list[Any], list[int]]:
    """One column of a batch converted, each distinct cell once (as :func:`_remembered`): the values
    (None where empty or unreadable), and the rows whose cell has a problem (or is too long).
    Empty cells are remembered too: a cell met before is one look-up, in C."""
    cache = c.cache
    hits: list[Any] = list(map(cache.get, zip(map(type, cells), cells)))  # keyed as in _remembered
    for i in _misses(hits):
        v = cells[i]
        key = (type(v), v)
        hit = cache.get(key)  # met earlier in this batch
        if hit is None:
            if v is None or c.empty(v):
                hit = _NOTHING
            elif type(v) is str and len(v) > MAX_CELL_CHARS:  # the plain path cuts it, with its message
                hits[i] = _TOO_LONG
                continue
            else:
                hit = _converted(c, v, vat_rate)
            if len(cache) < _CACHE_MAX:
                cache[key] = hit
        hits[i] = hit
    problems = list(map(itemgetter(1), hits))
    bad = [] if problems.count(None) == len(problems) else [i for i, p in enumerate(problems) if p is not None]
    return list(map(itemgetter(0), hits)), bad


def _misses(hits: list[Any]) -> Iterator[int]:
    """The places of None in ``hits`` (list.index searches in C)."""
    i = -1
    while True:
        try:
            i = hits.index(None, i + 1)
        except ValueError:
            return
        yield i


class _Row:
    """One row read: its cells converted, its problems reported, then a purchase or a rejection."""

    def __init__(self, reader: _Reader, t: Table, plan: tuple[_Col, ...], row: list[Any], number: int) -> None:
        self.reader, self.t, self.plan, self.row, self.number = reader, t, plan, row, number
        self.errors = self.warnings = 0

    def issue(self, code: IssueCode, column: str | None = None, value: object = None, detail: str | None = None,
              error: bool | None = None) -> None:
        sev = None if error is None else (Severity.ERROR if error else Severity.WARNING)
        it = self.reader.report.issue(code, severity=sev, detail=detail, sheet=self.t.sheet.name, row=self.number,
                                      column=column, value=value)
        if it.severity is Severity.ERROR:
            self.errors += 1
        else:
            self.warnings += 1

    def reject(self, code: IssueCode, detail: str, value: object = None) -> None:
        self.reader.report.issue(code, severity=Severity.ERROR, detail=detail, sheet=self.t.sheet.name, row=self.number, value=value)
        self.reader.report.count_row(rejected=True)

    def read(self, vals: dict[str, Any] | None = None) -> None:
        """Read the row; ``vals``: its cells already converted, without problem (the fast path's batches)."""
        t, row = self.t, self.row
        only = _only_cell(row)
        delim = t.sheet.delimiter
        if delim and only is not None and len(t.columns) > 1 and type(only) is str and any(d in only for d in ";,\t|" if d != delim):
            self.reject(IssueCode.RECORD_INVALID, f"Une seule colonne lue : cette ligne utilise un autre séparateur que « {delim} » (celui de l'en-tête).",
                        only)
            return
        if vals is None:
            vals = self.cells()
        label = vals.get("id") or vals.get("object") or ""
        if label[:1] in "TtSsGgMm" and _is_total(label) and (not vals.get("id") or _is_total(vals["id"])):
            self.reject(IssueCode.SUBTOTAL_ROW, "", label)
            return
        if type(only) is str and not any(f in vals for f in _MONEY_FIELDS) and not any(c.spend and c.field in vals for c in self.plan):
            self.reject(IssueCode.HEADING_ROW, "", only)
            return
        self.purchase(vals)

    def cells(self) -> dict[str, Any]:
        """Each recognised cell converted by its field's converter; problems reported on the row."""
        t, row, n, fast = self.t, self.row, len(self.row), self.reader.fast
        vals: dict[str, Any] = {}
        for c in self.plan:
            v = row[c.index] if c.index < n else None
            if c.empty(v):
                if t.sheet.formulas and (self.number, c.index) in t.sheet.formulas:
                    self.issue(IssueCode.FORMULA_NO_VALUE, c.header)
                continue
            if type(v) is str and len(v) > MAX_CELL_CHARS:
                self.issue(IssueCode.LIMIT_STRING, c.header, v, f"Texte coupé à {MAX_CELL_CHARS} caractères.")
                v = v[:MAX_CELL_CHARS]
            value, problem = (_remembered if fast else _converted)(c, v, self.reader.opts.vat_rate)
            if problem is not None:
                self.issue(problem.code, c.header, v, problem.detail, problem.error)
            if value is not None:
                vals[c.field] = value
        return vals

    def purchase(self, vals: dict[str, Any]) -> None:
        reader, t = self.reader, self.t
        out: dict[str, Any] = {}
        self.amount(vals, out)
        for f in ("nature", "kind"):  # either column may hold either (see cells.nature_or_kind)
            v = vals.get(f)
            if isinstance(v, Nature):
                out.setdefault("nature", v)
            elif isinstance(v, ContractKind):
                out.setdefault("kind", v)
        if t.spend_columns:
            spend = {year: vals[f] for f, year in t.spend_columns if f in vals}
            if spend:
                out["spend_by_year"] = spend
        copied = t.copied
        for f, v in vals.items():
            if f in copied and f not in out:
                out[f] = v
        for f in ("notification_date", "consultation_date"):
            d = out.get(f)
            if d is not None and d > reader.today:
                self.issue(IssueCode.DATE_FUTURE, t.headers[f], None,
                           f"({d.strftime('%d/%m/%Y')}, après le {reader.today.strftime('%d/%m/%Y')}).")
            elif d is not None and d < DATE_PLAUSIBLE_FROM:
                self.issue(IssueCode.DATE_IMPLAUSIBLE, t.headers[f], None, f"({d.strftime('%d/%m/%Y')}, avant {DATE_PLAUSIBLE_FROM.year}).")
        if out.get("kind") is ContractKind.CONCESSION:
            self.issue(IssueCode.CONCESSION, t.headers.get("kind") or t.headers.get("nature"))
        suppliers = self.holders(vals) if t.holders else ()
        buyer_key = self.buyer(vals)
        if not out.get("id"):
            if "id" in t.columns:
                self.issue(IssueCode.ID_MISSING, t.headers["id"])
            sheet = t.sheet.name
            out["id"] = f"{sheet}-L{self.number}" if sheet else f"L{self.number}"
        key = (buyer_key, out["id"], out.get("lot") or "")
        place = reader.seen.get(key)
        if place is not None and not self.errors:
            ps = reader.by_buyer[buyer_key]
            where = _where(ps[place].source)
            same = _same_contract(ps[place], out)
            new = tuple(s for s in suppliers if s not in ps[place].suppliers)
            if same and new:  # one more co-contractor of a contract already read
                ps[place] = ps[place].model_copy(update={"suppliers": ps[place].suppliers + new})
                reader.report.merged += 1
                reader.report.count_row(rejected=False, warned=self.warnings > 0)
                return
            lot = out.get("lot")
            other = "" if same else ", avec d'autres valeurs"
            self.issue(IssueCode.DUPLICATE, t.headers.get("id"), out["id"],
                       f"Identifiant « {out['id']} »{' lot ' + lot if lot else ''} déjà vu {where}{other} : cette ligne est écartée.")
        if self.errors:
            reader.report.count_row(rejected=True)
            return
        if suppliers:
            out["suppliers"] = suppliers
        if reader.fast:
            p = reader.build(out, t.sheet.name, self.number)
        else:
            out["source"] = SourceRef(file=reader.file, sheet=t.sheet.name, row=self.number)
            try:
                p = Purchase(**out)
            except ValidationError as e:  # pragma: no cover - the converters give valid values
                err = e.errors()[0]
                self.reject(IssueCode.RECORD_INVALID, f"{'.'.join(map(str, err['loc'])) or 'ligne'} : {err['msg']}.")
                return
        ps = reader.by_buyer.setdefault(buyer_key, [])
        reader.seen[key] = len(ps)
        ps.append(p)
        reader.report.count_row(rejected=False, warned=self.warnings > 0)

    def amount(self, vals: dict[str, Any], out: dict[str, Any]) -> None:
        """The amount HT: the first amount column of the table, or the next filled one with a warning."""
        t = self.t
        present = [f for f in AMOUNT_FIELDS if f in t.columns]
        if not present:
            return
        given = [f for f in present if f in vals]
        if not given:
            if not self.errors:  # an unreadable amount is already reported
                self.issue(IssueCode.AMOUNT_MISSING, t.headers[present[0]])
            return
        f = given[0]
        d = vals[f]
        if f != present[0]:
            self.issue(IssueCode.AMOUNT_OTHER_COLUMN, t.headers[f], d,
                       f"« {t.headers[present[0]]} » est vide : le montant est pris dans « {t.headers[f]} ».")
        if t.ttc_rate is not None:
            d = _without_vat(d, t.ttc_rate)
        if spec(f).spending and not any(isinstance(vals.get(k), ContractKind) for k in ("nature", "kind")):
            out["kind"] = ContractKind.DEPENSE  # a spending line (e.g. the Marché de l'inclusion's purchase import)
        if d == 0:
            self.issue(IssueCode.AMOUNT_ZERO, t.headers[f], vals[f])
        elif d > AMOUNT_PLAUSIBLE_MAX:
            self.issue(IssueCode.AMOUNT_ABSURD, t.headers[f], vals[f], "Plus d'un milliard d'euros HT sur une ligne : vérifiez.")
        out["amount_ht"] = d

    def holders(self, vals: dict[str, Any]) -> tuple[Supplier, ...]:
        """The row's co-contractors, their problems reported on the row."""
        suppliers, problems = self.reader.holders(self.t, tuple([vals.get(f) or "" for f in self.t.holders]))
        for problem in problems:
            self.issue(*problem)
        return suppliers

    def buyer(self, vals: dict[str, Any]) -> str:
        """The key of the row's buyer (added on first sight); "" for the file's buyer."""
        sid = vals.get("buyer_siret")
        key, problem = self.reader.buyer(vals.get("buyer_name") or "", sid, vals.get("buyer_kind"))
        if problem is not None:
            self.issue(problem.code, self.t.headers.get("buyer_siret"), sid, problem.detail, False)
        return key


_Problem = tuple[IssueCode, "str | None", Any, "str | None", "bool | None"]  # (code, column, value, detail, error)


def _holders(vals: dict[str, str], headers: dict[str, str],
             known: dict[tuple[str, str | None, frozenset[SupplierKind]], Supplier]) -> tuple[tuple[Supplier, ...], list[_Problem]]:
    """The co-contractors of a row's holder cells (one per line of a cell, one per numbered column), and their problems."""
    numbers = sorted({holder_index(f)[1] for f in vals})
    out: list[Supplier] = []
    problems: list[_Problem] = []
    for k in numbers:
        suffix = "" if k == 1 else f"#{k}"
        cells = [vals.get(f + suffix) or "" for f in _HOLDER_FIELDS]
        if k == 1:  # several co-contractors in one cell, one per line (Alt+Entrée), same order in each column
            lines = [c.split("\n") for c in cells]
            count = max(len(lines[0]), len(lines[1]))
            kinds = lines[2] if len(lines[2]) == count else [cells[2]] + [""] * (count - 1)
            parts = [(lines[0][i] if i < len(lines[0]) else "", lines[1][i] if i < len(lines[1]) else "", kinds[i]) for i in range(count)]
        else:
            parts = [(cells[0], cells[1], cells[2])]
        for name, sid, kinds_cell in parts:
            name, sid, kinds_cell = name.strip(), sid.strip(), kinds_cell.strip()
            if not name and not sid and not kinds_cell:
                continue
            number = None
            if sid:
                try:
                    number = siret(sid)
                except CellProblem as p:
                    problems.append((p.code, headers.get("supplier_siret" + suffix), sid, f"{p.detail} Le titulaire est gardé sans SIRET.", False))
            found: frozenset[SupplierKind] = frozenset()
            if kinds_cell:
                try:
                    found = supplier_kinds(kinds_cell)
                except CellProblem as p:
                    problems.append((p.code, headers.get("supplier_kinds" + suffix), kinds_cell, p.detail, None))
            key = (name, number, found)
            s = known.get(key)
            if s is None:
                s = known[key] = Supplier(name=name, siret=number, kinds=found)
            out.append(s)
    return tuple(out), problems


def _remembered(c: _Col, v: Any, vat_rate: Decimal | None) -> tuple[Any, CellProblem | None]:
    """:func:`_converted`, remembered in the column's cache (the fast path): a cell met again is not
    converted again. Keyed by type too: 1, 1.0 and True are one dict key."""
    key = (type(v), v)
    hit = c.cache.get(key)
    if hit is None:
        hit = _converted(c, v, vat_rate)
        if len(c.cache) < _CACHE_MAX:
            c.cache[key] = hit
    return hit


def _converted(c: _Col, v: Any, vat_rate: Decimal | None) -> tuple[Any, CellProblem | None]:
    """(value or None, problem or None) of one cell of a column."""
    try:
        value = c.convert(v)
    except CellProblem as p:
        return p.kept, p.detached()  # remembered in the column's cache
    if c.spend is not None and c.spend[1]:
        value = _without_vat(value, vat_rate)
    return value, None


def _where(source: SourceRef | None) -> str:
    """« ligne 12 de la feuille « Marchés » »: where a purchase was read."""
    if source is None:  # pragma: no cover - every purchase read here has its source
        return "plus haut"
    return f"ligne {source.row}" + (f" de la feuille « {source.sheet} »" if source.sheet else "")


def _is_total(label: str) -> bool:
    """« Total », « Sous-total services », « TOTAL GÉNÉRAL »: a line that sums others."""
    n = normalise(label)
    return any(n == w or n.startswith(w + " ") for w in _TOTAL_STARTS)


def _only_cell(row: list[Any]) -> Any:
    """The only filled cell of a row, or None (stops at the second filled cell)."""
    found = None
    for c in row:
        if not is_empty(c):
            if found is not None:
                return None
            found = c
    return found


def _same_contract(p: Purchase, out: dict[str, Any]) -> bool:
    """True when a row's contract values are those of a purchase already read (a co-contractor's line)."""
    given = p.model_fields_set - {"suppliers", "source"}
    return given == out.keys() and all(getattr(p, k) == v for k, v in out.items())


def _without_vat(d: Decimal, rate: Decimal | None) -> Decimal:
    return (d / (1 + (rate or 0))).quantize(CENT, rounding=ROUND_HALF_UP)


def _fill_merged(t: Table) -> None:
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
