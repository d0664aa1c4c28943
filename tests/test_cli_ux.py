"""The command line as a buyer meets it: any console code page, French usage errors with exit 2,
suggestions for typos, JSON errors and format version, ``-`` for standard input and output,
an input never overwritten, a progress bar only on a terminal."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from spaser.cli import main
from spaser.cli._common import JSON_FORMAT_VERSION, french

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
SMALL = EXAMPLES / "petite_commune.csv"
MULTI = ROOT / "tests" / "fixtures" / "decp" / "concessions.json"  # two buyers
ENGLISH = re.compile(r"\b(invalid|choose from|required|unrecognized|expected|usage:|argument\(s\))(?!\w)")


def _run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess[bytes]:  # type: ignore[no-untyped-def]
    full = dict(os.environ, **(env or {}))
    full.pop("SPASER_PROGRESS", None)
    return subprocess.run([sys.executable, "-m", "spaser", *args], input=stdin, capture_output=True, env=full, timeout=120, **kw)


# -- UTF-8 whatever the console --------------------------------------------------------------
@pytest.mark.parametrize("args", [["law"], ["check", str(SMALL), "--date", "2026-03-02"], ["suggest", str(SMALL)], ["law", "--json"]])
def test_output_is_utf8_on_a_cp1252_console(args: list[str]) -> None:
    """Windows with output redirected: Python would encode in cp1252, which has no narrow no-break space."""
    proc = _run(*args, env={"PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"})
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")  # strict: the bytes are UTF-8
    assert "é" in text or "\\u00e9" not in text


def test_in_process_cp1252_stdout_is_switched_to_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252", newline="\n")
    monkeypatch.setattr(sys, "stdout", stream)
    assert main(["check", str(EXAMPLES / "metropole.xlsx"), "--date", "2026-11-22"]) == 0
    stream.flush()
    text = raw.getvalue().decode("utf-8")
    assert "\u202f" in text or "\xa0" in text  # French number spacing, unencodable in cp1252
    assert "OBLIGATION D'ADOPTER UN SPASER" in text


# -- usage errors: exit 2, in French -----------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", str(SMALL), "--date", "2025-13-45"], "Date « 2025-13-45 » illisible"),
        (["check", str(SMALL), "--year", "0"], "année « 0 » invraisemblable"),
        (["check", str(SMALL), "--year", "abc"], "année « abc » illisible"),
        (["check", str(SMALL), "--vat-rate", "abc"], "Taux de TVA « abc » illisible"),
        (["check", str(SMALL), "--vat-rate", "-5"], "Taux de TVA « -5 » illisible"),
        (["check", str(MULTI)], "2 acheteurs"),
        (["draft", str(MULTI), "--out", "x.docx"], "--buyer"),
        (["check", str(MULTI), "--buyer", "999"], "Aucun acheteur"),
        (["suggest", str(SMALL), "--top", "0"], "au moins 1"),
        (["report", str(SMALL)], "arguments obligatoires manquants : --year"),
        (["law", "--date", "31/02/2026"], "illisible"),
        (["check", str(SMALL), "--buyer-kind", "mairie"], "Type d'acheteur « mairie » inconnu"),
        (["suggest", "--cpv", "90910000", "--amount", "beaucoup"], "Montant « beaucoup » illisible"),
    ],
)
def test_usage_errors_exit_2_with_a_french_message(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    code = _code(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert expected in err
    assert "erreur interne" not in err and "Traceback" not in err
    message = err.splitlines()[-1]
    assert not ENGLISH.search(message), message
    assert not list(tmp_path.iterdir())  # nothing written


def _code(args: list[str]) -> int:
    """main()'s exit code, whether it returns it or argparse exits."""
    try:
        return main(args)
    except SystemExit as e:
        return int(e.code or 0)


def test_argparse_messages_are_french_without_double_translation() -> None:
    msg = french("argument COMMANDE: invalid choice: 'x' (choose from 'a', 'b')")
    assert "invalidee" not in msg and msg.startswith("argument COMMANDE : choix invalide")
    assert "invalid" not in french("argument --top: invalid int value: 'x'")
    assert french("ambiguous option: --ye could match --year, --yes") == "option ambiguë : --ye peut désigner --year, --yes"


@pytest.mark.parametrize(("args", "hint"), [(["chek"], "« check »"), (["sugest", "x"], "« suggest »"), (["check", str(SMALL), "--jsno"], "« --json »"), (["law", "--dat", "x", "--prefx", "y"], "« --prefix »")])
def test_typos_suggest_the_closest_command_or_option(capsys: pytest.CaptureFixture[str], args: list[str], hint: str) -> None:
    with pytest.raises(SystemExit) as e:
        main(args)
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert f"Vouliez-vous dire {hint} ?" in err
    assert "invalidee" not in err


def test_help_is_french_and_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "utilisation : spaser" in out and "Codes de sortie" in out
    assert "usage:" not in out and "show this help" not in out


