#!/usr/bin/env bash
# Install headless Chromium + ChromeDriver (Debian packages) and selenium for the
# browser tests (tests/browser/). Idempotent: returns at once when already there.
# Never fails the CI: when apt cannot be reached, the browser tests skip and say why.
set -u

have_browser() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
}

if ! have_browser; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "install_browser: installation de chromium et chromium-driver (apt)..."
    export DEBIAN_FRONTEND=noninteractive
    if timeout 600 apt-get update -qq >/tmp/spaser_apt.log 2>&1 \
       && timeout 900 apt-get install -y -qq --no-install-recommends chromium chromium-driver >>/tmp/spaser_apt.log 2>&1; then
      echo "install_browser: chromium installé."
    else
      echo "install_browser: apt indisponible ou en échec (voir /tmp/spaser_apt.log) : les tests navigateur seront ignorés."
    fi
  else
    echo "install_browser: apt-get indisponible ou pas root : les tests navigateur seront ignorés."
  fi
else
  echo "install_browser: chromium et chromedriver déjà présents."
fi

# selenium (pure Python) drives the Debian chromedriver; never a downloaded browser.
# PYTHON names the interpreter of the test environment (e.g. PYTHON=.venv/bin/python);
# installing the project with the "browser" extra does the same.
PY="${PYTHON:-python3}"
if ! "$PY" -c "import selenium" >/dev/null 2>&1; then
  "$PY" -m pip install -q "selenium>=4.15" || echo "install_browser: selenium non installé : les tests navigateur seront ignorés."
fi
exit 0
