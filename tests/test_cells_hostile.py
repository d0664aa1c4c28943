"""The shared value converters (spaser.io.cells, used by the spreadsheet and DECP readers):
any input gives a value or a typed CellProblem, never a crash, a hang or a silent reinterpretation."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings, strategies as st

from spaser.io import cells as cv
from spaser.io import load
from spaser.io.cells import CellProblem
from spaser.io.report import IssueCode

ANY = st.one_of(
    st.text(max_size=80),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.builds(lambda m, e: Decimal(f"{m}E{e}"), st.integers(-10**6, 10**6), st.integers(-10**9, 10**9)),
)


@settings(max_examples=400, deadline=None)
@given(ANY)
def test_every_converter_answers_or_raises_a_typed_problem(v: object) -> None:
    for conv in (cv.number, cv.duration, cv.a_date, cv.cpv, cv.siret, cv.text):
        try:
            out = conv(v)
        except CellProblem as p:
            assert isinstance(p.code, IssueCode)
            continue
        if conv is cv.number:
            assert isinstance(out, Decimal) and out.is_finite() and abs(out) < Decimal(10) ** 21
        elif conv is cv.duration:
            assert isinstance(out, int) and 0 <= out <= cv.DURATION_MAX_MONTHS
        elif conv is cv.a_date:
            assert isinstance(out, date)
        elif conv is cv.cpv:
            assert isinstance(out, str) and len(out) == 8 and out.isascii() and out.isdigit()
        else:
            assert isinstance(out, str)
            out.encode("utf-8")  # always writable


@settings(deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=12))
def test_only_ascii_digits_are_digits(s: str) -> None:
    if s.isascii():
        return
    for conv in (cv.number, cv.duration, cv.siret, cv.cpv):
        try:
            out = conv(s)
        except CellProblem:
            continue
        raise AssertionError(f"{conv.__name__}({s!r}) = {out!r}")


@settings(deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 99))
def test_amounts_written_both_ways_agree(units: int, cents: int) -> None:
    fr = f"{units:,}".replace(",", ".") + f",{cents:02d}"
    en = f"{units:,}" + f".{cents:02d}"
    expected = Decimal(f"{units}.{cents:02d}")
    assert cv.number(fr) == cv.number(en) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["NaN", "-Infinity", "1" * 50, "12", "1E999999999", '"\\ud800"', '"\\u00e9"', '"NaN"', "null", "1e1000000"]),
                min_size=1, max_size=6))
def test_hostile_json_values_never_crash_the_reader(tmp_path_factory: object, values: list[str]) -> None:
    fields = ["montant", "dureeMois", "id", "objet", "codeCPV", "dateNotification"]
    body = ", ".join(f'"{f}": {v}' for f, v in zip(fields, values))
    path = Path(tmp_path_factory.mktemp("h")) / "h.json"  # type: ignore[attr-defined]
    path.write_text('{"marches": [{"acheteur": {"id": "13001898900017"}, ' + body + "}]}", encoding="utf-8")
    r = load(path, today=date(2025, 1, 1))
    r.report.check()
    assert r.report.read == 1
    json.dumps([i.to_dict() for i in r.report.issues], ensure_ascii=False).encode("utf-8")
