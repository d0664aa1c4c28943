"""Keyword look-ups by index (issue 14, speed) give what a scan over every group gives.

The allotment families and the labour trades named in an object text are found by
``spaser.clauses._tables.PhraseIndex`` (only the groups whose first words the text
contains are searched), and :func:`normalise` drops accents with a translation table:
these tests compare them with the plain versions they replace, on texts built from the
tables' own words.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings, strategies as st

from spaser.clauses import allotment, hours
from spaser.clauses._tables import PhraseIndex, has_any, normalise, table
from spaser.model import Nature

WORDS = sorted(
    {w for group in ("works_trades", "service_families", "product_families") for spec in table("allotment")[group].values() for w in spec["words"]}
    | {w for words in table("labour")["keywords"].values() for w in words}
    | set(table("allotment")["sites"]["words"])
)
FILLER = ["du", "de la", "et", "des", "écoles", "Lot n° 2 :", "—", "bâtiment", "ŒUVRE", "l’hôtel", "  ", "Ⅻ", "ﬁbre", "e\u0301te\u0301"]
TEXTS = st.lists(st.sampled_from(WORDS + FILLER) | st.text(max_size=12), max_size=8).map(" ".join)


def _plain_normalise(text: str) -> str:
    t = text.lower().replace("œ", "oe").replace("’", "'")
    t = "".join(c for c in unicodedata.normalize("NFD", t) if unicodedata.category(c) != "Mn")
    return " ".join(t.split())


def _plain_families(object_text: str, nature: Nature | None) -> tuple[tuple[str, str, str], ...]:
    data = table("allotment")
    groups = [(g, k) for g, k, n in (("works_trades", "corps d'état", Nature.TRAVAUX), ("service_families", "prestation", Nature.SERVICES),
                                     ("product_families", "famille de produits", Nature.FOURNITURES)) if nature in (n, None)]
    out: list[tuple[str, str, str]] = []
    text = _plain_normalise(object_text)
    for group, kind in groups:
        for key, spec in data[group].items():
            if spec["label"] not in [o[1] for o in out] and has_any(text, tuple(spec["words"]), normalised=True):
                out.append((key, spec["label"], kind))
    return tuple(out)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_normalise_is_the_plain_one(text: str) -> None:
    assert normalise(text) == _plain_normalise(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from([*Nature, None]))
def test_families_are_those_of_the_plain_scan(text: str, nature: Nature | None) -> None:
    assert allotment._families_of(text, nature) == _plain_families(text, nature)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_trades_are_those_of_the_plain_scan(text: str) -> None:
    plain = tuple(key for key, words in table("labour")["keywords"].items() if has_any(_plain_normalise(text), tuple(words), normalised=True))
    assert hours._trades_named(text) == plain


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.lists(st.sampled_from(WORDS + ["", " ", "-", "a b"]), max_size=4)), max_size=6), TEXTS)
def test_phrase_index_is_has_any_on_each_group(groups: list[tuple[int, list[str]]], text: str) -> None:
    t = normalise(text)
    assert PhraseIndex(groups).keys_in(t) == [key for key, phrases in groups if has_any(t, tuple(phrases), normalised=True)]
