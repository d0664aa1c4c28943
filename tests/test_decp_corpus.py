"""Bad-input corpus for the DECP reader: clear French errors, no traceback, bounded memory."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from spaser._errors import InputError, LimitExceeded
from spaser.cli import main
from spaser.io import load
from spaser.io.decp import MAX_DEPTH, MAX_STRING

CORPUS = Path(__file__).parent / "corpus" / "decp"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["cases"]
BUYER = '"acheteur": {"id": "13001898900017"}'


@pytest.mark.parametrize("case", MANIFEST, ids=[c["file"] for c in MANIFEST])
def test_corpus_case(case: dict) -> None:
    path = CORPUS / case["file"]
    if case["fatal"]:
        with pytest.raises(InputError) as err:
            load(path)
        assert err.value.code == case["code"]
        assert case["message"] in str(err.value)
        assert str(path) in str(err.value)  # the file is named
    else:
        r = load(path)
        assert r.report.read == case["read"] == r.report.accepted + r.report.rejected
        assert r.report.rejected == case["rejected"]
        for code, n in case["issues"].items():
            assert r.report.counts[code] == n


def test_corpus_manifest_lists_every_file() -> None:
    listed = {c["file"] for c in MANIFEST}
    present = {p.name for p in CORPUS.iterdir() if p.name != "manifest.json"}
    assert listed == present


def test_duplicate_keys_last_value_wins() -> None:
    r = load(CORPUS / "duplicate-keys.json")
    (p,) = r.portfolio.purchases
    assert str(p.amount_ht) == "2500"
    issue = next(i for i in r.report.issues if i.code == "json-duplicate-key")
    assert "montant" in issue.message and issue.row == 1


def test_xxe_never_resolved() -> None:
    with pytest.raises(InputError) as err:
        load(CORPUS / "xxe.xml")
    assert "root:" not in str(err.value)  # /etc/passwd content never appears


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_json(tmp_path: Path, opener: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"marches": [' + opener * 100_000, encoding="ascii")
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as err:
            load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.code == "limit-depth"
    assert str(MAX_DEPTH) in str(err.value)
    assert peak < 50_000_000  # without the guard the parser's prefixes take gigabytes


def test_deep_nesting_bare_list_closed(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="ascii")
    with pytest.raises(LimitExceeded) as err:
        load(path)
    assert err.value.code == "limit-depth"


def test_deep_nesting_xml(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_text("<marches><marche>" + "<a>" * 10_000 + "</a>" * 10_000 + "</marche></marches>", encoding="ascii")
    with pytest.raises(LimitExceeded) as err:
        load(path)
    assert err.value.code == "limit-depth"


def test_ten_megabyte_string_json(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text('{"marches": [{"id": "A", ' + BUYER + ', "objet": "' + "x" * 10_000_000 + '"}]}', encoding="ascii")
    with pytest.raises(LimitExceeded) as err:
        load(path)
    assert err.value.code == "limit-string"
    assert "caractères" in str(err.value)


def test_long_string_with_escapes_json(tmp_path: Path) -> None:
    # Escaped quotes and backslashes do not end the string for the guard.
    path = tmp_path / "long.json"
    path.write_text('{"marches": [{"objet": "' + '\\"\\\\' * MAX_STRING + '"}]}', encoding="ascii")
    with pytest.raises(LimitExceeded) as err:
        load(path)
    assert err.value.code == "limit-string"


def test_ten_megabyte_text_xml(tmp_path: Path) -> None:
    path = tmp_path / "long.xml"
    path.write_text("<marches><marche><objet>" + "x" * 10_000_000 + "</objet></marche></marches>", encoding="ascii")
    with pytest.raises(LimitExceeded) as err:
        load(path)
    assert err.value.code == "limit-string"


def test_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    rec = '{"id": "A", ' + BUYER + ', "objet": "' + "[{" * 5000 + '", "montant": 10}'
    path = tmp_path / "brackets.json"
    path.write_text('{"marches": [' + rec + "]}", encoding="ascii")
    r = load(path)
    assert r.report.accepted == 1


@pytest.mark.parametrize("name", ["billion-laughs.xml", "truncated.json", "root-foo.json"])
def test_cli_clean_error(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(CORPUS / name)])
    err = capsys.readouterr().err
    assert code == 3
    assert "Traceback" not in err and err.startswith("spaser : ")
