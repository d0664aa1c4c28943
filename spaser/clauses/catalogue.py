"""The clause catalogue: data files (one YAML per family), validated strictly.

Each clause names its legal basis, where it applies (CPV prefixes, nature,
dates and amounts through law parameters), its parameters with defaults
(literal, or read from a law parameter at a date) and a French text as a
jinja2 template. Loading renders every template with its defaults under
``StrictUndefined``: a variable without a value is a load error, not a
surprise in front of a buyer.

>>> cat = catalogue()
>>> len(cat) >= 40
True
>>> c = cat.get("insertion-travaux")
>>> c.mechanism.value, c.document
('condition_execution', 'CCAP')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jinja2
import jinja2.meta
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from spaser._errors import CatalogueError
from spaser.clauses import _law
from spaser.clauses._tables import SAFE_LOADER
from spaser.model import EnvironmentalConsideration, Nature, SocialConsideration
from spaser.money import format_eur, format_number

__all__ = [
    "Dimension",
    "Mechanism",
    "LegalBasis",
    "Applicability",
    "ClauseParameter",
    "Clause",
    "Catalogue",
    "catalogue",
    "load_catalogue",
    "render",
    "TO_COMPLETE",
]

TO_COMPLETE = "[à compléter]"
_STRICT = ConfigDict(extra="forbid", frozen=True)
_CPV_PREFIX = re.compile(r"^\d{2,8}$")


class Dimension(StrEnum):
    SOCIAL = "social"
    ENVIRONNEMENTAL = "environnemental"
    ECONOMIQUE_ESS = "economique_ess"

    @property
    def label(self) -> str:
        return {"social": "Sociale", "environnemental": "Environnementale", "economique_ess": "Économique (ESS)"}[self.value]


class Mechanism(StrEnum):
    CONDITION_EXECUTION = "condition_execution"
    CRITERE_ATTRIBUTION = "critere_attribution"
    SPECIFICATION_TECHNIQUE = "specification_technique"
    LABEL = "label"
    RESERVATION = "reservation"
    ALLOTISSEMENT = "allotissement"

    @property
    def label(self) -> str:
        return _MECHANISM_LABELS[self]


_MECHANISM_LABELS = {
    Mechanism.CONDITION_EXECUTION: "Condition d'exécution",
    Mechanism.CRITERE_ATTRIBUTION: "Critère d'attribution",
    Mechanism.SPECIFICATION_TECHNIQUE: "Spécification technique",
    Mechanism.LABEL: "Exigence de label",
    Mechanism.RESERVATION: "Marché ou lot réservé",
    Mechanism.ALLOTISSEMENT: "Allotissement",
}

Document = Literal["RC", "CCAP", "CCTP", "AAPC", "RC et CCAP", "RC et CCTP", "CCAP et CCTP", "AAPC et RC", "Rapport de présentation"]
Unit = Literal["ratio", "euros", "heures", "texte", "nombre", "date", "mois", "annees"]


class LegalBasis(BaseModel):
    model_config = _STRICT
    article: str = Field(min_length=2)
    code: str = "CCP"  # CCP, code rural, code de l'environnement, loi...
    parameter: str | None = None  # law parameter carrying the number or date, when one exists
    note: str | None = None

    @property
    def citation(self) -> str:
        return f"art. {self.article} {self.code}" if self.code else self.article


class Applicability(BaseModel):
    """Where a clause fits. Empty lists mean "any"."""

    model_config = _STRICT
    cpv_prefixes: tuple[str, ...] = ()
    exclude_cpv_prefixes: tuple[str, ...] = ()
    natures: tuple[Nature, ...] = ()
    keywords: tuple[str, ...] = ()  # in the object text (lower case, accents kept)
    # Amounts and dates come from law parameters, never literals.
    min_amount_parameter: str | None = None
    max_amount_parameter: str | None = None
    from_parameter: str | None = None  # useful from the date this parameter's value holds
    until_parameter: str | None = None

    @field_validator("cpv_prefixes", "exclude_cpv_prefixes")
    @classmethod
    def _prefixes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            if not _CPV_PREFIX.match(str(p)):
                raise ValueError(f"préfixe CPV « {p} » invalide (2 à 8 chiffres, entre guillemets)")
        return tuple(str(p) for p in v)

    @field_validator("keywords")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(k.lower() for k in v)

    def cpv_match(self, cpv: str | None) -> int | None:
        """Length of the longest matching prefix; 0 when any CPV fits; None when excluded."""
        if cpv and any(cpv.startswith(p) for p in self.exclude_cpv_prefixes):
            return None
        if not self.cpv_prefixes:
            return 0
        if not cpv:
            return None
        hits = [len(p) for p in self.cpv_prefixes if cpv.startswith(p)]
        return max(hits) if hits else None


class ClauseParameter(BaseModel):
    model_config = _STRICT
    description: str = Field(min_length=3)
    unit: Unit = "texte"
    default: str | int | Decimal | None = None
    law: str | None = None  # law/practice parameter giving the default at a date

    @field_validator("default", mode="before")
    @classmethod
    def _no_float(cls, v: Any) -> Any:
        # YAML floats would become binary floats: numbers are written as strings.
        if isinstance(v, float):
            raise ValueError("nombre à virgule : écrire la valeur entre guillemets (ex. '0.05')")
        return v

    @model_validator(mode="after")
    def _has_value(self) -> ClauseParameter:
        if self.default is None and self.law is None:
            raise ValueError("paramètre sans valeur : donner « default » ou « law »")
        return self


class Clause(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]+$")
    title: str = Field(min_length=5)
    dimension: Dimension
    mechanism: Mechanism
    document: Document
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)
    applies: Applicability = Applicability()
    parameters: dict[str, ClauseParameter] = Field(default_factory=dict)
    text: str = Field(min_length=20)
    effect: str = Field(min_length=5)
    verification: str = Field(min_length=10)
    source: str = Field(min_length=5)
    family: str = ""  # set by the loader from the file name

    @property
    def basis_text(self) -> str:
        return " ; ".join(b.citation for b in self.legal_basis)

    @property
    def consideration(self) -> SocialConsideration | EnvironmentalConsideration | None:
        """The DECP consideration a contract gains with this clause (PNAD indicators)."""
        if self.mechanism is Mechanism.ALLOTISSEMENT:
            return None
        if self.mechanism is Mechanism.RESERVATION:
            return SocialConsideration.RESERVE
        criterion = self.mechanism is Mechanism.CRITERE_ATTRIBUTION
        if self.dimension is Dimension.ENVIRONNEMENTAL:
            return EnvironmentalConsideration.CRITERE if criterion else EnvironmentalConsideration.CLAUSE
        return SocialConsideration.CRITERE if criterion else SocialConsideration.CLAUSE

    def law_parameters(self) -> set[str]:
        names = {b.parameter for b in self.legal_basis if b.parameter}
        names |= {p.law for p in self.parameters.values() if p.law}
        a = self.applies
        names |= {n for n in (a.min_amount_parameter, a.max_amount_parameter, a.from_parameter, a.until_parameter) if n}
        return names

    def defaults(self, at: date | None = None) -> dict[str, Any]:
        """Parameter values at a date: law parameter if set and in force, else the literal default."""
        out: dict[str, Any] = {}
        for name, p in self.parameters.items():
            value = _law.value_or_none(p.law, at) if p.law else None
            out[name] = value if value is not None else (p.default if p.default is not None else TO_COMPLETE)
        return out

    def render(self, values: Mapping[str, Any] | None = None, *, at: date | None = None) -> str:
        """The clause text with its defaults at ``at``, overridden by ``values``."""
        ctx = self.defaults(at)
        ctx.update({k: v for k, v in (values or {}).items() if k in self.parameters and v is not None})
        return render(self.text, ctx)


# -- templates ---------------------------------------------------------------
def _pourcent(v: Any) -> str:
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        text = format_number(Decimal(v) * 100, 1).removesuffix(",0")
        return text + "\xa0%"
    return str(v)


def _euros(v: Any) -> str:
    return format_eur(Decimal(v), cents=False) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else str(v)


def _nombre(v: Any) -> str:
    return format_number(Decimal(v)) if isinstance(v, (int, Decimal)) and not isinstance(v, bool) else str(v)


def _date_fr(v: Any) -> str:
    return v.strftime("%d/%m/%Y") if isinstance(v, date) else str(v)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters.update(pourcent=_pourcent, euros=_euros, nombre=_nombre, date_fr=_date_fr)
    return env


@lru_cache(maxsize=256)
def _compiled(template: str) -> jinja2.Template:
    return _env().from_string(template)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Render a French clause template; an undefined variable raises jinja2.UndefinedError."""
    return _compiled(template).render(**values).strip()


