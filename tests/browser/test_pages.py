"""The web page in a real headless Chromium: keyboard, bad files, the full flow, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"
_NO_TRACE = re.compile(r"Traceback|File \"|line \d+, in ")


def _by(kind: str):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def screenshot(driver, name: str) -> None:  # type: ignore[no-untyped-def]
    """Full-page screenshot to docs/web_<name>.png (for the README)."""
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


def open_home(driver, server) -> None:  # type: ignore[no-untyped-def]
    driver.get(server.url)
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Importer vos achats"


def click_and_wait(driver, element) -> None:  # type: ignore[no-untyped-def]
    """Click a link or a submit button and wait for the next page to replace this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    # A mark on the old page's window: gone once the next page has replaced it.
    driver.execute_script("window.__spaserOldPage = true")
    element.click()
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__spaserOldPage === undefined && document.readyState === 'complete'")
    )


def upload(driver, path: Path) -> None:  # type: ignore[no-untyped-def]
    driver.find_element(_by("ID"), "fichier").send_keys(str(path))
    click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#form-import button[type=submit]"))


def test_home_is_keyboard_usable(driver, live_server):
    from selenium.webdriver.common.keys import Keys

    open_home(driver, live_server)
    driver.find_element(_by("TAG_NAME"), "body").send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.text == "Aller au contenu"
    active.send_keys(Keys.ENTER)
    assert driver.execute_script("return location.hash") == "#contenu"
    # Next stop: the file field, whose French button shows the focus ring.
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "fichier"
    ring = driver.execute_script("return getComputedStyle(document.querySelector('.file-button')).outlineStyle")
    assert ring == "solid"
    # The file field has its label; the submit is a real button.
    label = driver.find_element(_by("CSS_SELECTOR"), "label[for=fichier]")
    assert "Fichier" in label.text
    assert driver.find_element(_by("CSS_SELECTOR"), "#form-import button").get_attribute("type") == "submit"
    open_home(driver, live_server)
    screenshot(driver, "import")


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
    assert expected in alert.text
    assert name in alert.text
    assert not _NO_TRACE.search(driver.page_source)


FIXTURE = ROOT / "tests" / "fixtures" / "web" / "achats_petit.csv"


def _start_analysis(driver, server):  # type: ignore[no-untyped-def]
    """The bundled example when installed (its button), else the small fixture (upload)."""
    open_home(driver, server)
    if server.app.example is not None:
        click_and_wait(driver, driver.find_element(_by("CSS_SELECTOR"), "#form-exemple button"))
        return server.app.example
    upload(driver, FIXTURE)
    return FIXTURE


def _shown(text: str) -> str:
    """What WebDriver reports for a text: no-break spaces read as plain spaces."""
    return text.replace("\xa0", " ")


def _data_value(driver, selector: str) -> str:  # type: ignore[no-untyped-def]
    return driver.find_element(_by("CSS_SELECTOR"), selector).get_attribute("data-value")


def test_flow_shows_the_library_figures(driver, live_server):
    import spaser
    from spaser.web.data import diagnosis_dict, eur, pct

    source = _start_analysis(driver, live_server)
    result = spaser.load(source)
    # 1. import report: the report's own counts.
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Rapport d'import"
    for key in ("read", "accepted", "warned", "rejected"):
        shown = driver.find_element(_by("CSS_SELECTOR"), f'#chiffres-import dd[data-key="{key}"]').text
        assert int(shown) == getattr(result.report, key), key
    screenshot(driver, "rapport")

    # 2. diagnosis: the numbers of spaser.law.check(...).to_dict(), i.e. `spaser check --json`.
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
    assert driver.find_element(_by("CSS_SELECTOR"), '#obligation dd[data-key="spend"]').text == _shown(eur(o["spend"]["total"]))
    rows = driver.find_elements(_by("CSS_SELECTOR"), "#table-cibles tbody tr")
    assert len(rows) == len(expected["targets"])
    for row, target in zip(rows, expected["targets"], strict=True):
        assert row.get_attribute("data-target") == target["name"]
        actual = row.find_element(_by("CSS_SELECTOR"), 'td[data-key="actual"]')
        assert actual.get_attribute("data-value") == (target["actual"] or "")
        assert actual.text == _shown(pct(target["actual"]))
        assert row.find_element(_by("CSS_SELECTOR"), 'td[data-key="target"]').get_attribute("data-value") == (target["target"] or "")
    compliance = expected["compliance"]
    for key, value in (("checked", compliance["checked"]), ("missing", compliance["missing_count"]), ("not_yet", compliance["not_yet"])):
        assert driver.find_element(_by("CSS_SELECTOR"), f'#conformite dd[data-key="{key}"]').text == str(value)
    assert driver.find_elements(_by("CSS_SELECTOR"), "svg.chart")  # inline SVG charts
    screenshot(driver, "diagnostic")


