"""Shared CLI pieces: a French argparse, common options, output helpers."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from spaser._errors import InputError, OutputError, SpaserError, UsageError
from spaser._french import plural_forms, purchases_assessed, records_read
from spaser._json import to_jsonable
from spaser.cli._progress import detail as progress_detail, progress_step
from spaser.io.dates import DATE_PLAUSIBLE_FROM
from spaser.model import DURATION_MAX_MONTHS

__all__ = [
    "advice_progress",
    "FrenchParser",
    "add_common",
    "add_input",
    "add_output",
    "load_input",
    "print_json",
    "print_error",
    "to_jsonable",
    "parse_date",
    "parse_vat_rate",
    "year_arg",
    "positive_int",
    "months_arg",
    "require_portfolio",
    "check_outputs",
    "output_path",
    "summary_stream",
    "print_json_error",
    "ensure_utf8_output",
    "JSON_FORMAT_VERSION",
    "french",
    "add_law",
    "law_of",
]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        return super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


# argparse's English phrases -> French, replaced in ONE pass (a phrase already
# translated is never looked at again: « invalide » must not become « invalidee »).
_PHRASES = {
    "the following arguments are required": "arguments obligatoires manquants",
    "unrecognized arguments": "arguments non reconnus",
    "invalid choice": "choix invalide",
    "choose from": "choisir parmi",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "au plus une valeur est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "not allowed with argument": "incompatible avec l'argument",
    "ambiguous option": "option ambiguë",
    "could match": "peut désigner",
    "one of the arguments": "l'un des arguments",
    "is required": "est obligatoire",
    "ignored explicit argument": "valeur en trop",
    "invalid int value": "nombre entier attendu, pas",
    "invalid float value": "nombre attendu, pas",
}
_PHRASE_RE = re.compile("|".join(re.escape(k) for k in sorted(_PHRASES, key=len, reverse=True)) + r"|invalid \w+ value")
_COLON = re.compile(r"(?<=\S): ")  # French typography: a space before the colon


def french(message: str) -> str:
    """argparse's message in French.

    >>> french("argument COMMANDE: invalid choice: 'chek' (choose from 'inspect', 'check')")
    "argument COMMANDE : choix invalide : 'chek' (choisir parmi 'inspect', 'check')"
    >>> french("argument --year: invalid int value: 'abc'")
    "argument --year : nombre entier attendu, pas : 'abc'"
    """
    text = _PHRASE_RE.sub(lambda m: _PHRASES.get(m.group(0), "valeur invalide"), message)
    return _COLON.sub(" : ", text)


_CHOICE = re.compile(r"invalid choice: '?(?P<value>[^'\s]*)'? \(choose from (?P<choices>.*)\)")
_UNRECOGNIZED = re.compile(r"unrecognized arguments: (?P<args>.*)")


class FrenchParser(argparse.ArgumentParser):
    """argparse with French help titles and error messages (exit code 2).

    An unknown command or option suggests the closest one; with ``--json`` on
    the command line the error is printed as JSON (``json_error``).
    """

    argv: list[str] | None = None  # set by main(): to find the command and --json

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("formatter_class", _Formatter)
        kw.setdefault("add_help", False)
        super().__init__(*args, **kw)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        hint = self._did_you_mean(message)
        text = french(message) + (f". Vouliez-vous dire « {hint} » ?" if hint else "")
        if self.argv is not None and "--json" in self.argv:
            print_json_error(text, code="usage", exit_code=2)
            self.exit(2)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {text}\n")

    def _did_you_mean(self, message: str) -> str | None:
        m = _CHOICE.search(message)
        if m:
            choices = [c.strip().strip("'\"") for c in m.group("choices").split(",")]
            close = difflib.get_close_matches(m.group("value"), choices, n=1, cutoff=0.5)
            return close[0] if close else None
        m = _UNRECOGNIZED.search(message)
        if m:
            unknown = next((a for a in m.group("args").split() if a.startswith("-")), None)
            if unknown is None:
                return None
            options = self._option_strings()
            close = difflib.get_close_matches(unknown.split("=", 1)[0], options, n=1, cutoff=0.6)
            return close[0] if close else None
        return None

    def _option_strings(self) -> list[str]:
        """This parser's options, and those of the command named on the command line."""
        out = [o for a in self._actions for o in a.option_strings]
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                command = next((a for a in (self.argv or []) if a in action.choices), None)
                if command is not None:
                    out += [o for a in action.choices[command]._actions for o in a.option_strings]
        return out


