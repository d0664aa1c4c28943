"""Legal parameters: one YAML file per value, dated, referenced (OpenFisca style).

The folder tree under ``spaser/law/parameters/`` is the namespace: the file
``spaser/seuil.yaml`` is the parameter ``"spaser.seuil"``. The file format is
described in ``spaser/law/parameters/README.md``; the loader is strict (an
unknown key, a missing reference, a bad date or a value of the wrong type
raises :class:`ParameterError` naming the file and the key).

Numbers are never floats: the YAML loader keeps numbers and dates as text and
this module converts them according to the parameter's unit (``Decimal`` for
amounts and ratios, ``int`` for integers, ``date`` for dates).

The loaded set is a :class:`Parameters`: a read-only mapping by dotted name, also read
as attributes (``parameters.spaser.seuil`` is the parameter ``spaser.seuil``; a wrong
name is an ``AttributeError``, and ``spaser/law/_names.py``, generated from the folder
tree, types every name for mypy). The engine reads the parameters of the
:class:`spaser.Law` it is given (``law.parameters``); :func:`shipped` and the helpers
below read the law as published with spaser.

>>> p = shipped().spaser.seuil
>>> p.unit, p.kind
('EUR_HT', 'law')
>>> p.at(date(2023, 1, 1)).start
datetime.date(2023, 1, 1)
>>> p.at(date(2023, 1, 1)).value < p.at(date(2022, 12, 31)).value
True
>>> type(p.at(date(2023, 1, 1)).value).__name__
'Decimal'
>>> p.at(date(2000, 1, 1)) is None
True
>>> value("spaser.seuil", date(2000, 1, 1))
Traceback (most recent call last):
    ...
spaser.law.params.NotInForce: Le paramètre « spaser.seuil » (Seuil de dépenses annuelles au-delà duquel un SPASER est obligatoire) n'est pas en vigueur au 01/01/2000 : sa première valeur s'applique à partir du 01/02/2015.
"""

from __future__ import annotations

import re
import keyword
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml

from spaser._errors import ParameterError
from spaser.money import format_number

__all__ = [
    "Reference",
    "ParameterValue",
    "Parameter",
    "NotInForce",
    "UNITS",
    "KINDS",
    "ROOT",
    "get",
    "value",
    "all",
    "in_force",
    "load_dir",
    "reload",
    "shipped",
    "Parameters",
    "Branch",
    "BranchBase",
    "ParametersBase",
    "Lookup",
    "names_source",
]

ROOT = Path(__file__).parent / "parameters"

Kind = Literal["law", "practice", "context"]
KINDS: tuple[str, ...] = ("law", "practice", "context")

# unit -> French label shown to users.
UNITS: dict[str, str] = {
    "EUR_HT": "€ HT",
    "EUR": "€",
    "EUR_per_hour": "€ par heure",
    "ratio": "proportion (0 à 1)",
    "integer": "nombre entier",
    "hours": "heures",
    "date": "date",
    "bool": "oui/non",
    "text": "texte",
    "list": "liste",
    "table": "table",
}
# Every integer parameter counts years or months, or names a year: a whole number from 1 to 9 999
# (0 or -5 months supposed, or a million, mean nothing; the what-if laws are held to it too).
INTEGER_RANGE = range(1, 10**4)
INTEGER_EXPECTED = f"nombre entier de {INTEGER_RANGE[0]} à {format_number(INTEGER_RANGE[-1])} attendu"
_SCALAR_UNITS = {"EUR_HT", "EUR", "EUR_per_hour", "ratio", "integer", "hours", "date", "bool", "text"}

_TOP_KEYS = {"description", "unit", "kind", "values", "item_unit", "documentation"}
_TOP_REQUIRED = {"description", "unit", "kind", "values"}
_VALUE_KEYS = {"value", "references", "to_confirm", "note"}
_REF_KEYS = {"title", "article", "url", "checked"}
_REF_REQUIRED = {"title", "article", "checked"}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Digits with optional "_" thousands groups (1_234_567) and decimals.
_NUMBER = re.compile(r"^-?\d{1,3}(?:_?\d{3})*(?:\.\d+)?$|^-?\d+(?:\.\d+)?$")
_SEGMENT = re.compile(r"^[a-z_][a-z0-9_]*$")  # read as an attribute: law.parameters.spaser.seuil


class NotInForce(ParameterError):
    """A parameter asked at a date where it has no value (not yet, or ended)."""

    exit_code = 5


