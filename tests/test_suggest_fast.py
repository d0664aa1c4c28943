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
from spaser.model import ContractKind, EnvironmentalConsideration as Env, Portfolio, SocialConsideration as Soc

D = Decimal
EXAMPLE = Path(__file__).parents[1] / "examples" / "metropole.xlsx"
SOCIAL = {s.value for s in Soc if s is not Soc.AUCUNE}
ENV = {e.value for e in Env if e is not Env.AUCUNE}


@pytest.fixture(scope="module")
def metropole() -> Portfolio:
    return load(EXAMPLE).portfolio


def _assert_opportunities_match_suggest(portfolio: Portfolio, at: date, year: int | None = None) -> int:
    """Every candidate of the opportunities (which run only the rules their answers need) as suggest() has it; the number of candidates."""
    o = opportunities(portfolio, at=at, year=year, top=10**6)  # every candidate listed
    assert o.candidates == len(o.purchases)
    for po in o.purchases:
        p = portfolio.purchases[po.index]
        s = suggest(p, at=at, portfolio=portfolio)
        social = next((x for x in s if x.consideration in SOCIAL), None) if p.social_status != "oui" else None
        env = next((x for x in s if x.consideration in ENV), None) if p.environmental_status != "oui" else None
        assert po.social == social
        assert po.environmental == env
        assert po.mandatory == tuple(x.clause_id for x in s if x.mandatory)
        assert po.reservable == any(x.consideration == Soc.RESERVE.value for x in s)
    listed = {po.index for po in o.purchases}
    for i, p in enumerate(portfolio.purchases):  # the others have nothing to gain
        if i not in listed and p.year == o.year and p.kind is not ContractKind.DEPENSE:
            s = suggest(p, at=at, portfolio=portfolio)
            assert not any(x.consideration == Soc.RESERVE.value for x in s)
            assert p.social_status == "oui" or not any(x.consideration in SOCIAL for x in s)
            assert p.environmental_status == "oui" or not any(x.consideration in ENV for x in s)
    before = pnad_indicators(portfolio, o.year)
    assert (o.top.social_before, o.all.environmental_before) == (before.social.yes.share_count, before.environmental.yes.share_count)
    return o.candidates


@pytest.mark.parametrize("at", [date(2026, 3, 2), date(2026, 9, 1)])  # before and after the Climat switch
def test_opportunities_match_suggest(metropole: Portfolio, at: date) -> None:
    assert _assert_opportunities_match_suggest(metropole, at) > 0


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


def test_opportunities_share_the_diagnosis(metropole: Portfolio) -> None:
    # The documents pass their diagnosis: the same opportunities as when they are worked out alone.
    from spaser.law import check

    at = date(2026, 9, 1)
    d = check(metropole, at=at)
    shared = opportunities(metropole, diagnosis=d, top=50)
    assert shared.to_dict() == opportunities(metropole, year=d.year, at=at, top=50).to_dict()
    assert (shared.top.social_before, shared.top.counted) == (d.measured.social.yes.share_count, d.measured.contracts)
    with pytest.raises(ValueError):
        opportunities(metropole, diagnosis=d, year=d.year - 1)


# Purchases built from the tables the rules read: codes of the catalogue and the reservation, AGEC and
# EGalim tables, object words of the allotment and labour tables, ANRU places, and a portfolio of
# reserved purchases (ESS awardees, some sharing the purchase's own id).
def _codes() -> list[str]:
    from spaser import cpv as _cpv
    from spaser.clauses import catalogue
    from spaser.clauses._tables import table

    prefixes = {str(p) for c in catalogue() for p in c.applies.cpv_prefixes} | {str(p) for ps in table("agec")["categories"].values() for p in ps}
    codes = sorted({code for code in _cpv.table() for p in prefixes if code.startswith(p)})
    return codes[:: max(1, len(codes) // 400)] + ["85311000", "92511000", "45000000", "90910000", "55523100"]


_CODES = _codes()
_PHRASES = ["Nettoyage des écoles", "Travaux de peinture et menuiserie", "Rénovation : gros œuvre, électricité, plomberie",
            "Entretien des espaces verts de plusieurs sites", "Restauration collective", "Accompagnement social",
            "Réhabilitation du quartier prioritaire", "Fourniture de vêtements de travail", "Maintenance informatique"]
_SOC = st.sampled_from([None, frozenset({Soc.AUCUNE}), frozenset({Soc.CLAUSE}), frozenset({Soc.CRITERE}), frozenset({Soc.RESERVE})])
_ENV = st.sampled_from([None, frozenset({Env.AUCUNE}), frozenset({Env.CLAUSE}), frozenset({Env.CRITERE, Env.CLAUSE})])


def _purchase(i: int, code: str, text: str, amount: int | None, months: int | None, social, env, lot: str | None, when: date):  # type: ignore[no-untyped-def]
    from spaser.model import Purchase, Supplier

    return Purchase(id=f"P{i}", object=text, cpv=code, amount_ht=None if amount is None else D(amount), duration_months=months,
                    social=social, environmental=env, lot=lot, notification_date=when,
                    suppliers=(Supplier(name=f"Titulaire {i % 3}"),))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_CODES), st.sampled_from(_PHRASES), st.one_of(st.none(), st.integers(0, 12_000_000)),
                          st.one_of(st.none(), st.integers(1, 96)), _SOC, _ENV, st.sampled_from([None, "2"]),
                          st.dates(date(2020, 1, 1), date(2026, 8, 31))), min_size=1, max_size=6),
       st.sampled_from([date(2026, 3, 2), date(2026, 9, 1)]))
