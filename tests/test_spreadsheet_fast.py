"""The spreadsheet reader's fast paths (issue #7) give exactly what the plain paths give.

- purchases built without a second pydantic validation re-validate to the same values;
- a CSV file streamed in chunks reads the same whatever the chunk size (multi-byte
  characters, Windows-1252 bytes, NUL, BOM, UTF-16 cut anywhere);
- the French-amount shortcut of ``parse_amount`` agrees with its general rules.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spaser.io.spreadsheet as sp
from spaser import InputError
from spaser import _fork
from spaser import money
from spaser.io import load
from spaser.model import Purchase, SourceRef, SocialConsideration

ROOT = Path(__file__).resolve().parents[1]


def _same_as_validated(p: Purchase) -> None:
    given_ = {k: getattr(p, k) for k in p.model_fields_set}
    q = Purchase(**given_)
    assert list(p.__dict__) == list(q.__dict__)  # every field, in declaration order
    assert p.__dict__ == q.__dict__, (p, q)
    assert [type(v) for v in p.__dict__.values()] == [type(v) for v in q.__dict__.values()]
    assert p.model_fields_set == q.model_fields_set
    assert p == q and q == p
    if p.source is not None:
        s = SourceRef(**{k: getattr(p.source, k) for k in p.source.model_fields_set})
        assert s == p.source and s.model_fields_set == p.source.model_fields_set


def _generated(tmp_path: Path, n: int) -> list[Path]:
    from benchmarks.generate import write_csv, write_xlsx

    return [write_csv(tmp_path / "gen.csv", n, seed=3), write_xlsx(tmp_path / "gen.xlsx", n, seed=3)]


def _tables(tmp_path: Path, n: int) -> list[Path]:
    """Generated tables of ``n`` lines, the examples and the bad-input corpus."""
    corpus = ROOT / "tests" / "corpus" / "spreadsheets"
    return (_generated(tmp_path, n) + sorted(p for p in (ROOT / "examples").glob("*") if p.suffix in (".csv", ".xlsx"))
            + (sorted(p for p in corpus.rglob("*") if p.suffix in (".csv", ".xlsx")) if corpus.is_dir() else []))


def test_purchases_built_without_revalidation_revalidate_identically(tmp_path: Path) -> None:
    paths = _tables(tmp_path, 1500)
    checked = 0
    for path in paths:
        try:
            result = load(path, today=date(2026, 1, 1))
        except Exception:  # noqa: BLE001 - corpus files refused on purpose are not the point here
            continue
        for portfolio in result.portfolios:
            for p in portfolio.purchases:
                _same_as_validated(p)
                checked += 1
    assert checked > 3000


def test_shared_fields_set_is_never_mutated(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Identifiant;Montant HT;Considérations sociales\nA;10;Clause sociale\nB;20;\n", encoding="utf-8")
    a, b = load(path).portfolio.purchases
    assert a.model_fields_set == {"id", "amount_ht", "social", "source"}
    c = b.model_copy(update={"social": frozenset({SocialConsideration.CLAUSE})})
    assert "social" in c.model_fields_set and "social" not in b.model_fields_set
    assert a.model_fields_set == {"id", "amount_ht", "social", "source"}


_TEXTS = [
    "\ufeffIdentifiant;Objet;Montant HT\r\nA;Œuvre « été » ;1 234,56\r\nB;\"deux\r\nlignes; ok\";12\r\n",
    "Identifiant;Objet;Montant HT\nA;caf\xe9;10\nB;th\xe9 vert;20\nC;na\xefve;30\n",  # cp1252 bytes among UTF-8
    # NUL characters, after the first 4 kB (a NUL at the start makes the file binary for spaser.io.sniff)
    "Identifiant;Objet;Montant HT\n" + "".join(f"R{i};x;1\n" for i in range(600)) + "A;x\x00y;10\n\x00\nB;z;20\n",
    "Identifiant,Objet,Montant HT\rA,crème brûlée,10\rB,\"a,b\",20\r",
]


def _encoded(text: str, how: str) -> bytes:
    if how == "utf-16":
        return text.replace("\ufeff", "").encode("utf-16")
    if "\xe9" in text and "Œuvre" not in text:  # mostly UTF-8, some Windows-1252 bytes
        lines = text.split("\n")
        return b"\n".join(line.encode("cp1252" if i % 2 else "utf-8") for i, line in enumerate(lines))
    return text.encode("utf-8")


def _summary(path: Path) -> tuple[object, ...]:
    r = load(path, today=date(2026, 1, 1))
    return (tuple(p.model_dump_json() for p in r.portfolio.purchases), tuple(r.report.issues), r.report.read, r.report.rejected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(0, len(_TEXTS) - 1), how=st.sampled_from(["utf-8", "utf-16"]), chunk=st.integers(1, 64))
def test_csv_reads_the_same_whatever_the_chunk_size(tmp_path: Path, k: int, how: str, chunk: int) -> None:
    path = tmp_path / f"t{k}-{how}.csv"
    path.write_bytes(_encoded(_TEXTS[k], how))
    whole = _summary(path)
    old = sp._CHUNK
    sp._CHUNK = chunk
    try:
        assert _summary(path) == whole
    finally:
        sp._CHUNK = old
    codes = [i.code.value for i in whole[1]]  # type: ignore[attr-defined]
    assert ("encoding" in codes) == (k in (1, 2) and how == "utf-8" or k == 2)


def test_cp1252_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("Identifiant;Objet;Montant HT\nA;déjà;1\n".encode() + "B;café;2\n".encode("cp1252"))
    old = sp._CHUNK
    sp._CHUNK = 5  # the faulty byte far from the first chunk
    try:
        r = load(path)
    finally:
        sp._CHUNK = old
    assert [p.object for p in r.portfolio.purchases] == ["déjà", "café"]
    enc = [i for i in r.report.issues if i.code.value == "encoding"]
    assert len(enc) == 1 and enc[0].row == 3 and "ligne 3" in enc[0].message


@given(st.from_regex(re.compile(r"\d[\d ]{0,12}(,\d{0,4})?"), fullmatch=True))
def test_plain_amount_shortcut_agrees_with_the_general_rules(s: str) -> None:
    fast = money.parse_amount(s)
    old = money._PLAIN
    money._PLAIN = re.compile(r"(?!)")  # never matches: the general path
    try:
        slow = money.parse_amount(s)
    except money.AmountError:
        slow = None
    finally:
        money._PLAIN = old
    assert slow is not None and str(fast) == str(slow)


def test_gc_is_back_after_an_import(tmp_path: Path) -> None:
    import gc

    path = tmp_path / "a.csv"
    path.write_text("Montant HT\n10\n", encoding="utf-8")
    assert gc.isenabled()
    load(path)
    assert gc.isenabled()
    path.write_text("Montant HT\n\"10\n", encoding="utf-8")  # unclosed quote: an error, the collector still comes back
    with pytest.raises(Exception):
        load(path)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # the import's objects are promoted, nothing stays frozen


def test_row_builder_builds_what_the_validated_builder_builds() -> None:
    from spaser.model import _build_validated, _row_builder

    skip = object()
    build = _row_builder(Purchase, ("id", "object", "amount_ht"), ("source",), skip)
    a = build(("A", skip, Decimal("12.50")), None)
    b = build(("B", "Nettoyage", Decimal(3)), skip)
    assert a == _build_validated(Purchase, {"id": "A", "amount_ht": Decimal("12.50"), "source": None}, {"id", "amount_ht", "source"})
    assert a.model_fields_set == {"id", "amount_ht", "source"} and b.model_fields_set == {"id", "object", "amount_ht"}
    assert a.object == "" and b.object == "Nettoyage" and a.spend_by_year == {} and a.spend_by_year is not b.spend_by_year
    _same_as_validated(a)
    _same_as_validated(b)
    with pytest.raises(ValueError):
        _row_builder(Purchase, ("id", "montant"), (), skip)
    with pytest.raises(ValueError):
        _row_builder(Purchase, ("id", "id"), (), skip)


def test_money_is_decimal_after_fast_build(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Identifiant;Montant HT\nA;1 234,5\n", encoding="utf-8")
    p = load(path).portfolio.purchases[0]
    assert type(p.amount_ht) is Decimal and p.amount_ht == Decimal("1234.5") and p.spend_by_year == {}


# -- the column path (rows read column by column) reads exactly as the row path --------------
def _everything(path: Path, **options: object) -> tuple[object, ...]:
    """All an import gives: purchases (values, types, fields given), buyers, issues in order, counts."""
    r = load(path, today=date(2026, 1, 1), **options)  # type: ignore[arg-type]
    purchases = [(p.model_dump(), [type(v) for v in p.__dict__.values()], sorted(p.model_fields_set), sorted(p.source.model_fields_set) if p.source else None)
                 for pf in r.portfolios for p in pf.purchases]
    rep = r.report
    return purchases, [pf.buyer for pf in r.portfolios], list(rep.issues), (rep.read, rep.accepted, rep.rejected, rep.warned)


def _both_paths(path: Path, *, batch_rows: int = 2048, **options: object) -> tuple[object, object]:
    old = sp.BATCHED, sp._BATCH_ROWS
    try:
        sp.BATCHED, sp._BATCH_ROWS = False, batch_rows
        rows = _everything(path, **options)
        sp.BATCHED = True
        columns = _everything(path, **options)
    finally:
        sp.BATCHED, sp._BATCH_ROWS = old
    return rows, columns


def test_column_path_reads_like_the_row_path(tmp_path: Path) -> None:
    paths = _tables(tmp_path, 3000)
    compared = 0
    for path in paths:
        for batch_rows in (2048, 7):  # batch boundaries anywhere
            try:
                rows, columns = _both_paths(path, batch_rows=batch_rows)
            except Exception:  # noqa: BLE001 - files refused on purpose: refused the same way by both (tested in the corpus tests)
                continue
            assert rows == columns, path
            compared += len(rows[0])  # type: ignore[arg-type]
    assert compared > 10_000


_HEADER = ["N° marché", "Objet", "Code CPV", "Montant HT", "Date de notification", "Lot", "Titulaire", "SIRET titulaire",
           "Type de structure", "Considérations sociales", "Acheteur", "SIRET acheteur", "Dépense 2025"]
# Cells as buyers' exports have them, clean and dirty, per column.
_CELLS = [
    ["M1", "M2", "M3", " M1 ", "", "Total", "TOTAL GÉNÉRAL", "'=M4", "T-12", "N° marché"],
    ["Nettoyage", "Total", "", "  ", "x" * 40, "Sous-total", "Travaux"],
    ["90910000", "90910000-9", "45 000 000", "4500000", "", "99999999", "abc"],
    ["1 234,56", "12", "", "0", "-5", "2 000 000 000", "12 €", "1.234,5", "abc", "3,456"],
    ["31/12/2024", "2025-01-15", "", "32/13/2024", "01/01/1980", "15/06/2031", "hier"],
    ["", "1", "2", "Lot 3"],
    ["", "ACME", "ACME\nBeta SA", "Gamma"],
    ["", "73282932000074", "123", "73282932000074\n35600000000048"],
    ["", "SIAE", "EA", "inconnu", "SIAE, ESS"],
    ["", "Clause sociale", "aucune", "oui", "n'importe quoi"],
    ["", "Ville A", "Ville B"],
    ["", "21750001600019", "999"],
    ["", "1 000", "abc", "12,5"],
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.lists(st.integers(0, 9), min_size=len(_CELLS), max_size=len(_CELLS)), min_size=1, max_size=40),
       shapes=st.lists(st.sampled_from(["full", "short", "long", "blank", "one"]), min_size=40, max_size=40),
       columns=st.integers(4, len(_HEADER)), batch_rows=st.sampled_from([1, 3, 2048]))
def test_column_path_reads_like_the_row_path_on_dirty_tables(tmp_path: Path, picks: list[list[int]], shapes: list[str], columns: int,
                                                             batch_rows: int) -> None:
    import csv

    rows: list[list[str]] = []
    for pick, shape in zip(picks, shapes):
        row = [cells[k % len(cells)] for cells, k in zip(_CELLS, pick)][:columns]
        if shape == "short":
            row = row[: max(1, columns // 2)]
        elif shape == "long":
            row = row + ["en trop"]
        elif shape == "blank":
            row = [""] * columns
        elif shape == "one":
            row = ["a,b,c"]
        rows.append(row)
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(_HEADER[:columns])
        w.writerows(rows)
    try:
        by_rows, by_columns = _both_paths(path, batch_rows=batch_rows)
    except Exception as e:  # noqa: BLE001 - a table refused as a whole: the same refusal either way
        sp.BATCHED = True
        with pytest.raises(type(e)):
            _everything(path)
        return
    assert by_rows == by_columns


def _lines_one_by_one(text: str) -> list[int]:
    """Each record's first line, counted record by record (csv's own line count): the reference."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    out, last = [], 0
    for _ in reader:
        out.append(last + 1)
        last = reader.line_num
    return out


