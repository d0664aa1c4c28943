"""The web page in a real headless Chromium, as a buyer walks it, at desktop and phone sizes.

Every page visited is audited with axe-core (0 violations at both sizes) and
photographed into docs/ (web_<name>.png, and web_<name>_mobile.png) for the README.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"
CORPUS = ROOT / "tests" / "corpus" / "spreadsheets"
FIXTURE = ROOT / "tests" / "fixtures" / "web" / "achats_petit.csv"
_NO_TRACE = re.compile(r"Traceback|File \"|line \d+, in ")
DESKTOP = (1280, 900)
PHONE = (390, 844)  # a current phone, portrait


def _by(kind: str):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def set_size(driver, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def screenshot(driver, name: str) -> None:  # type: ignore[no-untyped-def]
    """Page screenshot to docs/web_<name>.png (for the README), at most 2400 px tall."""
    import base64

    DOCS.mkdir(exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    width = driver.execute_script("return document.documentElement.clientWidth")
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 2400)")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"format": "png", "captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
    )
    (DOCS / f"web_{name}.png").write_bytes(base64.b64decode(shot["data"]))


def axe_violations(driver, script: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(script)
    result = driver.execute_async_script("const done = arguments[arguments.length - 1]; axe.run(document).then(r => done(r.violations), e => done([{id: 'axe-error', description: String(e), nodes: []}]));")
    return result


def audit(driver, axe_script: str, name: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """axe-core at desktop then phone size: no violation; no page wider than the phone; screenshots."""
    for size, suffix in ((DESKTOP, ""), (PHONE, "_mobile")):
        set_size(driver, size)
        violations = axe_violations(driver, axe_script)
        detail = [(v["id"], v.get("impact"), [n.get("target") for n in v.get("nodes", [])][:3]) for v in violations]
        assert not violations, f"{name or driver.current_url} ({size[0]} px) : {json.dumps(detail, ensure_ascii=False)}"
        if size == PHONE:  # nothing makes the whole page scroll sideways (tables scroll in their own box)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name}: page plus large que le téléphone de {overflow} px"
        if name:
            screenshot(driver, name + suffix)
    set_size(driver, DESKTOP)


def open_home(driver, server) -> None:  # type: ignore[no-untyped-def]
    driver.get(server.url)
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Importer vos achats"


def click_and_wait(driver, element, seconds: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Click a link or a submit button and wait for the next page to replace this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__spaserOldPage = true")
    element.click()
    WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__spaserOldPage === undefined && document.readyState === 'complete'")
    )


def wait_for_h1(driver, text: str, seconds: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page's title is ``text`` (a background job moves on by itself)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.find_element(_by("TAG_NAME"), "h1").text == text
    )


def upload(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    driver.find_element(_by("ID"), "fichier").send_keys(str(path))
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#form-import button[type=submit]"))


def _shown(text: str) -> str:
    """What WebDriver reports for a text: no-break spaces read as plain spaces."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def _data_value(driver, selector: str) -> str:  # type: ignore[no-untyped-def]
    return driver.find_element(_by("CSS_SELECTOR"), selector).get_attribute("data-value")


# -- the home page ----------------------------------------------------------------------------
def test_home_is_keyboard_usable_and_accessible(driver, live_server, axe_script):
    from selenium.webdriver.common.keys import Keys

    open_home(driver, live_server)
    driver.find_element(_by("TAG_NAME"), "body").send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.text == "Aller au contenu"
    active.send_keys(Keys.ENTER)
    assert driver.execute_script("return location.hash") == "#contenu"
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "fichier"
    ring = driver.execute_script("return getComputedStyle(document.querySelector('.file-button')).outlineStyle")
    assert ring == "solid"
    assert "Fichier" in driver.find_element(_by("CSS_SELECTOR"), "label[for=fichier]").text
    assert driver.find_element(_by("CSS_SELECTOR"), "#form-import button").get_attribute("type") == "submit"
    open_home(driver, live_server)
    audit(driver, axe_script, "import")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("achats.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "document PDF"),
        ("vide.xlsx", b"", "Le fichier est vide"),
    ],
)
def test_bad_file_shows_a_french_error(driver, live_server, tmp_path, name, data, expected):
    bad = tmp_path / name
    bad.write_bytes(data)
    open_home(driver, live_server)
    upload(driver, bad)
    alert = driver.find_element(_by("ID"), "erreur-import")
    assert expected in alert.text and name in alert.text
    assert not _NO_TRACE.search(driver.page_source)


