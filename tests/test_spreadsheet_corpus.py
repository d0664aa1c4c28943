"""The bad-input corpus for spreadsheets: every file gives its documented outcome.

Files and manifest: tests/corpus/spreadsheets/ (rebuilt by make_corpus.py).
"""

from __future__ import annotations

import json
import signal
import zipfile
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser._errors import InputError
from spaser.cli import main
from spaser.io import load

CORPUS = Path(__file__).parent / "corpus" / "spreadsheets"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
TODAY = date(2026, 1, 1)


@contextmanager
def time_guard(seconds: int = 30):  # type: ignore[no-untyped-def]
    """Fail (instead of hanging) if a case runs away; not a speed assertion."""

    def boom(signum, frame):  # type: ignore[no-untyped-def]
        raise TimeoutError(f"plus de {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("case", MANIFEST, ids=[c["file"] for c in MANIFEST])
def test_corpus_case(case: dict) -> None:  # type: ignore[type-arg]
    path = CORPUS / case["file"]
    with time_guard():
        if case["expect"] == "error":
            with pytest.raises(InputError) as exc:
                load(path, today=TODAY)
            assert exc.value.code == case["code"]
            assert case["message"] in str(exc.value)
            assert case["file"] in str(exc.value)  # the message names the file
            return
        result = load(path, today=TODAY)
    rep = result.report
    rep.check()
    for code in case["issues"]:
        assert rep.counts[code] >= 1, (code, rep.counts)
    for key in ("read", "accepted", "rejected"):
        if key in case:
            assert getattr(rep, key) == case[key], (key, rep.summary_fr())
    purchases = {p.id: p for pf in result.portfolios for p in pf.purchases}
    if "total" in case:
        assert sum(p.amount_ht for pf in result.portfolios for p in pf.purchases) == Decimal(case["total"])
    for pid, amount in case.get("amounts", {}).items():
        assert purchases[pid].amount_ht == Decimal(amount), pid
    for pid, text in case.get("objects", {}).items():
        assert purchases[pid].object == text
    if case["file"] == "merged_title_rows.xlsx":  # the merged object applies to each lot
        assert {p.object for pf in result.portfolios for p in pf.purchases} == {"Construction de l'école"}


@pytest.mark.parametrize("name", ["zip_bomb.xlsx", "encrypted.xlsx", "unbalanced_quotes.csv", "missing_amount.xlsx", "pdf_renamed.xlsx"])
def test_cli_refuses_bad_files_in_french(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with time_guard():
        code = main(["inspect", str(CORPUS / name)])
    err = capsys.readouterr().err
    assert code == 3
    assert "Traceback" not in err
    assert err.startswith("spaser : fichier « ")


def test_cli_strict_exit_code_when_rows_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(CORPUS / "amounts.csv")]) == 0
    assert main(["inspect", "--strict", str(CORPUS / "amounts.csv")]) == 6
    out = capsys.readouterr().out
    assert "rejeté" in out and "Traceback" not in out


def _million_empty_rows(path: Path) -> None:
    """A sheet with 3 data rows then a million formatted but empty rows (as Excel leaves after a clear)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Identifiant", "Montant HT"])
    for i in range(3):
        ws.append([f"R{i}", 100 + i])
    tmp = path.with_suffix(".base.xlsx")
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = "".join(f'<row r="{i}" s="1" customFormat="1"/>' for i in range(5, 1_000_005)).encode()
                data = data.replace(b"</sheetData>", rows + b"</sheetData>")
            out.writestr(info, data)


def test_million_formatted_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "vide.xlsx"
    _million_empty_rows(path)
    with time_guard(60):
        result = load(path)
    assert result.report.read == 3
    assert result.portfolio.total_ht == Decimal(303)
