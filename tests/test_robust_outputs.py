"""Nothing a model-valid value can do crashes what spaser writes: the Word documents (reopened with
python-docx), the workbooks and the CSV (reopened: no cell is a formula), the command line on a file of
hostile values.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from spaser import Buyer, BuyerKind, Portfolio, Purchase, Supplier, write_indicators_csv, write_indicators_xlsx, write_portfolio, write_workbook
from spaser.cli import main
from spaser.documents import annual_report_bytes, deliberation_bytes, draft_bytes
from spaser.model import DURATION_MAX_MONTHS
from tests.test_robust_api import AT, BUYERS, HOSTILE, LIMIT, PURCHASES

EXAMPLES = int(os.environ.get("SPASER_ROBUST_EXAMPLES", "10"))
_FORMULA = ("=", "+", "-", "@")


def _docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    cells = (c.text for t in d.tables for r in t.rows for c in r.cells)
    heads = (p.text for s in d.sections for p in s.header.paragraphs)
    return "\n".join([*(p.text for p in d.paragraphs), *cells, *heads])


def _no_formula(path: Path) -> list[str]:
    """Every text cell of the workbook, after checking that none is a formula a spreadsheet would run."""
    texts = []
    for ws in openpyxl.load_workbook(path):
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not c.value.startswith(_FORMULA), (path.name, ws.title, c.coordinate, c.value)
                    texts.append(c.value)
    return texts


def _unique(purchases: list[Purchase]) -> tuple[Purchase, ...]:
    return tuple(p.model_copy(update={"id": f"{i}-{p.id}"}) for i, p in enumerate(purchases))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(purchases=st.lists(PURCHASES, min_size=0, max_size=3), buyer=BUYERS, at=AT)
def test_any_portfolio_the_model_accepts_is_written(tmp_path: Path, purchases: list[Purchase], buyer: Buyer, at: date) -> None:
    portfolio = Portfolio(buyer=buyer, purchases=_unique(purchases))
    for data in (draft_bytes(portfolio, at=at), deliberation_bytes(portfolio, at=at), annual_report_bytes(portfolio, year=at.year, at=at)):
        assert _docx_text(data)
    for write in (write_workbook, write_indicators_xlsx):
        _no_formula(write(portfolio, tmp_path / "out.xlsx", at=at, force=True))
    _no_formula(write_portfolio(portfolio, tmp_path / "achats.xlsx", force=True))
    rows = list(csv.reader(write_indicators_csv(portfolio, tmp_path / "out.csv", at=at, force=True).read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert all(not cell.startswith(_FORMULA) or _number(cell) for row in rows for cell in row)


def _number(cell: str) -> bool:
    """A negative figure (« -0.01 ») is a number to a spreadsheet, not a formula."""
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True


def _hostile_portfolio() -> Portfolio:
    def p(i: int, text: str, **kw: object) -> Purchase:
        return Purchase(id=f"A{i}", object=text, cpv="90910000", amount_ht=Decimal(120000 + i), notification_date=date(2025, 3, 1),
                        duration_months=12, lot=text[:100] or None, location=text[:50] or None, suppliers=(Supplier(name=text),), **kw)

    purchases = [p(i, t) for i, t in enumerate(HOSTILE)]
    purchases.append(Purchase(id="MAX", object="Travaux de voirie", cpv="45000000", amount_ht=LIMIT, notification_date=date(2025, 2, 28),
                              duration_months=DURATION_MAX_MONTHS, insertion_hours_planned=LIMIT))
    return Portfolio(buyer=Buyer(name='=HYPERLINK("http://x") {{ 7*7 }}', kind=BuyerKind.COMMUNE), purchases=tuple(purchases))


def test_template_and_formula_syntax_in_the_data_is_written_as_text(tmp_path: Path) -> None:
    portfolio, at = _hostile_portfolio(), date(2026, 9, 1)
    for data in (draft_bytes(portfolio, at=at), deliberation_bytes(portfolio, at=at), annual_report_bytes(portfolio, year=2025, at=at)):
        text = _docx_text(data)
        assert '=HYPERLINK("http://x") {{ 7*7 }}' in text and "49" not in text.replace("2049", "")
    texts = _no_formula(write_workbook(portfolio, tmp_path / "analyse.xlsx", at=at))
    assert "'=cmd|' /C calc'!A0" in texts and "{{ 7*7 }} {% if x %}{# c #}" in texts


def test_the_command_line_reads_and_writes_a_file_of_hostile_values(tmp_path: Path) -> None:
    source = str(write_portfolio(_hostile_portfolio(), tmp_path / "achats.xlsx"))
    dated = ["--date", "2026-09-01"]
    commands = [
        ["inspect", source], ["check", source, *dated], ["check", source, "--json", "--joint", *dated], ["suppliers", source],
        ["suggest", source, *dated, "--xlsx", str(tmp_path / "conseils.xlsx")], ["suggest", source, "--id", "A7", *dated],
        ["draft", source, *dated, "--out", str(tmp_path / "spaser.docx")], ["deliberation", source, *dated, "--out", str(tmp_path / "d.docx")],
        ["report", source, "--year", "2025", *dated, "--out", str(tmp_path / "bilan.docx"), "--csv", str(tmp_path / "i.csv"),
         "--xlsx", str(tmp_path / "i.xlsx")],
        ["export", source, *dated, "--out", str(tmp_path / "analyse.xlsx")],
    ]
    for args in commands:
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(args)
        assert code == 0, (args, err.getvalue()[-2000:])
    for name in ("conseils.xlsx", "i.xlsx", "analyse.xlsx"):
        _no_formula(tmp_path / name)
    for name in ("spaser.docx", "d.docx", "bilan.docx"):
        assert _docx_text((tmp_path / name).read_bytes())


@pytest.mark.parametrize("args", [["check", "{src}", "--year", "0"], ["report", "{src}", "--year", "99999"], ["suggest", "--cpv", "90910000",
                                  "--amount", "1e25"], ["suggest", "--cpv", "90910000", "--amount", "1000", "--duration", "1" * 40]])
def test_command_line_values_out_of_range_are_told_in_french(tmp_path: Path, args: list[str]) -> None:
    source = str(write_portfolio(_hostile_portfolio(), tmp_path / "achats.xlsx"))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err), contextlib.suppress(SystemExit):
        code = main([a.replace("{src}", source) for a in args])
    assert "Traceback" not in err.getvalue() and "erreur interne" not in err.getvalue(), err.getvalue()
    assert err.getvalue().strip()


@pytest.mark.parametrize(("hours", "at"), [(Decimal("-0.01"), date(2000, 1, 14)), (Decimal(10), date(9999, 1, 14)), (LIMIT, date(2026, 9, 1))])
def test_the_hours_objective_from_a_diagnosis_centuries_before_the_scheme_is_written(hours: Decimal, at: date) -> None:
    """Before: the proposal grew the year-1 hours by its yearly step up to the scheme's years, a number of
    80 digits that rounding to the hour refused (decimal.InvalidOperation in the draft)."""
    p = Purchase(id="X", notification_date=date(1, 1, 1) if at.year < 9999 else date(1, 6, 1), insertion_hours_achieved=hours)
    assert "heures" in _docx_text(draft_bytes(Portfolio(buyer=Buyer(name="Ville"), purchases=(p,)), at=at)).lower()


@pytest.mark.parametrize(("toml", "says"), [
    ('[objectifs.social_nombre]\n"²" = 1', "l'année doit être"),  # before: ValueError from int()
    ('[objectifs.social_nombre]\n"' + "1" * 5000 + '" = 1', "l'année doit être"),  # before: ValueError, over 4 300 digits
    ("[objectifs.heures_insertion]\n2026 = 1e30", "hors de toute mesure"),  # before: accepted, then InvalidOperation in the draft
    ("[objectifs.heures_insertion]\n2026 = inf", "hors de toute mesure"),
])
def test_a_configuration_file_out_of_range_is_told_in_french(toml: str, says: str) -> None:
    from spaser import InputError
    from spaser.documents.config import parse_config

    with pytest.raises(InputError, match=says):
        parse_config(toml, file="spaser.toml")


@pytest.mark.parametrize("config", [
    {"start": 1, "end": 9999},  # before: a draft with an objectives' line per year, for ever
    {"start": 2030, "end": 2026},
    {"targets": {"heures_insertion": {2026: Decimal("1E+30")}}},  # before: InvalidOperation in the draft
    {"targets": {"social_nombre": {1: Decimal(1)}}},
    {"targets": {"social_valeur": {2026: Decimal(30)}}},  # a ratio, not a percentage
    {"targets": {"inconnu": {2026: Decimal(1)}}},
])
def test_a_document_configuration_built_by_a_script_is_held_to_the_files_rules(config: dict) -> None:  # type: ignore[type-arg]
    from spaser import UsageError
    from spaser.documents import DocumentConfig

    with pytest.raises(UsageError, match="Configuration"):
        DocumentConfig(**config)


@pytest.mark.parametrize("name", ["", "   ", "\x08", "\x00\x01"])
def test_a_buyer_without_a_name_is_named_as_left_to_fill_in(name: str) -> None:
    """Before: IndexError in the deliberation (its head paragraph had no run to make bold)."""
    portfolio = Portfolio(buyer=Buyer(name=name), purchases=_hostile_portfolio().purchases[:1])
    for data in (deliberation_bytes(portfolio, at=date(2026, 9, 1)), draft_bytes(portfolio, at=date(2026, 9, 1))):
        assert "Acheteur [à compléter]" in _docx_text(data)
