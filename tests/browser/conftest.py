"""Browser fixtures: Debian's headless Chromium driven by selenium, a live server.

Skipped, with the reason, when /usr/bin/chromium, /usr/bin/chromedriver or
selenium are missing (install them with .ci/install_browser.sh). Never
downloads a browser or a driver.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from spaser.web import make_server, serve_in_thread

CHROMIUM = os.environ.get("SPASER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SPASER_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--lang=fr-FR",
]


def _missing() -> str | None:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"chromium absent ({CHROMIUM}) : lancez .ci/install_browser.sh"
    if not (Path(CHROMEDRIVER).is_file() and os.access(CHROMEDRIVER, os.X_OK)):
        return f"chromedriver absent ({CHROMEDRIVER}) : lancez .ci/install_browser.sh"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium absent : pip install -e '.[test]'"
    return None


ROOT = Path(__file__).parents[2]
AXE = Path(os.environ.get("SPASER_AXE", ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"))


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's script (installed from npm by .ci/install_browser.sh); the audit skips, with its reason, without it."""
    if not AXE.is_file():
        pytest.skip(f"axe-core absent ({AXE}) : lancez .ci/install_browser.sh")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def live_server():
    srv = make_server(port=0)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="session")
def downloads():
    folder = Path(tempfile.mkdtemp(prefix="spaser-dl-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def driver(downloads):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    # Selenium Manager must not try to fetch anything: the driver is given.
    os.environ.setdefault("SE_OFFLINE", "true")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="spaser-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False, "safebrowsing.enabled": False, "intl.accept_languages": "fr-FR,fr"},
    )
    try:
        drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    except Exception as e:  # noqa: BLE001 - a browser that cannot start is a skip, with its reason
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"chromium ne démarre pas : {str(e).splitlines()[0]}")
    drv.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)
