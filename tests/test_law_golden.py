"""The diagnosis does not drift: ``check(...).to_dict()`` matches stored golden digests.

The golden files were produced by the straightforward per-measure implementation
(before the one-pass indicators of issue #7), so they pin the optimised engine to it.
Portfolios: the bundled small-commune example, and a synthetic portfolio built here
that exercises spending lines, defence, concessions, Livre V, missing and negative
amounts, supplier kinds, insertion hours, EGalim/AGEC tags and consultation dates.

The file keeps one SHA-256 per diagnosis and top-level part (obligation, indicators, ...)
of the canonical JSON (sorted keys), so a failure names the part that moved while the
file stays small. If a legal parameter or a wording changes on purpose, regenerate with
``SPASER_UPDATE_GOLDEN=1 python -m pytest tests/test_law_golden.py`` and review the diff.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spaser.io import load
from spaser.law import check
from spaser.model import (
    AgecKind,
    Buyer,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration as E,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration as S,
    SocialExemption,
    Supplier,
    SupplierKind,
)

ROOT = Path(__file__).parents[1]
GOLDEN = ROOT / "tests" / "fixtures" / "law"
CASES = [(None, date(2026, 11, 22)), (2024, date(2024, 6, 1)), (2022, date(2022, 3, 1))]


def synthetic(kind: BuyerKind) -> Portfolio:
    """A small portfolio with one purchase of every shape the engine distinguishes (deterministic)."""
    socials = [None, frozenset(), frozenset({S.AUCUNE}), frozenset({S.CLAUSE}), frozenset({S.RESERVE}), frozenset({S.CRITERE, S.CLAUSE})]
    envs = [None, frozenset({E.AUCUNE}), frozenset({E.CLAUSE, E.CRITERE}), frozenset({E.CRITERE}), frozenset({E.CLAUSE})]
    kinds = [ContractKind.MARCHE, ContractKind.DEPENSE, ContractKind.MARCHE_DEFENSE, ContractKind.CONCESSION, ContractKind.ACCORD_CADRE]
    amounts = [Decimal("1200.50"), None, Decimal("-300"), Decimal("45000"), Decimal("250000"), Decimal("6000000"), Decimal("39999.99"), Decimal("0.00")]
    cpvs = ["45000000", "30190000", "79710000", None, "15000000"]
    sups = [(), (Supplier(name="A", kinds=frozenset({SupplierKind.SIAE})),), (Supplier(name="B"), Supplier(name="C", kinds=frozenset({SupplierKind.EA, SupplierKind.ESUS})))]
    out = []
    for i in range(120):
        year = 2021 + i % 6
        out.append(
            Purchase(
                id=f"P{i:03d}",
                object=f"Objet {i}",
                cpv=cpvs[i % 5],
                nature=Nature.SERVICES if i % 11 == 0 else None,
                kind=kinds[i % 5] if i % 3 else ContractKind.MARCHE,
                amount_ht=amounts[i % 8],
                notification_date=None if i % 17 == 0 else date(year, 1 + i % 12, 1 + i % 28),
                consultation_date=date(2026, 9, 1 + i % 20) if i % 7 == 0 else None,
                duration_months=[None, 0, 6, 12, 48][i % 5],
                suppliers=sups[i % 3],
                social=socials[i % 6],
                environmental=envs[i % 5],
                social_exemption=SocialExemption(list(SocialExemption)[0]) if i % 19 == 0 else None,
                insertion_hours_planned=Decimal("35") if i % 4 == 0 else (Decimal("0") if i % 9 == 0 else None),
                insertion_hours_achieved=Decimal("12.5") if i % 8 == 0 else None,
                spend_by_year={2024: Decimal("1000.10")} if i % 13 == 0 else {},
                livre_v="L2512-5" if i % 23 == 0 else None,
                egalim=list(EgalimCategory)[i % len(EgalimCategory)] if i % 5 == 1 else None,
                egalim_meat_fish=i % 10 == 1,
                agec_category=1 + i % 3 if i % 6 == 2 else None,
                agec_kind=[None, AgecKind.REEMPLOI, AgecKind.RECYCLE, AgecKind.AUTRE][i % 4] if i % 6 == 2 else None,
            )
        )
    return Portfolio(buyer=Buyer(name="Acheteur synthétique", kind=kind), purchases=tuple(out))


def portfolios() -> dict[str, Portfolio]:
    return {
        "commune": load(ROOT / "examples" / "petite_commune.csv").portfolio,
        "synthetic-commune": synthetic(BuyerKind.COMMUNE),
        "synthetic-etat": synthetic(BuyerKind.ETAT),
    }


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def outputs() -> dict[str, dict[str, str]]:
    """Diagnosis -> part -> digest of what a user of --json reads."""
    out = {}
    for name, p in portfolios().items():
        for year, at in CASES:
            d = check(p, year=year, at=at).to_dict()
            out[f"{name}|{year}|{at.isoformat()}"] = {part: _digest(value) for part, value in d.items()}
    return out


def test_diagnosis_matches_golden() -> None:
    path = GOLDEN / "golden_diagnosis.json"
    got = outputs()
    if os.environ.get("SPASER_UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden file missing: {path} (SPASER_UPDATE_GOLDEN=1 to create it)")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(expected)
    for key in expected:
        assert sorted(got[key]) == sorted(expected[key]), key
        for part in expected[key]:
            assert got[key][part] == expected[key][part], f"{key}: « {part} » differs from the golden file"