def _start_analysis(driver, server):  # type: ignore[no-untyped-def]
    """The bundled example when installed (its button), else the small fixture (upload)."""
    open_home(driver, server)
    if server.app.example is not None:
        click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#form-exemple button"))
        wait_for_h1(driver, "Rapport d'import")
        return server.app.example
    upload(driver, FIXTURE)
    wait_for_h1(driver, "Rapport d'import")
    return FIXTURE


# -- the main journey ---------------------------------------------------------------------------
def test_flow_shows_the_library_figures(driver, live_server, axe_script):
    import spaser
    from spaser.web.data import diagnosis_dict, eur, num, pct

    source = _start_analysis(driver, live_server)
    result = spaser.load(source)
    for key in ("read", "accepted", "warned", "rejected"):
        cell = driver.find_element(_by("CSS_SELECTOR"), f'#chiffres-import dd[data-key="{key}"]')
        assert int(cell.get_attribute("data-value")) == getattr(result.report, key), key
        assert _shown(cell.text) == _shown(num(getattr(result.report, key)))  # « 2 917 »
    assert "(s)" not in driver.find_element(_by("TAG_NAME"), "main").text
    audit(driver, axe_script, "rapport")

    if len(result.portfolios) == 1:
        index = 0
        click_and_wait(driver, driver.find_element(_by("PARTIAL_LINK_TEXT"), "Voir le diagnostic"))
    else:
        index = max(range(len(result.portfolios)), key=lambda i: len(result.portfolios[i].purchases))
        click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), f'a[href$="/{index}/diagnostic"]'))
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Diagnostic"
    expected = diagnosis_dict(result.portfolios[index])
    o = expected["obligation"]
    assert driver.find_element(_by("ID"), "obligation").get_attribute("data-status") == o["status"]
    assert _data_value(driver, '#obligation dd[data-key="threshold"]') == (o["threshold"] or "")
    assert _data_value(driver, '#obligation dd[data-key="spend"]') == (o["spend"]["total"] or "")
    assert _shown(driver.find_element(_by("CSS_SELECTOR"), '#obligation dd[data-key="spend"]').text) == _shown(eur(o["spend"]["total"]))
    rows = driver.find_elements(_by("CSS_SELECTOR"), "#table-cibles tbody tr")
    assert len(rows) == len(expected["targets"])
    for row, target in zip(rows, expected["targets"], strict=True):
        assert row.get_attribute("data-target") == target["name"]
        actual = row.find_element(_by("CSS_SELECTOR"), 'td[data-key="actual"]')
        assert actual.get_attribute("data-value") == (target["actual"] or "")
        assert _shown(actual.text) == _shown(pct(target["actual"]))
        gap = row.find_element(_by("CSS_SELECTOR"), 'td[data-key="gap"]').text
        assert gap == "—" or "point" in gap  # gaps in points, not in %
    compliance = expected["compliance"]
    for key, value in (("checked", compliance["checked"]), ("missing", compliance["missing_count"]), ("not_yet", compliance["not_yet"])):
        assert _shown(driver.find_element(_by("CSS_SELECTOR"), f'#conformite dd[data-key="{key}"]').text) == _shown(num(value))
    assert driver.find_elements(_by("CSS_SELECTOR"), "figure.ratio-chart svg.ratio-bar")
    audit(driver, axe_script, "diagnostic")


