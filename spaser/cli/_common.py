"""Shared CLI pieces: a French argparse, common options, output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from spaser._errors import SpaserError
from spaser._json import to_jsonable

__all__ = [
    "FrenchParser",
    "add_common",
    "add_input",
    "add_output",
    "load_input",
    "print_json",
    "print_error",
    "to_jsonable",
    "parse_date",
    "add_law",
    "law_of",
]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        return super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


_TRANSLATE = [
    ("the following arguments are required", "arguments obligatoires manquants"),
    ("unrecognized arguments", "arguments non reconnus"),
    ("invalid choice", "choix invalide"),
    ("choose from", "choisir parmi"),
    ("expected one argument", "une valeur est attendue"),
    ("invalid", "invalide"),
    ("argument", "argument"),
    ("not allowed with argument", "incompatible avec l'argument"),
]


class FrenchParser(argparse.ArgumentParser):
    """argparse with French help titles and error messages (exit code 2)."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("formatter_class", _Formatter)
        kw.setdefault("add_help", False)
        super().__init__(*args, **kw)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        for en, fr in _TRANSLATE:
            message = message.replace(en, fr)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="sortie JSON lisible par un programme")
    p.add_argument("--debug", action="store_true", help="afficher la trace complète en cas d'erreur")


def add_input(p: argparse.ArgumentParser, *, file_required: bool = True) -> None:
    """The input file and the import options every command shares."""
    p.add_argument("file", metavar="FICHIER", nargs=None if file_required else "?", help="tableur (.xlsx, .csv) ou données DECP (.json, .xml)")
    g = p.add_argument_group("import")
    g.add_argument("--buyer", metavar="SIRET", help="acheteur à retenir quand le fichier en contient plusieurs (DECP)")
    g.add_argument("--sheet", metavar="FEUILLE", help="ne lire que cette feuille du classeur")
    g.add_argument("--mapping", metavar="FICHIER", help="correspondance des colonnes (YAML ou JSON : champ -> en-tête)")
    g.add_argument("--vat-rate", metavar="TAUX", help="taux de TVA pour convertir une colonne TTC en HT (ex. 0,20)")
    g.add_argument("--buyer-name", metavar="NOM", help="nom de l'acheteur si le fichier ne le donne pas")
    g.add_argument("--buyer-kind", metavar="TYPE", help="type d'acheteur (commune, epci, departement, region, etat, hopital...)")
    g.add_argument("--strict", action="store_true", help="code de sortie 6 si des lignes ont été rejetées")
    from spaser.cli.suppliers import add_list_options

    add_list_options(p.add_argument_group("fournisseurs"))


def add_output(p: argparse.ArgumentParser, *, default: str | None = None) -> None:
    p.add_argument("--out", "-o", metavar="FICHIER", default=default, help="fichier à écrire" + (f" (défaut : {default})" if default else ""))
    p.add_argument("--force", action="store_true", help="remplacer le fichier s'il existe déjà")


def add_law(p: argparse.ArgumentParser) -> None:
    """The what-if option of the commands that apply the law."""
    p.add_argument(
        "--hypothese", metavar="NOM=VALEUR", action="append", default=[],
        help="simulation : remplace la valeur d'un paramètre juridique à la date (ex. spaser.seuil=40000000 ; "
        "noms : spaser law --json) ; répétable ; le résultat porte la mention « SIMULATION »",
    )  # fmt: skip


def law_of(args: argparse.Namespace, at: date | None):  # type: ignore[no-untyped-def]
    """The law to apply: None (the law in effect) without --hypothese, else law_at(at) with each value replaced."""
    if not getattr(args, "hypothese", None):
        return None
    from spaser.law.law import law_at

    law = law_at(at)
    for item in args.hypothese:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise SpaserError(f"Hypothèse « {item} » illisible : écrivez NOM=VALEUR (ex. spaser.seuil=40000000).", code="usage")
        law = law.replace(name.strip(), value.strip())
    return law


def parse_date(text: str | None) -> date | None:
    """A date given on the command line, read as the importer reads dates (ISO, JJ/MM/AAAA...)."""
    from spaser.io.dates import DateError, to_date

    if text is None:
        return None
    try:
        d = to_date(text.strip())
    except DateError:
        d = None
    if d is None:
        raise SpaserError(f"Date « {text} » illisible : écrivez AAAA-MM-JJ ou JJ/MM/AAAA.", code="usage")
    return d


def _read_mapping(path: str) -> dict[str, str]:
    import yaml

    from spaser._errors import InputError

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"correspondance de colonnes illisible ({e}).", code="mapping-invalid", file=path) from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise InputError("la correspondance doit associer un champ à un en-tête (texte : texte).", code="mapping-invalid", file=path)
    return data


def load_input(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Import ``args.file`` with the shared options; return (ImportResult, Portfolio | None).

    The portfolio is None when the file holds several buyers and none was chosen
    (commands that need one then raise the error naming them).
    """
    from spaser.io import load
    from spaser.money import parse_amount
    from spaser.model import Buyer, BuyerKind

    buyer = None
    if getattr(args, "buyer_name", None) or getattr(args, "buyer_kind", None):
        kind = BuyerKind.AUTRE
        if args.buyer_kind:
            try:
                kind = BuyerKind(args.buyer_kind)
            except ValueError:
                choices = ", ".join(k.value for k in BuyerKind)
                raise SpaserError(f"Type d'acheteur « {args.buyer_kind} » inconnu : choisir parmi {choices}.", code="usage") from None
        buyer = Buyer(name=args.buyer_name or "Acheteur", kind=kind)
    vat = None
    if getattr(args, "vat_rate", None):
        vat = parse_amount(args.vat_rate)
        if vat > 1:
            vat = vat / 100
    mapping = _read_mapping(args.mapping) if getattr(args, "mapping", None) else None
    result = load(args.file, mapping=mapping, sheet=getattr(args, "sheet", None), buyer=buyer, vat_rate=vat)
    portfolio = result.select(args.buyer) if getattr(args, "buyer", None) else (
        result.portfolios[0] if len(result.portfolios) == 1 else None
    )
    if portfolio is not None and buyer is not None and getattr(args, "buyer_kind", None):
        # The user's word on the buyer's kind wins over what the file implies.
        portfolio = portfolio.model_copy(update={"buyer": portfolio.buyer.model_copy(update={"kind": buyer.kind})})
    from spaser.cli.suppliers import apply_lists

    return result, apply_lists(args, result, portfolio)


def exit_code(args: argparse.Namespace, result: Any) -> int:
    """0, or 6 (EXIT_CODES) when --strict is given and the import rejected rows."""
    return 6 if getattr(args, "strict", False) and result is not None and result.report.rejected else 0


def print_json(obj: Any) -> None:
    """The JSON written in one call (json.dump would write it in thousands of small pieces)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2) + "\n")


def print_error(message: str) -> None:
    print(f"spaser : {message}", file=sys.stderr)
