"""French as a reader expects it, shared by the command line, the web page and the documents."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from spaser.money import format_number

__all__ = ["agree", "counted", "plural_forms", "records_read", "purchases_assessed"]

# A number (« 2 917 », « 49,1 ») then words, some with « (s) », up to the next number or punctuation.
# Each starts only where a match can (a whole number, a whole word): tried from inside a long run of
# digits or letters, they were quadratic (an object of 32 767 letters took 6 s in a document).
_NUMBER_THEN_FORMS = re.compile(r"(?<!\d)(?<!\d[\u202f\xa0 ])(\d[\d\u202f\xa0 ]*(?:,\d+)?)((?:[^\d.;:]*?\w\(s\))+)")
_FORM = re.compile(r"\b(\w+)\(s\)")


def agree(n: Decimal | int, one: str, many: str) -> str:
    """The word that agrees with ``n``: singular below 2, as French has it (« 0 achat », « 1,5 point »).

    >>> agree(1, "achat", "achats"), agree(2917, "achat", "achats"), agree(0, "contrat", "contrats")
    ('achat', 'achats', 'contrat')
    """
    return one if -2 < n < 2 else many


def counted(n: Decimal | int, one: str, many: str) -> str:
    """``n`` written as French writes numbers, then the words that agree with it.

    >>> counted(2917, "achat retenu", "achats retenus"), counted(1, "titulaire", "titulaires"), counted(0, "rejeté", "rejetés")
    ('2\u202f917 achats retenus', '1 titulaire', '0 rejeté')
    """
    return f"{format_number(n)} {agree(n, one, many)}"


def records_read(n: int) -> str:
    """How far an import is, as the command line and the web page say it.

    >>> records_read(120000), records_read(1)
    ('120\u202f000 enregistrements lus', '1 enregistrement lu')
    """
    return counted(n, "enregistrement lu", "enregistrements lus")


def purchases_assessed(done: int, total: int) -> str:
    """How far the advice on a portfolio is, as the command line says it.

    >>> purchases_assessed(30000, 99710), purchases_assessed(1, 1)
    ('30\u202f000 achats examinés sur 99\u202f710', '1 achat examiné sur 1')
    """
    return f"{counted(done, 'achat examiné', 'achats examinés')} sur {format_number(total)}"


def plural_forms(text: str) -> str:
    """« 3 contrat(s) compté(s) » → « 3 contrats comptés », « 1 contrat(s) » → « 1 contrat »: the
    « (s) » forms of a sentence agree with the number before them (plural from 2, as French has it);
    with no number before, the plural.

    >>> plural_forms("72 contrat(s) sans montant : compté(s) en nombre ; 1 ligne(s) de dépense comptée(s).")
    '72 contrats sans montant : comptés en nombre ; 1 ligne de dépense comptée.'
    >>> plural_forms("écart 49,1 point(s), puis 1,5 point(s) ; 0 contrat(s) ; voir les hypothèse(s)")
    'écart 49,1 points, puis 1,5 point ; 0 contrat ; voir les hypothèses'
    """
    def agreed(m: re.Match[str]) -> str:
        try:
            n = Decimal(re.sub(r"[\s\u202f\xa0]", "", m.group(1)).replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern gives a number
            n = Decimal(2)
        return m.group(1) + _FORM.sub(lambda f: agree(n, f.group(1), f.group(1) + "s"), m.group(2))

    return _FORM.sub(lambda f: f.group(1) + "s", _NUMBER_THEN_FORMS.sub(agreed, text))
