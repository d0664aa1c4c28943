"""``spaser inspect`` and ``spaser template`` from the command line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from spaser.cli import main

EXAMPLES = Path(__file__).parents[1] / "examples"


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "achats.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_inspect_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _csv(tmp_path, "Identifiant;Code CPV;Montant HT;Date de notification\nA;90910000;1 000,50;01/02/2024\nB;45233140;NC;01/02/2024\n")
    assert main(["inspect", str(p), "--buyer-name", "Ville de Test", "--buyer-kind", "commune"]) == 0
    out = capsys.readouterr().out
    assert "Acheteur : Ville de Test" in out and "Commune" in out
    assert "Services de nettoyage" not in out  # division label, not the code label
    assert "90 Services d'évacuation" in out
    assert "1\u202f000,50\xa0€" in out
    assert "2 enregistrements lus : 1 accepté" in out
    assert "ligne 3" in out and "Montant illisible" in out


def test_inspect_json_same_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _csv(tmp_path, "Identifiant;Montant HT;Date de notification;Dépense 2024\nA;1000,50;01/02/2024;10\nB;-1;01/02/2025;\n")
    assert main(["inspect", str(p), "--json", "--strict"]) == 6
    data = json.loads(capsys.readouterr().out)
    assert data["total_ht"] == "1000.50" and data["purchases"] == 1
    assert data["by_year"] == [{"year": 2024, "purchases": 1, "total_ht": "1000.50"}]
    assert data["spend_by_year"] == {"2024": "10"}
    assert data["report"]["rejected"] == 1
    assert data["report"]["issues"][0]["code"] == "amount-negative"
    assert Decimal(data["total_ht"])  # strings, not floats


def test_inspect_several_buyers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _csv(tmp_path, "Acheteur;SIRET acheteur;Montant HT\nVille A;21350238800019;100\nDépartement B;22350001800013;500\n")
    assert main(["inspect", str(p)]) == 0
    out = capsys.readouterr().out
    assert "2 acheteurs" in out and out.index("Département B") < out.index("Ville A")
    assert main(["inspect", str(p), "--buyer", "21350238800019"]) == 0
    assert "Acheteur retenu : Ville A" in capsys.readouterr().out


def test_inspect_caps_the_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _csv(tmp_path, "Identifiant;Montant HT\n" + "".join(f"R{i};NC\n" for i in range(50)))
    assert main(["inspect", str(p)]) == 0
    out = capsys.readouterr().out
    assert "... et 20 autres problèmes" in out


def test_inspect_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "/nonexistent/achats.xlsx"]) == 3
    err = capsys.readouterr().err
    assert "introuvable" in err and "Traceback" not in err


def test_template_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "modele.xlsx"
    assert main(["template", "--out", str(out)]) == 0
    assert out.exists() and "Modèle écrit" in capsys.readouterr().out
    assert main(["template", "--out", str(out)]) == 4
    assert "--force" in capsys.readouterr().err
    assert main(["template", "--out", str(out), "--force"]) == 0


@pytest.mark.skipif(not (EXAMPLES / "metropole.xlsx").exists(), reason="examples/ not generated (scripts/make_examples.py)")
def test_examples_read_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(EXAMPLES / "metropole.xlsx"), "--json", "--strict"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["buyers"][0]["kind"] == "epci" and data["report"]["rejected"] == 0
    assert all(Decimal(v) > 50_000_000 for y, v in data["spend_by_year"].items() if y != "2026")
    assert main(["inspect", str(EXAMPLES / "petite_commune.csv"), "--json", "--strict"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["buyers"][0]["kind"] == "commune" and 60 <= data["purchases"] <= 100


def test_check_json_spend_lines_are_opt_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    p = _csv(tmp_path, "Identifiant;Montant HT;Date de notification;Dépense 2024\nA;1000,50;01/02/2024;10\nB;2000;01/03/2024;20\n")
    assert main(["check", str(p), "--json", "--year", "2024"]) == 0
    spend = json.loads(capsys.readouterr().out)["diagnosis"]["obligation"]["spend"]
    assert "lines" not in spend and spend["total"] == "30"
    assert main(["check", str(p), "--json", "--year", "2024", "--lignes-depense"]) == 0
    lines = json.loads(capsys.readouterr().out)["diagnosis"]["obligation"]["spend"]["lines"]
    assert len(lines) == 2


def test_check_of_a_file_whose_every_row_is_rejected_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _csv(tmp_path, "Identifiant;Montant HT\nA;abc\nB;-5\n")
    assert main(["check", str(p)]) == 3
    err = capsys.readouterr().err
    assert "2 rejetés" in err and "amount-invalid" in err and "ligne 2" in err and "Montant illisible" in err


def test_command_line_texts_have_no_plural_placeholders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What a person reads agrees with its numbers: « 1 accepté », « 2 enregistrements », never « (s) »."""
    p = _csv(tmp_path, "Identifiant;Montant HT;Date de notification\nA;1 000,50;01/02/2024\nB;NC;01/02/2024\n")
    main(["check", str(p), "--buyer-name", "Ville de Test", "--buyer-kind", "commune"])
    out = capsys.readouterr().out
    assert "(s)" not in out
    assert "2 enregistrements lus : 1 accepté, 1 rejeté" in out