_PIECES = ["a", "b c", '"x\ny"', '"x\r\ny"', '"x\ry"', '"\n\n"', '"x\r\n\r\ny"', '"x\n\ry"', '""', "1 234,5"]


@settings(max_examples=80, deadline=None)
@given(records=st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4), min_size=1, max_size=60),
       ends=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=60, max_size=60), batch_rows=st.sampled_from([1, 2, 5, 2048]))
def test_chunked_csv_records_keep_their_line_numbers(records: list[list[str]], ends: list[str], batch_rows: int) -> None:
    import csv
    import io

    text = "".join(";".join(r) + e for r, e in zip(records, ends))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    old = sp._BATCH_ROWS
    sp._BATCH_ROWS = batch_rows
    try:
        numbers = [n for nums, _ in sp._csv_blocks(reader, "t.csv", 0, lambda: 0) for n in nums]
    finally:
        sp._BATCH_ROWS = old
    assert numbers == _lines_one_by_one(text)


def test_quote_error_far_in_a_chunk_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    body = "".join(f"R{i};x;{i}\n" for i in range(100)) + 'R100;"deux\nlignes";1\n' + "".join(f"S{i};y;{i}\n" for i in range(50))
    path.write_text("Identifiant;Objet;Montant HT\n" + body + 'BAD;"jamais fermé;3\nT;z;1\n', encoding="utf-8")
    with pytest.raises(Exception) as e:
        load(path)
    # header (line 1), 100 rows, a record on 2 lines, 50 rows: the bad record starts on line 154.
    assert e.value.row == 154 and "ligne 154" in str(e.value)  # type: ignore[attr-defined]