def test_suggestions_filter_and_copy_then_documents_download(driver, live_server, downloads):
    import docx
    import spaser
    from spaser.clauses.engine import suggest

    source = _start_analysis(driver, live_server)
    result = spaser.load(source)
    index = 0 if len(result.portfolios) == 1 else max(range(len(result.portfolios)), key=lambda i: len(result.portfolios[i].purchases))
    base = driver.current_url.rsplit("/", 1)[0] + f"/{index}"
    driver.get(base + "/suggestions")
    assert driver.find_element(_by("TAG_NAME"), "h1").text == "Suggestions de clauses"
    clauses = driver.find_elements(_by("CSS_SELECTOR"), "section.clause")
    assert clauses
    # The first purchase shown carries exactly the library's suggestions, in its order.
    first = driver.find_element(_by("CSS_SELECTOR"), "article.purchase")
    purchase_id = first.find_element(_by("CSS_SELECTOR"), ".meta").text.split(" ")[1]
    portfolio = result.portfolios[index]
    expected = [s.clause_id for s in suggest(portfolio.get(purchase_id), portfolio=portfolio)]
    shown = [c.get_attribute("data-clause") for c in first.find_elements(_by("CSS_SELECTOR"), "section.clause")]
    assert shown == expected
    screenshot(driver, "suggestions")

    # Filter: mandatory only, then a text that matches nothing.
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(_by("ID"), "filtre-niveau")).select_by_value("obligatoire")
    visible = [c for c in driver.find_elements(_by("CSS_SELECTOR"), "section.clause") if c.is_displayed()]
    assert visible and all(c.get_attribute("data-level") == "obligatoire" for c in visible)
    box = driver.find_element(_by("ID"), "filtre-texte")
    box.send_keys("zzz-introuvable")
    assert not [c for c in driver.find_elements(_by("CSS_SELECTOR"), "section.clause") if c.is_displayed()]
    assert driver.find_element(_by("ID"), "compte-suggestions").text.startswith("0 suggestion")
    driver.find_element(_by("CSS_SELECTOR"), "#filtres-suggestions button[type=reset]").click()
    assert all(c.is_displayed() for c in driver.find_elements(_by("CSS_SELECTOR"), "article.purchase"))

    # Copy: the clipboard receives the clause text.
    origin = live_server.url.rstrip("/")
    driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    button = driver.find_element(_by("CSS_SELECTOR"), "button[data-copy]")
    assert button.is_displayed()
    button.click()
    status = driver.find_element(_by("ID"), button.get_attribute("data-status"))
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 5).until(lambda d: status.text != "")
    assert status.text == "Texte copié."
    copied = driver.execute_async_script("const done = arguments[0]; navigator.clipboard.readText().then(done, () => done(null));")
    source_text = driver.execute_script("return document.getElementById(arguments[0]).textContent", button.get_attribute("data-copy"))
    assert copied == source_text and len(copied) > 50

    # Documents: the draft downloads and reopens with python-docx.
    driver.get(base + "/documents")
    screenshot(driver, "documents")
    for old in downloads.glob("*"):
        old.unlink()
    link = driver.find_element(_by("CSS_SELECTOR"), 'a[data-document="projet-spaser.docx"]')
    link.click()
    WebDriverWait(driver, 30).until(lambda d: [p for p in downloads.glob("*.docx")])
    WebDriverWait(driver, 30).until(lambda d: not list(downloads.glob("*.crdownload")))
    files = list(downloads.glob("*.docx"))
    assert len(files) == 1 and files[0].name.startswith("projet-spaser-")
    document = docx.Document(str(files[0]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert portfolio.buyer.name in text or "[à compléter]" in text
