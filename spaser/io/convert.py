"""Value converters shared by the readers: one raw value in -> one typed value out, or a typed problem.

Each converter takes a value that is not empty (:func:`is_empty` says) as a file
gives it (a text, an ``int``/``Decimal`` from a JSON parser, a float or a date from
a workbook) and returns the value of a :class:`~spaser.model.Purchase` field, or
raises :class:`CellProblem` with a stable :class:`~spaser.io.report.IssueCode` and a
French detail. The reader decides what the problem does to its record (reject it,
or drop the value with a warning): the converter only says what is wrong.

The API is the one of the spreadsheet reader's cell converters (``CellProblem``,
``number``, ``duration``, ``a_date``, ``cpv``, ``siret``, ``social``...), so the
two readers convert a value the same way.

Every converter is bounded before it converts: a text longer than a value can be is
refused unread, only ASCII digits are digits (``"²"`` and Arabic-Indic digits pass
``str.isdigit()`` and ``int()``), and a number's exponent is checked before any
arithmetic (``1E999999999`` would otherwise make ``int()`` run for hours).

>>> number("12 345,67 €"), number(Decimal("1E+3"))
(Decimal('12345.67'), Decimal('1E+3'))
>>> duration("3 ans"), duration(Decimal("24")), cpv("90910000-9")
(36, 24, '90910000')
>>> for bad in ("1.2.3,4", "\\u0663\\u0660\\u0660", "1e1000000", "\\u00b2"):
...     try:
...         number(bad)
...     except CellProblem as p:
...         print(p.code.value)
amount-invalid
amount-invalid
amount-invalid
amount-invalid
>>> try:
...     cpv("90910000-9-9")
... except CellProblem as p:
...     print(p.code.value)
cpv-malformed
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from spaser import cpv as _cpv
from spaser._errors import InvalidChecksum, InvalidCode, UnknownCode
from spaser.ids import validate_company_id
from spaser.io.dates import DateError, to_date
from spaser.io.report import IssueCode
from spaser.model import EnvironmentalConsideration, SocialConsideration
from spaser.money import AmountError, parse_amount

__all__ = [
    "CellProblem",
    "MAX_NUMBER_CHARS",
    "MAX_ID_CHARS",
    "NUMBER_MAX_DIGITS",
    "DURATION_MAX_MONTHS",
    "is_empty",
    "text",
    "identifier",
    "number",
    "duration",
    "a_date",
    "cpv_code",
    "cpv",
    "siret",
    "social",
    "environmental",
    "consideration",
]

MAX_NUMBER_CHARS = 64  # longer than any amount, duration or date a person writes: refused unread
MAX_ID_CHARS = 200  # a contract identifier (real ones: < 40); a 5 000-digit "id" is not one
NUMBER_MAX_DIGITS = 20  # |x| >= 1e20 means nothing as euros or months (and Decimal cannot round it to the cent)
DURATION_MAX_MONTHS = 1200  # 100 years: longer is a typing error


class CellProblem(Exception):
    """A value that does not convert: an issue code, a French detail, and whether it rejects the record.

    ``error`` None means the code's own severity (see :mod:`spaser.io.report`);
    ``kept`` is a warning's value, kept all the same (a CPV code with a wrong check digit).
    """

    def __init__(self, code: IssueCode, detail: str | None = None, *, error: bool | None = None, kept: Any = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.error = code, detail, error
        self.kept = kept


# Written by exports for "no value": DECP « CDL », « MQ » (manquant), « NC » (non communiqué), NaN.
_PLACEHOLDERS = frozenset({"nan", "NaN", "NAN", "null", "NULL", "None", "none", "N/A", "n/a", "#N/A", "CDL", "MQ", "NC", "nc"})


def is_empty(v: object) -> bool:
    """A value that says nothing: None, blank, or an export's placeholder (« NaN », « NC »).

    >>> is_empty(" "), is_empty("NC"), is_empty(float("nan")), is_empty(0)
    (True, True, True, False)
    """
    if v is None or v == "":
        return True
    if type(v) is str:
        s = v.strip()
        return not s or s in _PLACEHOLDERS
    if type(v) is float:
        return v != v  # NaN
    return False


def _show(v: object) -> str:
    """A value quoted in a message: short, and printable whatever it holds."""
    s = v if type(v) is str else str(v)
    s = s[:40] + ("…" if len(s) > 40 else "")
    return s.encode("utf-8", "replace").decode("utf-8")


def text(v: object) -> str:
    """A value as text, trimmed; a lone UTF-16 half (``\\ud800``) becomes « � » with a warning.

    >>> text("  Mairie  "), text(12)
    ('Mairie', '12')
    >>> try:
    ...     text("a\\ud800b")
    ... except CellProblem as p:
    ...     print(p.code.value, p.kept)
    value-invalid a�b
    """
    s = v.strip() if type(v) is str else str(v).strip()
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            kept = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s)
            raise CellProblem(IssueCode.VALUE_INVALID, "Caractère invalide (moitié de caractère UTF-16 isolée) remplacé par « \ufffd ».",
                              kept=kept) from None
    return s


def identifier(v: object) -> str:
    """A record identifier: a text of at most :data:`MAX_ID_CHARS` characters.

    >>> try:
    ...     identifier("1" * 5000)
    ... except CellProblem as p:
    ...     print(p.code.value, p.detail)
    limit-string Identifiant de 5000 caractères (200 au plus) : ce n'est pas un identifiant de contrat.
    """
    s = v if type(v) is str else str(v)
    if len(s) > MAX_ID_CHARS:
        raise CellProblem(IssueCode.LIMIT_STRING, f"Identifiant de {len(s)} caractères ({MAX_ID_CHARS} au plus) : "
                          "ce n'est pas un identifiant de contrat.", error=True)
    return text(s)


def _non_ascii_digit(s: str) -> str | None:
    """The first digit that is not 0-9 (« ² », « ٣ »), or None."""
    if s.isascii():
        return None
    return next((c for c in s if not c.isascii() and (c.isdigit() or unicodedata.category(c) == "Nd")), None)


_AMOUNT_CODES = {"amount-missing": IssueCode.AMOUNT_MISSING, "amount-ttc": IssueCode.AMOUNT_TTC,
                 "amount-not-finite": IssueCode.AMOUNT_NOT_FINITE}
# Both separators: the thousands one groups by 3, the decimal one comes once, last (« 1.2.3,4 » is no amount).
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+")
_NOT_SEPARATOR = re.compile(r"[^0-9.,]")
_NOT_FINITE = frozenset({"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"})


def number(v: object) -> Decimal:
    """A Decimal from a value (a float through its shortest repr), below 10**20; CellProblem otherwise.

    The sign is kept: the reader says whether a negative value is allowed.
    """
    if isinstance(v, bool):
        raise CellProblem(IssueCode.AMOUNT_INVALID, f"(valeur booléenne « {v} »)")
    if isinstance(v, Decimal):
        d = v
    elif isinstance(v, int):
        if abs(v) >= 10**NUMBER_MAX_DIGITS:
            raise CellProblem(IssueCode.AMOUNT_INVALID, "Nombre hors de toute mesure.")
        d = Decimal(v)
    elif isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise CellProblem(IssueCode.AMOUNT_NOT_FINITE)
        d = Decimal(repr(v))
    elif isinstance(v, str):
        s = v.strip()
        if len(s) > MAX_NUMBER_CHARS:
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"Texte de {len(s)} caractères : ce n'est pas un montant.")
        bad = _non_ascii_digit(s)
        if bad is not None:
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"(« {_show(s)} ») : chiffre « {bad} » non reconnu, seuls 0 à 9 le sont.")
        if "." in s and "," in s and not _GROUPED.fullmatch(_NOT_SEPARATOR.sub("", s)):
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"(« {_show(s)} ») : séparateurs de milliers et décimal incohérents.")
        if s.lower() in _NOT_FINITE:
            raise CellProblem(IssueCode.AMOUNT_NOT_FINITE, f"(« {_show(s)} »)")
        try:
            d = parse_amount(s)
        except AmountError as e:
            code = _AMOUNT_CODES.get(e.code, IssueCode.AMOUNT_INVALID)
            raise CellProblem(code, None if code is IssueCode.AMOUNT_TTC else f"(« {_show(s)} »)") from None
        except (InvalidOperation, ArithmeticError):
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"(« {_show(s)} »)") from None
    else:
        raise CellProblem(IssueCode.AMOUNT_INVALID, f"(« {_show(v)} » n'est pas un nombre)")
    if not d.is_finite():
        raise CellProblem(IssueCode.AMOUNT_NOT_FINITE, f"(« {_show(v)} »)")
    # adjusted() is the exponent of the first digit: no arithmetic on a huge exponent.
    if d and d.adjusted() >= NUMBER_MAX_DIGITS:
        raise CellProblem(IssueCode.AMOUNT_INVALID, f"Nombre hors de toute mesure (« {_show(v)} »).")
    if not d:
        return Decimal(0)  # 0E+999999 is zero
    return d


_DURATION = re.compile(r"([0-9]{1,6}(?:[.,][0-9]{1,4})?)\s*(mois|m|months?|ans?|années?|annees?|years?|jours?|j|days?)?", re.ASCII | re.IGNORECASE)


def duration(v: object) -> int:
    """A duration in whole months (« 3 ans » is 36, a half month rounds up); at most :data:`DURATION_MAX_MONTHS`.

    >>> duration(12), duration("12 mois"), duration(Decimal("12.0"))
    (12, 12, 12)
    """
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        if isinstance(v, Decimal) and (not v.is_finite() or (v and v.adjusted() > 6)):
            raise CellProblem(IssueCode.DURATION_INVALID, f"Nombre de mois attendu (« {_show(v)} »).")
        if isinstance(v, int) and abs(v) > 10**6:
            raise CellProblem(IssueCode.DURATION_INVALID, f"Nombre de mois attendu (« {_show(v)} »).")
        if isinstance(v, float) and (v != v or abs(v) > 1e6):
            raise CellProblem(IssueCode.DURATION_INVALID, f"Nombre de mois attendu (« {_show(v)} »).")
        months = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    else:
        s = text(v)
        m = _DURATION.fullmatch(s[:41]) if len(s) <= 40 else None
        if not m:
            raise CellProblem(IssueCode.DURATION_INVALID, f"Nombre de mois attendu (« {_show(v)} »).")
        months = Decimal(m.group(1).replace(",", "."))
        unit = (m.group(2) or "").lower()
        if unit.startswith(("an", "ann", "year")):
            months *= 12
        elif unit.startswith(("j", "day")):
            months /= 30
    if not months.is_finite() or not 0 <= months <= DURATION_MAX_MONTHS:
        raise CellProblem(IssueCode.DURATION_INVALID, f"(« {_show(v)} ») : entre 0 et {DURATION_MAX_MONTHS} mois.")
    return int(months.to_integral_value())


def a_date(v: object) -> date:
    """A date (ISO, French JJ/MM/AAAA, a time zone dropped); ASCII digits only.

    >>> a_date("2018-12-17+01:00"), a_date("31/12/2024")
    (datetime.date(2018, 12, 17), datetime.date(2024, 12, 31))
    """
    if type(v) is str:
        s = v.strip()
        if len(s) > 40 or _non_ascii_digit(s) is not None:
            raise CellProblem(IssueCode.DATE_INVALID, f"(date illisible : « {_show(s)} »)")
        v = s
    try:
        d = to_date(v)
    except DateError as e:
        raise CellProblem(IssueCode.DATE_INVALID, f"({e})") from None
    except (ValueError, OverflowError, TypeError):
        raise CellProblem(IssueCode.DATE_INVALID, f"(date illisible : « {_show(v)} »)") from None
    if d is None:
        raise CellProblem(IssueCode.DATE_MISSING)
    return d


# ASCII digits only; a label may follow the code (« 90910000-9 Services de nettoyage »), a second check digit may not.
_CPV = re.compile(r"^\s*([0-9]{2}[ .]?[0-9]{3}[ .]?[0-9]{3}|[0-9]{7})(?:\s*[-–]\s*([0-9]))?\s*(?:[-–:]?\s*[^\W\d_][^\n]*)?$")


@lru_cache(maxsize=16384)
def cpv_code(v: object) -> tuple[str | None, IssueCode | None]:
    """(8-digit code or None, issue code or None) for a CPV value.

    >>> cpv_code("90910000-9 Services de nettoyage"), cpv_code("90910000-9-9")
    (('90910000', None), (None, <IssueCode.CPV_MALFORMED: 'cpv-malformed'>))
    """
    s = (v if type(v) is str else str(v))[:300]
    m = _CPV.match(s)
    if not m:
        return None, IssueCode.CPV_MALFORMED
    code = re.sub(r"[ .]", "", m.group(1)) + (f"-{m.group(2)}" if m.group(2) else "")
    try:
        return _cpv.validate(code), None
    except InvalidChecksum:
        return _cpv.split(code)[0], IssueCode.CPV_CHECK_DIGIT
    except UnknownCode:
        return None, IssueCode.CPV_UNKNOWN
    except InvalidCode:
        return None, IssueCode.CPV_MALFORMED


def cpv(v: object) -> str:
    """The 8-digit CPV code; a wrong check digit is a warning and the code is kept (``kept``)."""
    code, problem = cpv_code(v if type(v) is str else str(v))  # cached: hashable text only
    if problem is not None:
        detail = f"(clé attendue : {_cpv.table()[code].check_digit})" if problem is IssueCode.CPV_CHECK_DIGIT and code else None
        raise CellProblem(problem, detail, kept=code)
    return code  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def _company_id(v: str) -> str:
    return validate_company_id(v)


def siret(v: object) -> str:
    """A SIRET (14 digits) or SIREN (9), validated (Luhn); spaces removed; ASCII digits only.

    >>> siret("130 018 989 00017")
    '13001898900017'
    """
    s = v.strip() if type(v) is str else str(v)
    if len(s) > 40:
        raise CellProblem(IssueCode.SIRET_INVALID, f"Identifiant trop long ({len(s)} caractères).")
    if _non_ascii_digit(s) is not None:
        raise CellProblem(IssueCode.SIRET_INVALID, f"(« {_show(s)} ») : seuls les chiffres 0 à 9 sont reconnus.")
    try:
        return _company_id(s)
    except InvalidCode as e:
        raise CellProblem(IssueCode.SIRET_INVALID, str(e)) from None


@lru_cache(maxsize=4096)
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.strip().casefold())
    return "".join(c for c in s if not unicodedata.combining(c)).replace("’", "'")


_SOCIAL = {_fold(m.value): m for m in SocialConsideration}
_ENVIRONMENTAL = {_fold(m.value): m for m in EnvironmentalConsideration}
_NONE_WORDS = frozenset({"sans objet", "aucune", "aucun", "non", "neant"})  # tabular exports write « Sans objet »


@lru_cache(maxsize=4096)
def consideration(v: str, social: bool) -> SocialConsideration | EnvironmentalConsideration:
    """One value of the DECP vocabulary (« Clause sociale », « Pas de considération sociale »...).

    >>> consideration("Sans objet", True), consideration("critère environnemental", False)
    (<SocialConsideration.AUCUNE: 'Pas de considération sociale'>, <EnvironmentalConsideration.CRITERE: 'Critère environnemental'>)
    """
    f = _fold(v)
    table: dict[str, Any] = _SOCIAL if social else _ENVIRONMENTAL
    hit = table.get(f)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    if f in _NONE_WORDS:
        return SocialConsideration.AUCUNE if social else EnvironmentalConsideration.AUCUNE
    raise CellProblem(IssueCode.CONSIDERATION_INVALID, f"(« {_show(v)} ») : valeur ignorée.")


def _considerations(values: list[str] | tuple[str, ...], social: bool) -> frozenset[Any]:
    out: set[Any] = set()
    bad: list[str] = []
    for v in values:
        try:
            out.add(consideration(v, social))
        except CellProblem:
            bad.append(v)
    none = SocialConsideration.AUCUNE if social else EnvironmentalConsideration.AUCUNE
    if none in out and len(out) > 1:
        out.discard(none)  # a declared consideration outweighs « Pas de ... »
    if bad:
        raise CellProblem(IssueCode.CONSIDERATION_INVALID, "(" + ", ".join(f"« {_show(b)} »" for b in bad) + ") : valeur(s) ignorée(s).",
                          kept=frozenset(out) or None)
    return frozenset(out)


def social(values: list[str] | tuple[str, ...]) -> frozenset[SocialConsideration]:
    """The social considerations of a list of DECP values; unknown values: CellProblem with the others ``kept``."""
    return _considerations(values, True)


def environmental(values: list[str] | tuple[str, ...]) -> frozenset[EnvironmentalConsideration]:
    """The environmental considerations of a list of DECP values (see :func:`social`)."""
    return _considerations(values, False)