# -- catalogue ---------------------------------------------------------------
class _FamilyFile(BaseModel):
    model_config = _STRICT
    family: str = Field(min_length=2)
    description: str = ""
    clauses: tuple[Clause, ...] = Field(min_length=1)


class Catalogue:
    """The loaded clauses, by id, in file order."""

    def __init__(self, clauses: list[Clause]) -> None:
        self._by_id = {c.id: c for c in clauses}
        # Look-ups the suggestion rules derive from the clauses alone (spaser.clauses.rules),
        # kept with them: a catalogue does not change once loaded.
        self.derived: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Clause]:
        return iter(self._by_id.values())

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._by_id

    def get(self, clause_id: str) -> Clause:
        try:
            return self._by_id[clause_id]
        except KeyError:
            raise CatalogueError(f"Clause « {clause_id} » absente du catalogue.", code="clause-unknown") from None

    def family(self, name: str) -> list[Clause]:
        return [c for c in self if c.family == name]

    @property
    def families(self) -> list[str]:
        return list(dict.fromkeys(c.family for c in self))


def _location(err: Mapping[str, Any], data: Any) -> str:
    loc = list(err["loc"])
    # Name the clause by its id rather than its index when possible.
    if len(loc) >= 2 and loc[0] == "clauses" and isinstance(loc[1], int):
        try:
            cid = data["clauses"][loc[1]].get("id", f"n° {loc[1] + 1}")
        except (KeyError, IndexError, TypeError, AttributeError):
            cid = f"n° {loc[1] + 1}"
        loc = [f"clause « {cid} »", *loc[2:]]
    return " > ".join(str(x) for x in loc)


