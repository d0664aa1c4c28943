"""DECP import: real 2019 files, official 2024 examples (JSON and XML), variants, dirt."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spaser.io import load
from spaser.io.decp import (
    AMOUNT_PLAUSIBILITY_CEILING,
    DecpStream,
    implausible_amount,
    iter_decp_records,
)
from spaser.model import ContractKind, EnvironmentalConsideration as E, SocialConsideration as S

HERE = Path(__file__).parent
FIX = HERE / "fixtures" / "decp"
SHARED = Path(__file__).parents[1] / ".." / "shared" / "data" / "decp"
REAL = SHARED / "real-2019"
TODAY = date(2025, 6, 1)

needs_shared = pytest.mark.skipif(not REAL.is_dir(), reason="données partagées absentes (../shared/data/decp) : test sur les fichiers réels sauté")


def _purchases(result):
    return [p for pf in result.portfolios for p in pf.purchases]


def _independent_counts(path: Path) -> dict[str, int]:
    """The dirt counted with the standard library, independently of the reader."""
    recs = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)["marches"]
    seen: set = set()
    dup = 0
    for m in recs:
        conc = m.get("_type") == "Contrat de concession"
        buyer = (m.get("autoriteConcedante") if conc and m.get("autoriteConcedante") else m.get("acheteur")) or {}
        amount = m.get("valeurGlobale") if conc and m.get("valeurGlobale") is not None else m.get("montant")
        d = m.get("dateSignature") if conc and m.get("dateSignature") else m.get("dateNotification")
        if m.get("id") and buyer.get("id"):
            key = (str(buyer["id"]), str(m["id"]), str(d), str(amount))
            if key in seen:
                dup += 1
                continue
            seen.add(key)
    return {"records": len(recs), "duplicates": dup}


# -- the three real 2019 files ------------------------------------------------

EXPECTED_2019 = {
    # file: (records, rejected, counts of selected codes)
    "data.gouv.fr_aife.json": (4530, {"duplicate": 229, "buyer-missing": 1, "concession": 21, "amount-zero": 21, "id-missing": 7, "cpv-malformed": 3}),
    "data.gouv.fr_pes.json": (1148, {"duplicate": 8, "amount-absurd": 4, "amount-zero": 2, "cpv-check-digit": 20, "siret-invalid": 1}),
    "e-marchespublics.json": (470, {"duplicate": 3}),
}


@needs_shared
@pytest.mark.parametrize("name", sorted(EXPECTED_2019))
def test_real_2019_every_record_accounted(name: str) -> None:
    path = REAL / name
    records, codes = EXPECTED_2019[name]
    r = load(path, today=TODAY)
    rep = r.report
    rep.check()
    assert rep.read == rep.accepted + rep.rejected == records
    assert rep.formats == ["decp-2019"]
    for code, n in codes.items():
        assert rep.counts[code] == n, code
    indep = _independent_counts(path)
    # A repeated key with other holders is a co-contractor's line: merged into the contract (report.merged),
    # the others are duplicates (rejected).
    assert rep.counts["duplicate"] + rep.merged == indep["duplicates"]
    assert rep.rejected == rep.counts["duplicate"] + rep.counts["buyer-missing"]
    purchases = _purchases(r)
    assert len(purchases) == rep.accepted - rep.merged
    # 2019 has no consideration fields: unknown, never "none".
    assert all(p.social is None and p.environmental is None for p in purchases)
    assert all(p.social_status == "inconnu" for p in purchases)
    assert all(isinstance(p.amount_ht, Decimal) for p in purchases if p.amount_ht is not None)
    rows = [p.source.row for p in purchases]
    assert len(set(rows)) == len(rows) and min(rows) >= 1 and max(rows) <= records


@needs_shared
def test_real_2019_aife_dirt_findable() -> None:
    r = load(REAL / "data.gouv.fr_aife.json", today=TODAY, max_issues=100_000)  # list every issue
    purchases = _purchases(r)
    concessions = [p for p in purchases if p.kind is ContractKind.CONCESSION]
    assert len(concessions) == 21
    # Invalid buyer SIRETs: contracts kept, grouped under the identifier as written.
    invalid_buyers = [pf for pf in r.portfolios if pf.buyer.siret is None]
    assert invalid_buyers and all("identifiant invalide" in pf.buyer.name for pf in invalid_buyers)
    buyer_issues = [i for i in r.report.issues if i.code == "siret-invalid" and i.field == "acheteur.id"]
    assert {i.value for i in buyer_issues} >= {"35084735885911", "58303852672361"}


@needs_shared
def test_real_2019_pes_absurd_amounts_flagged_and_kept() -> None:
    r = load(REAL / "data.gouv.fr_pes.json", today=TODAY)
    absurd = [i for i in r.report.issues if i.code == "amount-absurd"]
    assert sorted(Decimal(i.value) for i in absurd) == [Decimal("99999999")] * 3 + [Decimal("999999999")]
    kept = {p.amount_ht for p in _purchases(r)}
    assert Decimal("999999999") in kept
    # Time zones: "2018-12-17+01:00" is the 17th.
    assert any(p.notification_date == date(2018, 12, 17) for p in _purchases(r))


@needs_shared
def test_real_2019_speed_is_streaming_iterator() -> None:
    # The iterator yields raw records one by one (numbers as Decimal/int, never float).
    it = iter_decp_records(REAL / "e-marchespublics.json")
    index, rec = next(it)
    assert index == 1 and rec["id"] == "2018MA181101"
    assert not any(isinstance(v, float) for v in rec.values())


# -- small real fixtures (always run) ------------------------------------------


@pytest.mark.parametrize(
    "name, rejected, codes",
    [
        ("data.gouv.fr_aife.json", 7, {"duplicate": 6, "buyer-missing": 1, "concession": 4, "id-missing": 3, "amount-zero": 3, "siret-invalid": 9}),
        ("data.gouv.fr_pes.json", 3, {"duplicate": 3, "amount-absurd": 4, "cpv-check-digit": 3}),
        ("e-marchespublics.json", 3, {"duplicate": 3}),
    ],
)
def test_fixtures_2019(name: str, rejected: int, codes: dict[str, int]) -> None:
    r = load(FIX / name, today=TODAY)
    assert r.report.read == 30 == r.report.accepted + r.report.rejected
    assert r.report.rejected == rejected
    for code, n in codes.items():
        assert r.report.counts[code] == n, code
    assert all(p.social is None and p.environmental is None for p in _purchases(r))


def test_duplicate_names_first_record() -> None:
    r = load(FIX / "e-marchespublics.json", today=TODAY)
    dups = [i for i in r.report.issues if i.code == "duplicate"]
    assert dups and all("enregistrement n°" in i.message for i in dups)
    firsts = {int(i.message.split("n° ")[1].split()[0]) for i in dups}
    assert all(f < i.row for f, i in zip(sorted(firsts), sorted(dups, key=lambda i: i.row)))


def test_modifications_applied_and_listed() -> None:
    r = load(FIX / "e-marchespublics.json", today=TODAY)
    mods = r.extra["modifications"]
    assert r.extra["modified"] == len(mods) == 3
    m = next(m for m in mods if m["id"] == "2018MA181101" or m["montant_initial"] == Decimal("47304"))
    assert m["montant_final"] == Decimal("48451")
    p = next(p for p in _purchases(r) if p.source.row == m["row"])
    assert p.amount_ht == Decimal("48451")


# -- official 2024 examples ---------------------------------------------------


def test_2024_json_with_modifications() -> None:
    r = load(FIX / "marches_avec_modifications.json", today=TODAY)
    assert r.report.formats == ["decp-2024"] and r.report.read == 2 and r.report.rejected == 0
    for p in _purchases(r):
        assert p.social == {S.CLAUSE, S.CRITERE}
        assert p.environmental == {E.CLAUSE}
        assert p.techniques == ("Concours", "Accord-cadre")
        assert p.kind is ContractKind.ACCORD_CADRE
        # Modification 1: new amount, duration and holder.
        assert p.amount_ht == Decimal("123457.87") and p.duration_months == 12
        assert p.notification_date == date(2024, 5, 15) and p.cpv == "45000000"


def test_2024_concessions() -> None:
    r = load(FIX / "concessions.json", today=TODAY)
    ps = _purchases(r)
    assert len(ps) == 2 and r.report.counts["concession"] == 2
    for p in ps:
        assert p.kind is ContractKind.CONCESSION
        assert p.amount_ht == Decimal("10.3")
        assert p.notification_date == date(2024, 4, 2)
        assert p.social == {S.CLAUSE, S.CRITERE}
        assert p.environmental == {E.CLAUSE, E.CRITERE}
        assert [s.siret for s in p.suppliers] == ["38103128500491", "38103128500574"]


def test_2024_mixed_lists_in_file_order() -> None:
    r = load(FIX / "marches_concessions.json", today=TODAY)
    by_row = {p.source.row: p for p in _purchases(r)}
    assert sorted(by_row) == [1, 2, 3, 4]
    assert by_row[1].kind is ContractKind.CONCESSION and by_row[3].kind is ContractKind.ACCORD_CADRE
    assert by_row[1].amount_ht == Decimal("25.0") and by_row[1].duration_months == 14  # modified


def test_2024_xml_official_example() -> None:
    r = load(FIX / "Marche.xml", today=TODAY)
    assert r.report.formats == ["decp-2024-xml"]
    assert r.report.read == 2 and r.report.counts["duplicate"] == 1  # the example repeats the same contract
    (p,) = _purchases(r)
    assert p.social == {S.CLAUSE, S.CRITERE} and p.environmental == {E.CLAUSE}
    assert p.amount_ht == Decimal("575000") and p.duration_months == 48
    assert p.techniques == ("Concours", "Accord-cadre")
    assert [s.siret for s in p.suppliers] == ["55204599900869"]
    assert r.portfolios[0].buyer.siret == "21750001630040"


# -- variants -------------------------------------------------------------------

BUYER = {"id": "13001898900017"}


def _write(tmp_path: Path, data: object, name: str = "decp.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def _marche(**kw: object) -> dict:
    base = {"id": "M1", "acheteur": BUYER, "nature": "Marché", "codeCPV": "90910000-9", "dureeMois": 12,
            "dateNotification": "2024-03-01", "montant": 1000}
    base.update(kw)
    return base


def test_variant_200_plain_arrays(tmp_path: Path) -> None:
    rec = _marche(
        considerationsSociales=["Clause sociale", "Marché réservé"],
        considerationsEnvironnementales=["Pas de considération environnementale"],
        titulaires=[{"typeIdentifiant": "SIRET", "id": "55204599900869"}],
        techniques=["Sans objet"],
    )
    r = load(_write(tmp_path, {"marches": {"marche": [rec]}}), today=TODAY)
    (p,) = _purchases(r)
    assert p.social == {S.CLAUSE, S.RESERVE} and p.environmental == {E.AUCUNE}
    assert p.environmental_status == "non" and p.techniques == ()
    assert p.suppliers[0].siret == "55204599900869"
    assert any("2.0.0" in v for v in r.extra["variants"])


def test_variant_tabular_joined_and_sans_objet(tmp_path: Path) -> None:
    recs = [
        _marche(id="T1", considerationsSociales="Clause sociale, Critère social", considerationsEnvironnementales="Sans objet"),
        _marche(id="T2", considerationsSociales="Sans objet", considerationsEnvironnementales="Critère environnemental"),
    ]
    r = load(_write(tmp_path, recs), today=TODAY)  # bare list root
    a, b = sorted(_purchases(r), key=lambda p: p.id)
    assert a.social == {S.CLAUSE, S.CRITERE} and a.environmental == {E.AUCUNE}
    assert b.social == {S.AUCUNE} and b.environmental == {E.CRITERE}
    assert r.report.formats == ["decp-2024-tabulaire"]


def test_root_marche_without_marches(tmp_path: Path) -> None:
    r = load(_write(tmp_path, {"marche": [_marche()]}), today=TODAY)
    assert r.report.read == 1 and r.report.accepted == 1


def test_missing_consideration_2024_is_unknown_without_warning(tmp_path: Path) -> None:
    r = load(_write(tmp_path, {"marches": {"marche": [_marche()]}}), today=TODAY)
    (p,) = _purchases(r)
    assert p.social is None and p.environmental is None
    assert r.report.warned == 0


def test_incoherent_and_unknown_considerations(tmp_path: Path) -> None:
    rec = _marche(considerationsSociales={"considerationSociale": ["Pas de considération sociale", "Clause sociale", "Clause verte"]})
    r = load(_write(tmp_path, {"marches": {"marche": [rec]}}), today=TODAY)
    (p,) = _purchases(r)
    assert p.social == {S.CLAUSE}
    assert r.report.counts["consideration-invalid"] == 2


def test_dirt_in_one_file(tmp_path: Path) -> None:
    recs = [
        _marche(id="A", montant=0),
        _marche(id="B", montant=2_000_000_000),
        _marche(id="C", montant=None),
        _marche(id="D", acheteur=None),
        _marche(id="E", codeCPV="1234"),
        _marche(id="F", codeCPV="45000000-8"),
        _marche(id="G", dateNotification="2019-02-30"),
        _marche(id="H", dateNotification="2018-12-17+01:00"),
        _marche(id="I", acheteur={"id": "12345678901234"}),
        _marche(id=None),
        _marche(id="K", montant=-5),
        _marche(id="L", dureeMois="douze"),
        _marche(id="A", montant=0),  # duplicate of the first
    ]
    for r_ in recs:
        if r_.get("montant") is None:
            r_.pop("montant", None)
        if r_.get("acheteur") is None:
            r_.pop("acheteur", None)
        if r_.get("id") is None:
            r_.pop("id", None)
    r = load(_write(tmp_path, {"marches": recs}), today=TODAY)
    rep = r.report
    assert rep.read == 13 == rep.accepted + rep.rejected
    assert rep.rejected == 3  # D (no buyer), K (negative), the duplicate
    c = rep.counts
    assert (c["amount-zero"], c["amount-absurd"], c["amount-missing"], c["buyer-missing"]) == (1, 1, 1, 1)
    assert (c["cpv-malformed"], c["cpv-check-digit"], c["date-invalid"], c["siret-invalid"]) == (1, 1, 1, 1)
    assert (c["id-missing"], c["amount-negative"], c["duration-invalid"], c["duplicate"]) == (1, 1, 1, 1)
    ps = {p.id: p for p in _purchases(r)}
    assert ps["B"].amount_ht == Decimal("2000000000")  # kept, flagged
    assert ps["C"].amount_ht is None
    assert ps["F"].cpv == "45000000"  # check digit wrong: kept
    assert ps["E"].cpv is None
    assert ps["G"].notification_date is None  # impossible date: kept without date
    assert ps["H"].notification_date == date(2018, 12, 17)
    assert ps["DECP-10"].source.row == 10
    assert ps["L"].duration_months is None
    dup = next(i for i in rep.issues if i.code == "duplicate")
    assert dup.row == 13 and "n° 1 " in dup.message


def test_stream_layouts(tmp_path: Path) -> None:
    s = DecpStream(_write(tmp_path, {"marches": {"contrat-concession": [{"id": "C"}], "marche": [{"id": "M"}]}}))
    items = list(s)
    assert s.layout == "2024"
    assert [(i, r["id"], r["_type"]) for i, r in items] == [(1, "C", "Contrat de concession"), (2, "M", "Marché")]


# -- properties -----------------------------------------------------------------


@given(st.decimals(min_value=0, max_value=Decimal("1e12"), places=2, allow_nan=False))
def test_implausible_rule(amount: Decimal) -> None:
    reason = implausible_amount(amount)
    if amount >= AMOUNT_PLAUSIBILITY_CEILING:
        assert reason is not None
    elif reason is not None:
        assert set(str(int(amount))) == {"9"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2_000_000)), min_size=0, max_size=25))
def test_every_record_accounted_property(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, int]]) -> None:
    """Whatever mix of duplicates and amounts, read == accepted + rejected == records."""
    tmp = tmp_path_factory.mktemp("p")
    recs = [_marche(id=f"X{i}", montant=m) for i, m in rows]
    r = load(_write(tmp, {"marches": recs}), today=TODAY) if recs else None
    if r is None:
        return
    expected_dups = len(recs) - len({(i, m) for i, m in rows})
    assert r.report.read == len(recs) == r.report.accepted + r.report.rejected
    assert r.report.counts["duplicate"] == expected_dups
    assert Counter(p.id for p in _purchases(r)) == Counter(f"X{i}" for i, _ in set(rows))
