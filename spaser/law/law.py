"""The law as a value: ``law = spaser.law_at(date)``, read as attributes, passed to the engine.

A :class:`Law` holds every legal parameter (each with all its dated values, from
the YAML files under ``spaser/law/parameters``, loaded strictly) and the date it
is read at. ``law.spaser.seuil`` is the value of ``spaser.seuil`` at that date.
It never changes: a what-if is a copy with one value replaced,

>>> from datetime import date
>>> from decimal import Decimal
>>> law = law_at(date(2024, 6, 1))
>>> law.spaser.seuil == law.value("spaser.seuil") and type(law.spaser.seuil).__name__
'Decimal'
>>> what_if = law.replace("spaser.seuil", Decimal("40000000"))
>>> what_if.spaser.seuil == Decimal("40000000"), law.spaser.seuil > what_if.spaser.seuil
(True, True)
>>> law_at(date(2010, 1, 1)).spaser.seuil is None  # not in force
True

and ``check(portfolio, law=what_if)``, ``suggest(purchase, law=what_if)``,
``check_compliance``, ``scan_decp`` and the documents (``law=``) compute with it.

Inside, the engine reads the parameters of the law it was given as attributes,
``law.parameters.spaser.seuil`` (the :class:`~spaser.law.params.Parameter`, with all
its dated values and references: ``.at(d)``), typed name by name for mypy from the
folder tree (``spaser/law/_names.py``). A call nested in another (a document's
diagnosis, the advice inside a diagnosis) given no ``law`` keeps its caller's:
``Law.active()`` makes it the default for the computation, per thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace as _replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from spaser._errors import ParameterError
from spaser.money import beyond_measure
from spaser.law import params
from spaser.law.params import Lookup, Parameter, Parameters, ParameterValue, Reference

if TYPE_CHECKING:
    from spaser.law._names import Tree

__all__ = ["Law", "Change", "law_at", "current_law", "parameters_of", "simulation_notes", "current_parameters"]

_ACTIVE: ContextVar[Law | None] = ContextVar("spaser_active_law", default=None)


class Change(NamedTuple):
    """One replaced value of a what-if."""

    name: str
    value: Any  # at the law's date
    before: Any  # in the law it copies (None: not in force)


class Law:
    """Every legal parameter, read at ``at``; immutable (see the module docstring)."""

    __slots__ = ("_parameters", "_at", "_changes")

    def __init__(self, parameters: Mapping[str, Parameter], at: date, changes: tuple[Change, ...] = ()) -> None:
        if not isinstance(at, date):
            raise ParameterError(f"Date attendue pour lire le droit (« {at!r} »).", code="usage")
        object.__setattr__(self, "_parameters", parameters if isinstance(parameters, Parameters) else Parameters(parameters))
        object.__setattr__(self, "_at", at)
        object.__setattr__(self, "_changes", changes)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Law est immuable : law.replace(nom, valeur) en donne une copie modifiée.")

    __delattr__ = __setattr__  # type: ignore[assignment]

    # -- reading ------------------------------------------------------------------------

    @property
    def at(self) -> date:
        """The date the law is read at."""
        return self._at  # type: ignore[no-any-return]

    @property
    def parameters(self) -> Tree:
        """Every parameter (all its dated values): ``law.parameters.spaser.seuil``, or by name ``law.parameters["spaser.seuil"]``; read-only."""
        return cast("Tree", self._parameters)

    @property
    def changes(self) -> tuple[Change, ...]:
        """The values replaced by what-ifs, oldest first (empty for the law as shipped)."""
        return self._changes  # type: ignore[no-any-return]

    def parameter(self, name: str) -> Parameter:
        try:
            return self._parameters[name]  # type: ignore[no-any-return]
        except KeyError:
            raise ParameterError(f"Paramètre juridique inconnu : « {name} ».", code="parameter-unknown") from None

    def value(self, name: str, at: date | None = None) -> Any:
        """The value of ``name`` at ``at`` (default: the law's date); raises NotInForce (French) when none."""
        return self.parameter(name).value_at(at or self._at)  # type: ignore[arg-type]

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name`` at the law's date, or ``default`` when it is not in force."""
        v = self.parameter(name).at(self._at)  # type: ignore[arg-type]
        return default if v is None else v.value

    def __getattr__(self, name: str) -> Any:
        return _Node(self, name).resolve()

    def __dir__(self) -> list[str]:
        return sorted({n.split(".", 1)[0] for n in self._parameters} | set(super().__dir__()))  # type: ignore[attr-defined]

    def on(self, at: date) -> Law:
        """The same law (what-ifs included) read at another date."""
        return Law(self._parameters, at, self._changes)  # type: ignore[arg-type]

    # -- what-ifs ----------------------------------------------------------------------

    def replace(self, name: str, value: Any) -> Law:
        """A copy where ``name`` takes ``value`` at the law's date (over the whole period of the value it replaces).

        With no value in force at that date, ``value`` applies from that date until the next
        dated value. The replaced value carries a reference « Simulation » and is listed in
        :attr:`changes`; the checks say the answer is a simulation.
        """
        p = self.parameter(name)
        new = _checked(p, value)
        at: date = self._at  # type: ignore[assignment]
        current = p.at(at)
        ref = Reference("Simulation (valeur modifiée par l'utilisateur)", "hypothèse, pas le droit en vigueur", None, at)
        note = "Valeur modifiée pour une simulation : ce n'est pas le droit en vigueur."
        if current is not None:
            values = tuple(ParameterValue(v.start, new, (ref,), False, note) if v is current else v for v in p.values)
        else:
            values = tuple(sorted((*(v for v in p.values if v.start != at), ParameterValue(at, new, (ref,), False, note)), key=lambda v: v.start))
        parameters = self._parameters.with_parameter(_replace(p, values=values))  # type: ignore[attr-defined]
        before = None if current is None else current.value
        return Law(parameters, at, (*self._changes, Change(name, new, before)))  # type: ignore[misc]

    # -- computing with it --------------------------------------------------------------

    @contextmanager
    def active(self) -> Iterator[Law]:
        """Inside the block, a computation given no ``law`` uses this one (:func:`current_law`; this thread or task only)."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    def recording(self) -> tuple[Law, list[Lookup]]:
        """The same law, whose every parameter lookup is appended to the returned list (what a diagnosis relied on)."""
        parameters, log = self._parameters.recording()  # type: ignore[attr-defined]
        return Law(parameters, self._at, self._changes), log  # type: ignore[arg-type]

    def __repr__(self) -> str:
        what_if = f", {len(self._changes)} valeur(s) modifiée(s)" if self._changes else ""  # type: ignore[arg-type]
        return f"<Law au {self._at:%d/%m/%Y}{what_if}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Law):
            return NotImplemented
        return self._at == other._at and (self._parameters is other._parameters or dict(self._parameters) == dict(other._parameters))  # type: ignore[call-overload]

    def __hash__(self) -> int:
        return hash((self._at, id(self._parameters)))


class _Node:
    """``law.spaser`` in ``law.spaser.seuil``: a dotted prefix of parameter names."""

    __slots__ = ("_law", "_prefix")

    def __init__(self, law: Law, prefix: str) -> None:
        self._law, self._prefix = law, prefix

    def resolve(self) -> Any:
        names: Parameters = self._law._parameters  # type: ignore[attr-defined]
        if self._prefix in names:
            return self._law.get(self._prefix)
        if self._prefix in names._prefixes:
            return self
        if self._prefix.startswith("_"):
            raise AttributeError(self._prefix)
        raise AttributeError(f"Aucun paramètre juridique « {self._prefix} » (voir spaser law --json).")

    def __getattr__(self, name: str) -> Any:
        return _Node(self._law, f"{self._prefix}.{name}").resolve()

    def __dir__(self) -> list[str]:
        head = self._prefix + "."
        return sorted({n[len(head):].split(".", 1)[0] for n in self._law._parameters if n.startswith(head)})  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"<paramètres « {self._prefix}.* » au {self._law.at:%d/%m/%Y}>"


_DECIMAL_UNITS = {"EUR_HT", "EUR", "EUR_per_hour", "ratio", "hours"}


def _yes_no(text: str) -> bool:
    words = {"oui": True, "vrai": True, "true": True, "non": False, "faux": False, "false": False}
    if text.lower() not in words:
        raise ValueError(text)
    return words[text.lower()]


_FROM_TEXT: dict[str, Callable[[str], Any]] = {"integer": int, "bool": _yes_no, "date": date.fromisoformat}


def _checked(p: Parameter, value: Any) -> Any:
    """``value`` as the parameter's unit requires (same rules as the YAML loader), or a French error."""

    def fail(why: str) -> ParameterError:
        shown = value if isinstance(value, str) else repr(value)
        return ParameterError(f"Simulation impossible pour « {p.name} » ({p.unit_label}) : {why} (« {shown} »).", code="parameter-invalid")

    if value is None:
        raise fail("une valeur est attendue")
    if p.unit in _DECIMAL_UNITS:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
            raise fail("nombre attendu (Decimal, int ou texte ; pas de float)")
        try:
            d = Decimal(str(value).replace("_", "").replace(",", "."))
        except ArithmeticError:
            raise fail("nombre illisible") from None
        if not d.is_finite() or d < 0 or (p.unit == "ratio" and d > 1):
            raise fail("nombre positif attendu" + (", entre 0 et 1 pour une proportion" if p.unit == "ratio" else ""))
        if beyond_measure(d):  # as the model holds money and hours: no figure computed from it could be rounded
            raise fail("nombre hors de toute mesure")
        return d
    if isinstance(value, str) and p.unit in _FROM_TEXT:  # as typed on the command line
        try:
            value = _FROM_TEXT[p.unit](value.strip())
        except ValueError:
            raise fail({"integer": "nombre entier attendu", "bool": "oui ou non attendu", "date": "date AAAA-MM-JJ attendue"}[p.unit]) from None
    expected = {"integer": int, "bool": bool, "date": date, "text": str, "list": list, "table": dict}[p.unit]
    if not isinstance(value, expected) or (p.unit == "integer" and isinstance(value, bool)):
        raise fail(f"{expected.__name__} attendu")
    if p.unit == "integer" and value not in params.INTEGER_RANGE:
        raise fail(params.INTEGER_EXPECTED)
    return value


def law_at(at: date | None = None) -> Law:
    """The law shipped with spaser, read at ``at`` (default: today).

    Every parameter keeps all its dated values, so a computation may still read one at
    another date (e.g. a contract's launch date).
    """
    return Law(params.shipped(), at or date.today())


def current_law(at: date | None = None) -> Law:
    """The law a computation runs under: the one made active by its caller, else the shipped one, read at ``at``.

    What ``check``, ``suggest`` and the documents use when given no ``law``, so that a
    call nested in another keeps the law of the outer call.
    """
    active = _ACTIVE.get()
    at = at or (active.at if active is not None else date.today())
    return active.on(at) if active is not None else law_at(at)


def parameters_of(law: Law | None) -> Tree:
    """The parameters a function given ``law`` (None: :func:`current_law`'s) reads: ``parameters_of(law).spaser.seuil``."""
    return law.parameters if law is not None else current_parameters()


def simulation_notes(law: Law, what: str = "ce diagnostic") -> list[str]:
    """French warnings of a what-if law, one per replaced value (empty for the shipped law)."""
    from spaser.law.format import format_value

    out = []
    for c in law.changes:
        p = law.parameter(c.name)
        out.append(
            f"SIMULATION : « {c.name} » ({p.description}) vaut {format_value(c.value, p.unit)} au lieu de {format_value(c.before, p.unit)} : "
            f"{what} n'est pas le droit en vigueur."
        )
    return out


def current_parameters() -> Tree:
    """The parameters of :func:`current_law` (without making a Law): what a deep helper of the advice reads."""
    active = _ACTIVE.get()
    return active.parameters if active is not None else cast("Tree", params.shipped())
