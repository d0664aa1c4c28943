"""Cell converters: one cell as a person wrote it -> one typed value, or a located problem.

Each converter takes a cell (a text, or a number/date/bool from a workbook) that is
not empty and returns the value of a :class:`~spaser.model.Purchase` field, or raises
:class:`CellProblem` with a stable :class:`~spaser.io.report.IssueCode` and a French
detail. The field registry (:mod:`spaser.io.columns`) names the converter of each field;
every reader (spreadsheets, CSV, DECP) converts through these functions, so a value
reads the same wherever it comes from.

>>> amount("12 345,67 €")
Decimal('12345.67')
>>> duration("3 ans"), cpv_code("90910000-9")
(36, ('90910000', None))
>>> sorted(social("Clause sociale ; Critère social"))
[<SocialConsideration.CLAUSE: 'Clause sociale'>, <SocialConsideration.CRITERE: 'Critère social'>]
>>> try:
...     amount("1.2.3,4")
... except CellProblem as p:
...     print(p.code.value)
amount-invalid
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from spaser import cpv as _cpv
from spaser._errors import InvalidChecksum, InvalidCode, UnknownCode
from spaser.ids import validate_company_id
from spaser.io.dates import DateError, to_date
from spaser.io.report import IssueCode
from spaser.model import (
    DURATION_MAX_MONTHS,
    AGEC_CATEGORIES,
    AgecKind,
    BuyerKind,
    ContractKind,
    EgalimCategory,
    EnvironmentalConsideration,
    Nature,
    SocialConsideration,
    SocialExemption,
    SupplierKind,
)
from spaser.io.safe import CELL_CHARS
from spaser.money import CENT, MONEY_OUT_OF_RANGE, AmountError, beyond_measure, parse_amount

__all__ = [
    "CellProblem",
    "MAX_CELL_CHARS",
    "AMOUNT_IMPOSSIBLE",
    "DURATION_MAX_MONTHS",
    "normalise",
    "is_empty",
    "is_blank",
    "text",
    "identifier",
    "number",
    "amount",
    "hours",
    "duration",
    "a_date",
    "cpv_code",
    "nature_of",
    "siret",
    "cpv",
    "raw",
    "nature_or_kind",
    "buyer_kind",
    "social",
    "environmental",
    "supplier_kinds",
    "exemption",
    "egalim",
    "yes_no",
    "agec_category",
    "agec_kind",
    "livre_v",
    "techniques",
    "is_none_word",
]

MAX_CELL_CHARS = CELL_CHARS  # Excel's own limit: a longer text is cut, with a warning
AMOUNT_IMPOSSIBLE = Decimal(10) ** 12  # no French contract is 1 000 Md€: the row is rejected
# The bound in a workbook number's own type (10^20 is exact as a float): a float compared with a Decimal is
# converted first, a third of number()'s time on every distinct number of a workbook.
_OUT_OF_RANGE_FLOAT, _OUT_OF_RANGE_INT = float(MONEY_OUT_OF_RANGE), int(MONEY_OUT_OF_RANGE)


class CellProblem(Exception):
    """A cell that does not convert: an issue code, a French detail, and whether it rejects the row.

    ``error`` None means the code's own severity (see :mod:`spaser.io.report`).
    """

    def __init__(self, code: IssueCode, detail: str | None = None, *, error: bool | None = None, kept: Any = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.error = code, detail, error
        self.kept = kept  # a warning's value, kept all the same (a CPV code with a wrong check digit)

    def detached(self) -> CellProblem:
        """This problem without its traceback nor the exception it replaced, to be remembered:
        their frames would keep alive everything the reader held when it was raised."""
        self.__traceback__ = self.__context__ = self.__cause__ = None
        return self


# -- text --------------------------------------------------------------------
_STOP = frozenset("de du des d l la le les en au aux a of the in for par pour eur euro euros".split())
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # dateNotification -> date Notification (DECP names)
_ABBREV = ((re.compile(r"\bt\.\s*t\.\s*c\b\.?"), "ttc"), (re.compile(r"\bh\.\s*t\b\.?"), "ht"))


def normalise(value: object) -> str:
    """Lower case, accents and punctuation removed, camelCase split, small words dropped.

    >>> normalise("  Date de\\nnotification "), normalise("dateNotification"), normalise("acheteur.id")
    ('date notification', 'date notification', 'acheteur id')
    """
    if type(value) is str and len(value) <= 200:
        return _normalise_cached(value)
    return _normalise(str(value)[:1000])


@lru_cache(maxsize=65536)
def _normalise_cached(value: str) -> str:  # cell values repeat a lot (vocabularies)
    return _normalise(value)


def _normalise(value: str) -> str:
    s = unicodedata.normalize("NFKD", _CAMEL.sub(" ", value).lower())
    if "." in s:
        for pattern, repl in _ABBREV:  # « H.T. », « T.T.C. »
            s = pattern.sub(repl, s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("œ", "oe").replace("æ", "ae")
    return " ".join(t for t in _NON_ALNUM.split(s) if t and t not in _STOP)


# What spaser.io.safe.safe_cell quotes: formula starts, and a quote itself (so "'=" survives a round trip).
_QUOTED = ("=", "+", "-", "@", "'")
# Written by exports for "no value": DECP « CDL » (« cellule de données libre »), « MQ » (manquant), NaN.
_PLACEHOLDERS = frozenset({"nan", "NaN", "NAN", "null", "NULL", "None", "none", "N/A", "n/a", "#N/A", "CDL", "MQ"})


def is_empty(v: object) -> bool:
    """A cell that says nothing: empty, blank, or an export's placeholder for no value (« NaN », « CDL »)."""
    if v is None or v == "":
        return True
    if type(v) is str:
        s = v.strip()
        return not s or (s in _PLACEHOLDERS)
    if type(v) is float:
        return v != v  # NaN
    return False


