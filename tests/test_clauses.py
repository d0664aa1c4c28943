"""The clause catalogue: strict loading, coverage, French texts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from spaser._errors import CatalogueError
from spaser.clauses import catalogue, load_catalogue
from spaser.clauses.catalogue import Dimension, Mechanism, render
from spaser.model import EnvironmentalConsideration, SocialConsideration

CAT = catalogue()

GOOD = {
    "family": "essai",
    "clauses": [
        {
            "id": "essai-clause",
            "title": "Clause d'essai",
            "dimension": "social",
            "mechanism": "condition_execution",
            "document": "CCAP",
            "legal_basis": [{"article": "L2112-2"}],
            "parameters": {"heures": {"description": "Nombre d'heures", "unit": "heures", "default": "[à compléter]"}},
            "text": "Le titulaire réalise {{ heures | nombre }} heures d'insertion.",
            "effect": "heures d'insertion",
            "verification": "Bilan trimestriel du facilitateur.",
            "source": "Pratique des facilitateurs.",
        }
    ],
}


def _write(tmp_path: Path, data: dict) -> Path:
    f = tmp_path / "essai.yaml"
    f.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return f


def _mutate(**changes: object) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["clauses"][0].update(changes)
    return data


def test_good_file_loads(tmp_path: Path) -> None:
    cat = load_catalogue([_write(tmp_path, GOOD)])
    c = cat.get("essai-clause")
    assert c.family == "essai"
    assert c.render({"heures": 833}) == "Le titulaire réalise 833 heures d'insertion."


def test_unknown_key_rejected(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"essai-clause.*colour.*clé inconnue"):
        load_catalogue([_write(tmp_path, _mutate(colour="bleu"))])


def test_unknown_key_in_parameter_rejected(tmp_path: Path) -> None:
    data = _mutate()
    data["clauses"][0]["parameters"]["heures"]["valeur"] = 3
    with pytest.raises(CatalogueError, match="clé inconnue"):
        load_catalogue([_write(tmp_path, data)])


def test_clause_without_legal_basis_rejected(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="legal_basis"):
        load_catalogue([_write(tmp_path, _mutate(legal_basis=[]))])
    data = _mutate()
    del data["clauses"][0]["legal_basis"]
    with pytest.raises(CatalogueError, match="legal_basis.*manquante"):
        load_catalogue([_write(tmp_path, data)])


def test_template_variable_without_value_rejected(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="variable du texte sans valeur.*taux"):
        load_catalogue([_write(tmp_path, _mutate(text="Au moins {{ heures }} heures, soit {{ taux }} des heures travaillées."))])


def test_parameter_without_value_rejected(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="sans valeur"):
        load_catalogue([_write(tmp_path, _mutate(parameters={"heures": {"description": "Nombre d'heures"}}))])


def test_unused_parameter_rejected(tmp_path: Path) -> None:
    params = dict(GOOD["clauses"][0]["parameters"], taux={"description": "Taux", "default": "5 %"})
    with pytest.raises(CatalogueError, match="absent.*taux"):
        load_catalogue([_write(tmp_path, _mutate(parameters=params))])


def test_float_default_rejected(tmp_path: Path) -> None:
    params = {"heures": {"description": "Nombre d'heures", "default": 0.05}}
    with pytest.raises(CatalogueError, match="guillemets"):
        load_catalogue([_write(tmp_path, _mutate(parameters=params))])


def test_unknown_law_parameter_rejected(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="paramètre juridique « nulle.part » inconnu"):
        load_catalogue([_write(tmp_path, _mutate(legal_basis=[{"article": "L2112-2", "parameter": "nulle.part"}]))])


def test_bad_values_rejected(tmp_path: Path) -> None:
    for change in ({"mechanism": "magie"}, {"document": "Annexe 12"}, {"id": "Majuscules Interdites"}, {"applies": {"cpv_prefixes": [45]}}):
        with pytest.raises(CatalogueError):
            load_catalogue([_write(tmp_path, _mutate(**change))])


def test_duplicate_id_rejected(tmp_path: Path) -> None:
    f1 = _write(tmp_path, GOOD)
    f2 = tmp_path / "autre.yaml"
    f2.write_text(f1.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogueError, match="déjà utilisé"):
        load_catalogue([f1, f2])


def test_invalid_yaml_rejected(tmp_path: Path) -> None:
    f = tmp_path / "casse.yaml"
    f.write_text("family: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="YAML illisible"):
        load_catalogue([f])


def test_render_is_strict() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        render("{{ absent }}", {})


def test_catalogue_size_and_coverage() -> None:
    assert len(CAT) >= 40
    ids = {c.id for c in CAT}
    required = {
        # insertion by sector
        "insertion-travaux", "insertion-proprete", "insertion-espaces-verts", "insertion-restauration", "insertion-dechets",
        "insertion-reconditionnement", "insertion-mise-a-disposition", "insertion-prestations-intellectuelles",
        "critere-insertion", "reserve-ea-esat", "reserve-siae", "reserve-conjoint", "reserve-ess", "lot-reserve",
        "commerce-equitable", "egalite-femmes-hommes", "lutte-discriminations",
        # EU GPP groups
        "gpp-informatique", "gpp-restauration", "gpp-mobilier", "gpp-nettoyage", "gpp-textiles", "gpp-papier-impression",
        "gpp-vehicules", "gpp-transport", "gpp-batiments", "gpp-routes", "gpp-eclairage-public", "gpp-electricite",
        "gpp-espaces-publics", "gpp-peintures",
        "cout-cycle-de-vie", "agec-reemploi-recycle", "agec-textiles", "egalim-qualite", "materiaux-biosources",
        "emballages-livraisons", "condition-environnementale", "critere-environnemental",
        "allotissement", "petits-lots", "justification-non-allotissement",
    }
    assert required <= ids
    assert {c.mechanism for c in CAT} == set(Mechanism)
    assert {c.dimension for c in CAT} == set(Dimension)


def test_every_label_clause_says_ou_equivalent() -> None:
    labels = [c for c in CAT if c.mechanism is Mechanism.LABEL]
    assert len(labels) >= 6
    for c in labels:
        assert "ou équivalent" in c.render(), c.id


@pytest.mark.parametrize("at", [date(2019, 4, 1), date(2024, 1, 1), date(2026, 8, 21), date(2031, 1, 1)])
def test_every_clause_renders_at_any_date(at: date) -> None:
    for c in CAT:
        text = c.render(at=at)
        assert "{{" not in text and "}}" not in text, c.id
        assert text == text.strip() and len(text) > 50, c.id


def test_texts_are_french_and_neutral() -> None:
    english = (" the ", " shall ", " contractor ", " and ", "TODO", "XXX")
    for c in CAT:
        text = f" {c.render()} {c.title} {c.effect} "
        for word in english:
            assert word not in text, (c.id, word)
        assert "ou équivalente" not in c.render().replace("certification FSC, PEFC ou équivalente", ""), c.id
        assert c.document in ("RC", "CCAP", "CCTP", "AAPC", "RC et CCAP", "RC et CCTP", "CCAP et CCTP", "AAPC et RC", "Rapport de présentation")


def test_legal_basis_cites_articles() -> None:
    for c in CAT:
        assert c.legal_basis, c.id
        assert c.basis_text.startswith("art. ") or c.basis_text, c.id


def test_considerations_follow_mechanism() -> None:
    assert CAT.get("insertion-travaux").consideration is SocialConsideration.CLAUSE
    assert CAT.get("critere-insertion").consideration is SocialConsideration.CRITERE
    assert CAT.get("reserve-siae").consideration is SocialConsideration.RESERVE
    assert CAT.get("critere-environnemental").consideration is EnvironmentalConsideration.CRITERE
    assert CAT.get("label-papier").consideration is EnvironmentalConsideration.CLAUSE
    assert CAT.get("allotissement").consideration is None


def test_defaults_read_from_law_parameters() -> None:
    # R2113-7 proportion and EGalim rates come from spaser/law/parameters, not from the catalogue.
    assert "50\xa0%" in CAT.get("reserve-siae").render(at=date(2025, 1, 1))
    text = CAT.get("egalim-qualite").render(at=date(2025, 1, 1))
    assert "50\xa0%" in text and "20\xa0%" in text


def test_unknown_clause() -> None:
    with pytest.raises(CatalogueError, match="absente du catalogue"):
        CAT.get("nexiste-pas")
