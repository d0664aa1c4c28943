"""Hostile DECP values (security review, issue 13): each gives a typed French problem on its record
or its file, never a crash, a hang or a silent reinterpretation. JSON and XML alike."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from spaser._errors import InputError
from spaser.io import load

TODAY = date(2025, 6, 1)
BUYER = '"acheteur": {"id": "13001898900017", "nom": "INOVALYS"}'


def _json(tmp_path: Path, **fields: str) -> Path:
    """One 2019 record; each field given as raw JSON text (so invalid numbers can be written)."""
    base = {"id": '"M1"', "_type": '"Marché"', "nature": '"Marché"', "codeCPV": '"90910000-9"', "dureeMois": "12",
            "dateNotification": '"2024-03-01"', "montant": "1000"}
    base.update(fields)
    body = ", ".join(f'"{k}": {v}' for k, v in base.items())
    p = tmp_path / "hostile.json"
    p.write_text('{"marches": [{' + BUYER + ", " + body + "}]}", encoding="utf-8")
    return p


def _xml(tmp_path: Path, **fields: str) -> Path:
    base = {"id": "M1", "nature": "Marché", "codeCPV": "90910000-9", "dureeMois": "12", "dateNotification": "2024-03-01",
            "montant": "1000"}
    base.update(fields)
    body = "".join(f"<{k}>{v}</{k}>" for k, v in base.items())
    p = tmp_path / "hostile.xml"
    p.write_text(f"<marches><marche><acheteur><id>13001898900017</id></acheteur>{body}</marche></marches>", encoding="utf-8")
    return p


def _one(path: Path) -> tuple[object, object]:
    r = load(path, today=TODAY)
    r.report.check()
    assert r.report.read == 1
    purchases = [p for pf in r.portfolios for p in pf.purchases]
    return r.report, (purchases[0] if purchases else None)


def _codes(report: object) -> dict[str, str]:
    return {i.field or "": i.code.value for i in report.issues}  # type: ignore[attr-defined]


def _french(report: object) -> None:
    for i in report.issues:  # type: ignore[attr-defined]
        assert i.message and i.message[0].isupper() and "Traceback" not in i.message


def test_integer_of_4301_digits_no_segfault(tmp_path: Path) -> None:
    # The C JSON parser crashed the process on it: run in a child so a regression fails, not kills, the suite.
    path = _json(tmp_path, montant="1" + "0" * 4300)
    code = f"from spaser.io import load; r = load({str(path)!r}); print(r.report.rejected, dict(r.report.counts))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("1 ") and "amount-invalid" in out.stdout


@pytest.mark.parametrize("where", ["id", "dureeMois", "codeCPV"])
def test_long_numbers_elsewhere_dropped_with_warning(tmp_path: Path, where: str) -> None:
    rep, p = _one(_json(tmp_path, **{where: "9" * 5000}))
    assert rep.counts["value-invalid"] == 1  # type: ignore[attr-defined]
    assert p is not None and "5 000" in next(i.message for i in rep.issues if i.code == "value-invalid").replace("\u202f", " ")  # type: ignore[attr-defined]
    _french(rep)


def test_huge_exponent_duration_no_hang(tmp_path: Path) -> None:
    rep, p = _one(_json(tmp_path, dureeMois="1E999999999"))
    assert p is not None and p.duration_months is None  # type: ignore[attr-defined]
    assert _codes(rep)["dureeMois"] == "duration-invalid"


@pytest.mark.parametrize("amount", ["1e1000000", '"1e1000000"', "-1e1000000", "1E-999999999"])
def test_huge_exponent_amount(tmp_path: Path, amount: str) -> None:
    rep, p = _one(_json(tmp_path, montant=amount))
    if "E-" in amount:  # a tiny positive number: zero to the cent, kept
        assert p is not None
        return
    assert p is None and rep.rejected == 1  # type: ignore[attr-defined]
    assert _codes(rep)["montant"] in ("amount-invalid", "amount-negative")
    _french(rep)


@pytest.mark.parametrize("field, value, code", [
    ("montant", '"\u00b2"', "amount-invalid"),
    ("montant", '"\u0663\u0660\u0660"', "amount-invalid"),  # Arabic-Indic 300
    ("montant", '"\uff11\uff10\uff10"', "amount-invalid"),  # full-width 100
    ("montant", '"1.2.3,4"', "amount-invalid"),
    ("dureeMois", '"\u00b2"', "duration-invalid"),
    ("dureeMois", '"\u0661\u0662"', "duration-invalid"),
    ("dateNotification", '"\u0662\u0660\u0662\u0664-01-01"', "date-invalid"),
    ("codeCPV", '"90910000-9-9"', "cpv-malformed"),
    ("codeCPV", '"\u0669\u0660\u0669\u0661\u0660\u0660\u0660\u0660"', "cpv-malformed"),
])
def test_never_silently_reinterpreted(tmp_path: Path, field: str, value: str, code: str) -> None:
    for path in (_json(tmp_path, **{field: value}), _xml(tmp_path, **{field: json.loads(value)})):
        rep, p = _one(path)
        assert _codes(rep)[field] == code, path.suffix
        if p is not None:  # kept without the value, never with a reinterpreted one
            assert p.amount_ht in (None, Decimal(1000))  # type: ignore[attr-defined]
            assert p.duration_months in (None, 12) and p.cpv in (None, "90910000")  # type: ignore[attr-defined]
            assert p.notification_date in (None, date(2024, 3, 1))  # type: ignore[attr-defined]
        _french(rep)


def test_superscript_amount_rejected_not_crashing(tmp_path: Path) -> None:
    rep, p = _one(_json(tmp_path, montant='"12\u00b2"'))
    assert p is None and "12²" in rep.issues[0].message  # type: ignore[attr-defined]


def test_lone_surrogate_escape(tmp_path: Path) -> None:
    rep, p = _one(_json(tmp_path, objet='"Travaux \\ud800 voirie \\ud83d\\ude00"', id='"A\\udc00"'))
    assert p is not None
    assert p.object == "Travaux \ufffd voirie \U0001f600" and p.id == "A\ufffd"  # type: ignore[attr-defined]
    assert rep.counts["value-invalid"] == 2 and "UTF-16" in rep.issues[0].message  # type: ignore[attr-defined]
    # Whatever the parser gives, the text can be written out (JSON, CSV, Word).
    p.object.encode("utf-8")  # type: ignore[attr-defined]
    p.id.encode("utf-8")  # type: ignore[attr-defined]


def test_lone_surrogate_in_xml_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load(_xml(tmp_path, objet="Travaux &#xD800; voirie"))
    assert err.value.code == "xml-invalid" and "XML" in str(err.value)


def test_id_of_5000_digits_rejected_on_its_record(tmp_path: Path) -> None:
    for path in (_json(tmp_path, id='"' + "1" * 5000 + '"'), _xml(tmp_path, id="1" * 5000)):
        rep, p = _one(path)
        assert p is None and _codes(rep)["id"] == "value-invalid", path.suffix
        assert "5000" in rep.issues[0].message  # type: ignore[attr-defined]


def test_nan_in_a_field_that_is_not_an_amount(tmp_path: Path) -> None:
    rep, p = _one(_json(tmp_path, titulaires="NaN", dureeMois="NaN"))
    assert p is not None and p.amount_ht == Decimal(1000) and p.duration_months is None  # type: ignore[attr-defined]
    assert rep.counts["value-invalid"] == 2  # type: ignore[attr-defined]


def test_nan_amount_is_unknown_not_zero(tmp_path: Path) -> None:
    rep, p = _one(_json(tmp_path, montant="NaN"))
    assert p is not None and p.amount_ht is None  # type: ignore[attr-defined]
    assert _codes(rep)["montant"] == "amount-missing"


def test_nan_inside_strings_untouched(tmp_path: Path) -> None:
    rep, p = _one(_json(tmp_path, objet='"NaN Infinity 12345678901234567890123456789012345678901234567890"'))
    assert p.object == "NaN Infinity 12345678901234567890123456789012345678901234567890"  # type: ignore[attr-defined]


def test_long_number_split_across_chunks(tmp_path: Path) -> None:
    # Records far enough that the number straddles the reader's 64 KiB chunks.
    recs = ",".join('{' + BUYER + f', "id": "M{i}", "montant": 1000, "objet": "{"x" * 900}"' + '}' for i in range(70))
    big = '{' + BUYER + ', "id": "BIG", "montant": ' + "7" * 200_000 + '}'
    p = tmp_path / "split.json"
    p.write_text('{"marches": [' + recs + "," + big + "," + recs.replace('"M', '"N') + "]}", encoding="utf-8")
    r = load(p, today=TODAY)
    assert r.report.read == 141 and r.report.rejected == 1 and r.report.counts["amount-invalid"] == 1


# -- 2024: both lists read in one pass ------------------------------------------


@pytest.mark.parametrize("pad", [0, 7, 19, 33, 61, 100, 127, 140])
@pytest.mark.parametrize("first", ["marche", "contrat-concession"])
def test_2024_lists_in_one_pass_across_chunk_boundaries(tmp_path: Path, pad: int, first: str) -> None:
    from spaser.io.decp import DecpStream

    other = "contrat-concession" if first == "marche" else "marche"
    rec = '{"id": "%s%d", "objet": "%s"}'
    # The first list fills about 64 KiB so the other list's key lands near the reader's chunk boundary.
    head = '{"marches": {"%s": [' % first
    items, size, i = [], len(head), 0
    while size < 65536 - 60 + pad - 140:
        items.append(rec % (first[0], i, "x" * 50))
        size += len(items[-1]) + 2
        i += 1
    body = head + ", ".join(items) + '], "%s" :\n   [ ' % other + ", ".join(rec % (other[0], k, "y") for k in range(3)) + "]}}"
    path = tmp_path / "both.json"
    path.write_text(body, encoding="utf-8")
    opened = []
    orig = DecpStream._open

    def counting(self: DecpStream) -> object:
        opened.append(1)
        return orig(self)

    DecpStream._open = counting  # type: ignore[method-assign]
    try:
        got = list(DecpStream(path))
    finally:
        DecpStream._open = orig  # type: ignore[method-assign]
    assert len(opened) == 2  # the layout probe (stops at the first list) and ONE pass over the records
    kinds = [(r["id"][0], r["_type"]) for _, r in got]
    assert len(got) == i + 3
    assert all(t == ("Contrat de concession" if c == "c" else "Marché") for c, t in kinds)
    assert [k for k, _ in got] == list(range(1, i + 4))


@pytest.mark.parametrize("text", [
    '{"marches": {"marche": [], "contrat-concession": [{"id": "C"}]}}',
    '{"marches": {"marche": [ ], "contrat-concession": [ ]}}',
    '{"marches": {"contrat-concession": [{"id": "C"}], "marche": []}}',
    '{"marche": [{"id": "M", "objet": "\\"marche\\": [ dans un texte"}]}',
])
def test_2024_lists_empty_or_quoted(tmp_path: Path, text: str) -> None:
    from spaser.io.decp import DecpStream

    path = tmp_path / "l.json"
    path.write_text(text, encoding="utf-8")
    got = [r for _, r in DecpStream(path)]
    expected = json.loads(text)
    lists = expected.get("marches", expected)
    want = [(x["id"], "Contrat de concession" if k == "contrat-concession" else "Marché") for k, v in lists.items() for x in v]
    assert sorted((r["id"], r["_type"]) for r in got) == sorted(want)
    if "dans un texte" in text:
        assert got[0]["objet"] == '"marche": [ dans un texte'


@pytest.mark.parametrize("items", ["null", "1", '"texte"', "[]", "true"])
def test_2024_list_items_that_are_not_objects(tmp_path: Path, items: str) -> None:
    path = tmp_path / "odd.json"
    path.write_text('{"marches": {"marche": [' + items + ', {' + BUYER + ', "id": "M"}], "contrat-concession": [' + items + "]}}",
                    encoding="utf-8")
    r = load(path, today=TODAY)
    r.report.check()
    assert r.report.read == 3 and r.report.rejected == 2 and r.report.counts["record-invalid"] == 2


# -- the guard rewrites nothing in a clean file, whatever the chunk boundaries ------------

_TRICKY = st.sampled_from(['"marche": [', "NaN", "Infinity", "\\", '"', "1" * 45, "\\u00e9", "é", "contrat-concession", "[{", "}]"])
_TEXT = st.lists(st.one_of(_TRICKY, st.text(max_size=8)), max_size=6).map("".join)
_VALUE = st.one_of(_TEXT, st.integers(-10**12, 10**12), st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-10**9), st.none(), st.booleans())
_RECORD = st.dictionaries(st.sampled_from(["id", "objet", "montant", "nature", "x", "marche", "contrat-concession"]), _VALUE, max_size=5)


def _read_in_chunks(text: str, chunk: int) -> list:
    """The records DecpStream reads from ``text`` when the file comes ``chunk`` bytes at a time (a
    hypothesis test cannot take the function-scoped monkeypatch)."""
    import tempfile

    import spaser.io.decp as decp

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "c.json"
        path.write_text(text, encoding="utf-8")
        old = decp._CHUNK
        decp._CHUNK = chunk
        try:
            return [r for _, r in decp.DecpStream(path)]
        finally:
            decp._CHUNK = old


@settings(max_examples=150, deadline=None)
@given(st.lists(_RECORD, max_size=6), st.lists(_RECORD, max_size=4), st.sampled_from([1, 3, 7, 64, 200]), st.booleans())
def test_guard_is_transparent_on_clean_json(marches: list, concessions: list, chunk: int, indent: bool) -> None:
    doc = {"marches": {"marche": marches, "contrat-concession": concessions}}
    text = json.dumps(doc, ensure_ascii=indent, indent=2 if indent else None, default=str)
    got = _read_in_chunks(text, chunk)
    expected = json.loads(text, parse_float=Decimal)["marches"]
    want = [dict(r, _type="Marché") if "_type" not in r else r for r in expected["marche"]]
    want += [dict(r, _type="Contrat de concession") if "_type" not in r else r for r in expected["contrat-concession"]]
    assert got == want


_DIRTY = st.sampled_from(["NaN", "-Infinity", "Infinity", "1" * 41, "-" + "9" * 60, "1." + "5" * 50, "12", "1E999999999", "0.5",
                          '"NaN"', '"x\\\\"', '"\\"NaN\\""', '"' + "7" * 60 + '"', "null", "[NaN, 1]", '{"a": Infinity}'])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["montant", "id", "objet", "dureeMois"]), _DIRTY), max_size=4), max_size=5),
       st.sampled_from([1, 2, 5, 13, 64, 65536]))
def test_guard_markers_match_a_reference_parser(records: list, chunk: int) -> None:
    import spaser.io.decp as decp

    text = '{"marches": [' + ", ".join("{" + ", ".join(f'"{k}": {v}' for k, v in rec) + "}" for rec in records) + "]}"

    def number(s: str, make: object) -> object:
        return f"\x00L{len(s)}" if len(s) > decp.MAX_NUMBER_CHARS else make(s)  # type: ignore[operator]

    expected = json.loads(text, parse_int=lambda s: number(s, int), parse_float=lambda s: number(s, Decimal),
                          parse_constant=lambda c: "\x00NaN")["marches"]
    got = _read_in_chunks(text, chunk)
    assert got == expected


def test_scan_reads_the_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The layout probe stops at the first list; the records are parsed in one pass, both 2024 lists included."""
    from spaser.io.decp import DecpStream
    from spaser.scan import scan_decp

    rec = '{%s, "id": "%s", "montant": 1200, "dureeMois": 12, "dateNotification": "2024-01-15", "codeCPV": "90910000-9"}'
    conc = '{"autoriteConcedante": {"id": "13001898900017"}, "id": "C1", "valeurGlobale": 5, "dateSignature": "2024-01-15"}'
    path = tmp_path / "scan.json"
    path.write_text('{"marches": {"marche": [' + ", ".join(rec % (BUYER, f"M{i}") for i in range(50)) + '], "contrat-concession": ['
                    + conc + "]}}", encoding="utf-8")
    reads: list[int] = []
    orig = DecpStream._open

    def counting(self: DecpStream) -> object:
        reads.append(1)
        return orig(self)

    monkeypatch.setattr(DecpStream, "_open", counting)
    r = scan_decp(path, today=TODAY)
    assert len(reads) == 2  # the probe, then one pass
    (b,) = r.buyers
    assert r.year == 2024 and b.contracts == 51 and b.concessions == 1 and b.estimate == Decimal(50 * 1200)


@pytest.mark.parametrize("field, value, code", [
    ("montant", "1" + "0" * 4300, "amount-invalid"),
    ("montant", "1e1000000", "amount-invalid"),
    ("montant", "1E+1000000", "amount-invalid"),
    ("dureeMois", "1E999999999", "duration-invalid"),
    ("dureeMois", "9" * 5000, "duration-invalid"),
])
def test_xml_numbers_bounded(tmp_path: Path, field: str, value: str, code: str) -> None:
    rep, p = _one(_xml(tmp_path, **{field: value}))
    assert _codes(rep)[field] == code
    _french(rep)