# -- JSON ------------------------------------------------------------------------------------
def test_every_json_output_carries_the_format_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = [
        ["inspect", str(SMALL), "--json"],
        ["check", str(SMALL), "--json", "--date", "2026-03-02"],
        ["law", "--json", "--prefix", "spaser"],
        ["suggest", str(SMALL), "--json"],
        ["suggest", "--cpv", "90910000", "--amount", "300 000", "--json"],
        ["deliberation", str(SMALL), "--out", str(tmp_path / "d.docx"), "--json"],
        ["scan", str(ROOT / "tests" / "fixtures" / "decp" / "e-marchespublics.json"), "--json"],
    ]
    for args in runs:
        assert main(args) == 0, args
        data = json.loads(capsys.readouterr().out)
        assert data["format_version"] == JSON_FORMAT_VERSION, args
        assert next(iter(data)) == "format_version"


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        (["check", "absent.csv", "--json"], "file-not-found", 3),
        (["check", str(SMALL), "--year", "0", "--json"], "usage", 2),
        (["chek", "--json"], "usage", 2),
        (["check", str(MULTI), "--json"], "several-buyers", 2),
    ],
)
def test_json_errors_are_json(capsys: pytest.CaptureFixture[str], args: list[str], code: str, exit_code: int) -> None:
    rc = _code(args)
    captured = capsys.readouterr()
    assert rc == exit_code
    data = json.loads(captured.out)
    assert data["format_version"] == JSON_FORMAT_VERSION
    assert data["error"]["code"] == code and data["error"]["exit_code"] == exit_code
    assert data["error"]["message"] and "Traceback" not in captured.err


# -- standard input and output ----------------------------------------------------------------
def test_dash_reads_standard_input() -> None:
    proc = _run("inspect", "-", "--json", stdin=SMALL.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert data["file"] == "entrée standard" and data["purchases"] > 0
    bad = _run("check", "-", stdin=b"%PDF-1.4\n")
    assert bad.returncode == 3 and "entrée standard" in bad.stderr.decode() and "spaser-stdin" not in bad.stderr.decode()


def test_dash_writes_documents_to_standard_output(tmp_path: Path) -> None:
    import docx
    import openpyxl

    proc = _run("draft", str(SMALL), "--out", "-", "--date", "2026-03-02")
    assert proc.returncode == 0, proc.stderr.decode()
    (tmp_path / "d.docx").write_bytes(proc.stdout)
    assert docx.Document(str(tmp_path / "d.docx")).paragraphs
    assert "sortie standard" in proc.stderr.decode()  # the summary moved to standard error
    proc = _run("template", "--out", "-")
    (tmp_path / "t.xlsx").write_bytes(proc.stdout)
    assert "Achats" in openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames
    two = _run("report", str(SMALL), "--year", "2025", "--out", "-", "--csv", "-")
    assert two.returncode == 2 and "Une seule sortie" in two.stderr.decode()


def test_export_refuses_to_replace_its_own_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in.xlsx"
    src.write_bytes((EXAMPLES / "metropole.xlsx").read_bytes())
    before = src.read_bytes()
    monkeypatch.chdir(tmp_path)
    for out in ("in.xlsx", str(src), "./in.xlsx"):
        assert main(["export", "in.xlsx", "--out", out, "--force"]) == 4
        assert "fichier d'entrée" in capsys.readouterr().err
    assert src.read_bytes() == before


# -- progress -----------------------------------------------------------------------------------
def test_no_progress_when_standard_error_is_not_a_terminal() -> None:
    proc = _run("check", str(SMALL), "--date", "2026-03-02")
    assert proc.returncode == 0 and proc.stderr == b""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="pas de pseudo-terminal sur ce système")
def test_progress_bar_on_a_terminal() -> None:
    master, slave = os.openpty()
    try:
        full = dict(os.environ, TERM="xterm")
        full.pop("SPASER_PROGRESS", None)
        proc = subprocess.run([sys.executable, "-m", "spaser", "check", str(EXAMPLES / "metropole.xlsx"), "--date", "2026-11-22"],
                              stdout=subprocess.PIPE, stderr=slave, env=full, timeout=120)
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    err = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 0
    assert "étape 1/2 : Import du fichier" in err and "étape 2/2 : Diagnostic" in err
    assert err.endswith("\r\x1b[K")  # the line is cleared at the end
    assert "OBLIGATION" in proc.stdout.decode("utf-8")  # standard output untouched


def test_readme_documents_every_exit_code() -> None:
    from spaser._errors import EXIT_CODES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert f"\n| {code} | " in readme, code


def test_the_program_exits_with_the_command_code_leaving_its_objects_to_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    # `spaser` and `python -m spaser` end with main()'s code; what is still alive is frozen, not
    # walked and freed one by one by the interpreter's last collection.
    import gc

    import spaser.cli as cli

    monkeypatch.setattr(cli, "main", lambda: 4)
    try:
        with pytest.raises(SystemExit) as e:
            cli.console()
        assert e.value.code == 4
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    out = subprocess.run([sys.executable, "-m", "spaser", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("spaser ")
