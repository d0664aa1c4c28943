"""The law after the legal review of 2026-12-05 (issue 17): each correction on the day before and the day of its switch."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spaser.cli import main
from spaser.documents.builders import contract_rules
from spaser.law import check, params
from spaser.law.report import render_text
from spaser.model import Buyer, BuyerKind, Portfolio, Purchase
from spaser.web.data import diagnosis_view

SIRET = "21690123100011"


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
    assert "0 manquement," in out and "Dont 2 contrats sur une date approximative" in out


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
    assert all("1 de ces marchés repose sur une date approximative" in r.findings for r in rules)
    view = diagnosis_view(d.to_dict())
    assert view["compliance"]["approximate"] == 1
    assert "1 contrat notifié après la bascule" in " ".join(d.warnings)
    text = render_text(d)
    assert "[manquant] A2" in text and "[manquant] A1" not in text and "[à vérifier] A1" in text


def test_known_launch_date_the_day_before_the_switch_is_not_concerned_even_if_notified_after() -> None:
    d = check(_portfolio(_bare("A1", date(2026, 9, 1), date(2026, 8, 20))), year=2026, at=date(2026, 12, 1))
    assert d.compliance.checked == 0 and d.compliance.not_yet == 1 and d.compliance.approximate == 0


# -- 2. the corrected dates and values, the day before and the day of each switch --------------


def _at(name: str, d: date):  # type: ignore[no-untyped-def]
    return params.get(name).at(d)


def _law_text(capsys: pytest.CaptureFixture[str], d: str, prefix: str) -> str:
    assert main(["law", "--date", d, "--prefix", prefix]) == 0
    return capsys.readouterr().out.replace("\u202f", " ").replace("\xa0", " ")


def test_threshold_100m_from_1_february_2015_confirmed(capsys: pytest.CaptureFixture[str]) -> None:
    assert _at("spaser.seuil", date(2015, 1, 31)) is None and _at("spaser.assiette", date(2015, 1, 31)) is None
    v = _at("spaser.seuil", date(2015, 2, 1))
    assert v.value == Decimal("100000000") and not v.to_confirm and "2015-90" in v.references[0].title
    basis = _at("spaser.assiette", date(2015, 2, 1))
    assert basis.value == "montants_notifies" and not basis.to_confirm and "partenariat" in basis.note
    out = _law_text(capsys, "2015-02-01", "spaser.seuil")
    assert "100 000 000 € HT (depuis le 01/02/2015" in out and "Décret n° 2015-90" in out and "[à confirmer]" not in out.split("\n", 2)[2]
    assert "spaser.seuil" not in _law_text(capsys, "2015-01-31", "spaser.seuil").split("\n", 2)[2]


def test_circular_economy_and_ecological_content_from_19_august_2015() -> None:
    for name in ("spaser.contenu.economie_circulaire", "spaser.contenu.objectifs_ecologiques"):
        assert _at(name, date(2015, 8, 18)) is None, name
        v = _at(name, date(2015, 8, 19))
        assert v.value is True and not v.to_confirm and "2015-992" in v.references[0].title, name


def test_rendu_public_from_2014_and_online_publication_from_2023() -> None:
    assert _at("spaser.contenu.rendu_public", date(2014, 7, 30)) is None
    assert _at("spaser.contenu.rendu_public", date(2014, 7, 31)).value is True
    assert _at("spaser.contenu.publication_site", date(2022, 12, 31)) is None
    assert _at("spaser.contenu.publication_site", date(2023, 1, 1)).value is True


def test_agec_rates_from_1_july_2024_and_the_2024_rate_for_the_year_2024() -> None:
    from spaser.law.targets import agec_targets
    from spaser.model import AgecKind

    for name in ("agec.categorie_01.reemploi", "agec.categorie_01.recycle"):
        assert _at(name, date(2024, 6, 30)) is None, name
        assert _at(name, date(2024, 7, 1)).value > 0, name
    p = Purchase(id="T", object="Uniformes", agec_category=1, agec_kind=AgecKind.REEMPLOI, spend_by_year={2023: Decimal("1000"), 2024: Decimal("1000")})
    results = {t.name: t for t in agec_targets(_portfolio(p), 2024)}
    assert results["agec.01.reemploi"].target == _at("agec.categorie_01.reemploi", date(2024, 7, 1)).value
    assert {t.status for t in agec_targets(_portfolio(p), 2023)} == {"taux non renseigné"}


def test_works_dispensation_history() -> None:
    name = "procedures.dispense_publicite.travaux"
    assert _at(name, date(2019, 12, 31)) is None  # the general threshold applies
    first, asap, permanent = (_at(name, d) for d in (date(2020, 1, 1), date(2021, 1, 1), date(2026, 1, 1)))
    assert first.value == Decimal("70000") and first.to_confirm
    assert _at(name, date(2020, 12, 31)).value == Decimal("70000")
    assert asap.value == Decimal("100000") and asap.to_confirm
    assert {r.title for r in asap.references} >= {"Décret n° 2022-1683", "Décret n° 2024-1217"}
    assert _at(name, date(2025, 12, 31)) == asap
    assert permanent.value == Decimal("100000") and not permanent.to_confirm and permanent.references[0].title == "Décret n° 2025-1386"


def test_egalim_level_2_certification_stops_counting_on_1_january_2027(capsys: pytest.CaptureFixture[str]) -> None:
    from spaser.clauses import catalogue
    from spaser.law.targets import egalim_targets
    from spaser.model import EgalimCategory

    assert _at("egalim.certification_niveau_2", date(2026, 12, 31)).value is True
    assert _at("egalim.certification_niveau_2", date(2027, 1, 1)).value is False
    clause = catalogue().get("egalim-qualite")
    before, after = clause.render(at=date(2026, 12, 31)), clause.render(at=date(2027, 1, 1))
    assert "certification environnementale de niveau 2 (comptée jusqu'au 31 décembre 2026" in before and "ne sont plus comptés" not in before
    assert "niveau 2 ne sont plus comptés" in after and "comptée jusqu'au" not in after
    assert "haute valeur environnementale" in before and "haute valeur environnementale" in after
    meal = Purchase(id="R", object="Denrées", amount_ht=Decimal("1000"), egalim=EgalimCategory.DURABLE, spend_by_year={2026: Decimal("1000"), 2027: Decimal("1000")})
    notes26 = " ".join(n for t in egalim_targets(_portfolio(meal), 2026) for n in t.notes)
    notes27 = " ".join(n for t in egalim_targets(_portfolio(meal), 2027) for n in t.notes)
    assert "comptée jusqu'au 31 décembre 2026" in notes26 and "ne compte plus" in notes27
    assert "ne compte plus" in _law_text(capsys, "2027-01-01", "egalim.certification_niveau_2")


def test_egalim_level_2_note_in_the_draft_targets() -> None:
    from spaser.documents.builders import national_targets
    from spaser.model import EgalimCategory

    meal = Purchase(id="R", object="Denrées", amount_ht=Decimal("1000"), egalim=EgalimCategory.DURABLE, spend_by_year={2027: Decimal("1000")})
    targets = national_targets(check(_portfolio(meal), year=2027, at=date(2028, 2, 1)))
    assert {t.note for t in targets if t.key.startswith("egalim.")} == {_at("egalim.certification_niveau_2", date(2027, 1, 1)).note}


def test_state_meat_and_fish_target_stays_to_confirm() -> None:
    v = _at("egalim.part_viandes_poissons_etat", date(2024, 1, 1))
    assert v.value == 1 and v.to_confirm and "établissements publics de l'État" in v.note


def test_confirmed_items_lose_their_mark_with_the_source_named() -> None:
    for name, d in [
        ("pnad.cible_environnementale", date(2016, 1, 1)),
        ("pnad.cible_sociale", date(2016, 1, 1)),
        ("pnad.echeance", date(2016, 1, 1)),
        ("reservation.part_travailleurs", date(2024, 1, 1)),
        ("reservation.ess_delai_meme_operateur_annees", date(2024, 1, 1)),
        ("spaser.assiette", date(2016, 1, 1)),
        ("spaser.seuil", date(2016, 1, 1)),
    ]:
        v = _at(name, d)
        assert not v.to_confirm, name
        assert v.references and all(r.checked == date(2026, 12, 5) for r in v.references), name
        assert "confirm" in ((v.note or "") + " ".join(r.article for r in v.references)).lower(), name


def test_loi_aper_is_in_the_digest_marked_to_confirm(capsys: pytest.CaptureFixture[str]) -> None:
    assert _at("aper.critere_environnemental_enr", date(2024, 6, 30)) is None
    v = _at("aper.critere_environnemental_enr", date(2024, 7, 1))
    assert v.value is True and v.to_confirm and "2023-175" in v.references[0].title
    out = _law_text(capsys, "2024-07-01", "aper")
    assert "Loi n° 2023-175" in out and "[à confirmer]" in out


def test_eu_thresholds_2022_2023(capsys: pytest.CaptureFixture[str]) -> None:
    out = _law_text(capsys, "2022-01-01", "seuils_europeens")
    for amount in ("140 000 € HT", "215 000 € HT", "431 000 € HT", "5 382 000 € HT"):
        assert amount in out
    assert "2022 et 2023" in out
    assert "seuils_europeens" not in _law_text(capsys, "2021-12-31", "seuils_europeens").split("\n", 2)[2]


# -- 3. scan and check before 2023, and before any rule ------------------------------------------


@pytest.fixture()
def decp_2019(tmp_path: Path) -> Path:
    """DECP 2019 format: one buyer with a 120 M€ contract notified in 2019 over 48 months (30 M€ a year)."""
    record = {
        "id": "2019-BIG", "acheteur": {"id": SIRET, "nom": "Ville de Test"}, "nature": "Marché", "objet": "Travaux",
        "codeCPV": "45000000-7", "procedure": "Appel d'offres ouvert", "lieuExecution": {"code": "75000", "typeCode": "Code postal", "nom": "Paris"},
        "dureeMois": 48, "dateNotification": "2019-03-01", "montant": 120000000, "formePrix": "Ferme",
        "titulaires": [{"typeIdentifiant": "SIRET", "id": "55204599900869", "denominationSociale": "BTP"}], "_type": "Marché",
    }  # fmt: skip
    f = tmp_path / "decp2019.json"
    f.write_text(json.dumps({"marches": [record, dict(record, id="2014-OLD", dateNotification="2014-03-01")]}), encoding="utf-8")
    return f


def test_scan_before_2023_compares_the_contracts_concluded_in_the_year_with_the_scope_of_the_time(decp_2019: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from spaser.scan import format_table, scan_decp

    r = scan_decp(decp_2019, year=2019, today=date(2026, 12, 1))
    b = r.buyers[0]
    assert b.estimate < r.threshold < b.notified_amount  # spread: 30 M€; concluded in 2019: 120 M€
    assert b.status == "au-dessus" and r.assiette == "montants_notifies"
    text = format_table(r)
    assert "Assiette en 2019 : montant des marchés conclus dans l'année" in text and "Champ en 2019" in text
    assert "Marchés notifiés 2019" in text and "l'État n'était pas visé" in text
    assert main(["scan", str(decp_2019), "--year", "2019", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["buyers"][0]["status"] == "au-dessus" and any("Champ en 2019" in n for n in data["law_notes"])


def test_scan_after_2023_keeps_the_estimate_and_the_margin(decp_2019: Path) -> None:
    from spaser.scan import scan_decp

    r = scan_decp(decp_2019, year=2023, today=date(2026, 12, 1))
    assert r.assiette == "depenses" and r.law_notes == () and r.buyers[0].status == "en dessous"  # 30 M€ spread in 2023 < 50 M€


def test_scan_and_check_before_any_rule_say_so_and_exit_0(decp_2019: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(decp_2019), "--year", "2014"]) == 0
    out = capsys.readouterr().out
    assert "Aucune règle SPASER en vigueur au 31/12/2014" in out and "01/02/2015" in out and "au-dessus" not in out
    assert main(["check", str(decp_2019), "--buyer", SIRET, "--date", "2014-06-01", "--year", "2014"]) == 0
    out = capsys.readouterr().out
    assert "aucune règle n'est appliquée" in out and "01/02/2015" in out
    assert main(["check", str(decp_2019), "--buyer", SIRET, "--date", "2010-01-01", "--year", "2009", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["diagnosis"]["obligation"]["status"] == "non obligé"


def test_the_draft_says_where_it_answers_every_required_content() -> None:
    from spaser.documents.builders import _WHERE

    keys = {name.rsplit(".", 1)[1] for name in params.all() if name.startswith("spaser.contenu.")}
    assert keys <= set(_WHERE), keys - set(_WHERE)


_SOCIAL = [["Clause sociale"], ["Critère social"], ["Marché réservé"], ["Clause sociale", "Critère social"], ["Pas de considération sociale"]]
_ENV = [["Clause environnementale"], ["Critère environnemental"], ["Clause environnementale", "Critère environnemental"], ["Pas de considération environnementale"]]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
            st.one_of(st.none(), st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))),
            st.integers(min_value=0, max_value=10_000_000),
            st.one_of(st.none(), st.sampled_from(_SOCIAL)),
            st.one_of(st.none(), st.sampled_from(_ENV)),
            st.sampled_from(["marche", "concession", "accord_cadre"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_contract_without_launch_date_is_never_a_breach(rows: list) -> None:  # type: ignore[type-arg]
    purchases = []
    for i, (notified, launched, amount, social, env, kind) in enumerate(rows):
        launch = min(launched, notified) if launched else None  # a consultation precedes its notification
        purchases.append(Purchase(id=f"P{i}", object="Achat", cpv="90910000", kind=kind, amount_ht=Decimal(amount), notification_date=notified,
                                  consultation_date=launch, social=social, environmental=env))  # fmt: skip
    c = check(_portfolio(*purchases), year=2026, at=date(2028, 1, 1)).compliance
    undated = {p.id for p in purchases if p.consultation_date is None}
    assert not {f.purchase_id for f in c.missing} & undated
    switch = c.switch
    assert c.approximate == sum(1 for p in purchases if p.consultation_date is None and p.notification_date >= switch)
    assert all(f.date_basis != "consultation" for f in c.findings if f.purchase_id in undated)
