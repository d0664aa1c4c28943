"""Every workbook format a buyer's software exports is read: .xlsx, .xlsm, .xls, .ods, each labelled with its format."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from spaser.io import load
from tests.ods import row, write_ods

_ROWS = [["Identifiant", "Objet", "Montant HT", "Date de notification"], ["A1", "Nettoyage", 1234.5, "15/01/2024"],
         ["A2", "Voirie", 2000, "16/01/2024"]]


def _check(path: Path, label: str) -> None:
    r = load(path)
    assert r.report.formats == [label]
    assert [(p.id, p.amount_ht) for p in r.portfolio.purchases] == [("A1", Decimal("1234.5")), ("A2", Decimal("2000"))]
    assert r.report.read == 2 and r.report.rejected == 0


def test_xlsx_and_xlsm(tmp_path: Path) -> None:
    from openpyxl import Workbook

    for name, label in (("a.xlsx", "xlsx"), ("a.xlsm", "xlsm")):
        wb = Workbook()
        for row in _ROWS:
            wb.active.append(row)
        wb.save(tmp_path / name)
        _check(tmp_path / name, label)


def test_xls(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt", reason="xlwt (écriture de .xls pour le test) n'est pas installé")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Achats")
    for i, row in enumerate(_ROWS):
        for j, v in enumerate(row):
            ws.write(i, j, v)
    wb.save(str(tmp_path / "a.xls"))
    _check(tmp_path / "a.xls", "xls")


def test_ods(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "a.ods", "".join(map(row, _ROWS)))
    _check(path, "ods")


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ";"), ("utf-8-sig", ","), ("utf-16", "\t"), ("cp1252", "|")])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "a.csv"
    text = "\n".join(delimiter.join(str(c) for c in row) for row in [_ROWS[0], ["A1", "Nettoyage é", "\"1234,5\"", "15/01/2024"],
                                                                       ["A2", "Voirie", "2000", "16/01/2024"]])
    path.write_bytes(text.encode(encoding))
    r = load(path)
    assert [(p.id, p.amount_ht) for p in r.portfolio.purchases] == [("A1", Decimal("1234.5")), ("A2", Decimal("2000"))]
    assert r.portfolio.purchases[0].object == "Nettoyage é"