@dataclass(frozen=True)
class Reference:
    """A legal (or practice) source for one dated value."""

    title: str
    article: str
    url: str | None
    checked: date  # date the source was last checked

    def __str__(self) -> str:
        return f"{self.title}, {self.article}" if self.article else self.title

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "article": self.article, "url": self.url, "checked": self.checked.isoformat()}


@dataclass(frozen=True)
class ParameterValue:
    """The value a parameter takes from ``start`` until the next dated value."""

    start: date
    value: Any  # Decimal | int | bool | str | date | list | dict | None (None ends the parameter)
    references: tuple[Reference, ...]
    to_confirm: bool = False
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "value": _jsonable(self.value),
            "references": [r.to_dict() for r in self.references],
            "to_confirm": self.to_confirm,
            "note": self.note,
        }


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str  # French
    unit: str
    kind: str  # "law" | "practice" | "context"
    values: tuple[ParameterValue, ...]  # sorted by start
    file: Path
    item_unit: str | None = None
    documentation: str | None = field(default=None, compare=False)
    # Set on the copies a recording set hands out (Parameters.recording): every lookup is appended.
    log: list[Lookup] | None = field(default=None, compare=False, repr=False)

    def at(self, d: date) -> ParameterValue | None:
        """The newest value on or before ``d``; None before the first value or after a null."""
        current = None
        for v in self.values:
            if v.start <= d:
                current = v
            else:
                break
        found = None if current is None or current.value is None else current
        if self.log is not None:
            self.log.append((self, d, found))
        return found

    def value_at(self, d: date) -> Any:
        """The value in force at ``d``, or raise :class:`NotInForce` (French message)."""
        v = self.at(d)
        if v is None:
            raise NotInForce(_not_in_force_message(self, d), code="parameter-not-in-force")
        return v.value

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "unit": self.unit,
            "kind": self.kind,
            "values": [v.to_dict() for v in self.values],
        }


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _not_in_force_message(p: Parameter, d: date) -> str:
    head = f"Le paramètre « {p.name} » ({p.description}) n'est pas en vigueur au {_fr(d)}"
    later = [v for v in p.values if v.start > d and v.value is not None]
    earlier = [v for v in p.values if v.start <= d]
    if not earlier and later:
        return f"{head} : sa première valeur s'applique à partir du {_fr(later[0].start)}."
    if earlier and earlier[-1].value is None:
        tail = f" ; une nouvelle valeur s'applique à partir du {_fr(later[0].start)}" if later else ""
        return f"{head} : il a pris fin le {_fr(earlier[-1].start)}{tail}."
    return head + "."


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


# One lookup of a recording set: the parameter, the date asked, the value found (None: not in force).
Lookup = tuple[Parameter, date, "ParameterValue | None"]


# -- loading -----------------------------------------------------------


