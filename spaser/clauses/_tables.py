"""Data tables shipped with the clauses (CPV prefix and keyword tables), loaded once."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from spaser._errors import CatalogueError

__all__ = ["table", "longest_prefix", "normalise", "has_phrase", "SAFE_LOADER"]

# libyaml's safe loader when PyYAML was built with it: same documents, parsed several times faster.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def table(name: str) -> dict[str, Any]:
    """The table ``spaser/clauses/tables/<name>.yaml``."""
    path = resources.files("spaser.clauses").joinpath("tables", f"{name}.yaml")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as e:
        raise CatalogueError(f"Table « {name}.yaml » illisible ({e}).", code="catalogue-table") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"Table « {name}.yaml » : une table YAML est attendue.", code="catalogue-table")
    return data


def longest_prefix(cpv: str | None, prefixes: list[str] | tuple[str, ...]) -> int:
    """Length of the longest prefix of ``cpv`` in ``prefixes`` (0: none)."""
    if not cpv:
        return 0
    return max((len(p) for p in prefixes if cpv.startswith(str(p))), default=0)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Lower case, accents removed, œ spelled oe, single spaces (for keyword matching)."""
    t = text.lower().replace("œ", "oe").replace("’", "'")
    t = "".join(c for c in unicodedata.normalize("NFD", t) if unicodedata.category(c) != "Mn")
    return " ".join(t.split())


@lru_cache(maxsize=1024)
def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(normalise(phrase))}(?!\w)")


def has_phrase(text: str, phrase: str) -> bool:
    """Whole-word (or whole-phrase) match, accent- and case-insensitive."""
    return _pattern(phrase).search(normalise(text)) is not None
