"""The clauses' window on the law parameters (spaser.law.params).

Every legal number and practice default the advice uses is read here, at a
date, with its references, so that a rationale can cite where it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from spaser.law import params

__all__ = ["Fact", "exists", "fact", "value", "value_or_none", "note", "sample", "citation", "memoised", "memo_scope"]


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
    return name in params.all()


# Results that depend on the parameters, for the loaded parameters only: a reload starts
# a new memo. The advice asks the same questions at the same date for every purchase.
_MEMO: tuple[object, dict[Any, Any]] | None = None


def _memo() -> dict[Any, Any] | None:
    global _MEMO
    key = params.memo_key()
    if key is None:
        return None  # a diagnosis records every parameter it reads: no shortcut
    if _MEMO is None or _MEMO[0] is not key:
        _MEMO = (key, {})
    return _MEMO[1]


def memo_scope() -> object | None:
    """What a memo of parameter-dependent results must be tied to (None: do not remember now).

    A new object after ``params.reload()``; None while a diagnosis records its parameters.
    """
    return _memo()


def memoised(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered under ``key`` while the parameters stay loaded.

    ``compute`` must depend only on ``key`` and the parameters. Not remembered while a
    diagnosis records the parameters it reads (``params.recording``).
    """
    memo = _memo()
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        found = memo[key] = compute()
        return found


def fact(name: str, at: date | None = None) -> Fact | None:
    """The value of ``name`` at ``at`` (default today), or None when not in force."""
    at = at or date.today()
    memo = _memo()
    key = (name, at)
    if memo is not None and key in memo:
        return memo[key]
    p = params.get(name)
    v = p.at(at)
    found = None
    if v is not None:
        cite = str(v.references[0]) if v.references else ""
        found = Fact(name=name, value=v.value, citation=cite, to_confirm=v.to_confirm, kind=p.kind)
    if memo is not None:
        memo[key] = found
    return found


def value(name: str, at: date | None = None) -> Any:
    """The value in force at ``at``; raises NotInForce (French message) otherwise."""
    return params.value(name, at or date.today())


def value_or_none(name: str, at: date | None = None) -> Any:
    f = fact(name, at)
    return None if f is None else f.value


def note(name: str, at: date | None = None) -> str | None:
    """The French note of the value in force at ``at`` (None when none)."""
    v = params.get(name).at(at or date.today())
    return None if v is None else v.note


def sample(name: str) -> Any:
    """Any non-null value of the parameter (proves a template renders at load)."""
    p = params.get(name)
    for v in reversed(p.values):
        if v.value is not None:
            return v.value
    return None


def citation(name: str, at: date | None = None) -> str:
    f = fact(name, at)
    return f.citation if f else ""