def is_blank(v: object) -> bool:
    """A cell with nothing in it but spaces."""
    return v is None or v == "" or (type(v) is str and not v.strip()) or (type(v) is float and v != v)


def text(v: object) -> str:
    """A cell as text: trimmed, a whole float without ``.0``, the anti-formula quote removed."""
    if type(v) is str:
        s = v.strip()
        if s[:1] == "'" and s[1:2] in _QUOTED:
            s = s[1:]
        if "&#" in s or "&amp;" in s:  # HTML entities of some exports (« &#8211; »)
            import html

            s = html.unescape(s)
        return s
    if type(v) is float and v.is_integer():
        return str(int(v))
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    return str(v).strip()


MAX_ID_CHARS = 200  # no contract reference is longer: a longer « identifier » is garbage (a 5 000-digit number)


def identifier(v: object) -> str:
    """A contract's reference, as text; at most :data:`MAX_ID_CHARS` characters."""
    s = text(v)
    if len(s) > MAX_ID_CHARS:
        raise CellProblem(IssueCode.VALUE_INVALID, f"Identifiant trop long ({len(s)} caractères, {MAX_ID_CHARS} au plus) : la ligne est écartée.",
                          error=True)
    return s


# -- numbers -----------------------------------------------------------------
def number(v: object) -> Decimal:
    """A Decimal from a cell (a workbook's float through its shortest repr); CellProblem otherwise."""
    try:
        if isinstance(v, bool):
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"(« {v} » n'est pas un nombre)")
        if isinstance(v, float):
            if v != v or v in (float("inf"), float("-inf")):
                raise CellProblem(IssueCode.AMOUNT_NOT_FINITE)
            if abs(v) >= _OUT_OF_RANGE_FLOAT:  # as for int and Decimal below
                raise CellProblem(IssueCode.AMOUNT_INVALID, "Nombre hors de toute mesure.")
            d = Decimal(int(v)) if v.is_integer() else Decimal(repr(v))
        elif isinstance(v, int):
            if abs(v) >= _OUT_OF_RANGE_INT:
                raise CellProblem(IssueCode.AMOUNT_INVALID, "Nombre hors de toute mesure.")
            d = Decimal(v)
        elif isinstance(v, Decimal):  # from a JSON parser: its exponent is bounded before any arithmetic (1E+999999999)
            d = v
            if beyond_measure(d):
                raise CellProblem(IssueCode.AMOUNT_INVALID, "Nombre hors de toute mesure.")
        elif isinstance(v, str):
            d = parse_amount(v)
        else:
            raise CellProblem(IssueCode.AMOUNT_INVALID, f"(« {text(v)[:40]} » n'est pas un nombre)")
    except AmountError as e:
        code = {"amount-missing": IssueCode.AMOUNT_MISSING, "amount-ttc": IssueCode.AMOUNT_TTC,
                "amount-not-finite": IssueCode.AMOUNT_NOT_FINITE}.get(e.code, IssueCode.AMOUNT_INVALID)
        raise CellProblem(code, None if code is IssueCode.AMOUNT_TTC else f"(« {text(v)[:40]} »)") from None
    if not d.is_finite():
        raise CellProblem(IssueCode.AMOUNT_NOT_FINITE)
    if d.as_tuple().exponent < -2:  # type: ignore[operator]
        d = d.quantize(CENT, rounding=ROUND_HALF_UP)  # float artefacts: 1234.5600000001
    return d


