"""`spaser check` and `spaser scan` estimate a buyer's yearly spend with one rule.

The same DECP file must give the same estimated spend per buyer through the
obligation (law engine) and through the national scan.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser.io import load
from spaser.law.obligation import count_spend
from spaser.scan import scan_decp

FIX = Path(__file__).parent / "fixtures" / "decp"
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("name", ["data.gouv.fr_pes.json", "e-marchespublics.json", "data.gouv.fr_aife.json"])
@pytest.mark.parametrize("year", [2018, 2019])
def test_check_and_scan_agree_on_estimated_spend(name: str, year: int) -> None:
    path = FIX / name
    scanned = {b.siret: b.estimate for b in scan_decp(path, year=year, today=TODAY).buyers}
    imported = load(path, today=TODAY)
    compared = 0
    for pf in imported.portfolios:
        if pf.buyer.siret is None or pf.buyer.siret not in scanned:  # invalid ids share no key
            continue
        # Read the law as it stands today: the counted basis is the spend of the year.
        sc = count_spend(pf, year, TODAY)
        assert (sc.total or Decimal(0)) == scanned[pf.buyer.siret], pf.buyer.siret
        compared += 1
    assert compared > 0


def test_scan_shows_no_share_when_every_consideration_is_unknown() -> None:
    # DECP 2019 has no consideration fields: "n.d.", never 0 %.
    r = scan_decp(FIX / "e-marchespublics.json", year=2019, today=TODAY)
    assert r.buyers and all(b.social_share is None and b.env_share is None for b in r.buyers if b.notified)
    assert all(b.social_unknown_share == 1 for b in r.buyers if b.notified)
