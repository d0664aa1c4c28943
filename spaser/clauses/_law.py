"""The clauses' window on the law: the parameters of the law the advice was given.

``suggest(purchase, law=...)`` (and the opportunities) make that law current for the
computation (:meth:`spaser.Law.active`); the rules read its parameters as attributes,
``parameters().insertion.taux``, at a date, with their references, so that a rationale
can cite where a value comes from. A name read from the catalogue's YAML (a clause's
``law:`` parameter) is looked up by name, checked when the catalogue is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from spaser.law.law import current_parameters
from spaser.law.params import Parameter

if TYPE_CHECKING:
    from spaser.law._names import Tree

__all__ = ["Fact", "parameters", "exists", "fact", "value_or_none", "note", "sample", "citation", "memoised", "memo_scope"]

# A parameter, or the name of one written in the catalogue's YAML.
Param = Parameter | str


def parameters() -> Tree:
    """The parameters of the law the advice runs under (the shipped law when none was given)."""
    return current_parameters()


def _parameter(p: Param) -> Parameter:
    return current_parameters()[p] if isinstance(p, str) else p


@dataclass(frozen=True)
class Fact:
    """A parameter value at a date, with where it comes from."""

    name: str
    value: Any
    citation: str  # "décret n° ..., art. ..." (first reference)
    to_confirm: bool
    kind: str  # law | practice | context

    @property
    def caveat(self) -> str:
        """French suffix for a value that is not certain or not law."""
        if self.to_confirm and self.kind == "practice":
            return " (valeur d'usage, à ajuster)"
        if self.to_confirm:
            return " [à confirmer]"
        if self.kind == "practice":
            return " (valeur d'usage)"
        return ""


def exists(name: str) -> bool:
    """Whether the catalogue's ``name`` is a parameter of the law."""
    return name in current_parameters()


def memo_scope() -> object:
    """What a memo of parameter-dependent results must be tied to: the parameters read now.

    A new object for each what-if law, each recording diagnosis and after ``params.reload()``.
    """
    return current_parameters()


def memoised(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered under ``key`` by the parameters read now (``compute`` must depend only on them and ``key``)."""
    memo = current_parameters().memo
    try:
        return memo[key]
    except KeyError:
        found = memo[key] = compute()
        return found


def fact(param: Param, at: date | None = None) -> Fact | None:
    """The value of ``param`` at ``at`` (default today), or None when not in force."""
    at = at or date.today()
    ps = current_parameters()
    memo = ps.memo
    p = ps[param] if isinstance(param, str) else param
    key = ("fact", p.name, at)
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    v = p.at(at)
    found = None
    if v is not None:
        cite = str(v.references[0]) if v.references else ""
        found = Fact(name=p.name, value=v.value, citation=cite, to_confirm=v.to_confirm, kind=p.kind)
    memo[key] = found
    return found


def value_or_none(param: Param, at: date | None = None) -> Any:
    f = fact(param, at)
    return None if f is None else f.value


def note(param: Param, at: date | None = None) -> str | None:
    """The French note of the value in force at ``at`` (None when none)."""
    v = _parameter(param).at(at or date.today())
    return None if v is None else v.note


def sample(param: Param) -> Any:
    """Any non-null value of the parameter (proves a template renders at load)."""
    for v in reversed(_parameter(param).values):
        if v.value is not None:
            return v.value
    return None


def citation(param: Param, at: date | None = None) -> str:
    f = fact(param, at)
    return f.citation if f else ""
