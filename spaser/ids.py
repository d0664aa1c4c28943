"""SIRET and SIREN, checked with python-stdnum (Luhn, La Poste exception).

>>> validate_company_id('130 018 989 00017')
'13001898900017'
>>> validate_company_id('130018989')
'130018989'
>>> is_valid_company_id('13001898900018')
False
>>> siren_of('13001898900017')
'130018989'
"""

from __future__ import annotations

from functools import lru_cache

from stdnum import exceptions as _exc
from stdnum.fr import siren as _siren
from stdnum.fr import siret as _siret

from spaser._errors import InvalidChecksum, InvalidFormat

__all__ = ["validate_company_id", "is_valid_company_id", "siren_of", "compact_company_id"]


def compact_company_id(value: str) -> str:
    """Digits only (spaces, dots and dashes removed)."""
    s = str(value)
    if s.isascii() and s.isdigit():  # the common case: nothing to remove
        return s
    return "".join(ch for ch in s if not ch.isspace() and ch not in ".-")


@lru_cache(maxsize=65536)  # imports meet the same holders again and again (an invalid one raises, never remembered)
def validate_company_id(value: str) -> str:
    """Return the compact SIRET (14 digits) or SIREN (9 digits); raise InvalidCode.

    >>> validate_company_id("130018989.0"), validate_company_id(13001898900017.0)
    ('130018989', '13001898900017')
    """
    raw = str(value).strip()
    # Spreadsheets turn identifiers into floats: the « .0 » goes before the dots are removed.
    v = compact_company_id(raw[:-2] if raw.endswith(".0") else raw)
    mod = _siret if len(v) == 14 else _siren if len(v) == 9 else None
    if mod is None or not (v.isascii() and v.isdigit()):  # « ١٣٠… » passes isdigit() and Luhn: not ours
        raise InvalidFormat(f"Identifiant « {value} » : 14 chiffres (SIRET) ou 9 (SIREN) attendus.", code="siret-invalid")
    try:
        return mod.validate(v)
    except _exc.InvalidChecksum:
        kind = "SIRET" if len(v) == 14 else "SIREN"
        raise InvalidChecksum(f"{kind} « {value} » : clé de contrôle (Luhn) incorrecte.", code="siret-invalid") from None
    except _exc.ValidationError:
        raise InvalidFormat(f"Identifiant « {value} » invalide.", code="siret-invalid") from None


def is_valid_company_id(value: str) -> bool:
    try:
        validate_company_id(value)
    except (InvalidFormat, InvalidChecksum):
        return False
    return True


def siren_of(value: str) -> str:
    """The SIREN (first 9 digits) of a SIRET or SIREN."""
    return compact_company_id(value)[:9]