def year_arg(text: str) -> int:
    """An ``--year`` value: a plausible calendar year (usage error otherwise)."""
    try:
        year = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"année « {text} » illisible : écrivez-la sur quatre chiffres (ex. 2025)") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"année « {text} » invraisemblable : une année entre {MIN_YEAR} et {MAX_YEAR} est attendue")
    return year


def positive_int(text: str) -> int:
    """A count given on the command line (--top, --duration): a whole number of at least 1."""
    try:
        n = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"« {text} » : un nombre entier d'au moins 1 est attendu")
    return n


def months_arg(text: str) -> int:
    """A duration in months given on the command line (--duration): at least 1, at most what the model holds."""
    n = positive_int(text)
    if n > DURATION_MAX_MONTHS:
        raise argparse.ArgumentTypeError(f"durée « {text} » invraisemblable : au plus {DURATION_MAX_MONTHS} mois ({DURATION_MAX_MONTHS // 12} ans)")
    return n


MIN_YEAR, MAX_YEAR = DATE_PLAUSIBLE_FROM.year, 2100


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="sortie JSON lisible par un programme")
    p.add_argument("--debug", action="store_true", help="afficher la trace complète en cas d'erreur")


def add_input(p: argparse.ArgumentParser, *, file_required: bool = True) -> None:
    """The input file and the import options every command shares."""
    p.add_argument("file", metavar="FICHIER", nargs=None if file_required else "?", help="tableur (.xlsx, .ods, .xls, .csv) ou données DECP (.json, .xml) ; « - » : l'entrée standard")
    g = p.add_argument_group("import")
    g.add_argument("--buyer", metavar="SIRET", help="acheteur à retenir quand le fichier en contient plusieurs (DECP)")
    g.add_argument("--sheet", metavar="FEUILLE", help="ne lire que cette feuille du classeur")
    g.add_argument("--mapping", metavar="FICHIER", help="correspondance des colonnes (YAML ou JSON : champ -> en-tête ; la page web l'enregistre)")
    g.add_argument("--vat-rate", metavar="TAUX", help="taux de TVA pour convertir une colonne TTC en HT (ex. 0,20)")
    g.add_argument("--buyer-name", metavar="NOM", help="nom de l'acheteur si le fichier ne le donne pas")
    g.add_argument("--buyer-kind", metavar="TYPE", help="type d'acheteur (commune, epci, departement, region, etat, hopital...)")
    g.add_argument("--strict", action="store_true", help="code de sortie 6 si des lignes ont été rejetées")
    from spaser.cli.suppliers import add_list_options

    add_list_options(p.add_argument_group("fournisseurs"))


def add_output(p: argparse.ArgumentParser, *, default: str | None = None) -> None:
    p.add_argument("--out", "-o", metavar="FICHIER", default=default, help="fichier à écrire, « - » pour la sortie standard" + (f" (défaut : {default})" if default else ""))
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
            raise UsageError(f"Hypothèse « {item} » illisible : écrivez NOM=VALEUR (ex. spaser.seuil=40000000).")
        law = law.replace(name.strip(), value.strip())
    return law


def parse_date(text: str | None) -> date | None:
    """A date given on the command line, read as the importer reads dates (ISO, JJ/MM/AAAA...)."""
    from spaser.io.dates import DateError, to_date

    if text is None:
        return None
    try:
        d = to_date(text.strip())
    except (DateError, ValueError, OverflowError):
        d = None
    if d is None:
        raise UsageError(f"Date « {text} » illisible : écrivez AAAA-MM-JJ ou JJ/MM/AAAA.")
    return d