class _TextLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that leaves numbers and dates as text (no float, no implicit date); libyaml's when
    PyYAML was built with it (the same documents, parsed ten times faster: every command loads the law)."""


_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _fail(file: Path, key: str, message: str) -> ParameterError:
    return ParameterError(f"Paramètre juridique invalide, fichier « {file} », clé « {key} » : {message}", code="parameter-invalid")


def _date(file: Path, key: str, raw: Any) -> date:
    if isinstance(raw, date):  # defensive: the loader keeps dates as text
        return raw
    if not isinstance(raw, str) or not _DATE.match(raw):
        raise _fail(file, key, f"date attendue au format AAAA-MM-JJ (« {raw} »)")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _fail(file, key, f"date impossible (« {raw} »)") from None


def _scalar(file: Path, key: str, unit: str, raw: Any) -> Any:
    if unit in ("EUR_HT", "EUR", "EUR_per_hour", "ratio", "hours"):
        if isinstance(raw, bool) or not isinstance(raw, str) or not _NUMBER.match(raw):
            raise _fail(file, key, f"nombre attendu pour l'unité {unit} (« {raw} »)")
        try:
            d = Decimal(raw.replace("_", ""))
        except InvalidOperation:
            raise _fail(file, key, f"nombre illisible (« {raw} »)") from None
        if d < 0:
            raise _fail(file, key, f"valeur négative (« {raw} »)")
        if unit == "ratio" and d > 1:
            raise _fail(file, key, f"une proportion doit être entre 0 et 1 (« {raw} » ; écrire 0.2 pour 20 %)")
        return d
    if unit == "integer":
        if isinstance(raw, bool) or not isinstance(raw, str) or not re.fullmatch(r"\d{1,4}", raw) or int(raw) not in INTEGER_RANGE:
            raise _fail(file, key, f"{INTEGER_EXPECTED} (« {raw} »)")
        return int(raw)
    if unit == "date":
        return _date(file, key, raw)
    if unit == "bool":
        if not isinstance(raw, bool):
            raise _fail(file, key, f"true ou false attendu (« {raw} »)")
        return raw
    if unit == "text":
        if not isinstance(raw, str) or not raw.strip():
            raise _fail(file, key, f"texte non vide attendu (« {raw} »)")
        return raw
    raise _fail(file, key, f"unité inconnue « {unit} »")


def _convert(file: Path, key: str, unit: str, item_unit: str | None, raw: Any) -> Any:
    if raw is None:
        return None
    if unit == "list":
        if not isinstance(raw, list) or not raw:
            raise _fail(file, key, "liste non vide attendue")
        return [_scalar(file, f"{key}[{i}]", item_unit or "text", x) for i, x in enumerate(raw)]
    if unit == "table":
        if not isinstance(raw, dict) or not raw:
            raise _fail(file, key, "table (clé : valeur) non vide attendue")
        return {str(k): _convert(file, f"{key}.{k}", "table", item_unit, x) if isinstance(x, dict) else _scalar(file, f"{key}.{k}", item_unit or "text", x) for k, x in raw.items()}
    return _scalar(file, key, unit, raw)


def _reference(file: Path, key: str, raw: Any) -> Reference:
    if not isinstance(raw, dict):
        raise _fail(file, key, "une référence est une table (title, article, url, checked)")
    unknown = set(raw) - _REF_KEYS
    if unknown:
        raise _fail(file, f"{key}.{sorted(unknown)[0]}", f"clé inconnue (clés admises : {', '.join(sorted(_REF_KEYS))})")
    missing = _REF_REQUIRED - set(raw)
    if missing:
        raise _fail(file, f"{key}.{sorted(missing)[0]}", "clé obligatoire manquante")
    for k in ("title", "article"):
        if not isinstance(raw[k], str) or not raw[k].strip():
            raise _fail(file, f"{key}.{k}", "texte non vide attendu")
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
        raise _fail(file, f"{key}.url", f"adresse https:// attendue (« {url} »)")
    return Reference(title=raw["title"].strip(), article=raw["article"].strip(), url=url, checked=_date(file, f"{key}.checked", raw["checked"]))


def load_file(file: Path, name: str) -> Parameter:
    """Load and check one parameter file."""
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_TextLoader)  # noqa: S506 - SafeLoader subclass
    except (OSError, yaml.YAMLError) as e:
        raise ParameterError(f"Paramètre juridique illisible, fichier « {file} » : {e}", code="parameter-invalid") from None
    if not isinstance(data, dict):
        raise _fail(file, "(racine)", "une table YAML est attendue")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(file, sorted(unknown)[0], f"clé inconnue (clés admises : {', '.join(sorted(_TOP_KEYS))})")
    missing = _TOP_REQUIRED - set(data)
    if missing:
        raise _fail(file, sorted(missing)[0], "clé obligatoire manquante")
    unit, kind, item_unit = data["unit"], data["kind"], data.get("item_unit")
    if unit not in UNITS:
        raise _fail(file, "unit", f"unité inconnue « {unit} » (admises : {', '.join(UNITS)})")
    if item_unit is not None and (unit not in ("list", "table") or item_unit not in _SCALAR_UNITS):
        raise _fail(file, "item_unit", "réservé aux unités list et table, avec une unité simple")
    if kind not in KINDS:
        raise _fail(file, "kind", f"nature inconnue « {kind} » (admises : {', '.join(KINDS)})")
    if not isinstance(data["description"], str) or not data["description"].strip():
        raise _fail(file, "description", "texte non vide attendu")
    raw_values = data["values"]
    if not isinstance(raw_values, dict) or not raw_values:
        raise _fail(file, "values", "au moins une valeur datée est attendue (date : {value, references})")
    values = []
    for raw_start, entry in raw_values.items():
        key = f"values.{raw_start}"
        start = _date(file, key, raw_start)
        if not isinstance(entry, dict):
            raise _fail(file, key, "table attendue (value, references, to_confirm, note)")
        unknown = set(entry) - _VALUE_KEYS
        if unknown:
            raise _fail(file, f"{key}.{sorted(unknown)[0]}", f"clé inconnue (clés admises : {', '.join(sorted(_VALUE_KEYS))})")
        if "value" not in entry:
            raise _fail(file, f"{key}.value", "clé obligatoire manquante (null pour mettre fin au paramètre)")
        refs = entry.get("references")
        if not isinstance(refs, list) or not refs:
            raise _fail(file, f"{key}.references", "au moins une référence est obligatoire")
        to_confirm = entry.get("to_confirm", False)
        if not isinstance(to_confirm, bool):
            raise _fail(file, f"{key}.to_confirm", "true ou false attendu")
        note = entry.get("note")
        if note is not None and not isinstance(note, str):
            raise _fail(file, f"{key}.note", "texte attendu")
        values.append(
            ParameterValue(
                start=start,
                value=_convert(file, f"{key}.value", unit, item_unit, entry["value"]),
                references=tuple(_reference(file, f"{key}.references[{i}]", r) for i, r in enumerate(refs)),
                to_confirm=to_confirm,
                note=note.strip() if note else None,
            )
        )
    values.sort(key=lambda v: v.start)
    doc = data.get("documentation")
    return Parameter(
        name=name,
        description=" ".join(data["description"].split()),
        unit=unit,
        kind=kind,
        values=tuple(values),
        file=file,
        item_unit=item_unit,
        documentation=doc if isinstance(doc, str) else None,
    )


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    for file in sorted(root.rglob("*")):
        if file.suffix not in (".yaml", ".yml") or not file.is_file():
            continue
        parts = file.relative_to(root).with_suffix("").parts
        for part in parts:
            if not _SEGMENT.match(part) or part in _RESERVED:
                raise ParameterError(
                    f"Paramètre juridique invalide, fichier « {file} » : nom « {part} » non admis "
                    "(minuscules, chiffres et _, sans commencer par un chiffre ; ni mot réservé de Python ni nom de méthode).",
                    code="parameter-invalid",
                )
        yield ".".join(parts), file


def load_dir(root: Path) -> dict[str, Parameter]:
    """Load every ``*.yaml`` under ``root`` (strictly); names follow the folder tree."""
    out: dict[str, Parameter] = {}
    for name, file in _files(Path(root)):
        if name in out:
            raise ParameterError(f"Paramètre « {name} » défini deux fois (« {out[name].file} » et « {file} »).", code="parameter-invalid")
        out[name] = load_file(file, name)
    return out


# -- the set of parameters, read by name or as attributes ------------------------------


class BranchBase:
    """What the parameters under a dotted prefix offer besides their names (``parameters.spaser.contenu``)."""

    __slots__ = ("_root", "_prefix")

    def __init__(self, root: ParametersBase, prefix: str) -> None:
        self._root, self._prefix = root, prefix

    @property
    def prefix(self) -> str:
        return self._prefix  # type: ignore[no-any-return]

    def in_force(self, d: date) -> list[tuple[Parameter, ParameterValue]]:
        """Every parameter under this prefix with a value at ``d``, by name."""
        return self._root.in_force(d, prefix=self._prefix)

    def __repr__(self) -> str:
        return f"<paramètres « {self._prefix}.* »>"


class Branch(BranchBase):
    """``parameters.spaser`` in ``parameters.spaser.seuil``, read as attributes (an unknown name: AttributeError)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._root._node(f"{self._prefix}.{name}")  # type: ignore[attr-defined]

    def __dir__(self) -> list[str]:
        return sorted(set(self._root._children(self._prefix + ".")) | set(super().__dir__()))


