"""The document settings form: it writes the configuration file the command line reads (``--config``).

The form's values become TOML text in the format of ``examples/spaser.toml``;
:func:`spaser.documents.parse_config` then reads it exactly as ``spaser draft
--config`` would, so the page can neither accept what the command line
refuses nor the reverse. The keys and labels come from spaser.documents.config.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from spaser._errors import InputError
from spaser.money import beyond_measure

__all__ = ["Settings", "Model", "FORM_KEYS", "MODEL_MAX_BYTES", "check_model", "settings_from_form", "form_from_config"]

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
MODEL_MAX_BYTES = 10 * 1024 * 1024  # a council's Word model (styles, logo) is well under this
_MODEL_MAX_UNZIPPED = 100 * 1024 * 1024  # what python-docx may inflate when opening it
_MODEL_LABEL = "Modèle Word de la collectivité"


@dataclass(frozen=True)
class Model:
    """The council's reference .docx (styles, logo, header, footer), held in the session's memory."""

    name: str  # a safe file name ending in .docx: the one written in spaser.toml
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_model(filename: str, data: bytes) -> Model:
    """The uploaded model when it is a Word .docx within the limits; a French InputError otherwise."""
    from io import BytesIO

    from spaser.web.views import display_name

    shown = display_name(filename)
    if not data:
        raise InputError(f"« {_MODEL_LABEL} » : le fichier « {shown} » est vide.", code="config-invalid")
    if len(data) > MODEL_MAX_BYTES:
        raise InputError(f"« {_MODEL_LABEL} » : le fichier « {shown} » dépasse {MODEL_MAX_BYTES // (1024 * 1024)} Mo.", code="config-invalid")
    not_word = f"« {_MODEL_LABEL} » : le fichier « {shown} » n'est pas un document Word .docx (enregistrez-le depuis Word ou LibreOffice au format .docx)."
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            infos = z.infolist()
            if "word/document.xml" not in {i.filename for i in infos}:
                raise InputError(not_word, code="config-invalid")
            if sum(i.file_size for i in infos) > _MODEL_MAX_UNZIPPED:
                raise InputError(f"« {_MODEL_LABEL} » : le fichier « {shown} » est trop volumineux une fois décompressé.", code="config-invalid")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError(not_word, code="config-invalid") from None
    stem = re.sub(r"[^\w\-. ]", "_", shown.rsplit(".", 1)[0] if shown.lower().endswith(".docx") else shown).strip(" ._")[:80]
    return Model(name=f"{stem or 'modele'}.docx", data=data)


@contextmanager
def _model_folder(model: Model) -> Iterator[str]:
    """A private folder holding the model under its name, removed on exit."""
    folder = tempfile.mkdtemp(prefix="spaser-web-")
    try:
        os.chmod(folder, 0o700)
        with open(os.path.join(folder, model.name), "wb") as f:
            f.write(model.data)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Settings:
    """What the form gave: the TOML text (for download) and the parsed configuration (for the documents)."""

    text: str
    config: Any  # spaser.documents.DocumentConfig, without the model (it lives in ``model``)
    values: dict[str, str]
    model: Model | None = None

    @property
    def key(self) -> str:
        """What a document made with these settings depends on (for the document cache)."""
        return self.text + (self.model.digest if self.model else "")

    @contextmanager
    def documents_config(self) -> Iterator[Any]:
        """The configuration for the documents; the model, if any, written to a private folder meanwhile."""
        if self.model is None:
            yield self.config
            return
        with _model_folder(self.model) as folder:
            yield replace(self.config, reference_docx=os.path.join(folder, self.model.name))


def settings_from_form(fields: dict[str, str], model: Model | None = None) -> Settings:
    """The configuration of the form's fields (and model); a French InputError naming the field otherwise."""
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
    for key, (label, basis, unit) in OBJECTIVES.items():
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
            if beyond_measure(number):  # before writing it out: « 1e999999999 » is a gigabyte of zeros
                raise InputError(f"Objectif « {label} » ({basis}) : nombre hors de toute mesure « {raw} ».", code="config-invalid")
            if unit == "pct":  # the form asks for a percentage; the file holds the ratio (« 1 » is 1 %, not 100 %)
                number = number / 100
            pairs.append(f"{year} = {format(number, 'f')}")
        if pairs:
            lines += ["", f"[objectifs.{key}]", *dict.fromkeys(pairs)]
    if model is not None:
        lines += ["", "[mise_en_page]", "# Le modèle Word se place à côté de ce fichier.", f"modele = {json.dumps(model.name, ensure_ascii=False)}"]
    text = "\n".join(lines) + "\n"
    if model is None:
        return Settings(text=text, config=parse_config(text), values=values)
    # Read as the command line reads it: the model beside the file.
    with _model_folder(model) as folder:
        config = parse_config(text, file=os.path.join(folder, "spaser.toml"))
    return Settings(text=text, config=replace(config, reference_docx=None, file=None), values=values, model=model)


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
