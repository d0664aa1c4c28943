"""CPV 2008 codes (Common Procurement Vocabulary), in the python-stdnum style.

The table ships as package data; check digits are read from it, never
recomputed (532 official codes carry legacy digits).

>>> compact(' 45 000 000 - 7 ')
'450000007'
>>> validate('45000000-7')
'45000000'
>>> format('45000000')
'45000000-7'
>>> lookup('77310000').label_fr
"Réalisation et entretien d'espaces verts"
>>> nature('45210000')
'travaux'
>>> nature('30213000-5'), nature('90910000')
('fournitures', 'services')
>>> division('90911200-8')
'90'
>>> is_valid('99999999')
False
>>> validate('45000000-8')
Traceback (most recent call last):
    ...
spaser._errors.InvalidChecksum: Code CPV « 45000000-8 » : la clé de contrôle devrait être 7.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spaser._errors import InvalidChecksum, InvalidFormat, UnknownCode

__all__ = [
    "CpvEntry",
    "compact",
    "split",
    "validate",
    "is_valid",
    "format",
    "lookup",
    "nature",
    "division",
    "parent",
    "ancestors",
    "is_social_service",
    "table",
    "NATURES",
]

NATURES = ("travaux", "fournitures", "services")

_CLEAN = re.compile(r"[\s.\-–—/_]")
_SHAPE = re.compile(r"^(\d{8})(\d)?$")


@dataclass(frozen=True, slots=True)
class CpvEntry:
    code: str  # 8 digits, leading zeros kept
    check_digit: str
    label_fr: str
    label_en: str

    @property
    def full(self) -> str:
        return f"{self.code}-{self.check_digit}"

    @property
    def division(self) -> str:
        return self.code[:2]

    @property
    def nature(self) -> str:
        return _nature_of_division(self.code[:2])


def _read(name: str) -> dict[str, CpvEntry]:
    text = resources.files("spaser.data").joinpath(name).read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {r["code"]: CpvEntry(r["code"], r["check_digit"], r["label_fr"], r["label_en"]) for r in rows}


@lru_cache(maxsize=1)
def table() -> dict[str, CpvEntry]:
    """The whole CPV 2008 table, keyed by the 8-digit code."""
    return _read("cpv_2008_fr.csv")


@lru_cache(maxsize=1)
def _social() -> frozenset[str]:
    return frozenset(_read("cpv_2008_social_services_subset_fr.csv"))


def compact(code: str) -> str:
    """Remove spaces, dashes and dots; keep the optional check digit at the end."""
    return _CLEAN.sub("", str(code)).strip()


def split(code: str) -> tuple[str, str | None]:
    """Return the 8-digit code and the check digit given (or None).

    Raises InvalidFormat when the code has not 8 digits (or 8 + 1).
    A code of 7 digits is taken as having lost its leading zero (spreadsheets
    do that to ``03000000``).
    """
    c = compact(code)
    if c.endswith(".0") or (c.isdigit() and len(c) == 7):
        c = c.removesuffix(".0").zfill(8)
    m = _SHAPE.match(c)
    if not m:
        raise InvalidFormat(f"Code CPV « {code} » : 8 chiffres attendus (ex. 45000000-7).", code="cpv-malformed")
    return m.group(1), m.group(2)


def validate(code: str) -> str:
    """Return the 8-digit code if it exists; raise InvalidCode otherwise.

    A given check digit that disagrees with the table raises InvalidChecksum
    (readers turn it into a warning: the code still resolves).
    """
    base, digit = split(code)
    entry = table().get(base)
    if entry is None:
        raise UnknownCode(f"Code CPV « {code} » : absent de la nomenclature CPV 2008.", code="cpv-unknown")
    if digit is not None and digit != entry.check_digit:
        raise InvalidChecksum(
            f"Code CPV « {code} » : la clé de contrôle devrait être {entry.check_digit}.", code="cpv-check-digit"
        )
    return base


def is_valid(code: str) -> bool:
    """True when the code exists and its check digit (if given) is right."""
    try:
        validate(code)
    except (InvalidFormat, UnknownCode, InvalidChecksum):
        return False
    return True


def format(code: str) -> str:  # noqa: A001 - stdnum naming
    """The official written form ``NNNNNNNN-D``."""
    return lookup(code).full


def lookup(code: str) -> CpvEntry:
    """The table entry of a code (check digit ignored)."""
    base, _ = split(code)
    entry = table().get(base)
    if entry is None:
        raise UnknownCode(f"Code CPV « {code} » : absent de la nomenclature CPV 2008.", code="cpv-unknown")
    return entry


def _nature_of_division(div: str) -> str:
    n = int(div)
    if n == 45:
        return "travaux"
    if n <= 44 or n == 48:
        return "fournitures"
    return "services"


def nature(code: str) -> str:
    """'travaux', 'fournitures' or 'services', from the division."""
    return _nature_of_division(split(code)[0][:2])


def division(code: str) -> str:
    """The two-digit division (``45`` for works)."""
    return split(code)[0][:2]


def parent(code: str) -> str | None:
    """The code one level up the hierarchy (None for a division)."""
    base = split(code)[0]
    digits = base.rstrip("0")
    if len(digits) <= 2:
        return None
    t = table()
    for keep in range(len(digits) - 1, 1, -1):
        cand = digits[:keep].ljust(8, "0")
        if cand in t and cand != base:
            return cand
    return None


def ancestors(code: str) -> list[str]:
    """Parents from the nearest up to the division."""
    out: list[str] = []
    p = parent(code)
    while p is not None:
        out.append(p)
        p = parent(p)
    return out


def is_social_service(code: str) -> bool:
    """True for the social and other specific services (adapted procedure whatever the value)."""
    return split(code)[0] in _social()
