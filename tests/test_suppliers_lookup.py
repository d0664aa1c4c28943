"""The online look-up against a fake « Recherche d'entreprises » server on 127.0.0.1 (never the real one).

The fake answers in the API's format (``/search?q=SIREN`` -> ``{"results": [...], "total_results"...}``);
its records are the 31 recorded real answers of ../shared/data/suppliers when present, and a few
of our own that always run.
"""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from spaser.cli import main
from spaser.model import Buyer, BuyerKind, Portfolio
from spaser.suppliers import Lists, classify_portfolio
from spaser.suppliers.lookup import ApiAnswerInvalid, ApiUnreachable, Lookup, enrich_online

HERE = Path(__file__).parent / "fixtures" / "suppliers"
IDS = json.loads((HERE / "ids.json").read_text())
SHARED = Path(__file__).parents[1] / ".." / "shared" / "data" / "suppliers"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="données partagées absentes (../shared/data/suppliers) : test sur les réponses réelles sauté")


def _result(siren: str, name: str, cj: str, ess: bool, siae: bool, type_siae: str | None = None) -> dict:
    return {"siren": siren, "nom_complet": name, "nom_raison_sociale": name, "nature_juridique": cj,
            "siege": {"siret": siren + "00010"}, "matching_etablissements": [],
            "complements": {"est_ess": ess, "est_siae": siae, "type_siae": type_siae, "est_service_public": cj.startswith("7"),
                            "collectivite_territoriale": None}}


def _flag(v: str) -> bool:
    return v == "True"


RECORDS: dict[str, dict] = {
    IDS["C"]: _result(IDS["C"], "RESSOURCERIE DU PORT", "9220", True, True, "ACI"),
    IDS["D"]: _result(IDS["D"], "BATI CLASSIQUE", "5710", False, False),
    IDS["H"]: _result(IDS["H"], "SYNDICAT DES EAUX", "7353", False, False),
}
if SHARED.is_dir():
    with (SHARED / "annuaire_entreprises_snapshots_extract.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            RECORDS[r["siren"]] = _result(r["siren"], r["nom_complet"], r["nature_juridique"], _flag(r["estEss"]),
                                          _flag(r["estEntrepriseInclusive"]), r["typeEntrepriseInclusive"] or None)


