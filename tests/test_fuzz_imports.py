"""Property-based fuzzing of the import entry point (issue #6).

Whatever bytes a buyer hands over, ``spaser.load`` either returns a result
whose report accounts for every record, or raises a SpaserError (French
message). Never another exception. CI runs a short budget; set
``SPASER_FUZZ_EXAMPLES`` for a longer run, or use ``scripts/fuzz_atheris.py``.
Any crash found becomes a file under tests/corpus/fuzz/ (replayed below).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spaser
from spaser import SpaserError

EXAMPLES = int(os.environ.get("SPASER_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CORPUS = Path(__file__).parent / "corpus" / "fuzz"

# Cells a buyer's export really contains, good and bad.
CELLS = st.sampled_from(
    [
        "", " ", "NC", "0", "-12", "1 234,56", "1.234,56", "1,234.56", "1\u202f234,56 €", "12 000 € TTC",
        "1e17", "1e999", "-1e-999", "NaN", "inf", "31/02/2025", "31/12/2025", "2025-06-30", "45000000-7", "45000000-8",
        "99999999", "9091", "Clause sociale", "Sans objet", "Critère environnemental, Clause sociale",
        "=1+1", "@SUM(A1)", "\x00", "é\u0301", "🙂", "<&>", '"', "a;b", "x" * 300, "13001898900017", "12345678901234",
    ]
)
HEADERS = ["Identifiant", "Objet", "Code CPV", "Montant HT", "Date de notification", "Durée (mois)",
           "Considérations sociales", "Considérations environnementales", "SIRET titulaire"]


def _check(path: Path) -> None:
    try:
        result = spaser.load(path)
    except SpaserError as e:
        assert str(e).strip(), "an error must carry a French message"
        return
    r = result.report
    assert r.read == r.accepted + r.rejected
    assert sum(len(p.purchases) for p in result.portfolios) == r.accepted


@FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".xlsx", ".json", ".xml"]))
def test_arbitrary_bytes_never_crash(tmp_path: Path, data: bytes, suffix: str) -> None:
    f = tmp_path / f"fuzz{suffix}"
    f.write_bytes(data)
    _check(f)


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=len(HEADERS), max_size=len(HEADERS)), max_size=25),
       sep=st.sampled_from([";", ",", "\t"]), enc=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_messy_csv_accounts_for_every_row(tmp_path: Path, rows: list[list[str]], sep: str, enc: str) -> None:
    def q(c: str) -> str:
        return '"' + c.replace('"', '""') + '"'

    text = "\n".join(sep.join(q(c) for c in line) for line in [HEADERS, *rows]) + "\n"
    f = tmp_path / "achats.csv"
    f.write_bytes(text.encode(enc, errors="replace"))
    _check(f)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | CELLS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "montant", "x"]), inner, max_size=3),
    max_leaves=8,
)
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES, "acheteur": st.fixed_dictionaries({}, optional={"id": CELLS, "nom": CELLS}),
        "montant": JSON_VALUES, "codeCPV": CELLS, "dateNotification": CELLS, "dureeMois": JSON_VALUES,
        "nature": st.sampled_from(["Marché", "Accord-cadre", "Marché subséquent", "CONCESSION DE TRAVAUX", "?"]),
        "_type": st.sampled_from(["Marché", "Contrat de concession", "x"]), "titulaires": JSON_VALUES,
        "considerationsSociales": JSON_VALUES, "considerationsEnvironnementales": JSON_VALUES,
    },
)


@FUZZ
@given(records=st.lists(RECORD, max_size=20), v2=st.booleans())
def test_messy_decp_accounts_for_every_record(tmp_path: Path, records: list[dict], v2: bool) -> None:
    root = {"marches": {"marche": records}} if v2 else {"marches": records}
    f = tmp_path / "decp.json"
    f.write_text(json.dumps(root, ensure_ascii=False), encoding="utf-8")
    _check(f)


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.glob("*") if p.suffix != ".md"), ids=lambda p: p.name)
def test_fuzz_corpus_replays(path: Path) -> None:
    _check(path)
