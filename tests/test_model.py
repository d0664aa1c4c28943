from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from spaser.model import (
    AgecKind,
    Buyer,
    BuyerKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    Portfolio,
    Purchase,
    SocialConsideration,
)


def test_labels_do_not_collide_across_enums():
    # Three enums share the value "autre": each keeps its own label.
    assert BuyerKind.AUTRE.label == "Autre acheteur soumis au code"
    assert EgalimCategory.AUTRE.label == "Autre produit alimentaire"
    assert AgecKind.AUTRE.label == "Neuf / autre"


def test_float_money_is_refused():
    with pytest.raises(ValidationError):
        Purchase(id="x", amount_ht=1.5)


def test_unknown_is_not_none():
    unknown = Purchase(id="a")
    none = Purchase(id="b", social=frozenset({SocialConsideration.AUCUNE}))
    assert unknown.social_status == "inconnu"
    assert none.social_status == "non"


def test_none_cannot_be_combined():
    with pytest.raises(ValidationError):
        Purchase(id="a", environmental=frozenset({EnvironmentalConsideration.AUCUNE, EnvironmentalConsideration.CLAUSE}))


def test_nature_from_cpv_and_unknown_cpv_refused():
    assert Purchase(id="a", cpv="45210000-2").nature is Nature.TRAVAUX
    with pytest.raises(ValidationError):
        Purchase(id="a", cpv="99999999")


def test_buyer_siret_is_validated():
    assert Buyer(name="x", siret="130 018 989 00017").siret == "13001898900017"
    with pytest.raises(ValidationError):
        Buyer(name="x", siret="13001898900018")


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(amounts, st.integers(2019, 2026), st.sampled_from(["45210000", "90910000", "30213000"])), max_size=30), st.randoms())
def test_totals_do_not_depend_on_order(rows, rnd):
    purchases = [Purchase(id=str(i), amount_ht=a, cpv=c, notification_date=date(y, 6, 1)) for i, (a, y, c) in enumerate(rows)]
    shuffled = purchases[:]
    rnd.shuffle(shuffled)
    b = Buyer(name="Ville")
    p1, p2 = Portfolio(buyer=b, purchases=tuple(purchases)), Portfolio(buyer=b, purchases=tuple(shuffled))
    assert p1.totals_by_year() == p2.totals_by_year()
    assert p1.totals_by_nature() == p2.totals_by_nature()
    assert p1.totals_by_cpv_division() == p2.totals_by_cpv_division()
    assert p1.total_ht == sum((a for a, _, _ in rows), Decimal(0))


def test_written_files_are_not_private(tmp_path):
    # mkstemp makes temporary files 0600; the document handed to the user follows the umask.
    import os

    from spaser.io.safe import write_bytes

    out = write_bytes(tmp_path / "a.docx", b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
