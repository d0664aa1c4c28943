"""The document settings form: it writes the configuration file the command line reads (``--config``).

The form's values become TOML text in the format of ``examples/spaser.toml``;
:func:`spaser.documents.parse_config` then reads it exactly as ``spaser draft
--config`` would, so the page can neither accept what the command line
refuses nor the reverse. The keys and labels come from spaser.documents.config.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from spaser._errors import InputError

__all__ = ["Settings", "FORM_KEYS", "settings_from_form", "form_from_config"]

# (section, key, French label, kind) of the simple fields, in the order of the form.
FORM_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("acheteur", "nom", "Nom de l'acheteur dans les documents", "text"),
    ("acheteur", "type", "Type d'acheteur (il fixe l'assemblée et la forme de l'acte)", "kind"),
    ("acheteur", "assemblee", "Assemblée qui adopte le schéma", "text"),
    ("acheteur", "signataire", "Signataire de la délibération", "text"),
    ("acheteur", "lieu", "Lieu de signature", "text"),
    ("schema", "debut", "Première année du schéma", "year"),
    ("schema", "fin", "Dernière année du schéma", "year"),
    ("schema", "date", "Date des documents (le droit est lu à cette date)", "date"),
    ("schema", "annee_diagnostic", "Année civile du diagnostic", "year"),
)
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Settings:
    """What the form gave: the TOML text (for download) and the parsed configuration (for the documents)."""

    text: str
    config: Any  # spaser.documents.DocumentConfig
    values: dict[str, str]


def settings_from_form(fields: dict[str, str]) -> Settings:
    """The configuration of the form's fields; a French InputError naming the field otherwise."""
    from spaser.documents import OBJECTIVES, parse_config

    values = {k: (v or "").strip()[:500] for k, v in fields.items() if k.startswith(("acheteur.", "schema.", "objectifs."))}
    sections: dict[str, list[str]] = {"acheteur": [], "schema": []}
    for section, key, label, kind in FORM_KEYS:
        raw = values.get(f"{section}.{key}", "")
        if not raw:
            continue
        if kind == "year":
            if not _YEAR.match(raw):
                raise InputError(f"« {label} » : une année sur quatre chiffres est attendue (« {raw} »).", code="config-invalid")
            sections[section].append(f"{key} = {raw}")
        else:
            sections[section].append(f"{key} = {json.dumps(raw, ensure_ascii=False)}")
    start, end = values.get("schema.debut", ""), values.get("schema.fin", "")
    lines: list[str] = ["# Configuration des documents de spaser, écrite par la page web.", "# Utilisation : spaser draft achats.xlsx --config spaser.toml"]
    for section in ("acheteur", "schema"):
        if sections[section]:
            lines += ["", f"[{section}]", *sections[section]]
    for key, (label, basis, _unit) in OBJECTIVES.items():
        pairs = []
        for which, year in (("debut", start), ("fin", end)):
            raw = values.get(f"objectifs.{key}.{which}", "")
            if not raw:
                continue
            if not year:
                raise InputError(f"Objectif « {label} » ({basis}) : indiquez d'abord la {'première' if which == 'debut' else 'dernière'} année du schéma.", code="config-invalid")
            try:
                number = Decimal(raw.replace(",", ".").replace("%", "").replace("\u202f", "").replace(" ", ""))
            except InvalidOperation:
                raise InputError(f"Objectif « {label} » ({basis}) : nombre illisible « {raw} ».", code="config-invalid") from None
            if not number.is_finite():
                raise InputError(f"Objectif « {label} » ({basis}) : nombre illisible « {raw} ».", code="config-invalid")
            pairs.append(f"{year} = {number}")
        if pairs:
            lines += ["", f"[objectifs.{key}]", *dict.fromkeys(pairs)]
    text = "\n".join(lines) + "\n"
    return Settings(text=text, config=parse_config(text), values=values)


def form_from_config(cfg: Any) -> dict[str, str]:
    """The form's values from a configuration (to show what is in force)."""
    from spaser.documents import OBJECTIVES

    out = {
        "acheteur.nom": cfg.buyer_name or "",
        "acheteur.type": cfg.buyer_kind.value if cfg.buyer_kind else "",
        "acheteur.assemblee": cfg.assembly or "",
        "acheteur.signataire": cfg.signatory or "",
        "acheteur.lieu": cfg.place or "",
        "schema.debut": str(cfg.start or ""),
        "schema.fin": str(cfg.end or ""),
        "schema.date": cfg.at.isoformat() if cfg.at else "",
        "schema.annee_diagnostic": str(cfg.year or ""),
    }
    for key in OBJECTIVES:
        by_year = cfg.targets.get(key, {})
        for which, year in (("debut", cfg.start), ("fin", cfg.end)):
            value = by_year.get(year) if year else None
            if value is not None and OBJECTIVES[key][2] == "pct":
                value = value * 100
            out[f"objectifs.{key}.{which}"] = "" if value is None else format(value.normalize(), "f")
    return out
