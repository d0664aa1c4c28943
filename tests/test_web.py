"""The web server's plumbing: routes, limits, sessions, CSRF, headers, French errors.

A real server on an ephemeral port in a thread, driven with http.client.
"""

from __future__ import annotations

import http.client
import os
import re
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_client import Client, multipart  # noqa: E402

from spaser.web import MAX_UPLOAD_BYTES, make_server, serve_in_thread  # noqa: E402
from spaser.web.multipart import MultipartError, parse_multipart  # noqa: E402
from spaser.web.sessions import SessionStore  # noqa: E402
from spaser.web.views import display_name  # noqa: E402

_NO_TRACE = re.compile(r"Traceback|File \"|line \d+, in ")


@pytest.fixture(scope="module")
def server():
    srv = make_server(port=0)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture()
def client(server):
    host, port = server.server_address[:2]
    return Client(host, port)


def assert_french_page(reply, status: int) -> None:
    assert reply.status == status
    assert reply.header("content-type") == "text/html; charset=utf-8"
    assert '<html lang="fr">' in reply.text
    assert not _NO_TRACE.search(reply.text)


# -- pages and headers ---------------------------------------------------
def test_home_sets_a_strict_httponly_session_cookie_and_security_headers(client):
    reply = client.get("/")
    assert_french_page(reply, 200)
    cookie = reply.header("set-cookie")
    assert cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 40
    csp = reply.header("content-security-policy")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert reply.header("x-content-type-options") == "nosniff"
    assert reply.header("referrer-policy") == "same-origin"
    assert reply.header("cache-control") == "no-store"
    assert 'href="#contenu"' in reply.text and 'id="contenu"' in reply.text  # skip link
    assert '<label for="fichier">' in reply.text


def test_the_session_is_kept_then_not_recreated(client):
    client.get("/")
    again = client.get("/")
    assert again.header("set-cookie") is None


def test_no_external_resource_in_pages_or_assets(client):
    for path in ("/", "/static/style.css", "/static/app.js"):
        text = client.get(path).text
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "@import" not in text and "url(http" not in text


def test_static_assets_and_no_path_traversal(client):
    css = client.get("/static/style.css")
    assert css.status == 200 and css.header("content-type").startswith("text/css")
    for bad in ("/static/../server.py", "/static/%2e%2e/server.py", "/static/server.py", "/static/", "/static/x/../style.css"):
        assert_french_page(client.get(bad), 404)


def test_unknown_page_wrong_method_and_malformed_request(client, server):
    assert_french_page(client.get("/nexiste-pas"), 404)
    assert_french_page(client.get("/importer"), 405)
    reply = client.request("PUT", "/")
    assert reply.status == 501 and "<html lang=\"fr\">" in reply.text
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest("GET", "/" + "a" * 70000)
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 414 and "fr" in resp.read().decode()


def test_foreign_host_header_is_refused(client):
    # A page of another site rebinding its name to 127.0.0.1 sends its own Host.
    assert_french_page(client.get("/", headers={"Host": "evil.example:8765"}), 400)


def test_unknown_analysis_is_404_without_telling_whether_it_exists(client):
    client.get("/")
    for path in ("/a/AAAAAAAAAAAAAAAA/rapport", "/a/AAAAAAAAAAAAAAAA/0/diagnostic", "/a/AAAAAAAAAAAAAAAA/0/telecharger/projet-spaser.docx"):
        reply = client.get(path)
        assert_french_page(reply, 404)
        assert "Analyse introuvable" in reply.text


# -- uploads: CSRF, limits, content ----------------------------------------
def test_post_without_session_or_with_bad_token_is_refused(client, server):
    host, port = server.server_address[:2]
    stranger = Client(host, port)
    assert_french_page(stranger.post_form("/importer", {"csrf": "x"}, {"fichier": ("a.csv", b"a;b\n")}), 403)
    client.csrf()
    reply = client.post_form("/importer", {"csrf": "pas-le-bon"}, {"fichier": ("a.csv", b"a;b\n")})
    assert_french_page(reply, 403)
    assert "Jeton" in reply.text
    token = client.csrf()
    reply = client.post_form("/importer", {"csrf": token}, {"fichier": ("a.csv", b"a;b\n")}, headers={"Origin": "http://evil.example"})
    assert_french_page(reply, 403)