# -- a big CSV file parsed by a child process (spaser._fork) reads as in this process ---------
forking = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="le processus fils (fork) n'est utilisé que sous Linux")


@pytest.fixture
def child_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every CSV file parsed by a child; the list tells, per file, whether a child was started."""
    started: list[int] = []
    real = _fork.start

    def start(*args: object, **kwargs: object) -> object:
        child = real(*args, **kwargs)  # type: ignore[arg-type]
        started.append(child is not None)
        if child is not None:
            _PIDS.append(child.pid)
        return child

    monkeypatch.setattr(sp, "_FORK_MIN_BYTES", 0)
    monkeypatch.setattr(_fork, "start", start)
    monkeypatch.setattr(_fork, "_alone", lambda: True)  # other tests leave idle threads (the web server's)
    return started


def _in_this_process(path: Path, **options: object) -> tuple[object, ...]:
    old = sp._FORK_MIN_BYTES
    sp._FORK_MIN_BYTES = 1 << 62
    try:
        return _everything(path, **options)
    finally:
        sp._FORK_MIN_BYTES = old


_PIDS: list[int] = []  # the children started by these tests


def _no_child_left() -> None:
    """Every child was waited for (no zombie, none still running)."""
    for pid in _PIDS:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


@forking
def test_csv_parsed_by_a_child_reads_as_in_this_process(tmp_path: Path, child_count: list[int]) -> None:
    paths = [p for p in _tables(tmp_path, 3000) if p.suffix == ".csv"]
    compared = 0
    for path in paths:
        for batch_rows in (2048, 7):
            old = sp._BATCH_ROWS
            sp._BATCH_ROWS = batch_rows
            try:
                try:
                    here = _in_this_process(path)
                except Exception as e:  # noqa: BLE001 - a file refused as a whole: refused the same way
                    with pytest.raises(type(e)) as again:
                        _everything(path)
                    assert str(again.value) == str(e)
                    continue
                assert _everything(path) == here, path
                compared += len(here[0])  # type: ignore[arg-type]
            finally:
                sp._BATCH_ROWS = old
    assert compared > 6000 and sum(child_count) > 10
    _no_child_left()


@forking
def test_child_stopping_early_the_parent_reads_the_rest(tmp_path: Path, child_count: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    path = _generated(tmp_path, 3000)[0]
    monkeypatch.setattr(sp, "_BATCH_ROWS", 100)
    expected = _in_this_process(path)
    real, sent = sp._shared_texts, []

    def fail_on_the_fifth(block: object) -> object:  # runs in the child
        sent.append(1)
        if len(sent) == 5:
            raise MemoryError
        return real(block)  # type: ignore[arg-type]

    monkeypatch.setattr(sp, "_shared_texts", fail_on_the_fifth)
    assert _everything(path) == expected
    assert child_count == [True] and sent == []  # the failure happened in the child
    _no_child_left()


@forking
def test_quote_error_found_by_the_child_names_its_line(tmp_path: Path, child_count: list[int]) -> None:
    test_quote_error_far_in_a_chunk_names_its_line(tmp_path)
    assert child_count == [True]
    _no_child_left()


@forking
def test_child_stopped_when_the_table_is_refused_before_its_rows(tmp_path: Path, child_count: list[int]) -> None:
    path = tmp_path / "sans_entete.csv"
    path.write_text("".join(f"a{i};b;c\n" for i in range(20_000)), encoding="utf-8")
    with pytest.raises(InputError):
        load(path)
    assert child_count == [True]
    _no_child_left()


def test_no_child_while_other_threads_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr(sp, "_FORK_MIN_BYTES", 0)
    path = _generated(tmp_path, 200)[0]
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not _fork._alone()
        assert _fork.start(iter([1]), count=lambda x: 1) is None
        assert _everything(path) == _in_this_process(path)
    finally:
        stop.set()
        thread.join()


@forking
def test_encoding_issues_found_by_the_child_are_listed_first_within_the_cap(tmp_path: Path, child_count: list[int]) -> None:
    path = tmp_path / "mixte.csv"
    rows = [f"M{i};Objet;{'abc' if i % 2 else '1 000'}\n".encode() for i in range(40)]
    rows[7] = "M7;Élagage;12\n".encode("cp1252")  # not UTF-8: read as Windows-1252, reported once
    path.write_bytes("Identifiant;Objet;Montant HT\n".encode() + b"".join(rows))
    here = _in_this_process(path, max_issues=5)
    assert here[2][0].code is sp.IssueCode.ENCODING and here[2][0].row == 9  # type: ignore[index]
    assert _everything(path, max_issues=5) == here
    r = load(path, max_issues=5)
    assert r.report.truncated == sum(r.report.counts.values()) - 5
    assert child_count == [True, True]


def test_no_child_without_room(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fork._room()  # this machine has room for a copy of the test process
    monkeypatch.setattr(_fork, "_room", lambda: False)
    assert _fork.start(iter([1]), count=lambda x: 1) is None
