"""The clauses' window on the law parameters (spaser.law.params).

Every legal number and practice default the advice uses is read here, at a
date, with its references, so that a rationale can cite where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from spaser.law import params

__all__ = ["Fact", "exists", "fact", "value", "value_or_none", "sample", "citation"]


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


def fact(name: str, at: date | None = None) -> Fact | None:
    """The value of ``name`` at ``at`` (default today), or None when not in force."""
    p = params.get(name)
    v = p.at(at or date.today())
    if v is None:
        return None
    cite = str(v.references[0]) if v.references else ""
    return Fact(name=name, value=v.value, citation=cite, to_confirm=v.to_confirm, kind=p.kind)


def value(name: str, at: date | None = None) -> Any:
    """The value in force at ``at``; raises NotInForce (French message) otherwise."""
    return params.value(name, at or date.today())


def value_or_none(name: str, at: date | None = None) -> Any:
    f = fact(name, at)
    return None if f is None else f.value


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
