"""spaser scan: yearly spend estimate per buyer, streamed, and its outputs."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spaser.cli import main
from spaser.io import load
from spaser.law import params
from spaser.model import ContractKind, Purchase
from spaser.law.estimate import (
    EXCLUDED_CONCESSION,
    EXCLUDED_IMPLAUSIBLE,
    EXCLUDED_NO_DATE,
    SPEND_LABEL,
    estimate_yearly_spend,
    months_in_year,
    spread,
)
from spaser.scan import scan_decp

FIX = Path(__file__).parent / "fixtures" / "decp"
ROOT = Path(__file__).parents[1]
A, B = "13001898900017", "21690123100011"
TODAY = date(2025, 6, 1)


def _m(id: str, buyer: str, amount: object, d: str | None, months: int | None, **kw: object) -> dict:
    rec: dict = {"id": id, "acheteur": {"id": buyer, "nom": f"Acheteur {buyer[:4]}"}, "nature": "Marché", "codeCPV": "90910000"}
    if amount is not None:
        rec["montant"] = amount
    if d is not None:
        rec["dateNotification"] = d
    if months is not None:
        rec["dureeMois"] = months
    rec.update(kw)
    return rec


SOC_YES = {"considerationsSociales": {"considerationSociale": ["Clause sociale"]},
           "considerationsEnvironnementales": {"considerationEnvironnementale": ["Pas de considération environnementale"]}}


@pytest.fixture
def small(tmp_path: Path) -> Path:
    marches = [
        _m("A1", A, 120000, "2024-11-05", 12, **SOC_YES),  # 2/12 in 2024 -> 20 000
        _m("A2", A, 36000, "2023-07-10", 24),  # 12/24 -> 18 000
        _m("A3", A, 5000, "2024-02-01", None),  # 12 months assumed, 11 in 2024 -> 4 583,33
        _m("A5", A, 999999999, "2024-03-01", 12),  # implausible: excluded
        _m("A6", A, 10000, None, 12),  # no date: excluded
        _m("B1", B, 600000, "2024-01-15", 6),  # all in 2024
        _m("B2", B, 1200, "2025-01-01", 1),  # not in 2024
    ]
    concessions = [{"id": "C1", "autoriteConcedante": {"id": A}, "nature": "Concession de service", "valeurGlobale": 1000000,
                    "dateSignature": "2024-01-01", "dureeMois": 12}]
    path = tmp_path / "small.json"
    path.write_text(json.dumps({"marches": {"marche": marches, "contrat-concession": concessions}}), encoding="utf-8")
    return path


def test_scan_hand_computed(small: Path) -> None:
    r = scan_decp(small, year=2024, today=TODAY)
    assert r.report.read == 8 == r.report.accepted
    assert [b.siret for b in r.buyers] == [B, A]
    b, a = r.buyers
    assert b.estimate == Decimal("600000.00") and b.used == 1
    assert a.estimate == Decimal("42583.33")
    assert (a.used, a.assumed_duration, a.implausible, a.no_date, a.concessions) == (3, 1, 1, 1, 1)
    assert a.contracts == 6 and a.total_amount == Decimal(120000 + 36000 + 5000 + 10000)
    # considerations over the marchés notified in 2024 (A1, A3, A5)
    assert (a.notified, a.social_yes, a.social_no, a.social_unknown) == (3, 1, 0, 2)
    assert (a.env_yes, a.env_no, a.env_unknown) == (0, 1, 2)
    assert a.social_share == Decimal("0.3333") and a.social_unknown_share == Decimal("0.6667")
    assert a.status == b.status == "en dessous"
    assert r.label == SPEND_LABEL and "estimation" in r.method.lower()


def test_scan_default_year_is_most_notified(small: Path) -> None:
    r = scan_decp(small, today=TODAY)
    assert r.year == 2024 and r.years == {2023: 1, 2024: 4, 2025: 1}
    assert r.buyers[1].estimate == Decimal("42583.33")


def test_scan_agrees_with_estimate_on_purchases(small: Path) -> None:
    result = load(small, today=TODAY)
    by_siret = {pf.buyer.siret: pf for pf in result.portfolios}
    e = estimate_yearly_spend(by_siret[A].purchases, 2024)
    assert e.total == Decimal("42583.33")
    assert (e.used, e.assumed_duration, e.outside_year, e.default_duration_months) == (3, 1, 0, 12)
    assert e.excluded == {EXCLUDED_CONCESSION: 1, EXCLUDED_IMPLAUSIBLE: 1, EXCLUDED_NO_DATE: 1}
    assert estimate_yearly_spend(by_siret[B].purchases, 2024).total == Decimal("600000.00")


@pytest.mark.parametrize("name", ["data.gouv.fr_aife.json", "data.gouv.fr_pes.json", "e-marchespublics.json", "marches_concessions.json"])
def test_scan_fixture_matches_import(name: str) -> None:
    path = FIX / name
    imported = load(path, today=TODAY)
    r = scan_decp(path, today=TODAY)
    assert r.report.read == imported.report.read
    assert r.report.accepted == imported.report.accepted
    expected = {pf.buyer.siret or pf.buyer.name: estimate_yearly_spend(pf.purchases, r.year).total for pf in imported.portfolios}
    got = {b.siret or b.name: b.estimate for b in r.buyers}
    assert got == expected


def test_threshold_from_law_parameters(tmp_path: Path) -> None:
    big = [_m("X", A, 200_000_000, "2024-01-01", 12), _m("Y", B, 100, "2024-01-01", 12)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"marches": big}), encoding="utf-8")
    r = scan_decp(path, year=2024, today=TODAY)
    seuil = params.value("spaser.seuil", date(2024, 12, 31))
    assert r.threshold == seuil
    assert r.buyers[0].status == ("au-dessus" if Decimal(200_000_000) > seuil * (1 + r.margin) else "en dessous")
    assert r.buyers[1].status == "en dessous"
    assert r.above(seuil) == [r.buyers[0]] if Decimal(200_000_000) > seuil else True


def test_progress_callback(small: Path) -> None:
    seen: list[int] = []
    scan_decp(small, progress=seen.append, progress_every=2, today=TODAY)
    assert seen == [2, 4, 6, 8]


# -- the estimate ---------------------------------------------------------------


@given(
    st.integers(0, 10**9),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(0, 240),
)
def test_spread_sums_to_amount(cents: int, start: date, months: int) -> None:
    amount = Decimal(cents) / 100
    parts = dict(spread(amount, start, months))
    assert abs(sum(parts.values()) - amount) < Decimal("1e-15") * max(amount, 1)
    for y, v in parts.items():
        assert months_in_year(start, months, y) > 0 and v >= 0


def test_estimate_uses_actual_spend_and_excludes_livre_v() -> None:
    ps = [
        Purchase(id="1", amount_ht=Decimal("1000"), notification_date=date(2024, 1, 1), duration_months=12, spend_by_year={2024: Decimal("333")}),
        Purchase(id="2", amount_ht=Decimal("1000"), notification_date=date(2024, 1, 1), duration_months=12, livre_v="L2512-5"),
        Purchase(id="3", amount_ht=Decimal("1000"), notification_date=date(2024, 1, 1), duration_months=0),
        Purchase(id="4", kind=ContractKind.CONCESSION, amount_ht=Decimal("5"), notification_date=date(2024, 1, 1)),
    ]
    e = estimate_yearly_spend(ps, 2024, default_duration_months=12)
    assert e.total == Decimal("1333.00") and e.actual == 1 and e.used == 2
    assert sum(e.excluded.values()) == 2


# -- the command ----------------------------------------------------------------


def test_cli_outputs(small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_csv, out_xlsx = tmp_path / "t.csv", tmp_path / "t.xlsx"
    assert main(["scan", str(small), "--year", "2024", "--csv", str(out_csv), "--xlsx", str(out_xlsx)]) == 0
    text = capsys.readouterr().out
    assert SPEND_LABEL in text and "600\u202f000\xa0€" in text
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0][:3] == ["rang", "siret", "acheteur"] and rows[1][1] == B
    assert rows[2][6] == "42583,33"
    from openpyxl import load_workbook

    wb = load_workbook(out_xlsx, read_only=True)
    assert wb.sheetnames == ["Acheteurs", "Méthode"]
    assert list(wb["Acheteurs"].iter_rows(min_row=2, max_row=2, values_only=True))[0][1] == B
    # existing output without --force: exit 4, before reading anything
    assert main(["scan", str(small), "--csv", str(out_csv)]) == 4
    assert main(["scan", str(small), "--year", "2024", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["buyers"][1]["estimate"] == "42583.33" and data["label"] == SPEND_LABEL


def test_cli_formula_text_is_inert(tmp_path: Path) -> None:
    rec = _m("F", A, 100, "2024-01-01", 12)
    rec["acheteur"]["nom"] = "=HYPERLINK(\"http://x\")"
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"marches": [rec]}), encoding="utf-8")
    out = tmp_path / "f.csv"
    assert main(["scan", str(path), "--csv", str(out)]) == 0
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")


def test_generator_round_trip(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_decp", ROOT / "benchmarks" / "gen_decp.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules["gen_decp"] = gen
    spec.loader.exec_module(gen)
    for fmt in ("2019", "2024"):
        path = gen.generate_decp_json(tmp_path / f"g{fmt}.json", 400, seed=3, format=fmt)
        r = scan_decp(path, today=TODAY)
        assert r.report.read == 400 == r.report.accepted
        assert len(r.buyers) == 20
        assert r.report.counts.get("siret-invalid", 0) == 0
        if fmt == "2024":
            assert all(b.social_unknown == 0 for b in r.buyers)
