"""The web server that one file cannot take down, and the journeys without dead ends.

Real servers on ephemeral ports, driven with http.client (tests/web_client.py).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from web_client import Client  # noqa: E402

import spaser  # noqa: E402
from spaser.web import make_server, serve_in_thread  # noqa: E402
from spaser.web.sessions import MemoryBudgetExceeded, SessionStore  # noqa: E402
from spaser.web.worker import WorkerError, WorkerLimits, import_in_worker, upload_name  # noqa: E402

ROOT = Path(__file__).parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "web" / "achats_petit.csv"
CORPUS = ROOT / "tests" / "corpus" / "spreadsheets"
_NO_TRACE = re.compile(r"Traceback|File \"|line \d+, in ")


def _server(**kw):  # type: ignore[no-untyped-def]
    srv = make_server(port=0, **kw)
    serve_in_thread(srv)
    return srv


@pytest.fixture(scope="module")
def server():
    srv = _server()
    yield srv
    srv.shutdown()
    srv.server_close()


def _client(srv) -> Client:  # type: ignore[no-untyped-def]
    host, port = srv.server_address[:2]
    return Client(host, port)


def _temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("spaser-web-*")}


def _follow(client: Client, reply, seconds: float = 60):  # type: ignore[no-untyped-def]
    """Follow 303s and background jobs to the final page."""
    end = time.monotonic() + seconds
    while reply.status == 303:
        location = reply.header("location")
        if location.startswith("/travail/"):
            while time.monotonic() < end:
                info = json.loads(client.get(location + ".json").body)
                if info["state"] in ("done", "failed"):
                    break
                time.sleep(0.1)
        reply = client.get(location)
        reply.location = location  # type: ignore[attr-defined]
    return reply


# -- one file cannot take the server down ------------------------------------------------------
def test_a_worker_out_of_time_gives_a_french_error_and_its_files_go() -> None:
    before = _temp_dirs()
    with pytest.raises(WorkerError) as e:
        import_in_worker(FIXTURE.read_bytes(), "achats.csv", "csv", limits=WorkerLimits(seconds=0.001))
    assert e.value.code == "worker-timeout" and "a dépassé 0 seconde et" in str(e.value)
    assert _temp_dirs() <= before


def test_a_worker_out_of_memory_gives_a_french_error_and_its_files_go() -> None:
    before = _temp_dirs()
    with pytest.raises(WorkerError) as e:
        import_in_worker(FIXTURE.read_bytes(), "achats.csv", "csv", limits=WorkerLimits(memory_bytes=1))
    assert e.value.code in ("worker-memory", "worker-crashed")
    assert "achats.csv" in str(e.value) and _temp_dirs() <= before


def test_the_worker_gives_the_library_result_and_a_memory_estimate() -> None:
    result, size = import_in_worker(FIXTURE.read_bytes(), "achats.csv", "csv")
    expected = spaser.load(FIXTURE)
    assert result.report.to_dict()["counts"] == expected.report.to_dict()["counts"]
    assert [p.amount_ht for p in result.portfolio.purchases] == [p.amount_ht for p in expected.portfolio.purchases]
    assert size > 0


def test_an_upload_is_read_under_the_users_file_name() -> None:
    # The exported portfolio's « Source » column, the import report and the buyer name the user's
    # file, never the worker's temporary copy.
    result, _ = import_in_worker(FIXTURE.read_bytes(), "Achats 2024 (Métropole).csv", "csv")
    assert result.report.file == "Achats 2024 (Métropole).csv"
    assert {p.source.file for p in result.portfolio.purchases} == {"Achats 2024 (Métropole).csv"}
    assert all("spaser-web" not in (i.file or "") + i.message for i in result.report.issues)
    result, _ = import_in_worker(FIXTURE.read_bytes(), "../../x/achats", "csv")
    assert result.report.file == "achats.csv"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["csv", "xlsx", "json", "pdf"]))
def test_any_upload_name_is_a_file_name(name: str, kind: str) -> None:
    got = upload_name(name, kind)
    assert "/" not in got and "\x00" not in got and not got.startswith(".") and len(got.encode()) <= 255
    assert got.lower().endswith({"csv": ".csv", "xlsx": ".xlsx", "json": ".json"}.get(kind, ".bin"))
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / got).write_bytes(b"")  # the file system takes it


def test_a_failing_upload_leaves_other_sessions_working() -> None:
    srv = _server(limits=WorkerLimits(seconds=0.001))
    try:
        victim = _client(srv)
        reply = victim.upload("achats.csv", FIXTURE.read_bytes())
        reply = _follow(victim, reply)
        assert reply.status == 422 and "a dépassé" in reply.text and not _NO_TRACE.search(reply.text)
        other = _client(srv)
        assert other.get("/").status == 200
    finally:
        srv.shutdown()
        srv.server_close()


def test_analyses_share_a_memory_budget_least_recently_used_go_first() -> None:
    store = SessionStore(max_bytes=100)
    a, b = store.create(), store.create()
    first = store.add(a, "a.csv", object(), size=40)
    time.sleep(0.01)
    second = store.add(b, "b.csv", object(), size=40)
    time.sleep(0.01)
    third = store.add(a, "c.csv", object(), size=40)  # over budget: the oldest, in any session, goes
    assert first.id not in a.analyses and second.id in b.analyses and third.id in a.analyses
    assert store.total_bytes <= 100
    with pytest.raises(MemoryBudgetExceeded):
        store.add(b, "huge.csv", object(), size=101)


def test_the_memory_budget_counts_a_word_model_when_analyses_are_dropped() -> None:
    from spaser.web.settings import Model

    store = SessionStore(max_bytes=100)
    a = store.create()
    a.settings = type("S", (), {"model": Model(name="modele.docx", data=b"x" * 30)})()
    first = store.add(a, "a.csv", object(), size=40)
    time.sleep(0.01)
    second = store.add(a, "b.csv", object(), size=40)  # 30 + 40 + 40 > 100: the older analysis goes
    assert first.id not in a.analyses and second.id in a.analyses
    assert store.total_bytes <= 100


def test_a_file_over_the_memory_budget_is_refused_in_french() -> None:
    srv = _server(max_bytes=10)
    try:
        client = _client(srv)
        reply = _follow(client, client.upload("achats.csv", FIXTURE.read_bytes()))
        assert reply.status == 422 and "mémoire réservée" in reply.text
    finally:
        srv.shutdown()
        srv.server_close()


def test_requests_without_cookie_evict_no_session(server) -> None:  # type: ignore[no-untyped-def]
    client = _client(server)
    report = _follow(client, client.upload("achats.csv", FIXTURE.read_bytes()))
    assert report.status == 200
    kept = len(server.sessions)
    for _ in range(300):  # far more than MAX_SESSIONS
        _client(server).get("/")
    assert len(server.sessions) == kept
    assert client.get(report.location).status == 200  # type: ignore[attr-defined]


_QUERY = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@pytest.fixture(scope="module")
def analysis(server):  # type: ignore[no-untyped-def]
    client = _client(server)
    report = _follow(client, client.upload("achats.csv", FIXTURE.read_bytes()))
    return client, report.location.replace("/rapport", "/0")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "query",
    ["annee=%ff", "annee=" + "9" * 40, "page=abc", "page=0", "page=99999", "type=x", "niveau=%00", "q=" + "x" * 300,
     "&".join(f"a{i}=1" for i in range(100)), "x=" + "y" * 3000],
)
def test_bad_query_parameters_give_400(analysis, query: str) -> None:  # type: ignore[no-untyped-def]
    client, base = analysis
    page = "/diagnostic" if query.startswith("annee") else "/suggestions"
    reply = client.get(base + page + "?" + query)
    assert reply.status == 400, (query, reply.status)
    assert '<html lang="fr">' in reply.text and not _NO_TRACE.search(reply.text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["annee", "q", "type", "niveau", "page", "autre"]), value=_QUERY)
@example(name="annee", value="²").via("digits int() refuses")  # str.isdigit() is true for it
@example(name="page", value="²").via("digits int() refuses")
def test_no_query_parameter_gives_a_500(analysis, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    client, base = analysis
    for page in ("/diagnostic", "/suggestions"):
        reply = client.get(f"{base}{page}?{quote(name)}={quote(value)}")
        assert reply.status in (200, 303, 400), (page, name, value, reply.status)


# -- no dead ends ----------------------------------------------------------------------------
def test_a_ttc_only_file_asks_the_vat_rate_in_the_page(server) -> None:  # type: ignore[no-untyped-def]
    client = _client(server)
    data = (CORPUS / "ttc_only.csv").read_bytes()
    reply = client.upload("ttc.csv", data)
    assert reply.status == 303 and reply.header("location").endswith("/tva")
    form = client.get(reply.header("location"))
    assert form.status == 200 and "toutes taxes comprises" in form.text and "--vat-rate" in form.text
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    bad = client.post_form(reply.header("location"), {"csrf": token, "taux": "beaucoup"}, {})
    assert bad.status == 400 and "illisible" in bad.text
    done = _follow(client, client.post_form(reply.header("location"), {"csrf": token, "taux": "20"}, {}))
    assert done.status == 200 and "Rapport d'import" in done.text
    expected = spaser.load(CORPUS / "ttc_only.csv", vat_rate=Decimal("0.2"))
    assert f'data-key="accepted" data-value="{expected.report.accepted}"' in done.text


def test_unknown_headers_open_the_column_mapping_step(server, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from spaser.cli import main

    client = _client(server)
    data = "Réf interne;Libellé libre;Valeur euros;Quand\nA1;Nettoyage des écoles;120000;12/03/2025\nA2;Voirie;80000;01/06/2025\n".encode()
    reply = client.upload("maison.csv", data)
    assert reply.status == 303 and reply.header("location").endswith("/colonnes")
    url = reply.header("location")
    form = client.get(url)
    assert form.status == 200 and "Valeur euros" in form.text and 'name="champ_amount_ht"' in form.text
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    headers = ["Réf interne", "Libellé libre", "Valeur euros", "Quand"]
    fields = {"csrf": token, "champ_id": "0", "champ_object": "1", "champ_amount_ht": "2", "champ_notification_date": "3"}
    none = client.post_form(url, {"csrf": token, "champ_object": "1", "action": "importer"}, {})
    assert none.status == 400 and "montant" in none.text
    saved = client.post_form(url, dict(fields, action="enregistrer"), {})
    assert saved.status == 200 and "attachment" in saved.header("content-disposition")
    mapping = tmp_path / "correspondance.yaml"
    mapping.write_bytes(saved.body)
    source = tmp_path / "maison.csv"
    source.write_bytes(data)
    # The saved file is the one the command line reads.
    assert main(["inspect", str(source), "--mapping", str(mapping), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["purchases"] == 2 and cli["total_ht"] == "200000"
    done = _follow(client, client.post_form(url, dict(fields, action="importer"), {}))
    assert done.status == 200 and "Rapport d'import" in done.text
    assert 'data-key="accepted" data-value="2"' in done.text
    assert headers[0] in saved.body.decode()


@pytest.mark.parametrize("name", ["calc.ods", "old_format.xls"])
def test_ods_and_xls_go_to_the_library_reader(server, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page accepts them and answers what spaser.load answers (a report, or its French error)."""
    client = _client(server)
    reply = _follow(client, client.upload(name, (CORPUS / name).read_bytes()))
    try:
        expected = spaser.load(CORPUS / name)
    except spaser.SpaserError as e:
        assert reply.status == 422 and e.reason.split(" (")[0][:40] in reply.text.replace("&#39;", "'")  # type: ignore[attr-defined]
    else:
        assert reply.status == 200 and f'data-key="read" data-value="{expected.report.read}"' in reply.text