def parse_vat_rate(text: str | None):  # type: ignore[no-untyped-def]
    """--vat-rate: « 0,20 », « 20 » or « 20 % » -> Decimal('0.2'); a usage error otherwise."""
    from spaser.money import parse_rate

    if text is None or not text.strip():
        return None
    vat = parse_rate(text)
    if vat is None:
        raise UsageError(f"Taux de TVA « {text} » illisible : écrivez par exemple 0,20 ou 20 %.")
    return vat


def _read_mapping(path: str) -> dict[str, str]:
    import yaml

    try:
        with _input_path(path) as real:
            data = yaml.safe_load(Path(real).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputError(f"correspondance de colonnes illisible ({e}).", code="mapping-invalid", file=path) from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise InputError("la correspondance doit associer un champ à un en-tête (texte : texte).", code="mapping-invalid", file=path)
    return data


STDIN_NAME = "entrée standard"


@contextmanager
def _input_path(name: str) -> Iterator[str]:
    """``name``, or for ``-`` a private temporary copy of standard input (removed after use)."""
    if name != "-":
        yield name
        return
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("« - » lit le fichier sur l'entrée standard : redirigez-y un fichier (spaser check - < achats.csv).")
    folder = tempfile.mkdtemp(prefix="spaser-stdin-")
    try:
        os.chmod(folder, 0o700)
        path = os.path.join(folder, "entree")
        with open(path, "wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def advice_progress(done: int, total: int) -> None:
    """The progress line's detail while a portfolio's advice is worked out (« 30 000 achats examinés sur 99 710 »)."""
    progress_detail(purchases_assessed(done, total))


def load_input(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Import ``args.file`` with the shared options; return (ImportResult, Portfolio | None).

    ``-`` reads standard input. The portfolio is None when the file holds several
    buyers and none was chosen (commands that need one call :func:`require_portfolio`).
    """
    import dataclasses

    from spaser.io import load
    from spaser.model import Buyer, BuyerKind

    buyer = None
    if getattr(args, "buyer_name", None) or getattr(args, "buyer_kind", None):
        kind = BuyerKind.AUTRE
        if args.buyer_kind:
            try:
                kind = BuyerKind(args.buyer_kind)
            except ValueError:
                choices = ", ".join(k.value for k in BuyerKind)
                raise UsageError(f"Type d'acheteur « {args.buyer_kind} » inconnu : choisir parmi {choices}.") from None
        buyer = Buyer(name=args.buyer_name or "Acheteur", kind=kind)
    vat = parse_vat_rate(getattr(args, "vat_rate", None))
    mapping = _read_mapping(args.mapping) if getattr(args, "mapping", None) else None
    with _input_path(args.file) as path, progress_step("Import du fichier"):
        try:
            result = load(path, mapping=mapping, sheet=getattr(args, "sheet", None), buyer=buyer, vat_rate=vat,
                          progress=lambda n: progress_detail(records_read(n)))
        except SpaserError as e:
            if path != args.file:
                e.message = e.message.replace(path, STDIN_NAME)
                e.args = (e.message,)
            raise
    if path != args.file:
        result = dataclasses.replace(result, path=STDIN_NAME)
    portfolio = _select(result, args.buyer) if getattr(args, "buyer", None) else (
        result.portfolios[0] if len(result.portfolios) == 1 else None
    )
    if portfolio is not None and buyer is not None and getattr(args, "buyer_kind", None):
        # The user's word on the buyer's kind wins over what the file implies.
        portfolio = portfolio.model_copy(update={"buyer": portfolio.buyer.model_copy(update={"kind": buyer.kind})})
    from spaser.cli.suppliers import apply_lists

    return result, apply_lists(args, result, portfolio)


def _select(result, siret: str):  # type: ignore[no-untyped-def]
    try:
        return result.select(siret)
    except SpaserError as e:
        raise UsageError(e.message, code=e.code) from None


def require_portfolio(result, portfolio):  # type: ignore[no-untyped-def]
    """The portfolio, or the usage error (exit 2) naming the buyers when the file holds several."""
    if portfolio is not None:
        return portfolio
    try:
        return result.portfolio
    except InputError:
        raise
    except SpaserError as e:  # several buyers, none chosen: the command needs --buyer
        raise UsageError(e.message, code=e.code) from None


def exit_code(args: argparse.Namespace, result: Any) -> int:
    """0, or 6 (EXIT_CODES) when --strict is given and the import rejected rows."""
    return 6 if getattr(args, "strict", False) and result is not None and result.report.rejected else 0


# -- output -----------------------------------------------------------------------------
# Version of the shape of every --json output (and JSON error); raised when a key changes meaning or goes.
JSON_FORMAT_VERSION = 1


def ensure_utf8_output() -> None:
    """Write UTF-8 whatever the console's code page (cp1252 cannot encode « 2 917 »'s narrow space)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")
            except (ValueError, OSError, AttributeError):  # a stream already read from, or not a text wrapper
                pass


def print_json(obj: Any, *, file: Any = None) -> None:
    """``obj`` (a dict) as JSON, with ``format_version`` first."""
    data = to_jsonable(obj)
    if isinstance(data, dict):
        data = {"format_version": JSON_FORMAT_VERSION, **{k: v for k, v in data.items() if k != "format_version"}}
    # Written in one call (json.dump would write it in thousands of small pieces).
    (file or sys.stdout).write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_json_error(message: str, *, code: str, exit_code: int, error: BaseException | None = None) -> None:
    """An error as JSON on standard output (``--json``): what a program needs to react."""
    detail: dict[str, Any] = {"code": code, "exit_code": exit_code, "message": message}
    for key in ("file", "sheet", "row", "column"):
        if getattr(error, key, None) is not None:
            detail[key] = getattr(error, key)
    print_json({"error": detail})


def say(text: str = "", **kw: Any) -> None:
    """``print`` for what a person reads: the « (s) » forms agree with their numbers (« 3 contrats »)."""
    print(plural_forms(text), **kw)


def print_error(message: str) -> None:
    say(f"spaser : {message}", file=sys.stderr)


STDOUT = "-"


def check_outputs(args: argparse.Namespace, *targets: str | None) -> None:
    """Before any work: at most one ``-`` (standard output), no output that is the input file,
    no existing file without --force."""
    from spaser.io.safe import check_target

    given = [t for t in targets if t]
    if given.count(STDOUT) > 1:
        raise UsageError("Une seule sortie peut aller sur la sortie standard (« - »).")
    source = getattr(args, "file", None)
    for t in given:
        if t == STDOUT:
            continue
        if source and source != "-" and _same_file(source, t):
            raise OutputError(f"« {t} » est le fichier d'entrée : choisissez un autre nom de sortie (il ne sera pas remplacé, même avec --force).", code="output-is-input")
        check_target(t, force=getattr(args, "force", False))


def _same_file(a: str, b: str) -> bool:
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
        return os.path.realpath(a) == os.path.realpath(b)
    except OSError:
        return False


@contextmanager
def output_path(target: str, suffix: str = "") -> Iterator[str]:
    """Where to write ``target``: itself, or for ``-`` a private temporary file copied to standard output."""
    if target != STDOUT:
        yield target
        return
    folder = tempfile.mkdtemp(prefix="spaser-out-")
    try:
        os.chmod(folder, 0o700)
        path = os.path.join(folder, "sortie" + suffix)
        yield path
        sys.stdout.flush()
        with open(path, "rb") as fh:
            shutil.copyfileobj(fh, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def summary_stream(*targets: str | None) -> Any:
    """Where the human (or --json) summary goes: standard error when a document takes standard output."""
    return sys.stderr if STDOUT in targets else sys.stdout

