"""Dates as spreadsheets and exports write them.

Accepted: date cells (``datetime.date`` / ``datetime``), Excel serial
numbers (1900 system), ``31/12/2025``, ``31-12-2025``, ``31.12.2025``,
two-digit years (``31/12/25`` = 2025, ``31/12/98`` = 1998), ISO ``2025-12-31`` with or without a
time and a time zone (``2025-12-31T00:00:00+01:00``, ``2025-12-31+01:00``),
and ``20251231``.

>>> to_date("31/12/2025"), to_date("2025-12-31T10:00:00+01:00"), to_date(45292.0)
(datetime.date(2025, 12, 31), datetime.date(2025, 12, 31), datetime.date(2024, 1, 1))
>>> to_date("31.12.25"), to_date("2025-12-31Z"), to_date("") is None
(datetime.date(2025, 12, 31), datetime.date(2025, 12, 31), True)
>>> to_date("31/02/2025")
Traceback (most recent call last):
    ...
spaser.io.dates.DateError: date impossible (« 31/02/2025 »)
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

__all__ = ["DateError", "to_date", "from_excel_serial", "EXCEL_EPOCH", "DATE_PLAUSIBLE_FROM"]

# A notification or consultation date before it is a typing error (warned on its row by every reader).
DATE_PLAUSIBLE_FROM = date(1990, 1, 1)

# Excel's 1900 system counts from 1899-12-30 (it believes 1900 was a leap year).
EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_MAX = 2958465  # 9999-12-31

# re.ASCII: \d is 0-9 only (Arabic-Indic or superscript digits are no date).
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?)?$", re.ASCII)
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$", re.ASCII
)
_COMPACT = re.compile(r"^((?:19|20)\d\d)(\d\d)(\d\d)$", re.ASCII)


class DateError(ValueError):
    """Not a date; ``code`` is the stable issue code."""

    def __init__(self, message: str, code: str = "date-invalid") -> None:
        super().__init__(message)
        self.code = code


def from_excel_serial(n: float) -> date:
    if not 1 <= n <= _SERIAL_MAX:
        raise DateError(f"numéro de série de date hors limites (« {n:g} »)")
    return EXCEL_EPOCH + timedelta(days=int(n))


def _build(y: int, m: int, d: int, raw: object) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateError(f"date impossible (« {raw} »)") from None


def to_date(value: object) -> date | None:
    """A ``date`` from a cell value; None when the cell is empty; DateError otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DateError(f"valeur booléenne au lieu d'une date (« {value} »)")
    if isinstance(value, (int, float)):
        if value != value:
            raise DateError("date non numérique (NaN)")
        if isinstance(value, int) or value.is_integer():
            m = _COMPACT.match(str(int(value)))
            if m:
                return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
        return from_excel_serial(value)
    s = str(value).strip()
    if not s:
        return None
    m = _DMY.match(s)
    if m:
        y = int(m.group(3))
        if len(m.group(3)) == 2:
            y += 2000 if y < 70 else 1900
        return _build(y, int(m.group(2)), int(m.group(1)), s)
    m = _ISO.match(s)
    if m:
        return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), s)
    m = _COMPACT.match(s)
    if m:
        return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), s)
    if re.fullmatch(r"[0-9]{1,7}(?:[.,][0-9]+)?", s):
        return from_excel_serial(float(s.replace(",", ".")))
    raise DateError(f"date illisible (« {s} ») : écrivez JJ/MM/AAAA")