def test_the_import_template_downloads(server) -> None:  # type: ignore[no-untyped-def]
    import io

    import openpyxl

    client = _client(server)
    home = client.get("/")
    assert 'href="/modele-achats.xlsx"' in home.text
    reply = client.get("/modele-achats.xlsx")
    assert reply.status == 200 and "attachment" in reply.header("content-disposition")
    assert "Achats" in openpyxl.load_workbook(io.BytesIO(reply.body)).sheetnames


def test_suggestions_search_all_purchases_with_pages(analysis) -> None:  # type: ignore[no-untyped-def]
    client, base = analysis
    page = client.get(base + "/suggestions")
    assert page.status == 200 and 'id="compte-suggestions"' in page.text
    nothing = client.get(base + "/suggestions?q=zzz-introuvable")
    assert nothing.status == 200 and "Aucun achat ne correspond" in nothing.text


def test_no_link_points_to_a_missing_page(analysis, server) -> None:  # type: ignore[no-untyped-def]
    """Crawl every page reachable from the report: each local link answers (never 404 or 500)."""
    client, base = analysis
    seen: set[str] = set()
    todo = ["/", base.rsplit("/", 1)[0] + "/rapport"]
    while todo:
        path = todo.pop()
        if path in seen or len(seen) > 60:
            continue
        seen.add(path)
        reply = _follow(client, client.get(path))
        assert reply.status == 200, (path, reply.status)
        if "text/html" not in (reply.header("content-type") or ""):
            continue
        for link in re.findall(r'href="(/[^"#]*)"', reply.text):
            link = link.replace("&amp;", "&")
            if link not in seen and "/telecharger/" not in link and "/preparer/" not in link:
                todo.append(link)
    assert any("/suggestions" in p for p in seen) and any("/documents" in p for p in seen)