def test_suggestions_search_pages_and_copy(driver, live_server, axe_script):
    import spaser
    from spaser.clauses.engine import suggest

    source = _start_analysis(driver, live_server)
    result = spaser.load(source)
    index = 0 if len(result.portfolios) == 1 else max(range(len(result.portfolios)), key=lambda i: len(result.portfolios[i].purchases))
    base = driver.current_url.rsplit("/", 1)[0] + f"/{index}"
    driver.get(base + "/suggestions")
    wait_for_h1(driver, "Suggestions de clauses")
    first = driver.find_element(_by("CSS_SELECTOR"), "article.purchase")
    purchase_id = first.get_attribute("data-purchase")
    portfolio = result.portfolios[index]
    expected = [s.clause_id for s in suggest(portfolio.get(purchase_id), portfolio=portfolio)]
    assert [c.get_attribute("data-clause") for c in first.find_elements(_by("CSS_SELECTOR"), "section.clause")] == expected
    audit(driver, axe_script, "suggestions")

    # Search runs over every purchase, in the server: a word of the last page's first purchase finds it.
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(_by("ID"), "filtre-niveau")).select_by_value("obligatoire")
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#filtres-suggestions button[type=submit]"))
    levels = {c.get_attribute("data-level") for c in driver.find_elements(_by("CSS_SELECTOR"), "article.purchase section.clause")}
    assert "obligatoire" in levels or not levels
    box = driver.find_element(_by("ID"), "filtre-texte")
    box.clear()
    box.send_keys("zzz-introuvable")
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#filtres-suggestions button[type=submit]"))
    assert not driver.find_elements(_by("CSS_SELECTOR"), "article.purchase")
    assert "Aucun achat ne correspond" in driver.find_element(_by("ID"), "compte-suggestions").text
    driver.get(base + "/suggestions")
    if driver.find_elements(_by("ID"), "page-suivante"):
        click_and_wait(driver, driver.find_element(_by("ID"), "page-suivante"))
        assert "page=2" in driver.current_url and driver.find_elements(_by("CSS_SELECTOR"), "article.purchase")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        assert height < 60000  # a page of results, not every purchase at once

    # Copy: the clipboard receives the clause text.
    driver.get(base + "/suggestions")
    origin = live_server.url.rstrip("/")
    driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    button = driver.find_element(_by("CSS_SELECTOR"), "button[data-copy]")
    button.click()
    status = driver.find_element(_by("ID"), button.get_attribute("data-status"))
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 5).until(lambda d: status.text != "")
    assert status.text == "Texte copié."
    copied = driver.execute_async_script("const done = arguments[0]; navigator.clipboard.readText().then(done, () => done(null));")
    source_text = driver.execute_script("return document.getElementById(arguments[0]).textContent", button.get_attribute("data-copy"))
    assert copied == source_text and len(copied) > 50


def test_documents_are_made_in_the_background_then_downloaded(driver, live_server, downloads, axe_script):
    import docx
    import spaser
    from selenium.webdriver.support.ui import WebDriverWait

    source = _start_analysis(driver, live_server)
    result = spaser.load(source)
    index = 0 if len(result.portfolios) == 1 else max(range(len(result.portfolios)), key=lambda i: len(result.portfolios[i].purchases))
    base = driver.current_url.rsplit("/", 1)[0] + f"/{index}"
    driver.get(base + "/documents")
    audit(driver, axe_script, "documents")
    for old in downloads.glob("*"):
        old.unlink()
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), 'a[data-document="projet-spaser.docx"]'))
    # The job's page: a progress bar that moves by itself, then the download starts.
    assert driver.find_element(_by("TAG_NAME"), "h1").text.startswith("Préparation")
    job_url = driver.current_url
    assert "/travail/" in job_url and driver.find_element(_by("ID"), "avancement").tag_name == "progress"
    audit(driver, axe_script, "travail")
    def arrived() -> bool:
        return bool(list(downloads.glob("*.docx"))) and not list(downloads.glob("*.crdownload"))

    # The page starts the download itself when the job ends while it watches; if the job ended first
    # (a fast machine), the page shows the link instead, and the user clicks it.
    WebDriverWait(driver, 90).until(lambda d: arrived() or d.find_elements(_by("ID"), "resultat"))
    if not arrived() and not list(downloads.glob("*.crdownload")):
        driver.find_element(_by("ID"), "resultat").click()
    WebDriverWait(driver, 90).until(lambda d: arrived())
    files = list(downloads.glob("*.docx"))
    assert len(files) == 1 and files[0].name.startswith("projet-spaser-")
    text = "\n".join(p.text for p in docx.Document(str(files[0])).paragraphs)
    assert result.portfolios[index].buyer.name in text or "[à compléter]" in text
    # Leave and come back: the job is still there, done, with its link.
    open_home(driver, live_server)
    driver.get(job_url)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(_by("ID"), "resultat"))
    driver.get(base + "/documents")
    assert driver.find_element(_by("CSS_SELECTOR"), 'a[data-document="projet-spaser.docx"]').get_attribute("download") is not None


