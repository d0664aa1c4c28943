"""The law read as attributes (issue 17): a parameter's name is its YAML path, declared once.

``law.parameters.spaser.seuil`` is the parameter of ``spaser/law/parameters/spaser/seuil.yaml``;
a misspelt name is an AttributeError when run and a mypy error before (the generated
``spaser/law/_names.py`` types every name); the engine names no parameter by a string.
"""

from __future__ import annotations

import ast
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser import ParameterError, law_at
from spaser.law import params

SPASER = Path(params.__file__).parents[1]


def test_the_generated_names_are_those_of_the_yaml_tree() -> None:
    expected = params.names_source(params.load_dir(params.ROOT))
    assert params.NAMES_FILE.read_text(encoding="utf-8") == expected, (
        "spaser/law/_names.py n'est pas à jour : le régénérer (voir params.names_source)"
    )


def test_parameters_read_as_attributes_or_by_name() -> None:
    law = law_at(date(2024, 6, 1))
    ps = law.parameters
    assert ps.spaser.seuil is ps["spaser.seuil"] and ps.spaser.seuil.name == "spaser.seuil"
    assert ps.spaser.seuil.at(law.at).value == law.spaser.seuil == Decimal("50000000")  # type: ignore[union-attr]
    assert ps.agec.categorie_01.reemploi.name == "agec.categorie_01.reemploi"
    assert "seuil" in dir(ps.spaser) and "spaser" in dir(ps)
    with pytest.raises(AttributeError, match="Aucun paramètre juridique « spaser.seuill »"):
        ps.spaser.seuill  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError):
        ps.spasr  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(TypeError):
        ps["spaser.seuil"] = None  # type: ignore[index]
    assert [p.name for p, _ in ps.spaser.contenu.in_force(date(2022, 12, 31))] == sorted(
        n for n in ps if n.startswith("spaser.contenu.") and ps[n].at(date(2022, 12, 31)) is not None
    )


def test_a_what_if_reads_the_same_way() -> None:
    law = law_at(date(2024, 6, 1))
    what_if = law.replace("spaser.seuil", Decimal("40000000"))
    assert what_if.parameters.spaser.seuil.at(law.at).value == Decimal("40000000")  # type: ignore[union-attr]
    assert law.parameters.spaser.seuil.at(law.at).value == Decimal("50000000")  # type: ignore[union-attr]
    assert what_if.parameters.pnad.echeance is law.parameters.pnad.echeance  # the rest is shared


def test_a_recording_law_lists_what_was_read() -> None:
    law = law_at(date(2024, 6, 1))
    recording, used = law.recording()
    recording.parameters.pnad.echeance.at(date(2024, 12, 31))
    recording.parameters.spaser.seuil.at(law.at)
    assert [(p.name, d) for p, d, _ in used] == [("pnad.echeance", date(2024, 12, 31)), ("spaser.seuil", law.at)]
    law.parameters.spaser.seuil.at(law.at)  # the law itself records nothing
    assert len(used) == 2
    assert recording == law and recording.parameters.memo is not law.parameters.memo


@pytest.mark.parametrize("bad", ["01", "values", "class", "in_force", "Seuil"])
def test_the_loader_refuses_a_name_that_cannot_be_read_as_an_attribute(tmp_path: Path, bad: str) -> None:
    shutil.copy(params.ROOT / "spaser" / "seuil.yaml", tmp_path / f"{bad}.yaml")
    with pytest.raises(ParameterError, match="non admis"):
        params.load_dir(tmp_path)


def test_mypy_catches_a_misspelt_name(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy absent")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from datetime import date\nfrom spaser.law.law import law_at\n\n"
        "law = law_at(date(2024, 1, 1))\n"
        "ok = law.parameters.spaser.seuil.at(law.at)\n"
        "bad = law.parameters.spaser.seuill\n",
        encoding="utf-8",
    )
    out, _, _ = api.run([str(snippet), "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary"])
    errors = [line for line in out.splitlines() if "error:" in line]
    assert len(errors) == 1 and ':6:' in errors[0] and '"seuill"' in errors[0], out


# A string naming a parameter, read through a global: what the engine no longer does.
_READ_BY_STRING = re.compile(r"""(params\.(get|value)|_law\.(fact|value_or_none|note|citation|value))\(\s*["']""")


def test_the_engine_names_no_parameter_by_a_string() -> None:
    names = set(params.shipped())
    offenders = []
    for f in sorted(SPASER.rglob("*.py")):
        if f.name in ("params.py", "_names.py"):
            continue
        text = f.read_text(encoding="utf-8")
        reads_the_law = "from spaser.law import params" in text or "from spaser.clauses import _law" in text
        if reads_the_law and _READ_BY_STRING.search(text):
            offenders.append(f"{f.relative_to(SPASER)} : lecture par une chaîne")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and node.value in names:
                offenders.append(f"{f.relative_to(SPASER)}:{node.lineno} : « {node.value} »")
    assert not offenders