class _Handler(BaseHTTPRequestHandler):
    calls: list[str] = []
    mode = "ok"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        q = parse_qs(url.query).get("q", [""])[0]
        type(self).calls.append(q)
        if self.mode == "500":
            self.send_response(500)
            self.end_headers()
            return
        body = b"pas du json" if self.mode == "garbage" else json.dumps(
            {"results": [RECORDS[q]] if q in RECORDS else [], "total_results": int(q in RECORDS), "page": 1, "per_page": 5,
             "total_pages": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.calls = []
    _Handler.mode = "ok"
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def test_lookup_reads_the_api_format_and_caches(server: str, tmp_path: Path) -> None:
    with Lookup(server, cache_dir=tmp_path, rate=0) as lk:
        e = lk.unit(IDS["C"])
        assert e is not None and e.legal_category == "9220" and e.structures == ("ACI", "ESS")
        assert lk.unit(IDS["F"]) is None  # unknown to the API
        lk.unit(IDS["C"])  # from the cache
    assert _Handler.calls == [IDS["C"], IDS["F"]]
    assert (tmp_path / f"{IDS['C']}.json").is_file()


def test_buyer_kind_and_suppliers_from_the_api(server: str, tmp_path: Path) -> None:
    from spaser.io import load

    pf = load(HERE / "achats.csv").portfolio
    wanted = {IDS["C"], IDS["D"], IDS["H"], IDS["F"]}
    lists, cats = enrich_online(Lists(), wanted, lookup=Lookup(server, cache_dir=tmp_path, rate=0))
    c = classify_portfolio(pf, lists, categories=cats)
    assert c.buyer_kind is BuyerKind.EPCI
    by_name = {r.classed.name: r.classed for r in c.suppliers}
    assert by_name["RESSOURCERIE DU PORT"].inclusive == "oui" and by_name["BATI CLASSIQUE"].inclusive == "non"
    assert by_name["INCONNUE SA"].inclusive == "inconnu"


@needs_shared
def test_recorded_real_answers_give_the_buyer_kinds(server: str, tmp_path: Path) -> None:
    expected = {"217500016": BuyerKind.COLLECTIVITE_AUTRE, "226300010": BuyerKind.DEPARTEMENT, "200036473": BuyerKind.EPCI,
                "130025265": BuyerKind.ETAT, "198100125": BuyerKind.ETABLISSEMENT_PUBLIC_LOCAL, "552032534": BuyerKind.AUTRE}
    lists, cats = enrich_online(Lists(), expected, lookup=Lookup(server, cache_dir=tmp_path, rate=0))
    for siren, kind in expected.items():
        assert classify_portfolio(Portfolio(buyer=Buyer(name="x", siret=siren)), lists, categories=cats).buyer_kind is kind


def test_offline_goes_on_and_says_so(tmp_path: Path) -> None:
    lk = Lookup("http://127.0.0.1:9", cache_dir=tmp_path, rate=0, timeout=2)  # port 9 (discard): nothing listens
    with pytest.raises(ApiUnreachable, match="hors ligne"):
        lk.unit(IDS["C"])
    lists, cats = enrich_online(Lists(), {IDS["C"], IDS["D"]}, lookup=lk)
    assert cats == {} and "hors ligne" in lists.lists[-1].notes[0]
    assert lists.lists[-1].notes[0].endswith("Classification poursuivie avec les seules listes (2 SIREN non interrogés).")


def test_bad_answers_are_errors_not_crashes(server: str, tmp_path: Path) -> None:
    _Handler.mode = "garbage"
    with pytest.raises(ApiAnswerInvalid):
        Lookup(server, cache_dir=tmp_path, rate=0).unit(IDS["C"])
    _Handler.mode = "500"
    with pytest.raises(ApiUnreachable, match="HTTP 500"):
        Lookup(server, cache_dir=tmp_path / "b", rate=0).unit(IDS["C"])


def test_rate_limit_spaces_requests(server: str, tmp_path: Path) -> None:
    clock, slept = [100.0], []
    lk = Lookup(server, cache_dir=tmp_path, rate=4)
    lk._now = lambda: clock[0]  # a fake clock: no timed test
    lk._sleep = lambda s: (slept.append(s), clock.__setitem__(0, clock[0] + s))
    lk.units([IDS["C"], IDS["D"], IDS["H"]])
    assert slept == [0.25, 0.25]  # three requests, spaced by 1/4 s
    capped = Lookup(server, cache_dir=tmp_path / "c", rate=0, max_per_run=1)
    entries, notes = capped.units([IDS["C"], IDS["D"], IDS["H"]])
    assert len(entries) == 1 and notes == ["2 SIREN non interrogés : limite de 1 requête par exécution atteinte."]


def test_too_many_requests_waits_then_says_so(tmp_path: Path) -> None:
    import httpx

    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(429), httpx.Response(429)])
    lk = Lookup("http://api.test", cache_dir=tmp_path, rate=0)
    lk._client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    slept: list[float] = []
    lk._sleep = slept.append
    with pytest.raises(ApiUnreachable, match="429"):
        lk.unit(IDS["C"])
    assert slept == [2.0]


def test_cli_en_ligne(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SPASER_API_RECHERCHE_ENTREPRISES", server)
    monkeypatch.setenv("SPASER_CACHE_DIR", str(tmp_path))
    assert main(["suppliers", str(HERE / "achats.csv"), "--en-ligne", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["suppliers"]["buyer"]["kind"] == "epci"
    assert data["suppliers"]["lists"][0]["source"] == "api"
