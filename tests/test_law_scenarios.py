"""Scenario tests: the law engine against data files in tests/scenarios/ (see its README)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from spaser.law import check, eu_threshold
from spaser.model import Buyer, BuyerKind, Nature, Portfolio, Purchase

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))
_MONEY = {"amount_ht", "insertion_hours_planned", "insertion_hours_achieved"}
_SEGMENT = re.compile(r"^(?P<key>[^\[#]+)(?:\[(?P<sel>[^\]]+)\])?(?P<count>#)?$")


def _money(v: Any) -> Decimal:
    assert isinstance(v, str), f"amounts are written as text in scenarios, got {v!r}"
    return Decimal(v)


def _purchase(raw: dict[str, Any]) -> Purchase:
    data = dict(raw)
    for k in _MONEY & set(data):
        data[k] = _money(data[k])
    if "spend_by_year" in data:
        data["spend_by_year"] = {int(y): _money(v) for y, v in data["spend_by_year"].items()}
    return Purchase(**data)


def _portfolio(s: dict[str, Any]) -> Portfolio:
    b = dict(s["buyer"])
    b["declared_spend"] = {int(y): _money(v) for y, v in b.get("declared_spend", {}).items()}
    return Portfolio(buyer=Buyer(**b), purchases=tuple(_purchase(p) for p in s.get("purchases", [])))


def _walk(data: Any, path: str) -> Any:
    for segment in re.split(r"\.(?![^\[]*\])", path):  # dots inside [...] belong to the selection
        m = _SEGMENT.match(segment)
        assert m, f"bad path segment {segment!r}"
        if isinstance(data, list):  # a field after a selection reads the first item
            assert data, f"no item left before {segment!r}"
            data = data[0]
        data = data[m["key"]]
        sel = m["sel"]
        if sel is not None:
            if "=" in sel:
                k, v = sel.split("=", 1)
                data = [x for x in data if str(x.get(k)) == v]
            else:
                data = data[int(sel)]
        if m["count"]:
            return len(data)
    return data


@pytest.mark.parametrize("file", SCENARIOS, ids=[f.stem for f in SCENARIOS])
def test_scenario(file: Path) -> None:
    s = yaml.safe_load(file.read_text(encoding="utf-8"))
    assert s.get("description"), "every scenario says what it checks"
    if s.get("question") == "eu_threshold":
        for case in s["cases"]:
            nature = Nature(case["nature"]) if case["nature"] else None
            got = eu_threshold(BuyerKind(case["buyer_kind"]), nature, s["at"])
            expected = case["expected"]
            assert (None if got is None else str(got.value)) == expected, case
        return
    d = check(_portfolio(s), year=s["year"], at=s["at"]).to_dict()
    for path, expected in s["expected"].items():
        assert _walk(d, path) == expected, f"{file.name}: {path}"


def test_every_switch_has_its_day_before_and_day_of() -> None:
    names = {f.stem for f in SCENARIOS}
    for day_before, day_of in [
        ("threshold_2022_12_31", "threshold_2023_01_01"),
        ("scope_2023_10_24_hospital", "scope_2023_10_25_hospital"),
        ("per_contract_2026_08_20", "per_contract_2026_08_21"),
        ("eu_threshold_2025_12_31", "eu_threshold_2026_01_01"),
        ("eu_threshold_2021_12_31", "eu_threshold_2022_01_01"),
        ("eu_threshold_2023_12_31", "eu_threshold_2024_01_01"),
        ("threshold_2015_01_31", "threshold_2015_02_01"),
        ("contents_2014_07_30", "contents_2014_07_31"),
        ("contents_2015_08_18", "contents_2015_08_19"),
        ("per_contract_no_launch_date_2026_08_20", "per_contract_no_launch_date_2026_08_21"),
        ("concession_2026_08_20", "concession_2026_08_21"),
        ("strict_threshold_equal", "strict_threshold_above"),
    ]:
        assert {day_before, day_of} <= names
