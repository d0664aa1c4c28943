"""French texts: jinja2 templates (package data) rendered to a tiny block markup.

The templates in ``spaser/templates/`` produce lines of a small markup that
:func:`parse` turns into blocks:

- ``# Titre`` / ``## Titre`` / ``### Titre``: headings (Word styles Heading 1-3),
  numbered automatically (``1.``, ``1.2``; ``Annexe A`` after ``@annexes``);
- ``- texte``: bullet; ``> texte``: highlighted note; ``**gras**`` inside a line;
- ``@nom argument``: a directive (table, chart, page break...) the document
  renderer resolves from its view model;
- other lines are paragraph text; a blank line ends a paragraph.

Every ``{{ value }}`` goes through :func:`_finalize`: user text is stripped of
characters XML cannot hold (``xml_text``) and flattened to one line, so data
can never inject markup. The environment uses ``StrictUndefined``: a missing
variable is an error, never an empty string. User-supplied texts (from the
configuration file) run in a ``SandboxedEnvironment`` with the same rules.

>>> blocks = parse("# Titre\\n\\nUn texte\\nsuite.\\n- point\\n@table volumes")
>>> [(b.kind, b.text) for b in blocks]
[('h1', 'Titre'), ('p', 'Un texte suite.'), ('bullet', 'point'), ('directive', 'table volumes')]
>>> render_string("{{ x }}", {"x": "a\\x00b\\n# c **d**"})
'ab # c *\\u200b*d*\\u200b*'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from spaser._errors import InputError
from spaser._french import agree
from spaser.io.safe import xml_text
from spaser.money import format_eur, format_number, format_percent

__all__ = ["Block", "parse", "render_template", "render_string", "render_user", "environment"]

_WS = re.compile(r"[^\S\u00a0\u202f]+")  # runs of white space, but never the no-break spaces inside numbers


def _finalize(value: Any) -> Any:
    if value is None:
        return "n.d."
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)  # years and plain counts; use |num for thousands separators
    if isinstance(value, Decimal):
        return format_number(value, 0 if value == value.to_integral_value() else 2)
    if isinstance(value, date):
        from spaser.documents._docx import date_fr

        return date_fr(value)
    text = _WS.sub(" ", xml_text(str(value))).strip()
    # A "**" coming from data must not toggle bold: break it with a zero-width space.
    return text.replace("**", "*\u200b*")


def _eur(value: Decimal | int | None, cents: bool = False) -> str:
    return "n.d." if value is None else format_eur(Decimal(value), cents=cents)


def _meur(value: Decimal | int | None) -> str:
    """Millions of euros, one decimal: ``12,3 M€``."""
    if value is None:
        return "n.d."
    return format_number(Decimal(value) / Decimal(1_000_000), 1) + "\xa0M€"


def _pct(value: Decimal | float | None, decimals: int = 1) -> str:
    return format_percent(value, decimals)


def _num(value: Decimal | int | None, decimals: int = 0) -> str:
    return "n.d." if value is None else format_number(Decimal(value), decimals)


def _date(value: date | None) -> str:
    from spaser.documents._docx import date_fr

    return "n.d." if value is None else date_fr(value)


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return agree(n, singular, plural or singular + "s")


# First word of a body's name -> its article ("le conseil de la Métropole...").
_FEMININE = {"métropole", "commune", "ville", "région", "communauté", "collectivité", "mairie", "préfecture", "direction", "agence", "caisse", "chambre"}
_MASCULINE = {"département", "conseil", "syndicat", "centre", "service", "sdis", "ccas", "groupement", "ministère", "sivom", "sivu", "pôle"}
_ELIDED = {"eurométropole", "établissement", "office", "agglomération", "université", "assemblée", "institut", "hôpital", "école"}
_VOWELS = tuple("aeiouyéèêàâîôûh")


def _article(name: str) -> str:
    head = name.split(" ", 1)[0]
    first = head.lower()
    if first in _FEMININE:
        return "la "
    if first in _MASCULINE:
        return "le "
    if first in _ELIDED:
        return "l'"
    return ""


def the_name(name: str) -> str:
    """A buyer's name with its article, as a subject: « la Métropole de Lyon », « Irigny ».

    >>> the_name("Métropole de Lyon"), the_name("Département du Nord"), the_name("Irigny")
    ('la Métropole de Lyon', 'le Département du Nord', 'Irigny')
    """
    name = str(name).strip()
    return _article(name) + name


def of_name(name: str) -> str:
    """« de » + a buyer's name with the French article it takes.

    >>> of_name("Métropole de Lyon"), of_name("Département du Nord"), of_name("Eurométropole de Strasbourg")
    ('de la Métropole de Lyon', 'du Département du Nord', "de l'Eurométropole de Strasbourg")
    >>> of_name("Ville de Paris"), of_name("INOVALYS"), of_name("Irigny"), of_name("Angers Loire Métropole")
    ('de la Ville de Paris', 'de INOVALYS', "d'Irigny", "d'Angers Loire Métropole")
    """
    name = str(name).strip()
    if name.startswith(("Le ", "La ", "Les ", "L'")):  # a title with its article: « du Président »
        head, _, rest = name.partition(" ") if not name.startswith("L'") else ("L'", "", name[2:])
        return {"Le": "du ", "La": "de la ", "Les": "des ", "L'": "de l'"}[head] + rest
    article = _article(name)
    if article == "le ":
        return "du " + name
    if article:
        return "de " + article + name
    head = name.split(" ", 1)[0]
    if head.lower().startswith(_VOWELS) and not head.isupper():
        return "d'" + name  # a place name: d'Irigny
    return "de " + name


def agreed(name: str, masculine: str, feminine: str | None = None) -> str:
    """An adjective or participle agreeing with a buyer's name: « obligée » for « la Métropole ... ».

    >>> agreed("Métropole de Lyon", "obligé"), agreed("Département du Nord", "obligé"), agreed("Irigny", "tenu")
    ('obligée', 'obligé', 'tenu')
    """
    return (feminine or masculine + "e") if _article(str(name).strip()) == "la " else masculine


_FILTERS = {"accord": agreed, "eur": _eur, "meur": _meur, "pct": _pct, "num": _num, "date_fr": _date, "plural": _plural, "de": of_name, "le": the_name}
_OPTIONS: dict[str, Any] = dict(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    finalize=_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("spaser", "templates"), **_OPTIONS)
    env.filters.update(_FILTERS)
    return env


@lru_cache(maxsize=1)
def _sandbox() -> SandboxedEnvironment:
    env = SandboxedEnvironment(**_OPTIONS)
    env.filters.update(_FILTERS)
    return env


def render_template(name: str, context: Mapping[str, Any]) -> str:
    return environment().get_template(name).render(**context)


def render_string(source: str, context: Mapping[str, Any]) -> str:
    """Render a text given by the user, in the sandbox."""
    return _sandbox().from_string(source).render(**context)


def render_user(key: str, source: str, context: Mapping[str, Any], *, file: str | None = None) -> str:
    """A user text from the configuration; any problem is a French error naming its key."""
    try:
        return render_string(source, context)
    except jinja2.TemplateSyntaxError as e:
        why = f"erreur de syntaxe ligne {e.lineno} ({e.message})"
    except jinja2.UndefinedError as e:
        why = f"variable inconnue ({e.message})"
    except jinja2.exceptions.SecurityError as e:
        why = f"opération interdite dans un texte personnalisé ({e})"
    except (TypeError, ValueError, ArithmeticError, LookupError) as e:
        why = f"le texte ne peut pas être produit ({type(e).__name__} : {e})"
    raise InputError(f"texte personnalisé « textes.{key} » : {why}.", code="config-invalid", file=file, column=None)


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # h1 h2 h3 p bullet note directive
    text: str


_PREFIXES = (("### ", "h3"), ("## ", "h2"), ("# ", "h1"), ("- ", "bullet"), ("> ", "note"), ("@", "directive"))


def parse(markup: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", " ".join(para)))
            para.clear()

    for raw in markup.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        for prefix, kind in _PREFIXES:
            if line.startswith(prefix):
                flush()
                blocks.append(Block(kind, line[len(prefix) :].strip()))
                break
        else:
            para.append(line)
    flush()
    return blocks
