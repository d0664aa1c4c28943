"""The documents' configuration file (TOML, keys in French).

Everything is optional; an unknown key is an error that names it, so a typo
never silently falls back to a default. Numbers are read as ``Decimal``
(``tomllib`` with ``parse_float=Decimal``). See ``examples/spaser.toml``.

>>> cfg = parse_config('''
... [acheteur]
... nom = "Commune de Test"
... [objectifs.social_nombre]
... 2026 = 0.25
... 2031 = 40
... ''')
>>> cfg.buyer_name, cfg.targets["social_nombre"]
('Commune de Test', {2026: Decimal('0.25'), 2031: Decimal('0.4')})
>>> parse_config('[schema]\\nhorizon = 2030')
Traceback (most recent call last):
    ...
spaser._errors.InputError: configuration : clé inconnue « schema.horizon » (clés possibles : debut, fin, date, annee_diagnostic, axes, suggestions_annexe).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from spaser._errors import InputError, UsageError
from spaser.model import BuyerKind
from spaser.money import beyond_measure

__all__ = ["DocumentConfig", "load_config", "parse_config", "AXES", "OBJECTIVES", "OBJECTIVE_SHORT", "DEFAULT_STEPS", "TEXT_KEYS"]

# Axes of the action plan, in the draft's order.
AXES: dict[str, str] = {
    "insertion": "Insertion sociale et professionnelle",
    "handicap": "Handicap et travail protégé ou adapté",
    "environnement": "Environnement et économie circulaire",
    "ess_territoire": "Économie sociale et solidaire",
    "petites_entreprises": "Accès des petites et moyennes entreprises du territoire",
    "organisation": "Organisation de la fonction achat",
}

# Objective key -> (French label, basis, unit).
OBJECTIVES: dict[str, tuple[str, str, str]] = {
    "social_nombre": ("Marchés comportant au moins une considération sociale", "nombre", "pct"),
    "social_valeur": ("Marchés comportant au moins une considération sociale", "valeur", "pct"),
    "environnement_nombre": ("Marchés comportant au moins une considération environnementale", "nombre", "pct"),
    "environnement_valeur": ("Marchés comportant au moins une considération environnementale", "valeur", "pct"),
    "esus_valeur": ("Achats auprès d'entreprises solidaires d'utilité sociale (ESUS)", "valeur", "pct"),
    "inclusion_valeur": ("Achats auprès de structures employant des personnes handicapées ou défavorisées (SIAE, EA, ESAT)", "valeur", "pct"),
    "reserves_nombre": ("Marchés réservés (L2113-12 à L2113-15)", "nombre", "pct"),
    "heures_insertion": ("Heures d'insertion réalisées", "heures", "hours"),
}

# The default objective of each key without one in the configuration: a PROPOSAL by a stated rule (a
# practice choice, never a legal number; the council may change it). From the current value (the
# highest measured in the diagnosis year or after: an objective never goes below what is already
# done), it rises each year by this step (ratio points; for hours, a yearly growth of the hours), and
# reaches the national target by the end of the scheme where one exists (spaser/law/parameters).
DEFAULT_STEPS: dict[str, Decimal] = {
    "social_nombre": Decimal("0.01"),
    "social_valeur": Decimal("0.01"),
    "environnement_nombre": Decimal("0.01"),
    "environnement_valeur": Decimal("0.01"),
    "esus_valeur": Decimal("0.005"),
    "inclusion_valeur": Decimal("0.005"),
    "reserves_nombre": Decimal("0.005"),
    "heures_insertion": Decimal("0.05"),
}

# Short labels for charts and CSV.
OBJECTIVE_SHORT: dict[str, str] = {
    "social_nombre": "Social",
    "social_valeur": "Social",
    "environnement_nombre": "Environnement",
    "environnement_valeur": "Environnement",
    "esus_valeur": "ESUS",
    "inclusion_valeur": "SIAE, EA, ESAT",
    "reserves_nombre": "Marchés réservés",
    "heures_insertion": "Heures d'insertion",
}

# Sections a user can replace with their own text ([textes] in the file).
TEXT_KEYS: dict[str, str] = {
    "avant_propos": "projet : avant-propos (le mot de l'exécutif)",
    "preambule": "projet : préambule (introduction)",
    "contexte": "projet : chapitre « Contexte et cadre juridique »",
    "diagnostic": "projet : chapitre « Diagnostic des achats »",
    "objectifs": "projet : chapitre « Objectifs »",
    "plan": "projet : chapitre « Plan d'action »",
    "gouvernance": "projet : chapitre « Gouvernance et co-construction »",
    "suivi": "projet : chapitre « Suivi et publication »",
    "annexes": "projet : annexes",
    "deliberation": "délibération : considérants et articles",
    "bilan": "bilan annuel : commentaire de l'année",
}

# The years a scheme and its objectives may name: the objectives' table has a line per year.
SCHEME_YEARS = range(2000, 2101)

_SCHEMA: dict[str, tuple[str, ...]] = {
    "acheteur": ("nom", "type", "assemblee", "signataire", "lieu"),
    "schema": ("debut", "fin", "date", "annee_diagnostic", "axes", "suggestions_annexe"),
    "objectifs": tuple(OBJECTIVES),
    "textes": tuple(TEXT_KEYS),
    "mise_en_page": ("modele",),
    "fournisseurs": ("listes", "en_ligne"),
}


@dataclass(frozen=True)
class DocumentConfig:
    """What the user can set; ``None`` means "use the default"."""

    buyer_name: str | None = None
    buyer_kind: BuyerKind | None = None
    assembly: str | None = None
    signatory: str | None = None
    place: str | None = None
    start: int | None = None
    end: int | None = None
    at: date | None = None
    year: int | None = None
    axes: tuple[str, ...] = tuple(AXES)
    suggestions: int = 30
    targets: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    file: str | None = None
    reference_docx: str | None = None  # [mise_en_page] modele: the buyer's .docx (styles, logo, header, footer)
    lists: tuple[str, ...] = ()  # supplier lists ([fournisseurs] listes), paths relative to the file
    online: bool = False  # [fournisseurs] en_ligne: the « Recherche d'entreprises » look-up

    def __post_init__(self) -> None:
        # Built by a script as from a file: a scheme over thousands of years (a table line each) or an
        # objective no rounding can hold is refused here, not met deep in the documents.
        span = f"une année de {SCHEME_YEARS[0]} à {SCHEME_YEARS[-1]} est attendue"
        for name, y in (("début", self.start), ("fin", self.end)):
            if y is not None and y not in SCHEME_YEARS:
                raise UsageError(f"Configuration : {name} du schéma {y} : {span}.")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise UsageError(f"Configuration : la fin du schéma ({self.end}) est antérieure à son début ({self.start}).")
        for key, by_year in self.targets.items():
            if key not in OBJECTIVES:
                raise UsageError(f"Configuration : objectif inconnu « {key} » (objectifs possibles : {', '.join(OBJECTIVES)}).")
            rate = OBJECTIVES[key][2] == "pct"
            for y, v in by_year.items():
                if y not in SCHEME_YEARS:
                    raise UsageError(f"Configuration : objectif « {key} » en {y} : {span}.")
                if isinstance(v, bool) or not isinstance(v, (int, Decimal)) or not Decimal(v).is_finite() or v < 0 or (v > 1 if rate else beyond_measure(Decimal(v))):
                    most = "1 (100 %)" if rate else "le plus grand nombre mesurable"
                    raise UsageError(f"Configuration : objectif « {key} » en {y} = {v} : un nombre entre 0 et {most} est attendu.")


def load_config(path: str | os.PathLike[str]) -> DocumentConfig:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("fichier de configuration introuvable.", code="config-invalid", file=str(p)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"fichier de configuration illisible ({e}).", code="config-invalid", file=str(p)) from None
    return parse_config(text, file=str(p))


def parse_config(text: str, *, file: str | None = None) -> DocumentConfig:
    def fail(message: str) -> InputError:
        return InputError(message if file else f"configuration : {message}", code="config-invalid", file=file)

    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        raise fail(f"syntaxe TOML invalide ({e}).") from None

    for section, value in data.items():
        if section not in _SCHEMA:
            raise fail(f"section inconnue « {section} » (sections possibles : {', '.join(_SCHEMA)}).")
        if not isinstance(value, dict):
            raise fail(f"« {section} » doit être une section [{section}].")
        for key in value:
            if key not in _SCHEMA[section]:
                raise fail(f"clé inconnue « {section}.{key} » (clés possibles : {', '.join(_SCHEMA[section])}).")

    buyer: dict[str, Any] = data.get("acheteur", {})
    scheme: dict[str, Any] = data.get("schema", {})
    kw: dict[str, Any] = {"file": file}

    for key, attr in (("nom", "buyer_name"), ("assemblee", "assembly"), ("signataire", "signatory"), ("lieu", "place")):
        if key in buyer:
            kw[attr] = _text(buyer[key], f"acheteur.{key}", fail)
    if "type" in buyer:
        try:
            kw["buyer_kind"] = BuyerKind(buyer["type"])
        except ValueError:
            choices = ", ".join(k.value for k in BuyerKind)
            raise fail(f"« acheteur.type » = « {buyer['type']} » inconnu (valeurs possibles : {choices}).") from None

    for key, attr in (("debut", "start"), ("fin", "end"), ("annee_diagnostic", "year")):
        if key in scheme:
            kw[attr] = _year(scheme[key], f"schema.{key}", fail)
    if kw.get("start") and kw.get("end") and kw["end"] < kw["start"]:
        raise fail(f"« schema.fin » ({kw['end']}) est antérieure à « schema.debut » ({kw['start']}).")
    if "date" in scheme:
        d = scheme["date"]
        if isinstance(d, str):
            try:
                d = date.fromisoformat(d)
            except ValueError:
                raise fail(f"« schema.date » = « {d} » : date attendue au format AAAA-MM-JJ.") from None
        if not isinstance(d, date) or hasattr(d, "hour"):
            raise fail("« schema.date » : date attendue au format AAAA-MM-JJ.")
        kw["at"] = d
    if "axes" in scheme:
        axes = scheme["axes"]
        if not isinstance(axes, list) or not all(isinstance(a, str) for a in axes):
            raise fail("« schema.axes » doit être une liste de textes.")
        for a in axes:
            if a not in AXES:
                raise fail(f"« schema.axes » : axe inconnu « {a} » (axes possibles : {', '.join(AXES)}).")
        kw["axes"] = tuple(dict.fromkeys(axes))
    if "suggestions_annexe" in scheme:
        n = scheme["suggestions_annexe"]
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 1000:
            raise fail("« schema.suggestions_annexe » doit être un nombre entier entre 0 et 1000.")
        kw["suggestions"] = n

    targets: dict[str, dict[int, Decimal]] = {}
    for key, by_year in data.get("objectifs", {}).items():
        if not isinstance(by_year, dict):
            raise fail(f"« objectifs.{key} » doit être une section [objectifs.{key}] année = valeur.")
        unit = OBJECTIVES[key][2]
        parsed: dict[int, Decimal] = {}
        for y, v in by_year.items():
            where = f"objectifs.{key}.{y}"
            # ASCII digits, four of them: int() refuses « ² » (a digit to isdigit) and 5 000 digits.
            if not (len(y) == 4 and y.isascii() and y.isdigit() and int(y) in SCHEME_YEARS):
                raise fail(f"« {where} » : l'année doit être un nombre entre {SCHEME_YEARS[0]} et {SCHEME_YEARS[-1]}.")
            parsed[int(y)] = _target(v, unit, where, fail)
        targets[key] = dict(sorted(parsed.items()))
    kw["targets"] = targets

    if "modele" in data.get("mise_en_page", {}):
        kw["reference_docx"] = _reference_docx(data["mise_en_page"]["modele"], file, fail)

    texts = {}
    for key, value in data.get("textes", {}).items():
        texts[key] = _text(value, f"textes.{key}", fail, multiline=True)
    kw["texts"] = texts

    suppliers: dict[str, Any] = data.get("fournisseurs", {})
    if "listes" in suppliers:
        lists = suppliers["listes"]
        if not isinstance(lists, list) or not all(isinstance(x, str) and x.strip() for x in lists):
            raise fail("« fournisseurs.listes » doit être une liste de chemins de fichiers (textes).")
        base = Path(file).parent if file else Path(".")
        kw["lists"] = tuple(_relative(x.strip(), base) for x in lists)
    if "en_ligne" in suppliers:
        if not isinstance(suppliers["en_ligne"], bool):
            raise fail("« fournisseurs.en_ligne » doit valoir true ou false.")
        kw["online"] = suppliers["en_ligne"]
    try:
        return DocumentConfig(**kw)
    except UsageError as e:
        raise fail(e.message.removeprefix("Configuration : ")) from None


def _reference_docx(value: Any, file: str | None, fail) -> str:  # type: ignore[no-untyped-def]
    """The model .docx, relative to the configuration file; refused now if Word cannot open it."""
    import zipfile

    name = _text(value, "mise_en_page.modele", fail)
    path = Path(name) if Path(name).is_absolute() or file is None else Path(file).parent / name
    if path.suffix.lower() != ".docx":
        raise fail(f"« mise_en_page.modele » = « {name} » : un document Word .docx est attendu.")
    try:
        with zipfile.ZipFile(path) as z:
            if "word/document.xml" not in z.namelist():
                raise fail(f"« mise_en_page.modele » = « {name} » : ce fichier n'est pas un document Word .docx.")
    except FileNotFoundError:
        raise fail(f"« mise_en_page.modele » : fichier « {path} » introuvable.") from None
    except (OSError, zipfile.BadZipFile) as e:
        raise fail(f"« mise_en_page.modele » = « {name} » : fichier illisible ou qui n'est pas un .docx ({e}).") from None
    return str(path)


def _relative(spec: str, base: Path) -> str:
    """A list path (``FORMAT=PATH`` allowed) read relative to the configuration file."""
    fmt, sep, path = spec.partition("=")
    if not sep or "/" in fmt or "\\" in fmt:
        fmt, path = "", spec
    full = path if Path(path).is_absolute() else str(base / path)
    return f"{fmt}={full}" if fmt else full


def _text(value: Any, where: str, fail, *, multiline: bool = False) -> str:  # type: ignore[no-untyped-def]
    if not isinstance(value, str) or not value.strip():
        raise fail(f"« {where} » doit être un texte non vide.")
    return value if multiline else value.strip()


def _year(value: Any, where: str, fail) -> int:  # type: ignore[no-untyped-def]
    if not isinstance(value, int) or isinstance(value, bool) or value not in SCHEME_YEARS:
        raise fail(f"« {where} » doit être une année (nombre entre {SCHEME_YEARS[0]} et {SCHEME_YEARS[-1]}).")
    return value


def _target(value: Any, unit: str, where: str, fail) -> Decimal:  # type: ignore[no-untyped-def]
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise fail(f"« {where} » doit être un nombre (ex. 0.3 ou 30 pour 30 %).")
    v = Decimal(value)
    if not v.is_finite() or beyond_measure(v):
        raise fail(f"« {where} » : nombre hors de toute mesure.")
    if v < 0:
        raise fail(f"« {where} » ne peut pas être négatif.")
    if unit == "pct":
        if v > 1:
            v = v / 100  # written as a percentage
        if v > 1:
            raise fail(f"« {where} » : un taux ne peut pas dépasser 100 %.")
    return v.normalize() if unit == "pct" else v
