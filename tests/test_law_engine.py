"""The law engine on portfolios built in Python: obligation, indicators, targets, compliance, diagnosis."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spaser._errors import InputError
from spaser.law import (
    check,
    check_joint,
    count_spend,
    contract_share,
    load_agec_rates,
    params,
    required_contents,
    scope,
    spaser_obligation,
    year_indicators,
)
from spaser.model import (
    AgecKind,
    Buyer,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration as E,
    Portfolio,
    Purchase,
    SocialConsideration as S,
    Supplier,
    SupplierKind,
)

AT = date(2025, 6, 1)
THRESHOLD = params.value("spaser.seuil", AT)


def _buyer(kind: BuyerKind = BuyerKind.COMMUNE, **spend: Decimal) -> Buyer:
    return Buyer(name="Ville", kind=kind, declared_spend={int(y[1:]): v for y, v in spend.items()})


# -- obligation -------------------------------------------------------------------


def test_every_kind_is_concerned_after_the_extension_and_local_authorities_before() -> None:
    after = params.get("spaser.tous_acheteurs").values[-1].start
    for kind in BuyerKind:
        assert scope(kind, after).concerned is True
    assert scope(BuyerKind.REGION, date(2020, 1, 1)).concerned is True
    assert scope(BuyerKind.ETAT, date(2020, 1, 1)).concerned is False


def test_estimate_is_labelled_and_missing_data_gives_undetermined() -> None:
    ps = (
        Purchase(id="M1", amount_ht=THRESHOLD * 3, notification_date=date(2024, 1, 1), duration_months=12),
        Purchase(id="M2", amount_ht=None, notification_date=date(2024, 3, 1)),
    )
    o = spaser_obligation(Portfolio(buyer=_buyer(), purchases=ps), year=2024, at=AT)
    assert o.status == "obligé" and o.spend.is_estimate and "ESTIMATION" in o.spend.method_text
    few = (Purchase(id="M1", amount_ht=Decimal("1000"), notification_date=date(2024, 1, 1), duration_months=12), ps[1])
    o = spaser_obligation(Portfolio(buyer=_buyer(), purchases=few), year=2024, at=AT)
    assert o.status == "indéterminé" and o.spend.uncounted and o.to_settle


def test_no_data_is_undetermined_with_what_would_settle_it() -> None:
    o = spaser_obligation(Portfolio(buyer=_buyer()), year=2024, at=AT)
    assert o.status == "indéterminé" and o.spend.total is None and "comptabilité" in o.to_settle[0]


def test_declared_spend_wins_and_duration_assumption_is_stated() -> None:
    p = Purchase(id="M1", amount_ht=Decimal("1200"), notification_date=date(2024, 1, 1))
    c = count_spend(Portfolio(buyer=_buyer(), purchases=(p,)), 2024, AT)
    assert c.assumptions and "mois supposés" in c.assumptions[0]
    c = count_spend(Portfolio(buyer=_buyer(y2024=Decimal("5")), purchases=(p,)), 2024, AT)
    assert c.method == "declared" and c.total == Decimal("5")


def test_estimate_spread_sums_to_the_amount() -> None:
    p = Purchase(id="M", amount_ht=Decimal("1000000"), notification_date=date(2023, 5, 17), duration_months=30)
    parts = [contract_share(p, y, default_months=12)[0] for y in range(2022, 2027)]
    assert parts[0] == 0 and abs(sum(parts) - p.amount_ht) <= Decimal("0.02")


def test_pre_2023_reading_counts_notified_contracts() -> None:
    ps = (Purchase(id="M1", amount_ht=Decimal("1000"), notification_date=date(2021, 6, 1), duration_months=48),)
    c = count_spend(Portfolio(buyer=_buyer(), purchases=ps), 2021, date(2022, 6, 1))
    assert c.method == "notified" and c.total == Decimal("1000")


@settings(max_examples=60, deadline=None)
@given(a=st.decimals(min_value=0, max_value=THRESHOLD * 2, places=2), b=st.decimals(min_value=0, max_value=THRESHOLD * 2, places=2))
def test_obligation_is_monotone_in_the_amount_spent(a: Decimal, b: Decimal) -> None:
    rank = {"non obligé": 0, "indéterminé": 1, "obligé": 2}
    lo, hi = sorted((a, b))

    def status(x: Decimal, via_purchases: bool) -> str:
        if via_purchases:
            p = Portfolio(buyer=_buyer(), purchases=(Purchase(id="M", spend_by_year={2024: x}),))
        else:
            p = Portfolio(buyer=_buyer(y2024=x))
        return spaser_obligation(p, year=2024, at=AT).status

    for via in (False, True):
        assert rank[status(lo, via)] <= rank[status(hi, via)]
        assert status(hi, via) == ("obligé" if hi > THRESHOLD else "non obligé")


@settings(max_examples=40, deadline=None)
@given(amount=st.decimals(min_value=1, max_value=THRESHOLD * 3, places=0), extra=st.decimals(min_value=0, max_value=THRESHOLD, places=0))
def test_estimated_obligation_is_monotone(amount: Decimal, extra: Decimal) -> None:
    rank = {"non obligé": 0, "indéterminé": 1, "obligé": 2}

    def status(x: Decimal) -> str:
        p = Purchase(id="M", amount_ht=x, notification_date=date(2024, 1, 1), duration_months=12)
        return spaser_obligation(Portfolio(buyer=_buyer(), purchases=(p,)), year=2024, at=AT).status

    assert rank[status(amount)] <= rank[status(amount + extra)]


def test_required_contents_grow_with_the_law() -> None:
    before = required_contents(date(2022, 12, 31))
    after = required_contents(date(2023, 1, 1))
    assert {c.key for c in before} < {c.key for c in after}
    assert all(c.articles and c.since <= date(2023, 1, 1) for c in after)
    assert required_contents(date(2014, 1, 1)) == []


# -- indicators -------------------------------------------------------------------

_SOCIAL = st.one_of(st.none(), st.sets(st.sampled_from([S.CLAUSE, S.CRITERE, S.RESERVE])).map(frozenset), st.just(frozenset({S.AUCUNE})))
_ENV = st.one_of(st.none(), st.sets(st.sampled_from([E.CLAUSE, E.CRITERE])).map(frozenset), st.just(frozenset({E.AUCUNE})))
_PURCHASE = st.builds(
    lambda i, amount, social, env, cpv, kinds: Purchase(
        id=f"M{i}", amount_ht=amount, notification_date=date(2024, 3, 1), social=social, environmental=env, cpv=cpv,
        suppliers=(Supplier(name="T", kinds=kinds),) if kinds else (),
    ),
    st.integers(0, 10**6),
    st.one_of(st.none(), st.decimals(min_value=-1000, max_value=10**7, places=2)),
    _SOCIAL,
    _ENV,
    st.sampled_from([None, "90910000", "45214200", "30192000"]),
    st.sets(st.sampled_from(list(SupplierKind))).map(frozenset),
)


def _all_shares(d: object) -> list[Decimal | None]:
    out = []
    if isinstance(d, dict):
        for k, v in d.items():
            if k.startswith("share_"):
                out.append(v)
            else:
                out.extend(_all_shares(v))
    elif isinstance(d, list):
        for v in d:
            out.extend(_all_shares(v))
    return out


@settings(max_examples=50, deadline=None)
@given(ps=st.lists(_PURCHASE, max_size=12), seed=st.randoms())
def test_indicator_shares_in_unit_interval_and_order_free(ps: list[Purchase], seed) -> None:  # type: ignore[no-untyped-def]
    a = year_indicators(Portfolio(buyer=_buyer(), purchases=tuple(ps)), 2024)
    shuffled = list(ps)
    seed.shuffle(shuffled)
    b = year_indicators(Portfolio(buyer=_buyer(), purchases=tuple(shuffled)), 2024)
    assert a.to_dict() == b.to_dict()
    for s in _all_shares(a.to_dict()):
        assert s is None or (isinstance(s, Decimal) and 0 <= s <= 1)
    soc = a.social
    assert soc.yes.count + soc.none.count + soc.unknown.count == a.contracts
    if a.contracts == 0:
        assert soc.yes.share_count is None


def test_unknown_is_kept_apart_and_floor_is_applied() -> None:
    ps = (
        Purchase(id="A", amount_ht=Decimal("50000"), notification_date=date(2024, 1, 5), social=frozenset({S.CLAUSE, S.RESERVE})),
        Purchase(id="B", amount_ht=Decimal("10000"), notification_date=date(2024, 1, 5), social=frozenset({S.AUCUNE})),
        Purchase(id="C", amount_ht=None, notification_date=date(2024, 1, 5)),
        Purchase(id="L", kind=ContractKind.DEPENSE, amount_ht=Decimal("7"), notification_date=date(2024, 2, 1), suppliers=(Supplier(name="x", kinds=frozenset({SupplierKind.ESAT})),)),
    )
    pf = Portfolio(buyer=_buyer(), purchases=ps)
    i = year_indicators(pf, 2024)
    assert (i.contracts, i.social.yes.count, i.social.none.count, i.social.unknown.count) == (3, 1, 1, 1)
    assert i.social.yes_among_known.share_count == Decimal("0.5")
    assert i.reserved.count == 1 and i.suppliers["ESAT"].value == Decimal("7")
    floor = params.value("pnad.seuil_mesure", date(2024, 12, 31))
    f = year_indicators(pf, 2024, floor=floor)
    assert f.contracts == 1 and f.below_floor == 1 and f.unknown_amount_excluded == 1


# -- targets ------------------------------------------------------------------------


def test_pnad_gap_and_contracts_needed() -> None:
    ps = tuple(
        Purchase(id=f"M{i}", amount_ht=Decimal("100000"), notification_date=date(2025, 2, 1),
                 social=frozenset({S.CLAUSE}) if i < 2 else frozenset({S.AUCUNE}), environmental=frozenset({E.CLAUSE}))
        for i in range(10)
    )  # fmt: skip
    d = check(Portfolio(buyer=_buyer(), purchases=ps), year=2025, at=date(2026, 3, 1))
    social = next(t for t in d.targets if t.name == "pnad.social")
    env = next(t for t in d.targets if t.name == "pnad.environnement")
    assert social.actual == Decimal("0.2") and social.status == "non atteint" and social.missing == 1
    assert social.gap == social.target - social.actual
    assert env.status == "atteint" and env.missing is None
    assert social.references and "PNAD" in social.label


def test_egalim_value_shares() -> None:
    ps = (
        Purchase(id="F1", amount_ht=Decimal("300"), notification_date=date(2025, 1, 1), egalim=EgalimCategory.BIO),
        Purchase(id="F2", amount_ht=Decimal("300"), notification_date=date(2025, 1, 1), egalim=EgalimCategory.DURABLE, egalim_meat_fish=True),
        Purchase(id="F3", amount_ht=Decimal("400"), notification_date=date(2025, 1, 1), egalim=EgalimCategory.AUTRE, egalim_meat_fish=True),
    )
    d = check(Portfolio(buyer=_buyer(), purchases=ps), year=2025, at=date(2026, 3, 1))
    got = {t.name: (t.actual, t.status) for t in d.targets if t.name.startswith("egalim")}
    assert got["egalim.durable"] == (Decimal("0.6"), "atteint")
    assert got["egalim.bio"] == (Decimal("0.3"), "atteint")
    assert got["egalim.viandes_poissons"] == (Decimal("300") / Decimal("700"), "non atteint")


def test_agec_textiles_rate_and_missing_rates(tmp_path: Path) -> None:
    ps = (
        Purchase(id="T1", amount_ht=Decimal("90"), notification_date=date(2025, 1, 1), agec_category=1, agec_kind=AgecKind.AUTRE),
        Purchase(id="T2", amount_ht=Decimal("10"), notification_date=date(2025, 1, 1), agec_category=1, agec_kind=AgecKind.REEMPLOI),
        Purchase(id="P1", amount_ht=Decimal("100"), notification_date=date(2025, 1, 1), agec_category=5, agec_kind=AgecKind.RECYCLE),
    )
    pf = Portfolio(buyer=_buyer(), purchases=ps)
    got = {t.name: t for t in check(pf, year=2025, at=date(2026, 3, 1)).targets}
    assert got["agec.01.reemploi"].status == "atteint" and got["agec.01.reemploi"].source == "loi"
    assert got["agec.05.recycle"].status == "taux non renseigné" and got["agec.05.recycle"].target is None
    f = tmp_path / "taux.csv"
    f.write_text("categorie;type;annee;taux\n5;recycle;2024;40 %\n5;reemploi;2024;\n", encoding="utf-8")
    got = {t.name: t for t in check(pf, year=2025, at=date(2026, 3, 1), agec_rates=load_agec_rates(f)).targets}
    assert got["agec.05.recycle"].target == Decimal("0.4") and got["agec.05.recycle"].source == "utilisateur"
    assert got["agec.05.reemploi"].status == "taux non renseigné"
    f.write_text("categorie;type;annee;taux\n99;recycle;2024;0,4\n", encoding="utf-8")
    with pytest.raises(InputError, match="ligne 2"):
        load_agec_rates(f)


# -- diagnosis --------------------------------------------------------------------------


def test_diagnosis_to_dict_is_json_ready_with_decimal_strings() -> None:
    ps = (Purchase(id="M1", cpv="90910000", amount_ht=Decimal("300000.10"), notification_date=date(2026, 10, 1), consultation_date=date(2026, 9, 1)),)
    d = check(Portfolio(buyer=_buyer(y2025=Decimal("1")), purchases=ps), at=date(2026, 11, 1))
    assert d.year == 2025
    data = d.to_dict()
    text = json.dumps(data)
    assert data["indicators"]["2026"]["value"] == "300000.10"
    assert {"obligation", "indicators", "targets", "compliance", "required_contents", "parameters", "warnings"} <= set(data)
    assert all(p["references"] for p in data["parameters"])
    assert "float" not in text


def test_default_year_and_today() -> None:
    d = check(Portfolio(buyer=_buyer()))
    assert d.at == date.today() and d.year == date.today().year - 1 and d.warnings


def test_joint_scheme_has_indicators_per_buyer() -> None:
    a = Portfolio(buyer=Buyer(name="A", kind=BuyerKind.COMMUNE, declared_spend={2024: THRESHOLD * 2}))
    b = Portfolio(buyer=Buyer(name="B", kind=BuyerKind.COMMUNE, declared_spend={2024: Decimal("1")}))
    j = check_joint([a, b], year=2024, at=AT)
    assert j.allowed and [m.obligation.status for m in j.members] == ["obligé", "non obligé"]
    assert any(c.key.endswith("indicateurs_par_acheteur") for c in j.required_contents)
    early = check_joint([a, b], year=2022, at=date(2023, 6, 1))
    assert not early.allowed and "pas prévu" in early.warnings[0]


def test_shipped_agec_model_table_loads_empty() -> None:
    model = Path(params.__file__).parent / "agec_taux_modele.csv"
    assert load_agec_rates(model).rates == {}
    assert len(model.read_text(encoding="utf-8").splitlines()) == 1 + 17 * 2 * 3


def test_pnad_all_unknown_is_not_measurable() -> None:
    ps = tuple(Purchase(id=f"M{i}", amount_ht=Decimal("100000"), notification_date=date(2025, 2, 1)) for i in range(3))
    d = check(Portfolio(buyer=_buyer(), purchases=ps), year=2025, at=date(2026, 3, 1))
    pnad = [t for t in d.targets if t.name.startswith("pnad")]
    assert pnad and all(t.status == "non mesurable" and t.actual is None and t.missing is None for t in pnad)