def amount(v: object) -> Decimal:
    """An amount HT: a number, not negative, below :data:`AMOUNT_IMPOSSIBLE`."""
    d = number(v)
    if d < 0:
        raise CellProblem(IssueCode.AMOUNT_NEGATIVE, f"(« {text(v)[:40]} »)")
    if d > AMOUNT_IMPOSSIBLE:
        raise CellProblem(IssueCode.AMOUNT_ABSURD, "Au-delà de 1 000 milliards d'euros, la ligne est rejetée.", error=True)
    return d


def hours(v: object) -> Decimal:
    try:
        d = number(v)
    except CellProblem:
        raise CellProblem(IssueCode.VALUE_INVALID, f"Nombre d'heures attendu (« {text(v)[:40]} »).") from None
    if d < 0:
        raise CellProblem(IssueCode.VALUE_INVALID, f"Nombre d'heures négatif (« {text(v)[:40]} »).")
    return d


_DURATION = re.compile(r"^([0-9]{1,6}(?:[.,][0-9]{1,4})?)\s*(mois|m|months?|ans?|annees?|years?|jours?|j|days?)?$")


def duration(v: object) -> int:
    """A duration in whole months (« 3 ans » is 36); at most :data:`DURATION_MAX_MONTHS`."""
    if type(v) in (int, float) and type(v) is not bool:
        n = float(v)  # type: ignore[arg-type]
        unit = ""
    else:
        s = text(v).lower()
        m = _DURATION.match(s[:40])
        if not m:
            raise CellProblem(IssueCode.DURATION_INVALID, f"Nombre de mois attendu (« {text(v)[:40]} »).")
        n, unit = float(m.group(1).replace(",", ".")), m.group(2) or ""
        if unit.startswith(("an", "year")):
            n *= 12
        elif unit.startswith(("j", "day")):
            n /= 30
    if not 0 <= n <= DURATION_MAX_MONTHS:  # NaN fails too
        raise CellProblem(IssueCode.DURATION_INVALID, f"(« {text(v)[:40]} »)")
    return int(Decimal(repr(n)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def a_date(v: object) -> date:
    try:
        d = to_date(v if type(v) is not str else v[:40])
    except DateError as e:
        raise CellProblem(IssueCode.DATE_INVALID, _sentence(e)) from None
    if d is None:
        raise CellProblem(IssueCode.DATE_INVALID, f"(« {text(v)[:40]} »)")
    return d


# -- codes ---------------------------------------------------------------------
# ASCII digits only: « ² » or Arabic-Indic digits are not a CPV code.
_CPV = re.compile(r"^\s*([0-9]{2}[ .]?[0-9]{3}[ .]?[0-9]{3}|[0-9]{7})(?:\s*[-–]\s*([0-9]))?\s*(?:[-–:]?\s*[^\W\d_][^\n]*)?$")


@lru_cache(maxsize=8192)
def cpv_code(v: object) -> tuple[str | None, IssueCode | None]:
    """(8-digit code or None, issue code or None) for a CPV cell; a label may follow the code.

    >>> cpv_code("90910000-9 Services de nettoyage"), cpv_code("90910000-9-9")
    (('90910000', None), (None, <IssueCode.CPV_MALFORMED: 'cpv-malformed'>))
    """
    s = text(v)[:300]
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
    """The 8-digit CPV code of a cell; a wrong check digit is a warning and the code is kept."""
    code, problem = cpv_code(v if type(v) is str else text(v))  # cached: a text key (a Decimal sNaN has no hash)
    if problem is not None:
        raise CellProblem(problem, None if code is None else f"(« {text(v)[:40]} »)", kept=code)
    return code  # type: ignore[return-value]


@lru_cache(maxsize=8192)
def nature_of(code: str) -> Nature:
    return Nature(_cpv.nature(code))


@lru_cache(maxsize=8192)
def _company_id(v: str) -> str:
    return validate_company_id(v)


def siret(v: object) -> str:
    """A SIRET (14 digits) or SIREN (9), validated (Luhn); spaces and a float's ``.0`` removed."""
    s = text(v)
    if len(s) > 40:
        raise CellProblem(IssueCode.SIRET_INVALID, f"Identifiant trop long ({len(s)} caractères).")
    try:
        return _company_id(s)
    except InvalidCode as e:
        raise CellProblem(IssueCode.SIRET_INVALID, str(e)) from None


# -- vocabularies ----------------------------------------------------------------
def _vocab(pairs: dict[str, Any]) -> dict[str, Any]:
    return {normalise(k): val for k, val in pairs.items()}


_NATURES = _vocab({"travaux": Nature.TRAVAUX, "works": Nature.TRAVAUX, "t": Nature.TRAVAUX, "travail": Nature.TRAVAUX,
                   "fournitures": Nature.FOURNITURES, "fourniture": Nature.FOURNITURES, "supplies": Nature.FOURNITURES,
                   "supply": Nature.FOURNITURES, "goods": Nature.FOURNITURES, "f": Nature.FOURNITURES,
                   "services": Nature.SERVICES, "service": Nature.SERVICES, "s": Nature.SERVICES})
_KINDS = _vocab({
    **{k.label: k for k in ContractKind}, **{k.value.replace("_", " "): k for k in ContractKind},
    "marché public": ContractKind.MARCHE, "marché simple": ContractKind.MARCHE, "accord cadre": ContractKind.ACCORD_CADRE,
    "ac": ContractKind.ACCORD_CADRE, "framework agreement": ContractKind.ACCORD_CADRE, "contract": ContractKind.MARCHE,
    "partenariat": ContractKind.MARCHE_PARTENARIAT, "concession": ContractKind.CONCESSION,
    "contrat de concession": ContractKind.CONCESSION, "marché fractionné à tranches": ContractKind.MARCHE,
    "marché à tranches": ContractKind.MARCHE, "marché à bons de commande": ContractKind.ACCORD_CADRE, "dépense": ContractKind.DEPENSE,
    "marché défense sécurité": ContractKind.MARCHE_DEFENSE, "marché de défense ou de sécurité": ContractKind.MARCHE_DEFENSE,
})
_BUYER_KINDS = _vocab({**{k.label: k for k in BuyerKind}, **{k.value.replace("_", " "): k for k in BuyerKind},
                       "métropole": BuyerKind.EPCI, "communauté d'agglomération": BuyerKind.EPCI,
                       "communauté de communes": BuyerKind.EPCI, "ville": BuyerKind.COMMUNE, "chu": BuyerKind.HOPITAL,
                       "ch": BuyerKind.HOPITAL, "département": BuyerKind.DEPARTEMENT, "région": BuyerKind.REGION,
                       "autre acheteur soumis au code": BuyerKind.AUTRE})
_SUPPLIER_KINDS = _vocab({
    "siae": SupplierKind.SIAE, "iae": SupplierKind.SIAE, "structure d'insertion": SupplierKind.SIAE,
    "structure d'insertion par l'activité économique": SupplierKind.SIAE, "ei": SupplierKind.SIAE,
    "aci": SupplierKind.SIAE, "etti": SupplierKind.SIAE, "ai": SupplierKind.SIAE, "geiq": SupplierKind.SIAE,
    "ea": SupplierKind.EA, "entreprise adaptée": SupplierKind.EA, "esat": SupplierKind.ESAT,
    "esus": SupplierKind.ESUS, "ess": SupplierKind.ESS, **{k.label: k for k in SupplierKind},
})
_NO_WORDS = frozenset(_vocab({w: 1 for w in ("non", "no", "aucun", "aucune", "sans objet", "néant", "neant", "none", "sans", "autre",
                                             "classique", "-", "n", "0", "faux", "false")}))
_YES_WORDS = frozenset(_vocab({w: 1 for w in ("oui", "o", "x", "yes", "y", "1", "vrai", "true")}))
_EXEMPTIONS = _vocab({**{k.label: k for k in SocialExemption}, **{k.value.replace("_", " "): k for k in SocialExemption}})
_EGALIM = _vocab({**{k.label: k for k in EgalimCategory}, **{k.value.replace("_", " "): k for k in EgalimCategory},
                  "bio": EgalimCategory.BIO, "biologique": EgalimCategory.BIO, "agriculture biologique": EgalimCategory.BIO,
                  "ab": EgalimCategory.BIO, "en conversion": EgalimCategory.BIO, "durable": EgalimCategory.DURABLE,
                  "durable et de qualité": EgalimCategory.DURABLE, "egalim": EgalimCategory.DURABLE,
                  "siqo": EgalimCategory.DURABLE, "label rouge": EgalimCategory.DURABLE, "aop": EgalimCategory.DURABLE,
                  "igp": EgalimCategory.DURABLE, "hve": EgalimCategory.DURABLE, "autre": EgalimCategory.AUTRE,
                  "non": EgalimCategory.AUTRE, "conventionnel": EgalimCategory.AUTRE,
                  "autre produit alimentaire": EgalimCategory.AUTRE})
_AGEC_LABELS = {normalise(label): n for n, label in AGEC_CATEGORIES.items()}
_SPLIT = re.compile(r"[;,/|+\n]+")


def is_none_word(n: str) -> bool:
    """A normalised text saying « none » (« Pas de ... », « Sans objet », « Non »)."""
    return n in _NO_WORDS or n.startswith(("pas ", "aucun", "sans ", "non "))


def _one_of(table: dict[str, Any], what: str) -> Callable[[object], Any]:
    def conv(v: object) -> Any:
        hit = table.get(normalise(v))
        if hit is None:
            raise CellProblem(IssueCode.VALUE_INVALID, f"{what} (« {text(v)[:60]} »).")
        return hit

    return conv


buyer_kind = _one_of(_BUYER_KINDS, "Type d'acheteur attendu : commune, epci, departement, region, etat, hopital...")


def nature_or_kind(v: object) -> Nature | ContractKind:
    """A nature (Travaux, Fournitures, Services) or a contract kind (Marché, Accord-cadre...).

    Exports swap them: the DECP « nature » column holds the contract kind, the consolidated
    DECP « type » column the nature. The reader puts each value where it belongs.
    """
    n = normalise(v)
    hit = _NATURES.get(n) or _KINDS.get(n)
    if hit is None:
        raise CellProblem(IssueCode.VALUE_INVALID, f"Nature (Travaux, Fournitures, Services) ou type de contrat "
                          f"(Marché, Accord-cadre, Contrat de concession...) attendu (« {text(v)[:60]} »).")
    return hit  # type: ignore[no-any-return]


def raw(v: object) -> str:
    """A text kept whole but for its ends: several co-contractors are written one per line.

    (safe_cell quotes a cell, not its lines: only the first line may carry the anti-formula quote.)
    """
    if type(v) is not str:
        return text(v)
    first, sep, rest = v.rstrip().partition("\n")
    first = first.strip()
    return (first[1:] if first[:1] == "'" and first[1:2] in _QUOTED else first) + sep + rest


def _parts(v: object) -> list[str]:
    """The parts of a multi-valued cell; a DECP list written as text (« ['Clause sociale'] ») too."""
    s = text(v)[:2000]
    if s[:1] == "[" and s[-1:] == "]":
        try:
            items = ast.literal_eval(s)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            items = None
        if isinstance(items, list) and all(isinstance(x, str) for x in items):
            return items
    return _SPLIT.split(s)


def _considerations(v: object, kinds: tuple[tuple[str, Any], ...], none: Any, clause: Any, clause_words: tuple[str, ...]) -> frozenset[Any]:
    """A cell of considerations: each part is a kind (by keyword, in order), "none", or a clause."""
    out: set[Any] = set()
    for part in _parts(v):
        n = normalise(part)
        if not n:
            continue
        kind = next((member for word, member in kinds if word in n), None)
        if kind is not None:
            out.add(kind)
        elif is_none_word(n):
            out.add(none)
        elif n in _YES_WORDS or any(w in n for w in clause_words):
            out.add(clause)
        else:
            raise CellProblem(IssueCode.CONSIDERATION_INVALID, f"(« {part.strip()[:60]} ») : valeur laissée inconnue.")
    # "Pas de ..." next to a real consideration: the real one wins.
    if none in out and len(out) > 1:
        out.discard(none)
    return frozenset(out)


@lru_cache(maxsize=1024)
def _social(v: str) -> frozenset[SocialConsideration]:
    S = SocialConsideration
    return _considerations(v, (("reserv", S.RESERVE), ("critere", S.CRITERE)), S.AUCUNE, S.CLAUSE, ("clause", "insertion"))


@lru_cache(maxsize=1024)
def _environmental(v: str) -> frozenset[EnvironmentalConsideration]:
    E = EnvironmentalConsideration
    return _considerations(v, (("critere", E.CRITERE),), E.AUCUNE, E.CLAUSE, ("clause",))


def social(v: object) -> frozenset[SocialConsideration]:
    return _social(text(v))


def environmental(v: object) -> frozenset[EnvironmentalConsideration]:
    return _environmental(text(v))


@lru_cache(maxsize=1024)
def _supplier_kinds(v: str) -> frozenset[SupplierKind]:
    out = set()
    for part in _SPLIT.split(v):
        n = normalise(part)
        if not n or is_none_word(n):
            continue
        hit = _SUPPLIER_KINDS.get(n)
        if hit is None:
            raise CellProblem(IssueCode.VALUE_INVALID, f"Type de structure attendu : SIAE, EA, ESAT, ESUS ou ESS (« {part.strip()[:60]} »).")
        out.add(hit)
    return frozenset(out)


def supplier_kinds(v: object) -> frozenset[SupplierKind]:
    return _supplier_kinds(text(v)[:2000])


def exemption(v: object) -> SocialExemption:
    n = normalise(v)
    hit = _EXEMPTIONS.get(n)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    if "lien" in n:
        return SocialExemption.NO_LINK
    if "concurrence" in n or "difficulte" in n:
        return SocialExemption.COMPETITION_OR_DIFFICULTY
    if "immediat" in n or "disponible" in n:
        return SocialExemption.IMMEDIATELY_AVAILABLE
    raise CellProblem(IssueCode.VALUE_INVALID, f"Motif d'exemption non reconnu (« {text(v)[:60]} »).")


def egalim(v: object) -> EgalimCategory:
    n = normalise(v)
    hit = _EGALIM.get(n)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    if "bio" in n:
        return EgalimCategory.BIO
    if "durable" in n or "qualite" in n or "label" in n:
        return EgalimCategory.DURABLE
    raise CellProblem(IssueCode.VALUE_INVALID, f"Catégorie EGalim attendue : Bio, Durable et de qualité ou Autre (« {text(v)[:60]} »).")


def yes_no(v: object) -> bool:
    if type(v) is bool:
        return v  # type: ignore[return-value]
    n = normalise(v)
    if n in _YES_WORDS:
        return True
    if n in _NO_WORDS:
        return False
    raise CellProblem(IssueCode.VALUE_INVALID, f"Oui ou Non attendu (« {text(v)[:60]} »).")


def agec_category(v: object) -> int:
    if type(v) in (int, float) and float(v).is_integer() and 1 <= v <= 17:  # type: ignore[arg-type, operator]
        return int(v)  # type: ignore[call-overload, no-any-return]
    n = normalise(v)
    if n in _AGEC_LABELS:
        return _AGEC_LABELS[n]
    m = re.match(r"^(?:cat\w*\s*)?([0-9]{1,2})\b", n)
    if m and 1 <= int(m.group(1)) <= 17:
        return int(m.group(1))
    for label, num in _AGEC_LABELS.items():
        if n and label.startswith(n):
            return num
    raise CellProblem(IssueCode.VALUE_INVALID, f"Catégorie AGEC attendue : numéro de 1 à 17 (« {text(v)[:60]} »).")


def agec_kind(v: object) -> AgecKind:
    n = normalise(v)
    if "reemploi" in n or "reutilis" in n or "reconditionn" in n:
        return AgecKind.REEMPLOI
    if "recycl" in n:
        return AgecKind.RECYCLE
    if "neuf" in n or "autre" in n or n in _NO_WORDS:
        return AgecKind.AUTRE
    raise CellProblem(IssueCode.VALUE_INVALID, f"Réemploi, Recyclé ou Neuf attendu (« {text(v)[:60]} »).")


def livre_v(v: object) -> str | None:
    s = text(v)
    return None if is_none_word(normalise(s)) else s


def techniques(v: object) -> tuple[str, ...]:
    return tuple(p.strip() for p in _parts(v) if p.strip() and not is_none_word(normalise(p)))


def _sentence(e: Exception) -> str:
    s = str(e)
    return s[:1].upper() + s[1:] + ("" if s.endswith(".") else ".")
