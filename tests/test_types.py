"""The package is typed: mypy (configured in pyproject.toml) finds nothing in spaser/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_is_clean_on_the_package() -> None:
    api = pytest.importorskip("mypy.api", reason="mypy n'est pas installé (pip install -e '.[test]')")
    cwd = os.getcwd()
    os.chdir(ROOT)  # the configuration and the files it names are the project's
    try:
        out, err, status = api.run(["--cache-dir", str(ROOT / ".mypy_cache")])
    finally:
        os.chdir(cwd)
    assert status == 0, out[-4000:] + err[-2000:]
