"""Every real file of ../shared/data/real-world gives the figures of that folder's README table.

The table is parsed, not copied: a row added there is checked here. Figures
(records, contracts, concessions, dated contracts, total HT after modifications,
and the ``check`` figures) were computed by the data's curators with plain code.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser.io import load
from spaser.model import ContractKind
from spaser.money import implausible_amount

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real-world"
README = REAL / "README.md"
TODAY = date(2026, 12, 1)


def _number(text: str) -> Decimal | None:
    m = re.match(r"\s*([0-9][0-9 \u202f\u00a0]*(?:,[0-9]+)?)", text)
    if not m or not any(c.isdigit() for c in m.group(1)):
        return None
    return Decimal(re.sub(r"[ \u202f\u00a0]", "", m.group(1)).replace(",", "."))


def _rows() -> list[dict[str, str]]:
    """The README table as dicts (header -> cell); [] when ../shared is absent."""
    if not README.is_file():
        return []
    lines = [line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")))) for line in lines[2:]]


ROWS = _rows()


def _params() -> list[object]:
    if not ROWS:
        return [pytest.param(None, marks=pytest.mark.skip(reason="données partagées absentes (../shared/data/real-world) : test sauté"))]
    return [pytest.param(r, id=r["file"]) for r in ROWS]


def test_readme_table_parsed() -> None:
    if not ROWS:
        pytest.skip("données partagées absentes (../shared/data/real-world) : test sauté")
    assert len(ROWS) >= 16 and all((REAL / r["file"]).is_file() for r in ROWS)


@pytest.mark.parametrize("row", _params())
def test_real_file_gives_its_figures(row: dict[str, str]) -> None:
    path = REAL / row["file"]
    r = load(path, today=TODAY, max_issues=100_000)
    rep = r.report
    rep.check()
    purchases = [p for pf in r.portfolios for p in pf.purchases]
    marches = [p for p in purchases if p.kind is not ContractKind.CONCESSION]
    concessions = [p for p in purchases if p.kind is ContractKind.CONCESSION]
    assert rep.read == rep.accepted + rep.rejected == _number(row["records"])
    assert len(marches) == _number(row["contracts"])
    assert len(concessions) == _number(row["concessions"])
    assert sum(1 for p in marches if p.notification_date is not None) == _number(row["dated"])
    total = _number(row["total HT (final)"])
    plausible = [p.amount_ht for p in marches if p.amount_ht is not None and implausible_amount(p.amount_ht) is None]
    if total is not None:
        assert sum(plausible, Decimal(0)) == total
    note = row["total HT (final)"]
    if "implausible" in note or "100 times" in note:
        assert rep.counts["amount-absurd"] >= 1  # read, and flagged
    if "check" in row and row["check"].strip():
        _check_figures(r, row["check"])


def _check_figures(r: object, spec: str) -> None:
    """« SIRET, year: contracts, value[; social and environmental: Y yes, N none, U unknown] »."""
    m = re.match(r"\s*(all buyers|[0-9]{14}), ([0-9]{4}): ([0-9 ]+), ([0-9 ,]+)", spec)
    assert m, spec
    who, year = m.group(1), int(m.group(2))
    count, value = _number(m.group(3)), _number(m.group(4))
    purchases = [p for pf in r.portfolios for p in pf.purchases  # type: ignore[attr-defined]
                 if who == "all buyers" or pf.buyer.siret == who]
    in_year = [p for p in purchases if p.notification_date is not None and p.notification_date.year == year
               and p.kind is not ContractKind.CONCESSION]
    assert len(in_year) == count
    assert sum((p.amount_ht for p in in_year if p.amount_ht is not None), Decimal(0)) == value
    s = re.search(r"social and environmental: ([0-9]+) yes, ([0-9]+) none, ([0-9]+) unknown", spec)
    if s:
        yes, none, unknown = (int(x) for x in s.groups())
        for status in ("social_status", "environmental_status"):
            got = [getattr(p, status) for p in in_year]
            assert (got.count("oui"), got.count("non"), got.count("inconnu")) == (yes, none, unknown), status