def test_fast_rules_match_fresh_ones_on_any_purchase(rows: list, at: date) -> None:  # type: ignore[type-arg]
    # Early answers, per-purchase and per-portfolio caches (insertion clause, ESS awardees, phrase
    # index) against the same advice under a new parameter set, where every memo starts empty.
    from spaser.model import Buyer, BuyerKind

    purchases = tuple(_purchase(i, *row) for i, row in enumerate(rows))
    portfolio = Portfolio(buyer=Buyer(name="Commune", kind=BuyerKind.COMMUNE), purchases=purchases + purchases[:2])  # ids repeat
    remembered = [suggest(p, at=at, portfolio=portfolio) for p in portfolio.purchases]
    recording, _ = law_at(at).recording()
    fresh = [suggest(p, at=at, portfolio=portfolio, law=recording) for p in portfolio.purchases]
    assert remembered == fresh
    # The ESS awardees, listed once per CPV group and period, against a plain scan of the portfolio.
    from spaser.clauses import reservation
    from spaser.model import SupplierKind

    for p in portfolio.purchases:
        got = reservation._recent_ess_awardees(p, at, portfolio)
        if not p.cpv:
            continue
        years = _law.value_or_none(_law.parameters().reservation.ess_delai_meme_operateur_annees, at)
        since = at.replace(year=at.year - years) if years is not None else None
        plain: list[str] = []
        for q in portfolio.purchases:
            if since is None or not (q.is_reserved and q.cpv and q.notification_date and q.cpv[:5] == p.cpv[:5]):
                continue
            if q.id == p.id or not since <= q.notification_date <= at:
                continue
            for s in q.suppliers:
                if s.kinds & {SupplierKind.ESS, SupplierKind.ESUS} or not s.kinds:
                    label = s.name or s.siret or "titulaire sans nom"
                    if label not in plain:
                        plain.append(label)
        assert got == plain


# Each rule's declaration (what its clauses can give, whether it may make one mandatory), which lets
# the opportunities leave it out, against its proposals; a recommendation never outscores a mandatory clause.
_GIVES = {None: "aucune", Soc.RESERVE.value: "réservé", **{v: "sociale" for v in SOCIAL - {Soc.RESERVE.value}}, **{v: "environnementale" for v in ENV}}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_CODES), st.sampled_from(_PHRASES), st.one_of(st.none(), st.integers(0, 10**12)),
                          st.one_of(st.none(), st.integers(1, 96)), _SOC, _ENV, st.sampled_from([None, "2"]),
                          st.dates(date(2026, 1, 1), date(2026, 8, 31))), min_size=1, max_size=6),
       st.sampled_from([date(2026, 3, 2), date(2026, 9, 1)]))
def test_rules_keep_to_their_declaration(rows: list, at: date) -> None:  # type: ignore[type-arg]
    from spaser.clauses import catalogue
    from spaser.clauses.engine import rules_in_force
    from spaser.clauses.rules import Context
    from spaser.model import Buyer, BuyerKind

    purchases = tuple(_purchase(i, *row) for i, row in enumerate(rows))
    portfolio = Portfolio(buyer=Buyer(name="Commune", kind=BuyerKind.COMMUNE), purchases=purchases)
    cat = catalogue()
    with law_at(at).active():
        for p in purchases:
            ctx = Context(purchase=p, at=at, catalogue=cat, buyer=portfolio.buyer, portfolio=portfolio)
            for r in rules_in_force(at):
                for x in r.func(ctx):
                    c = cat.get(x.clause_id)
                    assert r.gives == _GIVES[c.consideration.value if c.consideration else None], (r.name, x.clause_id)
                    assert x.status != "obligatoire" or r.mandatory, r.name
                    assert (x.score >= 1000) == (x.status == "obligatoire"), (r.name, x.score)
    _assert_opportunities_match_suggest(portfolio, at, year=2026)


