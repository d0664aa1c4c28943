"""The supplier indicators in the documents (draft, yearly report): rows beside the law's own.

A classified portfolio is remembered here (the few most recent), so the document builders, which
receive only the portfolio, find its classification without a new parameter.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from spaser.law.indicators import share
from spaser.model import Portfolio
from spaser.suppliers.classify import Classification
from spaser.suppliers.indicators import FAMILY_LABELS, SupplierIndicators, supplier_indicators
from spaser.suppliers.kinds import Dimension

__all__ = ["remember", "classification_of", "indicator_rows", "unknown_measure", "nothing_classified"]

_KEEP = 4  # classifications remembered (each holds its portfolio): the CLI needs one, the web page re-remembers
_RECENT: OrderedDict[int, tuple[Portfolio, Classification, list[SupplierIndicators]]] = OrderedDict()


def remember(c: Classification) -> None:
    _RECENT[id(c.portfolio)] = (c.portfolio, c, [])
    _RECENT.move_to_end(id(c.portfolio))
    while len(_RECENT) > _KEEP:
        _RECENT.popitem(last=False)


def classification_of(portfolio: Portfolio) -> Classification | None:
    hit = _RECENT.get(id(portfolio))
    return hit[1] if hit is not None and hit[0] is portfolio else None


def _indicators(portfolio: Portfolio) -> SupplierIndicators | None:
    hit = _RECENT.get(id(portfolio))
    if hit is None or hit[0] is not portfolio:
        return None
    if not hit[2]:
        hit[2].append(supplier_indicators(hit[1]))
    return hit[2][0]


_DEFINITION = ("Achats de l'année dont un titulaire est connu comme {what} d'après les listes officielles données "
               "(et les types déclarés dans le fichier d'achats), rapportés à l'ensemble des achats de l'année. "
               "« Inconnu » : titulaire absent des listes ou sans SIRET valide, qui n'est pas compté « non ».")
_WHAT = {Dimension.ESUS: "entreprise solidaire d'utilité sociale (agrément ESUS)",
         Dimension.INCLUSIVE: "entreprise inclusive (SIAE, EA, ESAT ou GEIQ)"}


def indicator_rows(portfolio: Portfolio, year: int | None) -> list[Any]:
    """Rows for the documents' indicator tables; none when the portfolio was not classified."""
    ind = _indicators(portfolio)
    yi = ind.years.get(year) if ind is not None else None
    if yi is None:
        return []
    from spaser.documents.views import IndicatorRow

    rows = []
    for d, m in yi.families.items():
        rows.append(IndicatorRow(f"listes:{d.value}", f"{FAMILY_LABELS[d]}, d'après les listes", m.yes.count, m.share_count,
                                 m.yes.value, m.share_value, _DEFINITION.format(what=_WHAT[d])))
        rows.append(IndicatorRow(f"listes:{d.value}:inconnu", "dont titulaire inconnu des listes (ni oui ni non)", m.unknown.count,
                                 share(m.unknown.count, m.total.count), m.unknown.value, share(m.unknown.value, m.total.value)))
    flagged = [f for f in ind.reserved_flags if f.year == year]  # type: ignore[union-attr]
    if flagged:
        rows.append(IndicatorRow("listes:reserves_a_verifier", "Marchés réservés dont le titulaire n'est reconnu éligible par aucune liste",
                                 len(flagged), None, None, None, "À vérifier : " + " ; ".join(f"{f.purchase_id} ({f.suppliers})" for f in flagged[:10])))
    return rows


def unknown_measure(portfolio: Portfolio, year: int, family: str) -> tuple[Any, Any, str, Any]:
    """(value, denominator, denominator label, rate) of the purchases whose supplier no list classifies.

    ``family``: "esus" or "inclusion". All None (« n.d. ») when the portfolio was not classified:
    without lists, what is unknown cannot be told from what is « non ».
    """
    label = "achats de l'année (d'après les listes de fournisseurs données)"
    ind = _indicators(portfolio)
    yi = ind.years.get(year) if ind is not None else None
    if yi is None:
        return None, None, "aucune liste de fournisseurs donnée (option --liste)", None
    m = yi.families[Dimension.ESUS if family == "esus" else Dimension.INCLUSIVE]
    return m.unknown.value, m.total.value, label, share(m.unknown.value, m.total.value)


def nothing_classified(portfolio: Portfolio, year: int, family: str) -> bool:
    """True when the portfolio was classified but no purchase of ``year`` is known « oui » or « non » for the family.

    The documents then show the current rate as unknown rather than 0 % (``family``: "esus" or "inclusion").
    """
    ind = _indicators(portfolio)
    yi = ind.years.get(year) if ind is not None else None
    if yi is None:
        return False
    m = yi.families[Dimension.ESUS if family == "esus" else Dimension.INCLUSIVE]
    return m.classified.count == 0
