"""The local web page shows and writes a file of hostile values (HTML, template and formula syntax, the
longest cells, figures at the model's bounds) as text, and answers extreme advice requests in French.

A real server on an ephemeral port, driven with http.client (tests/web_client.py).
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from urllib.parse import quote

import docx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_client import Client  # noqa: E402

from spaser import write_portfolio  # noqa: E402
from spaser.web import make_server, serve_in_thread  # noqa: E402
from tests.test_robust_outputs import _hostile_portfolio, _no_formula  # noqa: E402
from tests.test_web_flows import _follow  # noqa: E402

_NO_TRACE = re.compile(r"Traceback|File \"|line \d+, in ")


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    srv = make_server(port=0)
    serve_in_thread(srv)
    yield Client(*srv.server_address[:2])
    srv.shutdown()
    srv.server_close()


def test_hostile_values_are_shown_as_text_and_written(client: Client, tmp_path: Path) -> None:
    data = write_portfolio(_hostile_portfolio(), tmp_path / "achats.xlsx").read_bytes()
    report = _follow(client, client.upload("achats.xlsx", data))
    assert report.status == 200
    base = report.location.replace("/rapport", "/0")  # type: ignore[attr-defined]
    for page in ("/diagnostic", "/suggestions", "/suggestions?q=script", "/documents"):
        reply = client.get(base + page)
        assert reply.status == 200 and not _NO_TRACE.search(reply.text), page
        assert "<script>alert" not in reply.text
    found = client.get(base + "/suggestions").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found and "{{ 7*7 }}" in found  # shown as written, never run
    for doc in ("projet-spaser.docx", "deliberation.docx", "bilan-annuel.docx?annee=2025", "classeur.xlsx", "indicateurs.xlsx?annee=2025"):
        prepared = _follow(client, client.get(f"{base}/preparer/{doc}"), 120)
        assert prepared.status == 200 and not _NO_TRACE.search(prepared.text), doc
        reply = client.get(f"{base}/telecharger/{doc}")
        assert reply.status == 200, doc
        if ".docx" in doc:
            docx.Document(io.BytesIO(reply.body))
        else:
            (tmp_path / "out.xlsx").write_bytes(reply.body)
            _no_formula(tmp_path / "out.xlsx")


@pytest.mark.parametrize("query", [
    *(f"montant={quote(m)}" for m in ("0", "-5", "0,00000000000000000000000000000000000001", "99999999999999999999,99", "1e19",
                                      "100000000000000000000", "1e5000")),
    *(f"montant=1000&date={quote(d)}" for d in ("01/01/0001", "31/12/9999", "29/02/2024", "29/02/2023", "00/00/0000")),
    *(f"montant=1000&duree={d}" for d in ("0", "600", "1200", "1201", "9" * 30, "9" * 5000, "-1", quote("²"), quote("٣٦"))),
    *(f"montant=1000&objet={quote(o)}" for o in ("<script>alert(1)</script>", "{{ 7*7 }}", "=cmd|' /C calc'!A0", "\u202e\x00x")),
])
def test_advice_on_a_planned_purchase_at_the_extremes_answers_in_french(client: Client, query: str) -> None:
    reply = client.get("/conseil?cpv=90910000&date=01%2F09%2F2026&" + query if "date=" not in query else "/conseil?cpv=90910000&" + query)
    assert reply.status in (200, 400) and '<html lang="fr">' in reply.text and not _NO_TRACE.search(reply.text), query
    assert "<script>alert" not in reply.text


@pytest.mark.parametrize("value", ["1e999999999", "1e30", "-1e999999999"])
def test_an_objective_out_of_measure_in_the_settings_form_is_refused_before_it_is_written(value: str) -> None:
    """Before: the form wrote the number out in full to the configuration (« 1e999999999 »: a gigabyte of zeros)."""
    from spaser import InputError
    from spaser.web.settings import settings_from_form

    with pytest.raises(InputError, match="hors de toute mesure"):
        settings_from_form({"schema.debut": "2026", "schema.fin": "2031", "objectifs.heures_insertion.fin": value})