def test_opportunities_keep_every_rule_beside_one_that_does_not_declare_its_answers() -> None:
    # A rule registered without ``gives`` may make a clause mandatory at any score: a recommendation
    # of the same clause by a rule the opportunities would leave out then raises its rank (_merge
    # keeps the best score), so the mandatory clauses' order must be read with every rule.
    from spaser.clauses.rules import MANDATORY, RULES, Proposal, rule
    from spaser.model import Buyer, BuyerKind, Purchase, Supplier

    at = date(2026, 3, 2)
    p = Purchase(id="P1", object="Nettoyage des écoles", cpv="90911200", amount_ht=D(300000), duration_months=36,
                 social=frozenset({Soc.AUCUNE}), environmental=frozenset({Env.CRITERE}),  # the labels rule is not needed
                 notification_date=date(2026, 1, 15), suppliers=(Supplier(name="Titulaire"),))
    portfolio = Portfolio(buyer=Buyer(name="Commune", kind=BuyerKind.COMMUNE), purchases=(p,))

    @rule("Règle ajoutée par un utilisateur, sans déclaration.")
    def user_rule(ctx):  # type: ignore[no-untyped-def]
        return [Proposal("label-nettoyage", MANDATORY, ("Exigé par l'acheteur.",), 0, "user_rule"),  # also recommended by « labels »
                Proposal("emballages-livraisons", MANDATORY, ("Exigé par l'acheteur.",), 50, "user_rule")]

    try:
        law, _ = law_at(at).recording()  # a new parameter set: no memo holds this rule once it is removed
        o = opportunities(portfolio, at=at, year=2026, law=law)
        expected = tuple(s.clause_id for s in suggest(p, at=at, portfolio=portfolio, law=law) if s.mandatory)
        assert expected == ("label-nettoyage", "emballages-livraisons")
        assert o.purchases[0].mandatory == expected
    finally:
        RULES.remove(next(r for r in RULES if r.func is user_rule))


def test_advice_before_the_insertion_parameters(metropole: Portfolio) -> None:
    # Before the labour shares are dated (2019), a labour-heavy purchase is not known to be one:
    # the advice is given without the rules that need them, alone and in the opportunities.
    at = date(2018, 6, 1)
    p = planned_purchase("Nettoyage des écoles", "90919200", D("300000"), at)
    ids = [s.clause_id for s in suggest(p)]
    assert "egalite-femmes-hommes" not in ids and "condition-environnementale" in ids
    assert _assert_opportunities_match_suggest(metropole, at, year=2025) > 0


def test_opportunities_tell_how_far_they_are(metropole: Portfolio, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from spaser._french import purchases_assessed

    module = sys.modules["spaser.clauses.opportunities"]
    at = date(2026, 9, 1)
    plain = opportunities(metropole, at=at, top=30)
    monkeypatch.setattr(module, "PROGRESS_EVERY", 100)
    told: list[tuple[int, int]] = []
    o = opportunities(metropole, at=at, top=30, progress=lambda done, total: told.append((done, total)))
    assert o.to_dict() == plain.to_dict()
    total = told[-1][1]
    assert [d for d, _ in told] == [*range(100, total, 100), total] and {t for _, t in told} == {total}
    assert purchases_assessed(1500, 2917) == "1\u202f500 achats examinés sur 2\u202f917"


def test_opportunities_say_where_their_date_comes_from(metropole: Portfolio) -> None:
    from spaser.law import check

    def note(o) -> str:  # type: ignore[no-untyped-def]
        return o.notes[-1]

    assert "(date du jour, par défaut" in note(opportunities(metropole, top=1))  # it said « date donnée »
    assert note(opportunities(metropole, at=date(2026, 9, 1), top=1)).endswith("droit lu au 01/09/2026 (date donnée).")
    d = check(metropole, at=date(2026, 9, 1))
    assert note(opportunities(metropole, diagnosis=d, top=1)).endswith("droit lu au 01/09/2026 (date donnée).")
    assert "Les 2 achats présentés : si ces 2 marchés comportaient" in opportunities(metropole, at=date(2026, 9, 1), top=2).explain()


def test_the_rules_run_are_those_registered_now() -> None:
    # A rule removed and another registered (as many rules as before) change the advice at once, at a
    # date already advised: the rules in force were remembered by their number before.
    from spaser.clauses.rules import MANDATORY, RULES, Proposal, rule
    from spaser.model import Buyer, BuyerKind, Purchase

    at = date(2026, 3, 2)
    p = Purchase(id="P1", object="Nettoyage des écoles", cpv="90911200", amount_ht=D(300000), duration_months=36,
                 notification_date=date(2026, 1, 15))
    portfolio = Portfolio(buyer=Buyer(name="Commune", kind=BuyerKind.COMMUNE), purchases=(p,))
    before = opportunities(portfolio, at=at, year=2026)
    removed = next(r for r in RULES if r.name == "labels")
    RULES.remove(removed)

    @rule("Règle ajoutée par un utilisateur.", gives="environnementale")
    def user_rule(ctx):  # type: ignore[no-untyped-def]
        return [Proposal("emballages-livraisons", MANDATORY, ("Exigé par l'acheteur.",), 1000, "user_rule")]

    try:
        after = opportunities(portfolio, at=at, year=2026)
        assert "emballages-livraisons" not in before.purchases[0].mandatory
        assert "emballages-livraisons" in after.purchases[0].mandatory
        assert [s.clause_id for s in suggest(p, at=at) if s.mandatory] == list(after.purchases[0].mandatory)
    finally:
        RULES.remove(next(r for r in RULES if r.func is user_rule))
        RULES.insert(RULES.index(next(r for r in RULES if r.name == "cout_cycle_de_vie")), removed)