def test_too_large_is_refused_from_content_length_before_reading(client):
    token = client.csrf()
    body, ctype = multipart({"csrf": token}, {"fichier": ("gros.xlsx", b"x")})
    # Announce more than the limit, send little: the answer must come without reading it.
    reply = client.request(
        "POST", "/importer", body=body, headers={"Content-Type": ctype, "Content-Length": str(MAX_UPLOAD_BYTES + 10**6), "Origin": f"http://{client.host}:{client.port}"}
    )
    assert_french_page(reply, 413)
    assert "50 Mo" in reply.text
    assert reply.header("connection") == "close"


def test_missing_content_length_is_refused(client, server):
    client.csrf()
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest("POST", "/importer")
    conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in client.cookies.items()))
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Content-Type", "multipart/form-data; boundary=b")
    conn.endheaders()
    conn.send(b"0\r\n\r\n")
    resp = conn.getresponse()
    assert resp.status == 411
    assert "taille" in resp.read().decode()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("vide.xlsx", b"", "Le fichier est vide"),
        ("rapport.xlsx", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "document PDF"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "une image"),
        ("bin.json", b"\x00\x01\x02\x03" * 100, "fichier binaire"),
    ],
)
def test_bad_files_give_a_french_error_on_the_upload_page(client, name, data, expected):
    reply = client.upload(name, data)
    assert reply.status == 422
    assert expected in reply.text
    assert f"« {name} »" in reply.text
    assert not _NO_TRACE.search(reply.text)
    assert "/tmp" not in reply.text and "spaser-web-" not in reply.text  # the private copy is never named


_CORPUS = sorted(
    p for p in (Path(__file__).parent / "corpus").rglob("*")
    if p.is_file() and p.suffix not in (".py", ".md") and p.name != "manifest.json"
)


