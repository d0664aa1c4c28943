"""An import tells how far it is (``load(..., progress=...)``), for a progress bar; the report is the same."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import pytest

from spaser.cli import _progress
from spaser.io import load
from spaser.io import report as report_module

ROOT = Path(__file__).resolve().parents[1]


def _decp(tmp: Path, n: int) -> Path:
    records = [{"id": f"M{i}", "acheteur": {"id": "21690123100011"}, "nature": "Marché", "objet": "Nettoyage",
                "codeCPV": "90910000-9", "procedure": "Procédure adaptée", "montant": 1000 + i,
                "dateNotification": "2024-03-01", "dureeMois": 12, "titulaires": []} for i in range(n)]
    path = tmp / "decp.json"
    path.write_text(json.dumps({"marches": records}), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["petite_commune.csv", "metropole.xlsx", "decp"])
def test_progress_is_told_the_records_read_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path = _decp(tmp_path, 7) if name == "decp" else ROOT / "examples" / name
    plain = load(path)
    monkeypatch.setattr(report_module, "PROGRESS_EVERY", 3)
    told: list[int] = []
    result = load(path, progress=told.append)
    assert result.report.to_dict() == plain.report.to_dict() and result.portfolios == plain.portfolios
    assert told and told == sorted(told) and all(b - a >= 3 for a, b in zip(told, told[1:]))
    assert told[-1] <= result.report.read
    # The callback was this call's: the result keeps none (it can be pickled, as the web worker sends it).
    assert result.report.progress is None
    assert pickle.loads(pickle.dumps(load(path, progress=lambda n: None))).report.to_dict() == plain.report.to_dict()


def test_progress_bar_shows_the_detail_of_its_step() -> None:
    bar = _progress.Bar(2, stream=io.StringIO())
    bar.label, bar.detail = "Import du fichier", "40\u202f000 enregistrements lus"
    assert "étape 1/2 : Import du fichier (40\u202f000 enregistrements lus)" in bar.line()
