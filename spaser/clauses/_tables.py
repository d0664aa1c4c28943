"""Data tables shipped with the clauses (CPV prefix and keyword tables), loaded once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from functools import lru_cache
from importlib import resources
from typing import Any, Generic, TypeVar

import yaml

from spaser._errors import CatalogueError

__all__ = ["table", "PrefixIndex", "PhraseIndex", "normalise", "has_any", "has_phrase", "SAFE_LOADER"]

K = TypeVar("K", bound=Hashable)

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


class PrefixIndex(Generic[K]):
    """Keys listed with CPV prefixes, looked up by the code's own prefixes.

    A code has at most 8 prefixes: a few dict look-ups instead of a ``startswith``
    over every prefix of a table, which each new code of a portfolio paid.

    >>> ix = PrefixIndex([("a", ["45", "4521"]), ("b", ["4521", "9"])])
    >>> ix.hits("45210000"), ix.longest("45210000"), ix.longest("90000000"), ix.longest(None)
    ([(2, 'a'), (4, 'a'), (4, 'b')], 'a', 'b', None)
    """

    def __init__(self, groups: Iterable[tuple[K, Iterable[Any]]]) -> None:
        self._keys: dict[str, list[K]] = {}  # prefix -> the keys listing it, in table order
        for key, prefixes in groups:
            for p in prefixes:
                keys = self._keys.setdefault(str(p), [])
                if key not in keys:
                    keys.append(key)

    def hits(self, cpv: str | None) -> list[tuple[int, K]]:
        """(prefix length, key) for every listed prefix of ``cpv``, shortest first, then table order."""
        if not cpv:
            return []
        return [(n, k) for n in range(1, len(cpv) + 1) for k in self._keys.get(cpv[:n], ())]

    def longest(self, cpv: str | None) -> K | None:
        """The first key, in table order, among those listing the longest prefix of ``cpv`` (None: no prefix listed)."""
        for n in range(len(cpv or ""), 0, -1):
            keys = self._keys.get(cpv[:n])  # type: ignore[index]
            if keys:
                return keys[0]
        return None


class _NoMarks(dict):  # type: ignore[type-arg]
    """``str.translate`` table dropping the combining marks (category Mn), each character classified once."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Mn" else code
        self[code] = kept
        return kept


_NO_MARKS = _NoMarks()


@lru_cache(maxsize=65536)  # a purchase's object is normalised once, whatever the number of phrases looked for
def normalise(text: str) -> str:
    """Lower case, accents removed, œ spelled oe, single spaces (for keyword matching)."""
    t = text.lower().replace("œ", "oe").replace("’", "'")
    if not t.isascii():  # ASCII has no mark to drop (its NFD is itself)
        t = unicodedata.normalize("NFD", t).translate(_NO_MARKS)
    return " ".join(t.split())


@lru_cache(maxsize=4096)
def _any_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # One alternation for a group of phrases (longest first): one search per group, not per phrase.
    words = sorted({normalise(p) for p in phrases if p.strip()}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def _words(normalised_text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(normalised_text))


@lru_cache(maxsize=4096)
def _first_words(phrases: tuple[str, ...]) -> frozenset[str] | None:
    # A whole-word match of a phrase needs its first word among the text's words: a set test
    # settles most groups without a regex (None: a phrase without a word, always searched).
    firsts = [_WORD.findall(normalise(p))[:1] for p in phrases if p.strip()]
    return None if any(not f for f in firsts) else frozenset(f[0] for f in firsts)


def has_any(text: str, phrases: tuple[str, ...], *, normalised: bool = False) -> bool:
    """Whether ``text`` contains one of ``phrases`` as whole words, accent- and case-insensitive.
    ``normalised``: the text already went through :func:`normalise` (the engine does it once a purchase).

    >>> has_any("Nettoyage des ÉCOLES", ("ecole", "écoles")), has_any("Restauration", ("resto",))
    (True, False)
    """
    t = text if normalised else normalise(text)
    firsts = _first_words(phrases)
    if firsts is not None and firsts.isdisjoint(_words(t)):
        return False
    return _any_pattern(phrases).search(t) is not None


class PhraseIndex(Generic[K]):
    """Keys listed with phrases, looked up in a text: the keys one of whose phrases the text contains
    (as :func:`has_any`), in table order. Only the groups whose first words are among the text's words
    are searched, instead of every group of the table for every text.

    >>> ix = PhraseIndex([("a", ["espaces verts", "tonte"]), ("b", ["peinture"]), ("c", ["verts"])])
    >>> ix.keys_in(normalise("Tonte et peinture des espaces verts"))
    ['a', 'b', 'c']
    """

    def __init__(self, groups: Iterable[tuple[K, Iterable[str]]]) -> None:
        self._groups = [(key, tuple(phrases)) for key, phrases in groups]
        self._always: set[int] = set()  # groups with a phrase that has no word: always searched
        self._by_first: dict[str, list[int]] = {}
        for i, (_, phrases) in enumerate(self._groups):
            firsts = _first_words(phrases)
            if firsts is None:
                self._always.add(i)
                continue
            for w in firsts:
                self._by_first.setdefault(w, []).append(i)
        self._firsts = frozenset(self._by_first)

    def keys_in(self, normalised_text: str) -> list[K]:
        """The keys whose phrases ``normalised_text`` (already through :func:`normalise`) contains."""
        maybe = set(self._always)
        for w in self._firsts.intersection(_words(normalised_text)):
            maybe.update(self._by_first[w])
        if not maybe:
            return []
        groups = self._groups
        return [groups[i][0] for i in sorted(maybe) if _any_pattern(groups[i][1]).search(normalised_text) is not None]


def has_phrase(text: str, phrase: str) -> bool:
    """Whole-word (or whole-phrase) match, accent- and case-insensitive."""
    return has_any(text, (phrase,))
