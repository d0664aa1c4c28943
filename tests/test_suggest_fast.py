"""The fast paths of the advice (issue #7) give the same answers as the plain ones.

``opportunities`` ranks purchases without building every suggestion, and several
results are remembered (rendered texts, parameter values, table look-ups): these
tests compare them with :func:`suggest` itself and check that nothing leaks from
one purchase, date or parameter recording to another.
"""

from __future__ import annotations

import gc
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from spaser.clauses import _law, opportunities, planned_purchase, suggest
from spaser.io import load
from spaser.law import law_at, params
from spaser.law.targets import pnad_indicators
from spaser.model import EnvironmentalConsideration as Env, Portfolio, SocialConsideration as Soc

D = Decimal
EXAMPLE = Path(__file__).parents[1] / "examples" / "metropole.xlsx"
SOCIAL = {s.value for s in Soc if s is not Soc.AUCUNE}
ENV = {e.value for e in Env if e is not Env.AUCUNE}


@pytest.fixture(scope="module")
def metropole() -> Portfolio:
    return load(EXAMPLE).portfolio


@pytest.mark.parametrize("at", [date(2026, 3, 2), date(2026, 9, 1)])  # before and after the Climat switch
def test_opportunities_match_suggest(metropole: Portfolio, at: date) -> None:
    o = opportunities(metropole, at=at, top=10**6)  # every candidate listed
    assert o.candidates == len(o.purchases) > 0
    for po in o.purchases:
        p = metropole.purchases[po.index]
        s = suggest(p, at=at, portfolio=metropole)
        social = next((x for x in s if x.consideration in SOCIAL), None) if p.social_status != "oui" else None
        env = next((x for x in s if x.consideration in ENV), None) if p.environmental_status != "oui" else None
        assert po.social == social
        assert po.environmental == env
        assert po.mandatory == tuple(x.clause_id for x in s if x.mandatory)
        assert po.reservable == any(x.consideration == Soc.RESERVE.value for x in s)
    before = pnad_indicators(metropole, o.year)
    assert (o.top.social_before, o.all.environmental_before) == (before.social.yes.share_count, before.environmental.yes.share_count)


def test_opportunities_restore_the_garbage_collector(metropole: Portfolio) -> None:
    assert gc.isenabled()
    opportunities(metropole, at=date(2026, 9, 1), top=3)
    assert gc.isenabled()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1_000, max_value=9_000_000), min_size=2, max_size=4))
def test_remembered_texts_follow_each_purchase(amounts: list[int]) -> None:
    # The insertion clause's text carries each purchase's own hours, in any order of calls.
    at = date(2026, 9, 1)
    texts = {}
    for a in amounts + amounts[::-1]:
        p = planned_purchase("Nettoyage des écoles", "90919200", D(a), at)
        s = next(x for x in suggest(p) if x.clause_id == "insertion-proprete")
        assert s.hours is not None
        assert texts.setdefault(a, s.text) == s.text
        assert s.text == next(x for x in suggest(p) if x.clause_id == "insertion-proprete").text
    by_hours = {}
    for a, text in texts.items():
        hours = next(x for x in suggest(planned_purchase("Nettoyage des écoles", "90919200", D(a), at)) if x.clause_id == "insertion-proprete").hours
        by_hours.setdefault(hours.hours, set()).add(text)  # type: ignore[union-attr]
    assert all(len(t) == 1 for t in by_hours.values())
    assert len({t for ts in by_hours.values() for t in ts}) == len(by_hours)


def test_dates_are_not_mixed() -> None:
    # The same purchase before and after the switch: the memo keys on the date.
    p = planned_purchase("Nettoyage des écoles", "90919200", D("300000"), date(2026, 9, 1))
    after = {x.clause_id: x.status for x in suggest(p)}
    before = {x.clause_id: x.status for x in suggest(p, at=date(2026, 3, 2))}
    assert after["condition-environnementale"] == "obligatoire"
    assert before["condition-environnementale"] == "recommandé"
    assert {x.clause_id: x.status for x in suggest(p)} == after


def test_recorded_parameters_are_still_recorded() -> None:
    # A diagnosis lists every parameter it reads: a remembered value must not hide one.
    d = date(2026, 9, 1)
    suggest(planned_purchase("Nettoyage des écoles", "90919200", D("300000"), d))  # values now remembered
    assert _law.fact(_law.parameters().insertion.taux, d) is not None
    recording, used = law_at(d).recording()
    with recording.active():
        f = _law.fact(_law.parameters().insertion.taux, d)
        assert _law.fact(_law.parameters().insertion.taux, d) == f  # remembered by the recording set, once recorded
    assert f is not None
    assert [(p.name, at) for p, at, _ in used] == [("insertion.taux", d)]


def test_reloaded_parameters_start_a_new_memo() -> None:
    d = date(2026, 9, 1)
    before = params.shipped()
    first = _law.fact(_law.parameters().insertion.taux, d)
    assert ("fact", "insertion.taux", d) in before.memo
    params.reload()
    assert params.shipped() is not before and not params.shipped().memo
    again = _law.fact(_law.parameters().insertion.taux, d)
    assert again == first and ("fact", "insertion.taux", d) in params.shipped().memo


def test_a_what_if_has_its_own_memo() -> None:
    d = date(2026, 9, 1)
    shipped = _law.fact(_law.parameters().insertion.taux, d)
    assert shipped is not None
    what_if = law_at(d).replace("insertion.taux", D("0.2"))
    with what_if.active():
        assert _law.fact(_law.parameters().insertion.taux, d).value == D("0.2")  # type: ignore[union-attr]
    assert _law.fact(_law.parameters().insertion.taux, d) == shipped


@pytest.mark.parametrize("at", [date(2026, 3, 2), date(2026, 9, 1)])
def test_remembered_rule_proposals_match_fresh_ones(metropole: Portfolio, at: date) -> None:
    # Rules remember their proposals by the inputs they read; with no memo (while a
    # diagnosis records parameters) every rule runs afresh: same suggestions.
    from spaser.clauses import rules

    remembered = [suggest(p, at=at, portfolio=metropole) for p in metropole.purchases]
    assert rules._RULE_MEMO
    recording, _ = law_at(at).recording()  # a new parameter set: every memo starts empty
    fresh = [suggest(p, at=at, portfolio=metropole, law=recording) for p in metropole.purchases]
    assert remembered == fresh


def test_allotment_first_look_agrees_with_the_advice(metropole: Portfolio) -> None:
    from spaser.clauses.allotment import allotment_advice, may_divide

    assert [may_divide(p) for p in metropole.purchases] == [allotment_advice(p).divide for p in metropole.purchases]
