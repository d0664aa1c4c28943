"""The parameter files: strict loader, dated lookup, references, no legal number in code."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser._errors import ParameterError
from spaser.law import params
from spaser.law.params import NotInForce, load_dir

SPASER = Path(params.__file__).parents[1]

GOOD = """\
description: Un seuil
unit: EUR_HT
kind: law
values:
  2020-01-01:
    value: 40_000
    references:
      - {title: Code, article: R1, url: null, checked: 2026-01-01}
  2024-01-01:
    value: 1.5
    to_confirm: true
    references:
      - {title: Code, article: R1, checked: 2026-01-01}
  2025-01-01:
    value: null
    references:
      - {title: Code, article: R1, checked: 2026-01-01}
"""


def _write(tmp_path: Path, text: str, name: str = "a/b.yaml") -> Path:
    f = tmp_path / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text, encoding="utf-8")
    return f


def test_good_file_loads_with_decimals_and_dates(tmp_path: Path) -> None:
    _write(tmp_path, GOOD)
    p = load_dir(tmp_path)["a.b"]
    assert p.at(date(2019, 12, 31)) is None
    assert p.at(date(2020, 1, 1)).value == Decimal("40000")
    assert isinstance(p.at(date(2023, 12, 31)).value, Decimal)
    v = p.at(date(2024, 1, 1))
    assert v.value == Decimal("1.5") and v.to_confirm and v.references[0].url is None
    assert p.at(date(2025, 1, 1)) is None  # null ends it
    assert v.references[0].checked == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("kind: law", "kind: law\nfoo: 1"), "foo"),
        (("    to_confirm: true", "    to_confirm: true\n    extra: 1"), "values.2024-01-01.extra"),
        (("      - {title: Code, article: R1, checked: 2026-01-01}\n  2025", "      - {title: Code, article: R1}\n  2025"), "values.2024-01-01.references[0].checked"),
        (("    value: 1.5\n    to_confirm: true\n    references:\n      - {title: Code, article: R1, checked: 2026-01-01}", "    value: 1.5\n    references: []"), "values.2024-01-01.references"),
        (("  2020-01-01:", "  2020-13-01:"), "values.2020-13-01"),
        (("  2020-01-01:", "  01/01/2020:"), "values.01/01/2020"),
        (("value: 40_000", "value: quarante mille"), "values.2020-01-01.value"),
        (("value: 40_000", "value: -5"), "values.2020-01-01.value"),
        (("value: 40_000", "value: true"), "values.2020-01-01.value"),
        (("unit: EUR_HT", "unit: euros"), "unit"),
        (("kind: law", "kind: loi"), "kind"),
        (("description: Un seuil\n", ""), "description"),
        (("url: null", "url: legifrance"), "values.2020-01-01.references[0].url"),
    ],
)
def test_strict_loader_names_file_and_key(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    old, new = change
    assert old in GOOD
    f = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ParameterError) as e:
        load_dir(tmp_path)
    assert str(f) in str(e.value) and f"« {key} »" in str(e.value)
    assert e.value.exit_code == 5


def test_ratio_above_one_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, GOOD.replace("unit: EUR_HT", "unit: ratio").replace("40_000", "0.3"))
    with pytest.raises(ParameterError, match="entre 0 et 1"):
        load_dir(tmp_path)


def test_list_and_bool_units(tmp_path: Path) -> None:
    _write(tmp_path, GOOD.replace("unit: EUR_HT", "unit: list\nitem_unit: text").replace("40_000", '["03000000", "85000000"]').replace("value: 1.5", "value: [x]"))
    _write(tmp_path, GOOD.replace("unit: EUR_HT", "unit: bool").replace("40_000", "true").replace("value: 1.5", "value: false"), "c.yaml")
    ps = load_dir(tmp_path)
    assert ps["a.b"].at(date(2020, 1, 1)).value == ["03000000", "85000000"]
    assert ps["c"].at(date(2024, 6, 1)).value is False


def test_bad_file_name(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "Seuil-UE.yaml")
    with pytest.raises(ParameterError, match="Seuil-UE"):
        load_dir(tmp_path)


def test_not_in_force_is_a_french_message() -> None:
    with pytest.raises(NotInForce) as e:
        params.value("climat.obligations_par_marche", date(2026, 8, 20))
    msg = str(e.value)
    assert "climat.obligations_par_marche" in msg and "20/08/2026" in msg and "21/08/2026" in msg
    assert params.value("climat.obligations_par_marche", date(2026, 8, 21)) is True


def test_unknown_parameter() -> None:
    with pytest.raises(ParameterError, match="inconnu"):
        params.get("spaser.nope")


def test_shipped_parameters_all_have_references_and_typed_values() -> None:
    ps = params.all()
    assert len(ps) >= 40
    for name, p in ps.items():
        assert p.description and p.kind in params.KINDS, name
        assert p.values, name
        for v in p.values:
            assert v.references, f"{name} {v.start}: no reference"
            assert all(r.title and r.article and r.checked for r in v.references), name
            if v.value is not None and p.unit in ("EUR_HT", "EUR", "EUR_per_hour", "ratio", "hours"):
                assert isinstance(v.value, Decimal), name
            if p.unit == "ratio" and v.value is not None:
                assert 0 <= v.value <= 1, name
        assert [v.start for v in p.values] == sorted(v.start for v in p.values)


def test_items_law_md_marks_to_confirm_stay_marked() -> None:
    assert not params.get("spaser.seuil").at(date(2023, 1, 1)).to_confirm
    assert params.get("climat.obligations_concessions").at(date(2026, 8, 21)).to_confirm
    assert params.get("aper.critere_environnemental_enr").at(date(2024, 7, 1)).to_confirm
    assert params.get("egalim.part_viandes_poissons_etat").at(date(2024, 1, 1)).to_confirm
    assert params.get("reservation.ess_duree_max_annees").at(date(2024, 1, 1)).to_confirm


def test_in_force_and_switches() -> None:
    names = {p.name for p, _ in params.in_force(date(2026, 8, 21))}
    assert "climat.obligations_par_marche" in names
    assert "climat.obligations_par_marche" not in {p.name for p, _ in params.in_force(date(2026, 8, 20))}
    assert params.value("decp.seuil_publication", date(2024, 1, 1)) > 0
    with pytest.raises(NotInForce):
        params.value("decp.seuil_publication", date(2023, 12, 31))
    # works: the specific R2122-8 value starts in 2026, supplies/services on 1 April 2026
    assert params.get("procedures.dispense_publicite.fournitures_services").at(date(2026, 3, 31)) is None
    assert params.get("procedures.dispense_publicite.fournitures_services").at(date(2026, 4, 1)) is not None


def _legal_amounts() -> set[int]:
    """Every amount (EUR units, >= 10 000) carried by a shipped parameter."""
    out = set()
    for p in params.all().values():
        if p.unit.startswith("EUR"):
            for v in p.values:
                if v.value is not None and v.value >= 10_000 and v.value == v.value.to_integral_value():
                    out.add(int(v.value))
    return out


# Round amounts too common to point at a rule (a million as a unit, size limits): not searched.
_NOT_DISTINCTIVE = {100_000, 1_000_000}


def _code_lines(f: Path) -> str:
    # Doctest examples are test data (they may use a legal amount as input); code is what matters.
    return "\n".join(line for line in f.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith((">>>", "...")))


def _found(text: str, amounts: set[int]) -> set[int]:
    sep = "[ _.\u202f\u00a0]"
    out = set()
    for n in amounts:
        groups = re.sub(r"(\d)(?=(\d{3})+$)", lambda m: m[1] + sep + "?", str(n))
        if re.search(rf"(?<!\d{sep})(?<![\d._]){groups}(?!\d|{sep}\d)", text):
            out.add(n)
    return out


def test_amount_search_finds_written_forms() -> None:
    amounts = {40_000, 50_000_000, 221_000}
    assert _found('X = 221_000\nY = "seuil 50 000 000 €"\nZ = Decimal("40000")', amounts) == amounts
    assert _found("MAX_CELLS = 40_000_000\nA = 1221000\nB = 140000.5", amounts) == set()


def test_no_legal_amount_in_python_code() -> None:
    amounts = _legal_amounts() - _NOT_DISTINCTIVE
    assert {40_000, 50_000_000, 100_000_000, 221_000, 5_538_000} <= amounts
    offenders = [f"{f.relative_to(SPASER)}: {n}" for f in sorted(SPASER.rglob("*.py")) for n in sorted(_found(_code_lines(f), amounts))]
    assert not offenders, "legal amounts written in Python code (move them to spaser/law/parameters): " + ", ".join(offenders)


def test_the_fast_loader_reads_every_shipped_file_as_the_plain_one() -> None:
    # The parameter files are parsed by libyaml when PyYAML has it: the same data as the pure-Python parser.
    import yaml

    class Plain(yaml.SafeLoader):
        pass

    Plain.yaml_implicit_resolvers = params._TextLoader.yaml_implicit_resolvers
    files = sorted((Path(params.__file__).parent / "parameters").rglob("*.yaml"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=params._TextLoader) == yaml.load(text, Loader=Plain), f  # noqa: S506 - SafeLoader subclasses