class ParametersBase(Mapping[str, Parameter]):
    """What a set of parameters offers besides its names (the generated types in ``_names.py`` extend it)."""

    __slots__ = ("_items", "_prefixes", "memo", "log")

    _items: dict[str, Parameter]
    _prefixes: frozenset[str]
    # Results computed from these parameters only (the advice asks the same questions for every
    # purchase): held by the set, so a what-if or a recording set starts its own.
    memo: dict[Any, Any]
    log: list[Lookup] | None  # every lookup, for a recording set (see recording())

    def __init__(self, items: Mapping[str, Parameter], log: list[Lookup] | None = None) -> None:
        self._items = dict(items)
        self._prefixes = frozenset(n.rsplit(".", k)[0] for n in self._items for k in range(1, n.count(".") + 1))
        self.memo = {}
        self.log = log

    def __getitem__(self, name: str) -> Parameter:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def recording(self) -> tuple[Parameters, list[Lookup]]:
        """A copy whose every lookup (``Parameter.at``) is appended to the returned list (a diagnosis's "parameters used")."""
        log: list[Lookup] = []
        return Parameters({n: replace(p, log=log) for n, p in self._items.items()}, log), log

    def with_parameter(self, p: Parameter) -> Parameters:
        """A copy where ``p`` replaces the parameter of the same name (a what-if); a recording set keeps recording."""
        items = dict(self._items)
        items[p.name] = replace(p, log=self.log)
        return Parameters(items, self.log)

    def in_force(self, d: date, *, prefix: str | None = None) -> list[tuple[Parameter, ParameterValue]]:
        """Every parameter with a value at ``d`` (optionally under a dotted ``prefix``), by name."""
        out = []
        for name, p in sorted(self._items.items()):
            if prefix and not (name == prefix or name.startswith(prefix + ".")):
                continue
            v = p.at(d)
            if v is not None:
                out.append((p, v))
        return out

    def _children(self, head: str) -> list[str]:
        return sorted({n[len(head):].split(".", 1)[0] for n in self._items if n.startswith(head)})


