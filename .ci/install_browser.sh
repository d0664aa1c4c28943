#!/usr/bin/env bash
# Install headless Chromium + ChromeDriver (Debian packages) for the
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

# axe-core (npm registry) for the accessibility audit of the browser tests, into .axe/ (not versioned).
AXE_DIR="$(cd "$(dirname "$0")/.." && pwd)/.axe"
if [ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  echo "install_browser: axe-core déjà présent."
elif command -v npm >/dev/null 2>&1; then
  if timeout 300 npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" axe-core@4 >/tmp/spaser_npm.log 2>&1; then
    echo "install_browser: axe-core installé."
  else
    echo "install_browser: npm en échec (voir /tmp/spaser_npm.log) : l'audit d'accessibilité sera ignoré."
  fi
else
  echo "install_browser: npm absent : l'audit d'accessibilité (axe-core) sera ignoré."
fi

# selenium comes with the project's test extra (pyproject.toml).
exit 0