# -- no dead ends -------------------------------------------------------------------------------
def test_a_ttc_only_file_asks_its_vat_rate(driver, live_server, axe_script):
    open_home(driver, live_server)
    upload(driver, CORPUS / "ttc_only.csv")
    wait_for_h1(driver, "Taux de TVA")
    audit(driver, axe_script, "tva")
    field = driver.find_element(_by("ID"), "taux")
    field.send_keys("20")
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#form-tva button[type=submit]"))
    wait_for_h1(driver, "Rapport d'import")
    assert int(driver.find_element(_by("CSS_SELECTOR"), '#chiffres-import dd[data-key="accepted"]').get_attribute("data-value")) > 0


def test_unknown_headers_open_the_column_mapping(driver, live_server, tmp_path, axe_script):
    from selenium.webdriver.support.ui import Select

    weird = tmp_path / "maison.csv"
    weird.write_text("Réf interne;Libellé libre;Valeur euros;Quand\nA1;Nettoyage des écoles;120000;12/03/2025\nA2;Voirie;80000;01/06/2025\n", encoding="utf-8")
    open_home(driver, live_server)
    upload(driver, weird)
    wait_for_h1(driver, "Correspondance des colonnes")
    audit(driver, axe_script, "colonnes")
    Select(driver.find_element(_by("ID"), "champ-id")).select_by_visible_text("Réf interne")
    Select(driver.find_element(_by("ID"), "champ-object")).select_by_visible_text("Libellé libre")
    Select(driver.find_element(_by("ID"), "champ-amount_ht")).select_by_visible_text("Valeur euros")
    Select(driver.find_element(_by("ID"), "champ-notification_date")).select_by_visible_text("Quand")
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), '#form-colonnes button[value="importer"]'))
    wait_for_h1(driver, "Rapport d'import")
    assert driver.find_element(_by("CSS_SELECTOR"), '#chiffres-import dd[data-key="accepted"]').get_attribute("data-value") == "2"


def test_an_ods_file_is_taken_as_the_library_takes_it(driver, live_server):
    import spaser

    open_home(driver, live_server)
    upload(driver, CORPUS / "calc.ods")
    try:
        spaser.load(CORPUS / "calc.ods")
    except spaser.SpaserError:
        assert driver.find_element(_by("ID"), "erreur-import").is_displayed()
    else:
        wait_for_h1(driver, "Rapport d'import")
    assert not _NO_TRACE.search(driver.page_source)


def _records_read(driver) -> int:  # type: ignore[no-untyped-def]
    """The count a job's page shows (« 40 000 enregistrements lus »); 0 when it shows none."""
    found = driver.find_elements(_by("ID"), "etat-travail")
    m = re.search(r"(\d[\d ]*) enregistrements lus", _shown(found[0].text)) if found else None
    return int(m[1].replace(" ", "")) if m else 0


