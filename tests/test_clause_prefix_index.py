"""CPV prefix look-ups by index (issue #7) give what a scan over every prefix gives.

The clause catalogue and the labour, AGEC and sector tables are looked up by the
code's own prefixes (``spaser.clauses._tables.PrefixIndex``); these tests compare
them with the plain scans they replace, on codes built from the tables' prefixes.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from spaser.clauses import catalogue, hours, reservation, rules
from spaser.clauses._tables import PrefixIndex, table

CAT = catalogue()
PREFIXES = sorted(
    {str(p) for c in CAT for p in (*c.applies.cpv_prefixes, *c.applies.exclude_cpv_prefixes)}
    | {str(p) for spec in table("labour")["trades"].values() for p in spec["cpv"]}
    | {str(p) for ps in table("agec")["categories"].values() for p in ps}
    | {str(p) for group in table("sectors").values() for spec in group.values() for p in spec["cpv"]}
)
# A listed prefix completed with any digits (often a longer listed prefix too), or any code.
CODES = st.one_of(
    st.builds(lambda p, tail: (p + tail)[:8], st.sampled_from(PREFIXES), st.text("0123456789", max_size=8)),
    st.text("0123456789", min_size=1, max_size=8),
    st.sampled_from([None, ""]),
)


def _longest(cpv: str | None, prefixes: list[str]) -> int:
    return max((len(p) for p in prefixes if cpv and cpv.startswith(p)), default=0)


def _first_longest(cpv: str | None, groups: list[tuple[object, list[str]]]) -> object:
    # The scan the index replaces: the first key (table order) with the longest match.
    best, best_len = None, 0
    for key, prefixes in groups:
        n = _longest(cpv, [str(p) for p in prefixes])
        if n > best_len:
            best, best_len = key, n
    return best


@settings(max_examples=300, deadline=None)
@given(CODES)
def test_catalogue_fits_are_cpv_match(cpv: str | None) -> None:
    expected = [(c.id, n) for c in CAT if (n := c.applies.cpv_match(cpv)) is not None]
    assert [(c.id, n) for c, n in rules._cpv_fits(CAT, cpv)] == expected


@settings(max_examples=300, deadline=None)
@given(CODES)
def test_tables_by_index_are_the_scans(cpv: str | None) -> None:
    trades = [(k, s["cpv"]) for k, s in table("labour")["trades"].items()]
    assert hours._trade_of_cpv(cpv) == _first_longest(cpv, trades)
    agec = [(int(k), ps) for k, ps in table("agec")["categories"].items()]
    assert rules.agec_category(cpv) == _first_longest(cpv, agec)
    for group in ("siae", "ea_esat"):
        specs = table("sectors")[group].values()
        assert reservation._sectors(cpv, group) == tuple(s["label"] for s in specs if _longest(cpv, [str(p) for p in s["cpv"]]))


@given(st.lists(st.tuples(st.sampled_from("abc"), st.lists(st.sampled_from(["4", "45", "452", "4521", "9", "90"]), max_size=3)), max_size=4), CODES)
def test_prefix_index_longest_and_hits(groups: list[tuple[str, list[str]]], cpv: str | None) -> None:
    ix = PrefixIndex(groups)
    assert ix.longest(cpv) == _first_longest(cpv, groups)  # type: ignore[arg-type]
    assert {k for _, k in ix.hits(cpv)} == {k for k, ps in groups if _longest(cpv, ps)}
    hits = ix.hits(cpv)
    assert [n for n, _ in hits] == sorted(n for n, _ in hits)  # shortest first
    assert all(any(key == k and cpv[:n] in ps for key, ps in groups) for n, k in hits)  # type: ignore[index]


def test_a_purchase_object_text_is_normalised_once() -> None:
    """The clause engine normalises a purchase's object text once, whatever the number of phrases
    its rules look for (insertion trades, allotment families, sites, clause keywords)."""
    from datetime import date as _date

    from spaser.clauses._tables import normalise
    from spaser.clauses.engine import planned_purchase, suggest

    def advise(text: str) -> None:
        suggest(planned_purchase(text, "45442100", "900000", _date(2026, 9, 1)))

    advise("Travaux de peinture et de plomberie du gymnase Alpha, sur plusieurs sites")  # the phrases' patterns made
    normalise.cache_clear()
    advise("Travaux de peinture et de plomberie du gymnase Zéphyrin-Quatorze, sur plusieurs sites")
    info = normalise.cache_info()
    assert info.misses == 1  # the object text, normalised once
    assert info.hits >= 2  # and read again by the other rules from there
