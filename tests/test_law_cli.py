"""``spaser law`` and ``spaser check`` end to end (French output, JSON, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spaser.cli import main

CSV = """Identifiant;Objet;Code CPV;Montant HT;Date de notification;Date de lancement de la consultation;Durée (mois);Considérations sociales;Considérations environnementales;Type de contrat
M1;Nettoyage des locaux;90910000;300 000;01/10/2026;01/09/2026;24;Pas de considération sociale;Clause environnementale;Marché
M2;Construction école;45214200;60 000 000;01/03/2025;;36;Clause sociale;Clause environnementale;Marché
M3;Délégation eau;65100000;20 000 000;01/01/2025;;120;;;Contrat de concession
"""


def test_law_lists_parameters_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["law", "--date", "21/08/2026", "--prefix", "climat"]) == 0
    out = capsys.readouterr().out
    assert "au 21/08/2026" in out and "climat.obligations_par_marche" in out and "Décret n° 2022-767" in out
    assert main(["law", "--date", "2026-08-20", "--prefix", "climat"]) == 0
    assert "Aucun paramètre" in capsys.readouterr().out


def test_law_json_and_to_confirm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["law", "--date", "2016-01-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    seuil = next(p for p in data["parameters"] if p["name"] == "spaser.seuil")
    assert seuil["value"] == "100000000" and seuil["to_confirm"] is False  # confirmed by the legal review
    assert any(p["to_confirm"] for p in data["parameters"])
    assert main(["law", "--date", "2016-01-01"]) == 0
    assert "[à confirmer]" in capsys.readouterr().out


def test_law_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["law", "--date", "31/02/2026"]) != 0
    assert "illisible" in capsys.readouterr().err


def test_check_report_order_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "achats.csv"
    f.write_text(CSV, encoding="utf-8")
    rc = main(["check", str(f), "--buyer-name", "Ville de Test", "--buyer-kind", "commune", "--date", "2026-11-22"])
    out = capsys.readouterr().out
    assert rc == 0
    i1, i2, i3 = out.index("1. OBLIGATION"), out.index("2. OBJECTIFS"), out.index("3. CONFORMITÉ")
    assert i1 < i2 < i3
    assert "NON OBLIGÉ" in out and "L2111-3" in out and "ESTIMATION" in out
    assert "Exclu : M3" in out and "L2112-2-1" in out and "[manquant] M1" in out
    rc = main(["check", str(f), "--buyer-kind", "commune", "--date", "2026-11-22", "--year", "2025", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["diagnosis"]["year"] == 2025
    assert data["diagnosis"]["obligation"]["spend"]["exclusions"][0]["purchase_id"] == "M3"
    assert data["import"]["accepted"] == 3


def test_check_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc = main(["check", str(tmp_path / "absent.csv")])
    assert rc == 3 and "absent.csv" in capsys.readouterr().err


def test_check_joint_lists_every_buyer_of_a_decp_file(capsys):
    from pathlib import Path

    from spaser.cli import main

    path = Path(__file__).parent / "fixtures" / "decp" / "e-marchespublics.json"
    assert main(["check", str(path), "--joint", "--year", "2019", "--date", "2026-11-22", "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    members = out["joint"]["members"]
    assert len(members) == len({m["buyer"]["siret"] for m in members}) > 1
    assert out["joint"]["allowed"] is True
    assert all(m["obligation"]["status"] in ("obligé", "non obligé", "indéterminé") for m in members)
    # Before 25/10/2023 a joint scheme was not provided for: said, not hidden.
    assert main(["check", str(path), "--joint", "--year", "2019", "--date", "2023-10-24", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["joint"]["allowed"] is False
