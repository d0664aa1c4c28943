"""The scan's fast path (msgspec batches, Extractor.extract_batch, columns) gives exactly the reference's result.

The reference is ``scan_decp(..., fast=False)``: the plain reader (ijson) and every record through
``Extractor.extract``. Random files mix clean records (the fast path) with every kind of trouble
(hostile numbers, lone surrogates, markers, duplicates, co-contractors, concessions, odd layouts),
read in batches and chunks of many sizes.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import spaser.io.decp as decp
from spaser._errors import InputError
from spaser.scan import scan_decp

TODAY = date(2025, 6, 1)


def _pick(clean: list[str], dirty: list[str]) -> st.SearchStrategy[str]:
    """Mostly clean values (as JSON text), sometimes a dirty one."""
    return st.sampled_from(clean * 4 + dirty)


FIELDS = {
    "id": _pick(['"M1"', '"M2"', '"M3"', '"2024-77"'], ["12", "null", '"' + "x" * 250 + '"', "1" * 45, '"  "']),
    "acheteur": _pick(['{"id": "13001898900017"}', '{"id": "21750001600019", "nom": "Ville de Paris"}',
                       '{"nom": "Sans id", "id": "13001898900017"}'],
                      ['{"id": "123"}', '{"nom": "Mal saisi", "id": "123"}', '"13001898900017"', "{}", "null",
                       '{"id": 13001898900017}', '{"id": "1" }']),
    "montant": _pick(["1200", "99.5", "4800.25", "120000", "1E+3", "1.500"],
                     ["1234.567", "99999998.999", "0.001", "12.345", "99999999", "150000000", "0", "-5", '"1 200,50"', "NaN", "1E999999999", "1" * 45, "999999999", "2e9", "null",
                      "true", "-0", "1e-3", '"12"']),
    "dateNotification": _pick(['"2024-03-01"', '"2023-12-31"', '"2024-07-15"', '"2022-01-10"'],
                              ['"2019-01-15+01:00"', '"2030-01-01"', '"1980-01-01"', '"2024-02-30"', "12", "null", '""',
                               '"15/03/2024"']),
    "dureeMois": _pick(["12", "1", "24", "36", "0"], ["-1", '"12"', "1E999999999", "1300", "null", "1.5", "1" * 41]),
    "codeCPV": _pick(['"90910000-9"', '"45000000-7"'], ['"90910000-9-9"', '""', "null", '"12345678"', "45000000"]),
    "considerationsSociales": _pick(
        ['{"considerationSociale": ["Clause sociale"]}', '{"considerationSociale": ["Pas de considération sociale"]}',
         '{"considerationSociale": ["Critère social", "Marché réservé"]}'],
        ['{"considerationSociale": ["Pas de considération sociale", "Clause sociale"]}', '"Clause sociale, Critère social"',
         '["Clause sociale"]', '{"considerationSociale": ["???"]}', '{"considerationSociale": [1]}', "null", "{}",
         '{"considerationSociale": "Clause sociale"}']),
    "considerationsEnvironnementales": _pick(
        ['{"considerationEnvironnementale": ["Clause environnementale"]}',
         '{"considerationEnvironnementale": ["Pas de considération environnementale"]}'],
        ['"Sans objet"', '{"considerationEnvironnementale": [["Clause environnementale"]]}', "null"]),
    "titulaires": _pick(['[{"titulaire": {"typeIdentifiant": "SIRET", "id": "78514729922523", "denominationSociale": "A"}}]',
                         "[]"],
                        ['[{"titulaire": {"id": "X"}}, {"titulaire": {"id": "Y"}}]', '[{"id": "Z"}]', "null",
                         '[{"titulaire": {"id": "W"}}]', '{"titulaire": [{"id": "V"}]}']),
    "nature": _pick(['"Marché"', '"Marché public"'], ['"Accord-cadre"', '"Concession de service"', '"???"', "null", "3"]),
    "_type": _pick(['"Marché"'], ['"Contrat de concession"', '"x"']),
    "techniques": _pick(['{"technique": ["Sans objet"]}'], ['{"technique": ["Accord-cadre"]}', '"Accord-cadre"']),
    "idAccordCadre": _pick(['""'], ['"AC-1"']),
    "modifications": _pick(["[]"], ['[{"modification": {"id": 1, "montant": 2000, "dureeMois": 24}}]', "NaN",
                                    '[{"modification": {"montant": "x"}}]']),
    "donneesActuelles": st.sampled_from(["true", "false"]),
    "objet": st.sampled_from(['"Entretien des espaces verts"', '"texte \\ud800 isolé"', '"nul \\u0000 ici"', '"a\\"b"',
                              '"}, {\\"id\\": 1}, {"', '"\\u00e9t\\u00e9"', '"NaN"', '"' + "9" * 60 + '"']),
    "x": st.sampled_from(['[1, [2, {"a": "}]"}]]', '{"b": [{}, {}]}', "Infinity", "1" * 50, '[{"a": 1},\n    {"b": 2}]',
                          '"},\\n    {"']),
    "valeurGlobale": st.sampled_from(["5000", "NaN"]),
    "autoriteConcedante": st.sampled_from(['{"id": "13001898900017"}', '{"id": "bad"}']),
    "dateSignature": st.sampled_from(['"2024-05-01"', '"x"']),
    "acheteur.id": st.sampled_from(['"13001898900017"']),
}
CORE = ["id", "acheteur", "montant", "dateNotification", "codeCPV"]
OPTIONAL = [k for k in FIELDS if k not in CORE]


@st.composite
def records(draw: st.DrawFn) -> str:
    keys = list(CORE)
    if draw(st.integers(0, 9)) == 0:  # now and then a core field is missing
        keys.remove(draw(st.sampled_from(CORE)))
    keys += draw(st.lists(st.sampled_from(OPTIONAL), max_size=6, unique=True))
    if draw(st.booleans()):
        keys += ["considerationsSociales", "considerationsEnvironnementales", "dureeMois", "titulaires"]
    keys = list(dict.fromkeys(keys))
    if draw(st.integers(0, 14)) == 0 and keys:  # a duplicate key (the last value wins)
        keys.append(keys[0])
    return "{" + ", ".join(f'"{k}": {draw(FIELDS[k])}' for k in keys) + "}"


ITEMS = st.lists(st.one_of(records(), records(), records(), records(), records(), records(), records(), records(),
                           st.sampled_from(["5", '"x"', "[1]", "null", "{}"])), max_size=14)


@st.composite
def documents(draw: st.DrawFn) -> str:
    items = draw(ITEMS)
    if items and draw(st.booleans()):  # the same records again: duplicates and co-contractors' lines
        items += draw(st.lists(st.sampled_from(items), max_size=4))
    lead = draw(st.sampled_from(["", "\n    ", "\n  ", " "]))  # the records' indentation (pretty-printed files)
    sep = draw(st.sampled_from([", ", ",\n    ", ",", "," + lead]))
    body = "[" + lead + sep.join(items) + draw(st.sampled_from(["", "\n"])) + "]"
    layout = draw(st.sampled_from(["2019", "2024", "2024c", "liste", "other-first", "2024-only-c"]))
    if layout == "2019":
        return '{"marches": ' + body + "}"
    if layout == "liste":
        return body
    if layout == "other-first":
        return '{"source": "x", "marches": ' + body + "}"
    conc = "[" + ", ".join(draw(st.lists(records(), max_size=3))) + "]"
    if layout == "2024":
        return '{"marches": {"marche": ' + body + ', "contrat-concession": ' + conc + "}}"
    if layout == "2024c":
        return '{"marches": {"contrat-concession": ' + conc + ', "marche": ' + body + "}}"
    return '{"marches": {"contrat-concession": ' + body + "}}"


def _result(path: Path, fast: bool) -> object:
    try:
        r = scan_decp(path, today=TODAY, fast=fast, max_issues=50)
    except InputError as e:
        return ("error", e.code, str(e))
    d = r.to_dict()
    d.pop("elapsed_seconds")
    return d


@settings(max_examples=int(os.environ.get("SPASER_FUZZ_EXAMPLES", "300")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=documents(), batch=st.sampled_from([1, 60, 300, 2000, 1 << 20]), chunk=st.sampled_from([5, 64, 700, 65536]))
def test_fast_scan_is_the_reference_scan(text: str, batch: int, chunk: int) -> None:
    old = decp._BATCH, decp._CHUNK
    decp._BATCH, decp._CHUNK = batch, chunk
    try:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "decp.json"
            path.write_text(text, encoding="utf-8")
            assert _result(path, True) == _result(path, False)
    finally:
        decp._BATCH, decp._CHUNK = old


HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "data"
FILES = sorted(HERE.glob("fixtures/decp/*.[jx][sm][ol]*")) + sorted(
    p for p in (SHARED.glob("**/*.json") if SHARED.exists() else []) if "schema" not in p.name) + sorted(
    SHARED.glob("real-world/**/*.xml") if SHARED.exists() else [])


@pytest.mark.parametrize("batch", [300, 1 << 20])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_files_same_both_ways(path: Path, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decp, "_BATCH", batch)
    assert _result(path, True) == _result(path, False)


def test_shared_files_present_or_said() -> None:
    if not SHARED.exists():
        pytest.skip("../shared absent : seules les données de test du projet sont comparées")
    assert len(FILES) > 8


def test_invalid_buyer_met_again_in_another_form(tmp_path: Path) -> None:
    """The full extractor noted an invalid buyer; the same identifier written otherwise stays invalid."""
    rec = ('{"id": "M%d", "acheteur": %s, "montant": 1000, "dateNotification": "2024-03-01", "dureeMois": 12, '
           '"codeCPV": "90910000-9", "nature": "Marché"}')
    path = tmp_path / "b.json"
    path.write_text('{"marches": [' + ", ".join([rec % (1, '{"id": "123"}'), rec % (2, '{"id": "123", "nom": "X"}')]) + "]}",
                    encoding="utf-8")
    assert _result(path, True) == _result(path, False)


def test_clean_records_take_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean national-like file never calls the full extractor (else the speed is lost, silently)."""
    from spaser.io.decp import Extractor

    rec = ('{"id": "M%d", "acheteur": {"id": "13001898900017"}, "montant": %d, "dateNotification": "2024-03-01", '
           '"dureeMois": 12, "codeCPV": "90910000-9", "nature": "Marché", "titulaires": [{"titulaire": {"id": "78514729922523"}}], '
           '"considerationsSociales": {"considerationSociale": ["Clause sociale"]}, "modifications": []}')
    path = tmp_path / "clean.json"
    path.write_text('{"marches": {"marche": [' + ",\n".join(rec % (i, 1000 + i) for i in range(3000)) + "]}}", encoding="utf-8")
    calls = []
    orig = Extractor.extract
    monkeypatch.setattr(Extractor, "extract", lambda self, *a, **k: calls.append(1) or orig(self, *a, **k))
    monkeypatch.setattr(decp, "_BATCH", 50_000)
    r = scan_decp(path, today=TODAY)
    assert r.report.read == 3000 and r.buyers[0].contracts == 3000
    assert len(calls) < 3000 * 0.3  # at most the last batch of each list goes to the plain reader


@pytest.mark.parametrize("indent", [None, 2])
def test_lists_of_holders_do_not_leave_the_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: int | None) -> None:
    """Holders written like two records (``}, {``) at the end of every batch: the batches still find the records' ends."""
    import json

    from spaser.io.decp import Extractor

    holders = [{"titulaire": {"typeIdentifiant": "SIRET", "id": "78514729922523", "denominationSociale": f"T{k}"}} for k in range(6)]
    recs = [{"id": f"M{i}", "acheteur": {"id": "13001898900017"}, "montant": 1000 + i, "dateNotification": "2024-03-01",
             "dureeMois": 12, "codeCPV": "90910000-9", "nature": "Marché", "titulaires": holders} for i in range(400)]
    path = tmp_path / "holders.json"
    path.write_text(json.dumps({"marches": recs}, indent=indent), encoding="utf-8")
    calls = []
    orig = Extractor.extract
    monkeypatch.setattr(Extractor, "extract", lambda self, *a, **k: calls.append(1) or orig(self, *a, **k))
    monkeypatch.setattr(decp, "_BATCH", 3000)
    assert _result(path, True) == _result(path, False)
    assert len(calls) < 400 + 400 * 0.2  # the reference's 400, and at most the last batch through the plain reader