class Parameters(ParametersBase):
    """Parameters by dotted name (a read-only mapping), also read as attributes:
    ``parameters.spaser.seuil`` is the :class:`Parameter` ``spaser.seuil``; an unknown name
    raises ``AttributeError``.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._node(name)

    def _node(self, name: str) -> Any:
        found = self._items.get(name)
        if found is not None:
            return found
        if name in self._prefixes:
            return Branch(self, name)
        raise AttributeError(f"Aucun paramètre juridique « {name} » (voir spaser law --json).")

    def __dir__(self) -> list[str]:
        return sorted(set(self._children("")) | set(super().__dir__()))


# Names a folder or file may not take: Python words, and what a set of parameters already offers.
_RESERVED = frozenset(keyword.kwlist) | {n for n in dir(Parameters) + dir(Branch) if not n.startswith("__")}


_CACHE: Parameters | None = None


def reload() -> Parameters:
    """Reload the shipped parameters (after editing a file): a new set (a law made before keeps its own)."""
    global _CACHE
    _CACHE = Parameters(load_dir(ROOT))
    return _CACHE


def shipped() -> Parameters:
    """The shipped parameters, loaded once (strictly): the law as published with spaser."""
    return _CACHE if _CACHE is not None else reload()


def all() -> dict[str, Parameter]:  # noqa: A001 - the fixed API name
    """Every shipped parameter by name."""
    return dict(shipped())


def get(name: str) -> Parameter:
    """The shipped parameter ``name`` (a name typed by a user; the engine reads ``law.parameters``)."""
    try:
        return shipped()[name]
    except KeyError:
        raise ParameterError(f"Paramètre juridique inconnu : « {name} ».", code="parameter-unknown") from None


def value(name: str, d: date) -> Any:
    """The shipped value of ``name`` in force at ``d``; raises :class:`NotInForce` when there is none."""
    return get(name).value_at(d)


def in_force(d: date, *, prefix: str | None = None) -> list[tuple[Parameter, ParameterValue]]:
    """Every shipped parameter with a value at ``d`` (optionally under a dotted ``prefix``), by name."""
    return shipped().in_force(d, prefix=prefix)


# -- the names as types (mypy) -------------------------------------------------------------

NAMES_FILE = Path(__file__).parent / "_names.py"


def names_source(names: Iterable[str]) -> str:
    """The text of ``_names.py``: one class per folder, one attribute per parameter, for mypy.

    Regenerate after adding, moving or removing a YAML file (tests/test_law_names.py checks it)::

        python -c "from spaser.law import params; params.NAMES_FILE.write_text(params.names_source(params.shipped()), encoding='utf-8')"
    """
    tree: dict[str, dict[str, bool]] = {"": {}}  # prefix -> child -> is a parameter
    for name in sorted(names):
        parts = name.split(".")
        for i, part in enumerate(parts):
            prefix = ".".join(parts[:i])
            tree.setdefault(prefix, {})[part] = i == len(parts) - 1

    def cls(prefix: str) -> str:
        return "Tree" if not prefix else "_" + "_".join(p.capitalize() for p in prefix.split("."))

    out = [
        '"""The legal parameters\' names as types, for mypy: generated from spaser/law/parameters by',
        "``params.names_source`` (do not edit; tests/test_law_names.py checks it is up to date).",
        "",
        "``law.parameters.spaser.seuil`` is typed ``Parameter``; a misspelt name is a mypy error",
        '(and an AttributeError when run)."""',
        "",
        "from __future__ import annotations",
        "",
        "from spaser.law.params import BranchBase, Parameter, ParametersBase",
    ]
    for prefix in sorted(tree):
        out += ["", "", f"class {cls(prefix)}({'BranchBase' if prefix else 'ParametersBase'}):"]
        for child, leaf in sorted(tree[prefix].items()):
            out.append(f"    {child}: {'Parameter' if leaf else cls(f'{prefix}.{child}' if prefix else child)}")
    return "\n".join(out) + "\n"
