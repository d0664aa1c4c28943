"""The law after the legal review of 2026-12-05 (issue 17): each correction on the day before and the day of its switch."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser.cli import main
from spaser.documents.builders import contract_rules
from spaser.law import check, params
from spaser.law.report import render_text
from spaser.model import Buyer, BuyerKind, Portfolio, Purchase
from spaser.web.data import diagnosis_view

SIRET = "21750001630066"


def _decp_contract(uid: str, notified: str, amount: int, *, social: str, env: str) -> dict:
    return {
        "id": uid,
        "acheteur": {"id": SIRET},
        "nature": "Marché",
        "objet": f"Prestations {uid}",
        "codeCPV": "90910000-9",
        "procedure": "Appel d'offres ouvert",
        "lieuExecution": {"code": "75000", "typeCode": "Code postal"},
        "dureeMois": 12,
        "dateNotification": notified,
        "montant": amount,
        "formePrix": "Forfaitaire",
        "titulaires": [{"titulaire": {"id": "55204599900869", "typeIdentifiant": "SIRET"}}],
        "considerationsSociales": {"considerationSociale": [social]},
        "considerationsEnvironnementales": {"considerationEnvironnementale": [env]},
    }


@pytest.fixture()
def decp_after_switch(tmp_path: Path) -> Path:
    """DECP (format 2022): two contracts notified after 21/08/2026, one before; DECP has no launch date."""
    none_s, none_e = "Pas de considération sociale", "Pas de considération environnementale"
    marches = [
        _decp_contract("A1", "2026-08-21", 300000, social=none_s, env=none_e),
        _decp_contract("A2", "2026-10-02", 90000, social=none_s, env=none_e),
        _decp_contract("B1", "2026-08-20", 300000, social=none_s, env=none_e),
    ]
    f = tmp_path / "decp.json"
    f.write_text(json.dumps({"marches": {"marche": marches}}), encoding="utf-8")
    return f


# -- 1. no breach on a guessed date ----------------------------------------------------


def test_decp_contracts_after_the_switch_without_launch_date_are_to_check_in_check_text_and_json(decp_after_switch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", str(decp_after_switch), "--buyer-kind", "commune", "--date", "2026-12-01", "--year", "2026"]
    assert main([*args, "--json"]) == 0
    c = json.loads(capsys.readouterr().out)["diagnosis"]["compliance"]
    assert c["checked"] == 2 and c["not_yet"] == 1 and c["approximate_count"] == 2
    assert c["missing_count"] == 0 and {f["status"] for f in c["findings"]} == {"à vérifier"}
    assert {f["purchase_id"] for f in c["findings"]} == {"A1", "A2"}
    assert all("consultation a pu être lancée avant" in f["message"] for f in c["findings"])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "[manquant]" not in out
    assert "0 manquement(s)" in out and "Dont 2 contrat(s) sur une date approximative" in out


def _portfolio(*purchases: Purchase) -> Portfolio:
    return Portfolio(buyer=Buyer(name="Ville", kind=BuyerKind.COMMUNE), purchases=purchases)


def _bare(uid: str, notified: date, consultation: date | None = None) -> Purchase:
    return Purchase(
        id=uid, object="Nettoyage", cpv="90910000", amount_ht=Decimal("300000"), notification_date=notified, consultation_date=consultation,
        social=["Pas de considération sociale"], environmental=["Pas de considération environnementale"],
    )  # fmt: skip


def test_the_draft_and_the_web_page_count_the_approximate_dates() -> None:
    d = check(_portfolio(_bare("A1", date(2026, 9, 1)), _bare("A2", date(2026, 9, 2), date(2026, 8, 21))), year=2026, at=date(2026, 12, 1))
    assert d.compliance.approximate == 1 and len(d.compliance.missing) == 3  # A2's launch is known: real breaches
    rules = contract_rules(d)
    assert all("dont 1 marché(s) sur une date approximative" in r.findings for r in rules)
    view = diagnosis_view(d.to_dict())
    assert view["compliance"]["approximate"] == 1
    assert "1 contrat(s) notifié(s) après la bascule" in " ".join(d.warnings)
    text = render_text(d)
    assert "[manquant] A2" in text and "[manquant] A1" not in text and "[à vérifier] A1" in text


def test_known_launch_date_the_day_before_the_switch_is_not_concerned_even_if_notified_after() -> None:
    d = check(_portfolio(_bare("A1", date(2026, 9, 1), date(2026, 8, 20))), year=2026, at=date(2026, 12, 1))
    assert d.compliance.checked == 0 and d.compliance.not_yet == 1 and d.compliance.approximate == 0
