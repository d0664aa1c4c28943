"""Tiny hostile files: each gives a typed French error on its row or its file, never a crash, a hang or an exhausted process.

(Found by a security review; the DECP JSON and XML cases are in tests/test_decp_hostile.py.)
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from spaser.io import load
from tests.ods import cell, row, write_ods

ROOT = Path(__file__).resolve().parents[1]
_MEMORY = 3 << 30  # address space for the child: a file that made the reader allocate more would kill it


def _spaser(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line in a child process with bounded memory and time (a crash stays in the child)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (_MEMORY, _MEMORY))

    return subprocess.run([sys.executable, "-m", "spaser", *args], capture_output=True, text=True, timeout=120,
                          preexec_fn=limit if sys.platform.startswith("linux") else None,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def _far_cell_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["A2"], ws["B2"] = "Objet", "Montant HT", "x", 5
    ws["XFD1048576"] = "loin"
    wb.save(path)
    return path


def _repeated_rows_ods(path: Path) -> Path:
    far = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16000"/>'
           '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16000"/>' + cell(5) + "</table:table-row>")
    return write_ods(path, row(["Montant HT"]) + far)


@pytest.mark.parametrize("make", [_far_cell_xlsx, _repeated_rows_ods], ids=["xlsx-XFD1048576", "ods-repeated"])
def test_a_sheet_spanning_the_whole_grid_is_refused_before_it_is_loaded(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path / ("f.ods" if make is _repeated_rows_ods else "f.xlsx"))
    r = _spaser("inspect", str(path))
    assert r.returncode == 3, r.stderr[-2000:]  # a refused file, not a crash (-6) nor a kill (-9)
    assert "cellules" in r.stderr and "découpez le classeur" in r.stderr


def _csv(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "achats.csv"
    p.write_text("Identifiant;Objet;Code CPV;Montant HT;Durée (mois);SIRET titulaire\n" + body, encoding="utf-8")
    return p


@pytest.mark.parametrize(("cells", "code"), [
    ("X;o;;1e1000000;;", "amount-invalid"),
    ("X;o;;²;;", "amount-invalid"),
    ("X;o;;١٢٣;;", "amount-invalid"),  # Arabic-Indic digits are not read as 123
    ("X;o;;1.2.3,4;;", "amount-invalid"),  # not silently 123.4
    ("X;o;;1E999999999;;", "amount-invalid"),
    ("X;o;;10;1E999999999;", "duration-invalid"),
    ("X;o;;10;²;", "duration-invalid"),
    ("X;o;90910000-9-9;10;;", "cpv-malformed"),
    ("X;o;٩٠٩١٠٠٠٠;10;;", "cpv-malformed"),
    ("X;o;;10;;" + "1" * 5000, "siret-invalid"),
    ("1" * 5000 + ";o;;10;;", "value-invalid"),
])
def test_a_hostile_cell_is_reported_on_its_row_and_the_rest_is_read(tmp_path: Path, cells: str, code: str) -> None:
    r = load(_csv(tmp_path, "A;bon;90910000;1 000,50;12;\n" + cells + "\nB;bon;45233140;2 000;24;\n"))
    assert r.report.read == 3 and r.report.counts[code] == 1
    ids = [p.id for p in r.portfolio.purchases]
    assert ids[0] == "A" and ids[-1] == "B"
    issue = next(i for i in r.report.issues if i.code.value == code)
    assert issue.row == 3 and issue.message  # located, in French


def test_hostile_cells_through_the_command_line(tmp_path: Path) -> None:
    p = _csv(tmp_path, "A;bon;90910000;1e1000000;1E999999999;\n")
    r = _spaser("check", str(p), "--json")
    assert r.returncode in (0, 1, 2, 3, 4, 5) and r.returncode >= 0  # an answer, never a signal
    assert "Traceback" not in r.stderr