@pytest.mark.parametrize("path", _CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_gives_a_french_page_never_a_trace(client, path):
    # The whole bad-input corpus through the page: a French error (422) or the import report.
    reply = client.upload(path.name, path.read_bytes())
    assert reply.status in (303, 422), reply.status
    if reply.status == 422:
        assert_french_page(reply, 422)
        assert f"« {path.name} »" in reply.text
    else:
        page = client.get(reply.header("location"))
        assert_french_page(page, 200)


def test_no_file_chosen(client):
    reply = client.post_form("/importer", {"csrf": client.csrf()}, {"fichier": ("", b"")})
    assert reply.status == 400 and "Choisissez un fichier" in reply.text


def test_file_name_is_escaped_and_never_a_path(client):
    evil = '<img src=x onerror=alert(1)>"\'&.pdf'
    reply = client.upload("../../" + evil, b"%PDF-1.4")
    assert reply.status == 422
    assert "<img src=x" not in reply.text
    assert "« &lt;img src=x onerror=alert(1)&gt;%22&#39;&amp;.pdf »" in reply.text  # browsers send " as %22
    assert "../../" not in reply.text


def test_temporary_copies_are_removed(client):
    before = {p.name for p in Path(tempfile.gettempdir()).glob("spaser-web-*")}
    client.upload("vide.csv", b"")
    client.upload("doc.xlsx", b"%PDF-1.4")
    client.upload("t.csv", b"\xef\xbb\xbf")  # reaches the reader (BOM only), whatever it says
    after = {p.name for p in Path(tempfile.gettempdir()).glob("spaser-web-*")}
    assert after <= before


# -- units -----------------------------------------------------------------
def test_multipart_is_byte_exact_and_strict():
    data = os.urandom(5000) + b"\r\n--x\r\n\r\n"
    body, ctype = multipart({"csrf": "t"}, {"fichier": ("a.xlsx", data)})
    form = parse_multipart(body, ctype)
    assert form.files["fichier"].data == data and form.fields["csrf"] == "t"
    with pytest.raises(MultipartError):
        parse_multipart(body[:-10], ctype)  # truncated
    with pytest.raises(MultipartError):
        parse_multipart(body, "application/x-www-form-urlencoded")
    with pytest.raises(MultipartError):
        parse_multipart(body, "multipart/form-data")  # no boundary


def test_sessions_expire_and_are_capped():
    now = [0.0]
    store = SessionStore(idle=100, max_sessions=3, clock=lambda: now[0])
    first = store.create()
    assert store.get(first.token) is None and len(store) == 0  # a new session is not stored...
    store.keep(first)  # ...until it holds something
    assert store.get(first.token) is first
    now[0] = 150
    assert store.get(first.token) is None  # idle too long
    sessions = [store.create() for _ in range(5)]
    for session in sessions:
        store.keep(session)
    tokens = [x.token for x in sessions]
    assert len(store) == 3 and store.get(tokens[0]) is None and store.get(tokens[-1]) is not None
    assert store.get("") is None and store.get("inconnu") is None


def test_display_name_keeps_only_a_harmless_last_part():
    assert display_name("..\\..\\a\u202eb.xlsx") == "ab.xlsx"
    assert display_name("x" * 500).endswith("…") and len(display_name("x" * 500)) == 118


# -- a real import ---------------------------------------------------------
FIXTURE = Path(__file__).parent / "fixtures" / "web" / "achats_petit.csv"


def _import_fixture(client):
    reply = client.upload("Achats 2025 <b>.csv", FIXTURE.read_bytes())
    assert reply.status == 303, reply.text[:500]
    location = reply.header("location")
    assert re.fullmatch(r"/a/[A-Za-z0-9_-]{16}/rapport", location)
    return location


def test_import_report_shows_the_library_counts_and_located_problems(client):
    import spaser

    expected = spaser.load(FIXTURE).report
    page = client.get(_import_fixture(client))
    assert_french_page(page, 200)
    for key in ("read", "accepted", "warned", "rejected"):
        assert re.search(rf'data-key="{key}" data-value="{getattr(expected, key)}"', page.text), key
    for issue in expected.issues:
        row = re.search(rf"<td class=\"num\">{issue.row}</td>\s*<td>{re.escape(issue.column)}</td>", page.text)
        assert row, (issue.row, issue.column)
        assert issue.message.replace("«", "").split("(")[0].strip().replace("'", "&#39;") in page.text
    assert "Achats 2025 &lt;b&gt;.csv" in page.text  # the user's name, escaped


def test_pages_escape_user_data(client):
    page = client.get(_import_fixture(client))
    assert "<img src=x" not in page.text and "<script>alert" not in page.text
    assert "Achats_2025_b" in page.text or "Achats 2025" in page.text  # buyer named after the file


def test_an_analysis_is_invisible_to_another_session(client, server):
    location = _import_fixture(client)
    assert client.get(location).status == 200
    host, port = server.server_address[:2]
    stranger = Client(host, port)
    stranger.get("/")
    reply = stranger.get(location)
    assert_french_page(reply, 404)
    assert "Achats 2025" not in reply.text
    # The same identifier with a forged cookie: still nothing.
    forged = Client(host, port, cookies={"spaser_session": "A" * 43})
    assert forged.get(location).status == 404


DECP = Path(__file__).parent / "fixtures" / "web" / "decp_deux_acheteurs.json"


def test_several_buyers_are_listed_and_each_gets_its_diagnosis(client):
    import spaser
    from spaser.web.data import diagnosis_dict

    reply = client.upload("decp.json", DECP.read_bytes())
    assert reply.status == 303
    page = client.get(reply.header("location"))
    assert "Choisir l'acheteur" in page.text
    result = spaser.load(DECP)
    for index, portfolio in enumerate(result.portfolios):
        assert portfolio.buyer.name in page.text and portfolio.buyer.siret in page.text
        link = reply.header("location").replace("/rapport", f"/{index}/diagnostic")
        assert f'href="{link}"' in page.text
        diag = client.get(link)
        assert_french_page(diag, 200)
        expected = diagnosis_dict(portfolio)
        assert f'data-status="{expected["obligation"]["status"]}"' in diag.text
        assert portfolio.buyer.name in diag.text
    beyond = reply.header("location").replace("/rapport", f"/{len(result.portfolios)}/diagnostic")
    assert_french_page(client.get(beyond), 404)


def test_diagnosis_page_shows_the_check_json_figures(client):
    import spaser
    from spaser.web.data import diagnosis_dict

    location = _import_fixture(client).replace("/rapport", "/0/diagnostic")
    page = client.get(location)
    assert_french_page(page, 200)
    expected = diagnosis_dict(spaser.load(FIXTURE).portfolio)
    o = expected["obligation"]
    assert f'data-key="threshold" data-value="{o["threshold"]}"' in page.text
    assert f'data-key="spend" data-value="{o["spend"]["total"]}"' in page.text
    for t in expected["targets"]:
        assert f'data-target="{t["name"]}"' in page.text
        assert f'data-key="actual" data-value="{t["actual"]}"' in page.text
    for article in o["articles"]:
        assert article in page.text
    assert 'class="ratio-chart' in page.text and "<svg" in page.text  # charts: HTML text, SVG bars
    # Another year of the data, and a year that is not in it.
    assert client.get(location + f"?annee={expected['year']}").status == 200
    assert_french_page(client.get(location + "?annee=1900"), 400)
    assert_french_page(client.get(location + "?annee=abc"), 400)


def wait_for_job(client, location, seconds=60):
    """Poll a background job's state until it ends; its last state."""
    import json
    import time

    end = time.monotonic() + seconds
    while True:
        info = json.loads(client.get(location + ".json").body)
        if info["state"] in ("done", "failed") or time.monotonic() > end:
            return info
        time.sleep(0.1)


def test_documents_download_as_attachments_that_reopen(client):
    import io

    import docx
    import openpyxl

    base = _import_fixture(client).replace("/rapport", "/0")
    page = client.get(base + "/documents")
    assert_french_page(page, 200)
    for name, opener in (("projet-spaser.docx", docx.Document), ("deliberation.docx", docx.Document), ("classeur.xlsx", openpyxl.load_workbook)):
        assert f'href="{base}/preparer/{name}"' in page.text  # made in the background, then downloaded
        prepared = client.get(f"{base}/preparer/{name}")
        assert prepared.status == 303 and prepared.header("location").startswith("/travail/")
        job = wait_for_job(client, prepared.header("location"))
        assert job["state"] == "done" and job["next"] == f"{base}/telecharger/{name}"
        reply = client.get(job["next"])
        assert reply.status == 200, reply.text[:300]
        disposition = reply.header("content-disposition")
        assert disposition.startswith("attachment;") and name.split(".")[0] in disposition
        assert reply.header("cache-control") == "no-store"
        opener(io.BytesIO(reply.body))  # a real document, not an error page
    doc = docx.Document(io.BytesIO(client.get(f"{base}/telecharger/projet-spaser.docx").body))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "SPASER" in text or "schéma" in text.lower()
    assert_french_page(client.get(f"{base}/telecharger/autre.docx"), 404)


def test_page_figures_equal_spaser_check_json(client, capsys):
    import json

    from spaser.cli import main

    assert main(["check", str(FIXTURE), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    page = client.get(_import_fixture(client).replace("/rapport", "/0/diagnostic")).text
    o = cli["diagnosis"]["obligation"]
    assert f'data-status="{o["status"]}"' in page
    assert f'data-key="spend" data-value="{o["spend"]["total"]}"' in page
    assert f'data-key="margin" data-value="{o["margin"]}"' in page
    for t in cli["diagnosis"]["targets"]:
        row = page.split(f'data-target="{t["name"]}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-key="actual" data-value="{t["actual"] if t["actual"] is not None else ""}"' in row
        assert f'data-key="target" data-value="{t["target"] if t["target"] is not None else ""}"' in row
    report = client.get(_import_fixture(client)).text
    for key in ("read", "accepted", "rejected", "warned"):
        assert f'data-key="{key}" data-value="{cli["import"][key]}"' in report