def test_a_big_import_shows_the_records_read_while_it_reads(driver, live_server, tmp_path):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    rows = 250_000  # some ten seconds of reading: the page shows the count growing before the report
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    big = tmp_path / "achats_gros.csv"
    big.write_text(header + "\n" + "".join(f"M{i};Nettoyage;90910000;{1000 + i};01/03/2025;24;;\n" for i in range(rows)), encoding="utf-8")
    open_home(driver, live_server)
    upload(driver, big)
    assert "/travail/" in driver.current_url and driver.find_element(_by("TAG_NAME"), "h1").text == "Import de « achats_gros.csv »"
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(lambda d: _records_read(d) > 0)
    state = _shown(driver.find_element(_by("ID"), "etat-travail").text)
    assert re.fullmatch(r"Étape 1 sur 2 : Lecture et contrôle du fichier \(\d+ 000 enregistrements lus, \d+ s\)\.", state), state
    if os.environ.get("SPASER_UPDATE_SCREENSHOTS") or not (DOCS / "web_import_avancement.png").exists():
        screenshot(driver, "import_avancement")  # its count and seconds vary from run to run: not rewritten at each run
    # The page's script moves the count on by itself, then goes to the report.
    seen = []
    WebDriverWait(driver, 120, poll_frequency=0.2, ignored_exceptions=(WebDriverException,)).until(
        lambda d: seen.append(_records_read(d)) or d.find_element(_by("TAG_NAME"), "h1").text == "Rapport d'import"
    )
    counts = [n for n in seen if n]
    assert len(set(counts)) >= 2 and counts == sorted(counts), seen
    assert _shown(f"{rows:,}").replace(",", " ") in _shown(driver.find_element(_by("TAG_NAME"), "main").text)


def test_settings_form_and_planned_purchase_advice(driver, live_server, axe_script, tmp_path):
    driver.get(live_server.url + "reglages")
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Réglages des documents"
    audit(driver, axe_script, "reglages")
    driver.find_element(_by("ID"), "r-signataire").send_keys("La Maire")
    for key, value in (("r-debut", "2026"), ("r-fin", "2031"), ("o-social_nombre-debut", "30"), ("o-social_nombre-fin", "45")):
        box = driver.find_element(_by("ID"), key)
        box.clear()
        box.send_keys(value)
    import docx  # the council's Word model, chosen in the file input

    model = tmp_path / "charte ville.docx"
    docx.Document().save(str(model))
    driver.find_element(_by("ID"), "r-modele").send_keys(str(model))
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#form-reglages button[type=submit]"))
    assert driver.find_element(_by("ID"), "reglages-enregistres").is_displayed()
    assert driver.find_element(_by("ID"), "r-signataire").get_attribute("value") == "La Maire"
    assert "charte ville.docx" in driver.find_element(_by("ID"), "r-modele-aide").text
    audit(driver, axe_script)  # with the model in service and its removal box

    driver.get(live_server.url + "conseil")
    driver.find_element(_by("ID"), "cpv").send_keys("90910000")
    driver.find_element(_by("ID"), "montant").send_keys("300 000")
    driver.find_element(_by("ID"), "objet").send_keys("Nettoyage des écoles")
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#form-conseil button[type=submit]"))
    assert driver.find_elements(_by("CSS_SELECTOR"), "#resultat-conseil section.clause")
    audit(driver, axe_script, "conseil")


def test_joint_scheme_and_error_pages_are_accessible(driver, live_server, axe_script):
    open_home(driver, live_server)
    upload(driver, ROOT / "tests" / "fixtures" / "web" / "decp_deux_acheteurs.json")
    wait_for_h1(driver, "Rapport d'import")
    click_and_wait(driver, driver.find_element(_by("ID"), "lien-commun"))
    wait_for_h1(driver, "Schéma commun")
    assert len(driver.find_elements(_by("CSS_SELECTOR"), "#table-commun tbody tr")) == 2
    audit(driver, axe_script, "commun")
    driver.get(live_server.url + "a/AAAAAAAAAAAAAAAA/rapport")
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Analyse introuvable"
    audit(driver, axe_script)