# -- everything the command line does --------------------------------------------------------
def test_advice_for_one_planned_purchase_is_the_library_advice(server) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from spaser.clauses import planned_purchase, suggest

    client = _client(server)
    page = client.get("/conseil?cpv=90910000&montant=300+000&objet=Nettoyage+des+%C3%A9coles&date=01%2F09%2F2026&duree=48")
    assert page.status == 200
    at = date(2026, 9, 1)
    expected = [s.clause_id for s in suggest(planned_purchase("Nettoyage des écoles", "90910000", Decimal("300000"), at, duration_months=48), at=at)]
    assert re.findall(r'data-clause="([^"]+)"', page.text) == expected and expected
    for bad in ("cpv=90910000&montant=beaucoup", "cpv=123&montant=1000", "cpv=90910000&montant=1000&date=32%2F13%2F2026", "cpv=90910000"):
        reply = client.get("/conseil?" + bad)
        assert reply.status == 400 and 'id="erreur-conseil"' in reply.text and not _NO_TRACE.search(reply.text), bad


def test_settings_form_writes_the_config_file_the_cli_reads(server, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from spaser.cli import main
    from spaser.documents import load_config

    client = _client(server)
    form = client.get("/reglages")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    fields = {"csrf": token, "acheteur.nom": 'Ville "Test" d\'Été', "acheteur.type": "commune", "acheteur.signataire": "Le Maire",
              "schema.debut": "2026", "schema.fin": "2031", "schema.date": "2026-03-02",
              "objectifs.social_nombre.debut": "30", "objectifs.social_nombre.fin": "45", "objectifs.heures_insertion.fin": "12000"}
    bad = client.post_form("/reglages", dict(fields, **{"schema.fin": "deux mille"}), {})
    assert bad.status == 400 and "quatre chiffres" in bad.text
    assert client.post_form("/reglages", fields, {}).status == 303
    saved = client.get("/reglages/spaser.toml")
    assert saved.status == 200 and "attachment" in saved.header("content-disposition")
    path = tmp_path / "spaser.toml"
    path.write_bytes(saved.body)
    cfg = load_config(path)
    assert cfg.buyer_name == 'Ville "Test" d\'Été' and cfg.start == 2026 and cfg.end == 2031
    assert cfg.targets["social_nombre"] == {2026: Decimal("0.3"), 2031: Decimal("0.45")}
    assert cfg.targets["heures_insertion"] == {2031: Decimal("12000")}
    # The command line takes the same file.
    out = tmp_path / "d.docx"
    assert main(["deliberation", str(ROOT / "examples" / "petite_commune.csv"), "--config", str(path), "--out", str(out)]) == 0
    capsys.readouterr()
    # And the page shows it again.
    again = client.get("/reglages")
    assert "Le Maire" in again.text and 'value="45"' in again.text


def _model_docx(marker: str) -> bytes:
    """A council's Word model: python-docx's default with ``marker`` in its header."""
    import io

    import docx

    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = marker
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _header_texts(data: bytes) -> str:
    import io

    import docx

    doc = docx.Document(io.BytesIO(data))
    return " ".join(p.text for s in doc.sections for part in (s.header, s.first_page_header) for p in part.paragraphs)


def test_settings_form_takes_the_councils_word_model(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from spaser.documents import load_config

    client = _client(server)  # a session of its own: its documents take the model
    base = _follow(client, client.upload("achats.csv", FIXTURE.read_bytes())).location.replace("/rapport", "/0")  # type: ignore[attr-defined]
    form = client.get("/reglages")
    assert re.search(r'<label for="r-modele">Modèle Word de la collectivité \(\.docx\)</label>', form.text)
    assert 'type="file" id="r-modele" name="modele"' in form.text
    fields = {"csrf": client.csrf(), "schema.debut": "2026", "schema.fin": "2031"}
    # What is not a Word document is refused in French, and nothing is applied.
    for name, data in (("logo.docx", b"%PDF-1.7 pas un document Word"), ("vide.docx", b""), ("archive.docx", _zip({"autre.xml": b"<x/>"}))):
        bad = client.post_form("/reglages", fields, {"modele": (name, data)})
        assert bad.status == 400 and 'id="erreur-reglages"' in bad.text and "Modèle Word de la collectivité" in bad.text, name
        assert not _NO_TRACE.search(bad.text)
    assert client.get("/reglages/spaser.toml").status == 404
    marker = "EN-TÊTE DE LA VILLE TEST 7f3a"
    ok = client.post_form("/reglages", fields, {"modele": ("Charte graphique/ville é.docx", _model_docx(marker))})
    assert ok.status == 303
    assert "ville é.docx" in client.get("/reglages").text
    # The downloaded spaser.toml names the model; beside it, the command line reads it.
    toml = client.get("/reglages/spaser.toml").body.decode("utf-8")
    assert '[mise_en_page]' in toml and 'modele = "ville é.docx"' in toml
    (tmp_path / "spaser.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "ville é.docx").write_bytes(_model_docx(marker))
    assert load_config(tmp_path / "spaser.toml").reference_docx == str(tmp_path / "ville é.docx")
    # The documents made from the page take it; its temporary copy is gone afterwards.
    for doc in ("projet-spaser.docx", "deliberation.docx"):
        reply = _follow(client, client.get(f"{base}/preparer/{doc}"))
        assert reply.status == 200, doc
        body = client.get(f"{base}/telecharger/{doc}")
        assert body.status == 200 and marker in _header_texts(body.body), doc
    # (looked for by name: other processes on this machine may hold spaser-web-* folders of their own)
    assert not list(Path(tempfile.gettempdir()).glob("spaser-web-*/ville é.docx"))
    # A later submission without a file keeps the model; the box removes it.
    assert client.post_form("/reglages", fields, {"modele": ("", b"")}).status == 303
    assert "modele =" in client.get("/reglages/spaser.toml").text
    assert client.post_form("/reglages", dict(fields, **{"modele.retirer": "1"}), {}).status == 303
    assert "modele" not in client.get("/reglages/spaser.toml").text
    body = client.get(f"{base}/telecharger/deliberation.docx")
    assert marker not in _header_texts(body.body)


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_yearly_report_and_indicators_download(analysis) -> None:  # type: ignore[no-untyped-def]
    import io

    import docx
    import openpyxl

    client, base = analysis
    page = client.get(base + "/documents")
    assert "bilan-annuel.docx" in page.text and "indicateurs.xlsx" in page.text
    year = spaser.load(FIXTURE).portfolio.years()[-1]
    for name, opener in (("bilan-annuel.docx", docx.Document), ("indicateurs.xlsx", openpyxl.load_workbook)):
        reply = _follow(client, client.get(f"{base}/preparer/{name}?annee={year}"))
        job_next = reply.location  # type: ignore[attr-defined]
        assert reply.status == 200, (name, reply.status)
        body = client.get(f"{base}/telecharger/{name}?annee={year}")
        assert body.status == 200 and "attachment" in body.header("content-disposition"), job_next
        opener(io.BytesIO(body.body))
    assert client.get(f"{base}/preparer/bilan-annuel.docx?annee=1900").status == 400


def test_joint_scheme_of_a_multi_buyer_file(server) -> None:  # type: ignore[no-untyped-def]
    from spaser.law import check_joint

    client = _client(server)
    decp = ROOT / "tests" / "fixtures" / "web" / "decp_deux_acheteurs.json"
    report = _follow(client, client.upload("decp.json", decp.read_bytes()))
    assert 'id="lien-commun"' in report.text
    joint = _follow(client, client.get(report.location.replace("/rapport", "/commun")))  # type: ignore[attr-defined]
    assert joint.status == 200 and 'id="table-commun"' in joint.text
    expected = check_joint(list(spaser.load(decp).portfolios))
    assert sorted(re.findall(r'<tr data-status="([^"]+)"', joint.text)) == sorted(m.obligation.status for m in expected.members)


def test_the_column_mapping_step_reads_a_csv_as_the_import_does(tmp_path: Path) -> None:
    """UTF-16 (Excel's « texte Unicode ») and Windows-1252 headers come out as text, not as bytes."""
    from spaser.web.mapping import file_headers

    text = "Réf interne;Libellé libre;Valeur euros\r\nA1;Truc;100\r\n"
    for encoding in ("utf-8", "utf-16", "cp1252"):
        path = tmp_path / f"achats-{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert file_headers(str(path), "csv") == ["Réf interne", "Libellé libre", "Valeur euros"]


def test_a_percentage_objective_typed_in_the_settings_form_is_a_percentage() -> None:
    """The form labels objectives « Part en % »: « 1 » is 1 % (the file reads 1 as 100 %), and the form shows 1 again."""
    from spaser.web.settings import form_from_config, settings_from_form

    fields = {"schema.debut": "2026", "schema.fin": "2031", "objectifs.social_nombre.debut": "1", "objectifs.social_nombre.fin": "0,5"}
    cfg = settings_from_form(fields).config
    assert cfg.targets["social_nombre"] == {2026: Decimal("0.01"), 2031: Decimal("0.005")}
    shown = form_from_config(cfg)
    assert shown["objectifs.social_nombre.debut"] == "1" and shown["objectifs.social_nombre.fin"] == "0.5"


def test_a_document_job_tells_how_far_the_advice_is() -> None:
    # The draft and the workbook list the advice: their job shows « N achats examinés sur M ».
    from spaser.web import data as page_data

    portfolio = spaser.load(Path(__file__).parents[1] / "examples" / "metropole.xlsx").portfolio
    for name in ("projet-spaser.docx", "classeur.xlsx"):
        told: list[tuple[int, int]] = []
        body = page_data.build_document(name, portfolio, report=None, progress=lambda done, total: told.append((done, total)))
        assert body[:2] == b"PK" and told and told[-1][0] == told[-1][1] > 0
