"""French display of parameter values (shared by the CLI and documents).

>>> from decimal import Decimal
>>> format_value(Decimal("1234567"), "EUR_HT")
'1\u202f234\u202f567\xa0€ HT'
>>> format_value(Decimal("0.3"), "ratio")
'30\xa0%'
>>> format_value(True, "bool")
'oui'
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from spaser.money import format_eur, format_number, format_percent

__all__ = ["format_value", "format_date"]


def format_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _percent(v: Decimal) -> str:
    # Whole percentages without decimals, others with one.
    return format_percent(v, 0 if (v * 100) == (v * 100).to_integral_value() else 1)


def format_value(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "EUR_HT":
        return format_eur(value, cents=value != value.to_integral_value()) + " HT"
    if unit == "EUR":
        return format_eur(value, cents=value != value.to_integral_value())
    if unit == "EUR_per_hour":
        return format_eur(value, cents=value != value.to_integral_value()) + " par heure"
    if unit == "ratio":
        return _percent(value)
    if unit == "hours":
        return format_number(value) + " h"
    if unit == "bool":
        return "oui" if value else "non"
    if unit == "date":
        return format_date(value)
    if unit == "list":
        shown = ", ".join(str(x) for x in value[:6])
        return f"{len(value)} élément(s) : {shown}" + (" …" if len(value) > 6 else "")
    if unit == "table":
        return f"table de {len(value)} entrée(s) : " + ", ".join(list(value)[:6]) + (" …" if len(value) > 6 else "")
    return str(value)
