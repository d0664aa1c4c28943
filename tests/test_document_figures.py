"""Every document repeats `check --json`'s figures for the same year and perimeter.

The draft, the yearly report and the published CSV are reopened (python-docx, csv) and their
figures are compared with those `spaser check --json` prints: the national measure of each
target (contracts at or above the year's floor), every year of the history, and the achieved
insertion hours, unknown where they are unknown (never « 0 h »).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from spaser.cli import main
from spaser.money import format_percent

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "metropole.xlsx"
AT = "2026-11-22"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    d = tmp_path_factory.mktemp("figures")
    cap = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(cap):
        assert main(["check", str(EXAMPLE), "--json", "--date", AT]) in (0, 1)
    checked = json.loads(cap.getvalue())
    checked = checked.get("diagnosis", checked)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["draft", str(EXAMPLE), "--out", str(d / "draft.docx"), "--date", AT]) == 0
        assert main(["report", str(EXAMPLE), "--year", str(checked["year"]), "--out", str(d / "bilan.docx"),
                     "--csv", str(d / "indicateurs.csv"), "--date", AT]) == 0
    return {"check": checked, "dir": d}


def _tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def _table(path: Path, first_header: str, second_header: str) -> list[list[str]]:
    found = [t for t in _tables(path) if t and t[0][:2] == [first_header, second_header]]
    assert found, f"tableau « {first_header} | {second_header} » absent de {path.name}"
    return found[0]


def _target(check: dict, name: str) -> dict:
    return next(t for t in check["targets"] if t["name"] == name)


def test_check_json_has_what_the_documents_need(out: dict) -> None:
    c = out["check"]
    assert c["year"] == 2025
    assert str(c["year"]) in c["measured_by_year"]
    assert c["measured"] == c["measured_by_year"][str(c["year"])]


def test_draft_indicators_table_and_history_equal_check(out: dict) -> None:
    c = out["check"]
    draft = out["dir"] / "draft.docx"  # type: ignore[operator]
    table = _table(draft, "Indicateur", "Nombre")
    for name, word in (("pnad.social", "sociale"), ("pnad.environnement", "environnementale")):
        t = _target(c, name)
        row = next(r for r in table if r[0].startswith(f"Marchés avec au moins une considération {word} — marchés d'au moins 40"))
        assert "(mesure nationale)" in row[0]
        assert row[1] == f"{int(Decimal(t['numerator'])):,}".replace(",", "\u202f")
        assert row[2] == format_percent(Decimal(t["actual"]))
    # The history (Figure 4 is drawn from the same rows): each year's national measure, as in check.
    history = _table(draft, "Année", "Marchés (tous)")
    for row in history[1:]:
        year = row[0]
        m = c["measured_by_year"][year]
        yes, n, unknown = m["social"]["yes"]["count"], m["social"]["yes"]["denominator_count"], m["social"]["unknown"]["count"]
        expected = "n.d." if n and unknown == n else format_percent(Decimal(yes) / Decimal(n))
        assert row[3] == expected, year
    # Unknown achieved hours stay unknown, counted apart.
    y = c["indicators"][str(c["year"])]
    assert y["insertion_hours_achieved"] is None and y["contracts_achieved_hours_unknown"] == 72
    hours = next(r for r in table if r[0].startswith("Heures d'insertion réalisées"))
    assert hours[1] == "inconnues"
    apart = next(r for r in table if r[0].startswith("Marchés avec heures d'insertion prévues"))
    assert apart[1] == "72"
    assert not any("0\u00a0h" == r[1] for r in table)


def test_report_compares_the_national_measure_as_check(out: dict) -> None:
    c = out["check"]
    report = _table(out["dir"] / "bilan.docx", "Indicateur", "Base")  # type: ignore[operator]
    t = _target(c, "pnad.social")
    row = next(r for r in report if r[0] == "Marchés comportant au moins une considération sociale" and r[1] == "nombre")
    assert row[3] == format_percent(Decimal(t["actual"]))
    assert row[5] == t["status"]  # « atteint » in both, never « non atteint » here and « ATTEINT » there
    hours = next(r for r in report if r[0].startswith("Heures d'insertion"))
    assert "0" not in hours[3]


def test_published_csv_equals_check(out: dict) -> None:
    c = out["check"]
    text = (out["dir"] / "indicateurs.csv").read_text(encoding="utf-8-sig")  # type: ignore[operator]
    rows = {(r["annee"], r["indicateur"]): r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    year = str(c["year"])
    t = _target(c, "pnad.social")
    social = rows[(year, "social_nombre")]
    assert Decimal(social["numerateur"]) == Decimal(t["numerator"]) and Decimal(social["denominateur"]) == Decimal(t["denominator"])
    assert Decimal(social["taux"]) == Decimal(t["actual"]).quantize(Decimal("0.0001"))
    assert "40" in social["perimetre"] and "mesure nationale" in social["perimetre"]
    assert rows[(year, "heures_insertion")]["numerateur"] == ""  # unknown, not 0
    assert rows[(year, "heures_insertion_inconnues")]["numerateur"] == "72"


def test_objectives_never_below_what_is_measured(out: dict) -> None:
    """Each proposed objective of the first year is at least the value measured (diagnosis year or after)."""
    from spaser.documents.builders import build_draft_view, opportunities_for
    from spaser.documents.config import DocumentConfig
    from spaser.io import load
    from spaser.law import check

    p = load(EXAMPLE).portfolio
    d = check(p, at=date.fromisoformat(AT))
    view = build_draft_view(p, d, opportunities_for(p, year=d.year, at=d.at, top=5)[0], DocumentConfig())
    for o in view.objectives:
        assert o.source in ("proposition", "acheteur", "à fixer")
        if o.source != "proposition":
            continue
        values = [v for v in (o.by_year[y] for y in sorted(o.by_year))]
        assert all(v is not None for v in values), o.key
        assert values == sorted(values), o.key  # never backwards
        if o.current is not None:
            assert values[0] >= o.current, o.key
        assert o.rule
    keys = {o.key for o in view.objectives if o.source == "proposition"}
    assert {"esus_valeur", "inclusion_valeur", "reserves_nombre", "heures_insertion"} <= keys  # L2111-3's target objectives


def test_yearly_report_in_the_scheme_compares_with_its_own_objective() -> None:
    """A report year inside the scheme: each row compares with the scheme's objective for that year
    (the draft's), and the history covers the scheme's period from the year before it."""
    from spaser.documents.builders import build_annual_view, objective_rows
    from spaser.documents.config import parse_config
    from spaser.io import load
    from spaser.law import check

    p = load(EXAMPLE).portfolio
    cfg = parse_config("[schema]\ndebut = 2024\nfin = 2029\n")
    d = check(p, year=2025, at=date.fromisoformat(AT))
    view = build_annual_view(p, d, cfg)
    objectives = {o.key: o for o in objective_rows(p, d, cfg, 2024, 2029)}
    for r in view.rows:
        if objectives[r.key].by_year.get(2025) is not None:
            assert r.objective == objectives[r.key].by_year[2025], r.key
            assert r.source == "objectif proposé du schéma"
    assert [h.year for h in view.history] == [2023, 2024, 2025]