_FR_ERRORS = {
    "extra_forbidden": "clé inconnue",
    "missing": "clé obligatoire manquante",
    "too_short": "valeur vide ou liste vide",
    "string_too_short": "texte trop court",
    "enum": "valeur non autorisée",
    "literal_error": "valeur non autorisée",
    "string_pattern_mismatch": "format invalide",
}


def _parse_file(path: Path, text: str) -> _FamilyFile:
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        raise CatalogueError(f"Catalogue « {path.name} » : YAML illisible ({e}).", code="catalogue-yaml") from None
    try:
        return _FamilyFile.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        what = _FR_ERRORS.get(first["type"], first["msg"])
        if first["type"] in ("enum", "literal_error") and "expected" in first.get("ctx", {}):
            what += f" (attendu : {first['ctx']['expected']})"
        if first["type"] == "value_error":
            what = first["msg"].removeprefix("Value error, ")
        raise CatalogueError(
            f"Catalogue « {path.name} », {_location(first, data)} : {what}.", code="catalogue-invalid"
        ) from None


def _check(path: Path, clause: Clause) -> None:
    where = f"Catalogue « {path.name} », clause « {clause.id} »"
    for name in sorted(clause.law_parameters()):
        if not _law.exists(name):
            raise CatalogueError(f"{where} : paramètre juridique « {name} » inconnu.", code="catalogue-parameter")
    # Prove every template variable has a value: render with the defaults.
    try:
        render(clause.text, {k: _law.sample(p.law) if p.law else p.default for k, p in clause.parameters.items()})
    except jinja2.UndefinedError as e:
        raise CatalogueError(f"{where} : variable du texte sans valeur ({e.message}).", code="catalogue-template") from None
    except jinja2.TemplateError as e:
        raise CatalogueError(f"{where} : modèle de texte invalide ({e}).", code="catalogue-template") from None
    env = _env()
    used = jinja2.meta.find_undeclared_variables(env.parse(clause.text))
    unused = sorted(set(clause.parameters) - used)
    if unused:
        raise CatalogueError(f"{where} : paramètre(s) déclaré(s) mais absent(s) du texte : {', '.join(unused)}.", code="catalogue-template")


def load_catalogue(paths: list[Path] | None = None) -> Catalogue:
    """Load and validate clause files (default: the packaged catalogue/*.yaml)."""
    if paths is None:
        folder = resources.files("spaser.clauses").joinpath("catalogue")
        files = sorted((Path(str(f)) for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda p: p.name)
    else:
        files = [Path(p) for p in paths]
    clauses: list[Clause] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise CatalogueError(f"Catalogue « {path} » illisible ({e.strerror or e}).", code="catalogue-io") from None
        fam = _parse_file(path, text)
        for c in fam.clauses:
            if c.id in seen:
                raise CatalogueError(
                    f"Catalogue « {path.name} » : identifiant « {c.id} » déjà utilisé dans « {seen[c.id]} ».", code="catalogue-duplicate"
                )
            seen[c.id] = path.name
            _check(path, c)
            clauses.append(c.model_copy(update={"family": fam.family}))
    return Catalogue(clauses)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The packaged catalogue, loaded once."""
    return load_catalogue()

