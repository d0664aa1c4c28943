"""Money: Decimal end to end, French written forms in and out.

>>> parse_amount('1 234 567,89 €')
Decimal('1234567.89')
>>> parse_amount('1.234.567,89')
Decimal('1234567.89')
>>> parse_amount('1,234,567.89')
Decimal('1234567.89')
>>> parse_amount('1.500'), parse_amount('1234.567'), parse_amount('0,5')
(Decimal('1500'), Decimal('1234.567'), Decimal('0.5'))
>>> parse_amount("12'500")
Decimal('12500')
>>> parse_amount('-1 500 € HT')
Decimal('-1500')
>>> parse_amount('(250,00)')
Decimal('-250.00')
>>> parse_amount('1e999')
Traceback (most recent call last):
    ...
spaser.money.AmountError: montant hors de toute mesure (« 1e999 »)
>>> parse_amount('1 000 € TTC')
Traceback (most recent call last):
    ...
spaser.money.AmountError: montant TTC : seul un montant HT est accepté (« 1 000 € TTC »)
>>> format_eur(Decimal('1234567.891'))
'1\u202f234\u202f567,89\xa0€'
>>> format_eur(Decimal('1234567'), cents=False)
'1\u202f234\u202f567\xa0€'
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from spaser._errors import SpaserError

__all__ = [
    "AmountError",
    "parse_amount",
    "parse_rate",
    "to_decimal",
    "format_eur",
    "format_number",
    "format_percent",
    "implausible_amount",
    "AMOUNT_PLAUSIBLE_MAX",
    "SMALLEST_IMPLAUSIBLE",
    "MONEY_OUT_OF_RANGE",
    "beyond_measure",
    "CENT",
]

CENT = Decimal("0.01")

# Data-quality rules shared by every reader and estimate (plausibility, not law):
# the largest real contracts of the DECP 2019 files are ~1e8 €, so a line at or
# above 1e9 € is taken as a typing error; 99 999 999 and 999 999 999 are typed
# as "no maximum" placeholders.
AMOUNT_PLAUSIBLE_MAX = Decimal(10) ** 9
_PLACEHOLDER_NINES = 8
# Beyond this no amount (or count of hours) means anything, and Decimal cannot round it to the
# cent: every reader refuses it, and so does the model (spaser.model.Money).
MONEY_OUT_OF_RANGE = Decimal(10) ** 20
_OUT_OF_RANGE_DIGITS = MONEY_OUT_OF_RANGE.adjusted()


def beyond_measure(d: Decimal) -> bool:
    """Whether a finite ``d`` is at least :data:`MONEY_OUT_OF_RANGE` in absolute value.

    Read from the exponent, before any arithmetic (abs() of 1E+999999999 overflows); a zero of any
    exponent (0E+43) is not. A NaN or an infinity is not either: each caller names them apart.

    >>> beyond_measure(Decimal("99999999999999999999.99")), beyond_measure(Decimal("-1E+20")), beyond_measure(Decimal("0E+43"))
    (False, True, False)
    """
    return bool(d) and d.is_finite() and d.adjusted() >= _OUT_OF_RANGE_DIGITS
_SMALLEST_PLACEHOLDER = Decimal("9" * _PLACEHOLDER_NINES)
# No amount below this is implausible: callers in hot loops test it before implausible_amount().
SMALLEST_IMPLAUSIBLE = min(_SMALLEST_PLACEHOLDER, AMOUNT_PLAUSIBLE_MAX)

# Narrow no-break space (U+202F) as thousands separator, no-break space before €.
_NNBSP = "\u202f"
_NBSP = "\xa0"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009']")
_TTC = re.compile(r"\bTTC\b", re.IGNORECASE)
_DROP = re.compile(r"(€|EUR|euros?|\bHT\b|H\.T\.)", re.IGNORECASE)
# Digits and plain spaces, at most one decimal comma: read without the general rules.
_PLAIN = re.compile(r"[0-9][0-9 ]*(?:,[0-9]+)?")
# ASCII digits only (\d takes Arabic-Indic digits too); an exponent of at most 3 digits (1e1000000 is no amount).
_NUMBER = re.compile(r"[0-9.,]+(?:[eE][+-]?[0-9]{1,3})?")
_MAX_AMOUNT_CHARS = 64  # longer than any amount written by a person: refused before parsing


class AmountError(SpaserError, ValueError):
    """A text that is not an amount; ``code`` is the stable issue code (spaser's error base, and a ValueError)."""

    exit_code = 3

    def __init__(self, message: str, code: str = "amount-invalid") -> None:
        super().__init__(message, code=code)


def to_decimal(value: object) -> Decimal:
    """Decimal from int, str or Decimal; a float goes through its shortest repr.

    Floats only come from readers that cannot avoid them (Excel cells); they
    are converted once, at the edge, through ``repr`` so 0.1 stays 0.1.
    """
    if isinstance(value, Decimal):
        return _in_range(value, value)
    if isinstance(value, bool):
        raise AmountError(f"valeur booléenne au lieu d'un montant (« {value} »)")
    if isinstance(value, int):
        return _in_range(Decimal(value), value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise AmountError(f"montant non numérique (« {value} »)", "amount-not-finite")
        return _in_range(Decimal(repr(value)), value)
    if isinstance(value, str):
        return parse_amount(value)
    raise AmountError(f"montant illisible (« {value!r} »)")


def parse_amount(text: str) -> Decimal:
    """Parse an amount as buyers write it: French or English separators, €, HT.

    An amount explicitly marked TTC raises AmountError(code='amount-ttc').
    """
    raw = str(text)
    s = raw.strip()
    if not s:
        raise AmountError("montant vide", "amount-missing")
    if len(s) > _MAX_AMOUNT_CHARS:
        raise AmountError(f"montant illisible ({len(s)} caractères)")
    if _PLAIN.fullmatch(s):
        # The common French form (« 12 345,67 », « 1500 »): the general path below
        # gives exactly this, three regular expressions later.
        return _in_range(Decimal(s.replace(" ", "").replace(",", ".")), raw)
    if _TTC.search(s):
        raise AmountError(f"montant TTC : seul un montant HT est accepté (« {raw} »)", "amount-ttc")
    s = _DROP.sub("", s)
    s = _SPACES.sub("", s)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.startswith(("-", "−")):
        negative, s = True, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not s or not _NUMBER.fullmatch(s):
        raise AmountError(f"montant illisible (« {raw} »)")
    s = _normalise_separators(s, raw)
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise AmountError(f"montant illisible (« {raw} »)") from None
    if not value.is_finite():
        raise AmountError(f"montant non numérique (« {raw} »)", "amount-not-finite")
    return _in_range(-value if negative else value, raw)


def _in_range(value: Decimal, raw: object) -> Decimal:
    if not value.is_finite():
        raise AmountError(f"montant non numérique (« {raw} »)", "amount-not-finite")
    if beyond_measure(value):
        raise AmountError(f"montant hors de toute mesure (« {raw} »)")
    return value


def parse_rate(text: str) -> Decimal | None:
    """A rate as a person types it (« 0,20 », « 20 », « 20 % », « 5,5 % ») as a ratio; None when unreadable or not in [0, 1).

    >>> parse_rate('20 %'), parse_rate('0,2'), parse_rate('5,5'), parse_rate('abc'), parse_rate('150')
    (Decimal('0.2'), Decimal('0.2'), Decimal('0.055'), None, None)
    """
    try:
        rate = parse_amount(text.replace("%", "").strip())
    except ValueError:
        return None
    if rate >= 1:
        rate = rate / 100
    return rate if Decimal(0) <= rate < 1 else None


def implausible_amount(amount: Decimal | None) -> str | None:
    """Why an amount is taken as an input error (French), or None.

    >>> implausible_amount(Decimal("999999999"))
    'valeur de remplissage (que des 9)'
    >>> implausible_amount(Decimal("2e9")) is not None, implausible_amount(Decimal("99999")) is None
    (True, True)
    """
    if amount is None or not amount.is_finite():
        return None
    if amount >= AMOUNT_PLAUSIBLE_MAX:
        return "au moins 1 milliard d'euros"
    if amount >= _SMALLEST_PLACEHOLDER and amount == amount.to_integral_value():
        digits = str(int(amount))
        if len(digits) >= _PLACEHOLDER_NINES and set(digits) == {"9"}:
            return "valeur de remplissage (que des 9)"
    return None


def _normalise_separators(s: str, raw: str) -> str:
    if "e" in s.lower():
        return s.replace(",", ".")
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        # The last separator is the decimal one, used once; the other one groups thousands by 3.
        dec, group = (",", ".") if s.rfind(",") > s.rfind(".") else (".", ",")
        head, _, tail = s.rpartition(dec)
        groups = head.split(group)
        if dec in head or not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
            raise AmountError(f"montant illisible (« {raw} »)")
        return "".join(groups) + "." + tail
    sep = "," if has_comma else "." if has_dot else None
    if sep is None:
        return s
    parts = s.split(sep)
    if len(parts) > 2:
        # Several identical separators: thousands (1.234.567).
        if all(len(p) == 3 for p in parts[1:]):
            return "".join(parts)
        raise AmountError(f"montant illisible (« {raw} »)")
    # One separator followed by exactly three digits after a 1-3 digit head
    # is a thousands group ("1.500", "12,500" in English exports is rare:
    # a comma stays decimal, the French usage); anything else is decimal.
    head, tail = parts
    if sep == "." and len(tail) == 3 and 1 <= len(head) <= 3 and head != "0":
        return head + tail
    return head + "." + tail


def _group(int_part: str) -> str:
    out: list[str] = []
    while len(int_part) > 3:
        out.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    out.insert(0, int_part)
    return _NNBSP.join(out)


# Digits a written number may have: every figure spaser computes is far below (money and hours are
# below 10^20); beyond, the default context (28 digits) could not round it, nor any person read it.
_WRITTEN_DIGITS = 40
_WRITING = Context(prec=_WRITTEN_DIGITS + 10)


def format_number(value: Decimal | int, decimals: int = 0) -> str:
    """French number: narrow no-break spaces between thousands, comma for decimals."""
    q = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    d = Decimal(value)
    if not d.is_finite() or (d and d.adjusted() >= _WRITTEN_DIGITS):  # a zero may carry any exponent (0E+43)
        raise AmountError(f"nombre hors de toute mesure (« {d:.3e} »)" if d.is_finite() else f"nombre non mesurable (« {d} »)")
    d = d.quantize(q, rounding=ROUND_HALF_UP, context=_WRITING)
    sign = "-" if d < 0 else ""
    text = f"{abs(d):f}"
    int_part, _, frac = text.partition(".")
    return sign + _group(int_part) + ("," + frac if frac else "")


def format_eur(value: Decimal | int, *, cents: bool = True) -> str:
    """French euro amount: ``1 234 567,89 €``."""
    return format_number(value, 2 if cents else 0) + _NBSP + "€"


def format_percent(ratio: Decimal | float | None, decimals: int = 1) -> str:
    """A ratio in [0, 1] as a French percentage: ``22,5 %``; None gives 'n.d.'."""
    if ratio is None:
        return "n.d."
    return format_number(Decimal(str(ratio)) * 100, decimals) + _NBSP + "%"
