"""Scenario tests of every suggestion rule (data files in tests/scenarios_advice/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from spaser.clauses import RULES, suggest
from spaser.model import Buyer, BuyerKind, ContractKind, EnvironmentalConsideration, Purchase, SocialConsideration, SocialExemption

HERE = Path(__file__).parent / "scenarios_advice"
FILES = sorted(HERE.glob("*.yaml"))


def _cases() -> list[tuple[str, dict]]:
    out = []
    for f in FILES:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        for case in data["cases"]:
            out.append(pytest.param(data["rule"], case, id=f"{data['rule']}: {case['name']}"))
    return out


def _purchase(spec: dict, at: date) -> Purchase:
    spec = dict(spec)
    return Purchase(
        id=spec.pop("id", "S1"),
        object=spec.pop("object"),
        cpv=spec.pop("cpv"),
        amount_ht=Decimal(spec.pop("amount")),
        consultation_date=at,
        kind=ContractKind(spec.pop("kind", "marche")),
        social=frozenset(SocialConsideration(v) for v in spec.pop("social")) if "social" in spec else None,
        environmental=frozenset(EnvironmentalConsideration(v) for v in spec.pop("environmental")) if "environmental" in spec else None,
        social_exemption=SocialExemption(spec.pop("social_exemption")) if "social_exemption" in spec else None,
        **spec,
    )


@pytest.mark.parametrize(("rule", "case"), _cases())
def test_scenario(rule: str, case: dict) -> None:
    at = case["date"]
    assert isinstance(at, date)
    buyer = Buyer(name="Acheteur", kind=BuyerKind(case["buyer"])) if "buyer" in case else None
    got = suggest(_purchase(case["purchase"], at), at=at, buyer=buyer)
    by_rule = {s.clause_id: s for s in got if rule in s.rules}
    for clause_id, status in (case.get("expect") or {}).items():
        assert clause_id in by_rule, f"{clause_id} non proposé par {rule} ; proposés : {sorted(by_rule)}"
        assert by_rule[clause_id].status == status, by_rule[clause_id].rationale
    for clause_id in case.get("absent") or []:
        assert clause_id not in by_rule, by_rule[clause_id].rationale
    assert case.get("expect") or case.get("absent"), "un scénario doit attendre quelque chose"


def test_every_rule_has_scenarios() -> None:
    covered = {yaml.safe_load(f.read_text(encoding="utf-8"))["rule"] for f in FILES}
    assert {r.name for r in RULES} == covered


def test_every_rule_has_a_positive_scenario() -> None:
    positive = {yaml.safe_load(f.read_text(encoding="utf-8"))["rule"] for f in FILES
                if any(c.get("expect") for c in yaml.safe_load(f.read_text(encoding="utf-8"))["cases"])}
    assert positive == {r.name for r in RULES}
