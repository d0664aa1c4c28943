"""The suggestion engine, portfolio opportunities and the ``spaser suggest`` command."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from spaser._errors import SpaserError
from spaser.cli import main
from spaser.clauses import opportunities, planned_purchase, suggest
from spaser.model import Buyer, BuyerKind, ContractKind, Portfolio, Purchase, SocialConsideration as Soc

D = Decimal
EXAMPLE = Path(__file__).parents[1] / "examples" / "petite_commune.csv"


def test_worked_example_in_clause_text() -> None:
    p = planned_purchase("Réhabilitation de la médiathèque", "45210000", D("1000000"), date(2025, 5, 1))
    s = next(x for x in suggest(p) if x.clause_id == "insertion-travaux")
    assert s.hours is not None and s.hours.hours == D("833")
    assert "833 heures de travail" in s.text
    assert s.expected_effect.startswith("≈ 833 heures d'insertion")
    assert "compte dans l'indicateur PNAD social" in s.expected_effect
    assert s.consideration == "Clause sociale"


def test_mandatory_first_and_deterministic() -> None:
    p = planned_purchase("Nettoyage des écoles", "90919200", D("300000"), date(2026, 9, 1))
    a, b = suggest(p), suggest(p)
    assert [x.clause_id for x in a] == [x.clause_id for x in b]
    statuses = [x.status for x in a]
    assert statuses == sorted(statuses, key=lambda s: s != "obligatoire")
    assert {"condition-environnementale", "critere-environnemental", "insertion-proprete"} <= {x.clause_id for x in a if x.mandatory}
    assert len({x.clause_id for x in a}) == len(a)  # merged: one suggestion per clause


def test_switch_day_before_and_day_of() -> None:
    p = planned_purchase("Papier", "30197630", D("50000"), date(2026, 8, 20))
    before = {x.clause_id: x.status for x in suggest(p)}
    after = {x.clause_id: x.status for x in suggest(p, at=date(2026, 8, 21))}
    assert before["condition-environnementale"] == "recommandé"
    assert after["condition-environnementale"] == "obligatoire"
    assert "obligatoire" not in before.values()


def test_at_overrides_consultation_date_and_default_today() -> None:
    p = planned_purchase("Papier", "30197630", D("50000"), date(2020, 1, 1))
    assert not any(x.mandatory for x in suggest(p))
    assert any(x.mandatory for x in suggest(p, at=date(2027, 1, 1)))


def test_limit_and_bad_limit() -> None:
    p = planned_purchase("Nettoyage", "90910000", D("300000"), date(2025, 1, 1))
    assert len(suggest(p, limit=3)) == 3
    with pytest.raises(SpaserError):
        suggest(p, limit=-1)


def test_spending_lines_get_nothing() -> None:
    p = Purchase(id="L", object="Dépenses diverses", cpv="90910000", amount_ht=D("10000"), kind=ContractKind.DEPENSE)
    assert suggest(p) == []


def test_rationale_mentions_what_is_missing() -> None:
    p = Purchase(id="X", object="Nettoyage", cpv="90910000", amount_ht=D("100000"), social=frozenset({Soc.AUCUNE}), consultation_date=date(2025, 1, 1))
    s = next(x for x in suggest(p) if x.clause_id == "insertion-proprete")
    assert "Le marché actuel ne comporte aucune considération sociale." in s.rationale


def test_planned_purchase_validation() -> None:
    with pytest.raises(TypeError):
        planned_purchase("Papier", "30197630", 1000.5, date(2025, 1, 1))  # type: ignore[arg-type]
    p = planned_purchase("Papier", "30197630-1", "1 200", date(2025, 1, 1))
    assert p.amount_ht == D("1200") and p.cpv == "30197630" and p.consultation_date == date(2025, 1, 1)


def test_to_confirm_flag_only_for_legal_values() -> None:
    p = planned_purchase("Accompagnement social", "85312000", D("100000"), date(2025, 1, 1))
    by_id = {x.clause_id: x for x in suggest(p)}
    assert by_id["reserve-ess"].to_confirm  # L2113-15 conditions are marked to confirm
    assert not by_id["critere-environnemental"].to_confirm  # a practice weight is not an uncertain law


def _portfolio() -> Portfolio:
    ps = []
    for i in range(10):
        ps.append(Purchase(id=f"N{i}", object="Nettoyage des locaux", cpv="90910000", amount_ht=D(100000 + i), notification_date=date(2025, 3, 1),
                           social=frozenset({Soc.AUCUNE}), environmental=None))
    ps.append(Purchase(id="S", object="Travaux", cpv="45210000", amount_ht=D("2000000"), notification_date=date(2025, 4, 1), social=frozenset({Soc.CLAUSE})))
    ps.append(Purchase(id="P", object="Petit achat", cpv="30192000", amount_ht=D("5000"), notification_date=date(2025, 4, 1)))  # below the PNAD floor
    ps.append(Purchase(id="OLD", object="Nettoyage", cpv="90910000", amount_ht=D("100000"), notification_date=date(2024, 4, 1)))
    return Portfolio(buyer=Buyer(name="Ville", kind=BuyerKind.COMMUNE), purchases=tuple(ps))


def test_opportunities_and_indicator_scenario() -> None:
    opp = opportunities(_portfolio(), year=2025, at=date(2026, 1, 1), top=4)
    assert len(opp.purchases) == 4 and opp.year == 2025
    assert all(o.purchase_id.startswith("N") for o in opp.purchases)
    assert [o.purchase_id for o in opp.purchases] == ["N9", "N8", "N7", "N6"]  # same potential: larger amount first
    # 11 contracts measured (>= 40 000 € HT): 1 with a social clause -> 1/11; 4 more -> 5/11
    assert opp.top.counted == 11 and opp.top.contracts == 4
    assert opp.top.social_before == D(1) / D(11)
    assert opp.top.social_after == D(5) / D(11)
    assert "passerait de 9\xa0% à 45\xa0%" in opp.top.sentence()
    assert opp.all.social_after == D(1)
    assert opp.total_hours == sum(o.hours for o in opp.purchases)
    assert "Année 2025" in opp.explain()


def test_opportunities_default_year() -> None:
    opp = opportunities(_portfolio(), at=date(2026, 6, 1))
    assert opp.year == 2025


# -- CLI ---------------------------------------------------------------------------
def test_cli_planned_text(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["suggest", "--cpv", "90910000", "--amount", "300 000", "--object", "Nettoyage des écoles", "--date", "2026-09-01", "--top", "3"])
    out = capsys.readouterr().out
    assert rc == 0
    assert out.index("OBLIGATOIRE") < out.index("Texte à reprendre")
    assert "≈ 400 heures d'insertion" in out and "Fondement : art. L2112-2" in out


def test_cli_planned_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--cpv", "45210000", "--amount", "1000000", "--object", "Réhabilitation", "--date", "2025-05-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = next(s for s in data["suggestions"] if s["clause_id"] == "insertion-travaux")
    assert first["insertion_hours"] == "833"


@pytest.mark.parametrize(
    "argv",
    [
        ["suggest"],
        ["suggest", "--cpv", "90910000"],
        ["suggest", "--cpv", "90910000", "--amount", "beaucoup"],
        ["suggest", "--cpv", "99999999", "--amount", "1000"],
        ["suggest", "--cpv", "90910000", "--amount", "1000", "--top", "0"],
    ],
)
def test_cli_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        rc = main(argv)
    except SystemExit as e:  # argparse refuses the value itself (--top 0), with the same exit code 2
        rc = e.code
    err = capsys.readouterr().err
    assert rc in (2, 3) and ("spaser : " in err or "spaser suggest : erreur" in err) and "Traceback" not in err


def test_cli_xlsx_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "conseils.xlsx"
    argv = ["suggest", "--cpv", "90910000", "--amount", "300000", "--object", "=HYPERLINK(\"http://x\")", "--date", "2026-09-01", "--xlsx", str(out)]
    assert main(argv) == 0
    ws = load_workbook(out)["Suggestions"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Achat", "Rang", "Statut", "Clause"]
    assert ws.cell(row=2, column=3).value == "obligatoire"
    assert ws.cell(row=2, column=12).alignment.wrap_text
    assert main(argv) == 4  # exists: refused without --force
    assert "--force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


@pytest.mark.skipif(not EXAMPLE.exists(), reason="exemple examples/petite_commune.csv absent")
def test_cli_portfolio_and_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", str(EXAMPLE), "--date", "2026-09-01", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "Opportunités" in out and "passerait de" in out
    assert main(["suggest", str(EXAMPLE), "--id", "C2024-003", "--date", "2026-09-01"]) == 0
    assert "Nettoyage de la mairie et des écoles" in capsys.readouterr().out
    assert main(["suggest", str(EXAMPLE), "--id", "NEXISTEPAS"]) == 2
    assert "NEXISTEPAS" in capsys.readouterr().err
    xlsx = tmp_path / "opp.xlsx"
    assert main(["suggest", str(EXAMPLE), "--date", "2026-09-01", "--top", "3", "--xlsx", str(xlsx)]) == 0
    assert load_workbook(xlsx).sheetnames == ["Suggestions", "Opportunités", "Lecture"]


def test_suggest_id_and_portfolio_agree_on_the_date(tmp_path, capsys) -> None:
    """`suggest --id` and `suggest` read the law at the same default date (today), stated in the output."""
    import json

    from spaser.cli import main

    example = Path(__file__).resolve().parents[1] / "examples" / "metropole.xlsx"
    assert main(["suggest", str(example), "--json", "--top", "5"]) in (0, 1)
    opp = json.loads(capsys.readouterr().out)["opportunities"]
    first = opp["purchases"][0]
    assert opp["at"] == date.today().isoformat()
    assert main(["suggest", str(example), "--id", first["purchase_id"], "--json"]) in (0, 1)
    one = json.loads(capsys.readouterr().out)
    assert one["at"] == date.today().isoformat()
    mandatory = sorted(s["clause_id"] for s in one["suggestions"] if s["status"] == "obligatoire")
    assert mandatory == sorted(first["mandatory"])
    assert main(["suggest", str(example), "--id", first["purchase_id"]]) in (0, 1)
    assert f"Droit lu au {date.today():%d/%m/%Y} (date du jour, par défaut" in capsys.readouterr().out
