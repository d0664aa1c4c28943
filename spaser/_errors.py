"""The exception tree: one base class, a few kinds, each with an exit code.

Every message is in French and names where the problem is (file, sheet,
row, column) when that is known, so the CLI can print it as it is.
"""

from __future__ import annotations

__all__ = [
    "SpaserError",
    "InputError",
    "InvalidCode",
    "InvalidFormat",
    "InvalidChecksum",
    "UnknownCode",
    "ParameterError",
    "CatalogueError",
    "OutputError",
    "UsageError",
    "LimitExceeded",
    "EXIT_CODES",
]

# Documented in the README ("Limites et erreurs").
EXIT_CODES: dict[int, str] = {
    0: "succès",
    1: "erreur interne inattendue (relancer avec --debug et signaler le problème)",
    2: "commande mal formée (option inconnue, argument manquant, valeur d'option illisible, acheteur à choisir)",
    3: "fichier d'entrée illisible ou invalide",
    4: "fichier de sortie : existe déjà (utiliser --force), est le fichier d'entrée, ou écriture impossible",
    5: "paramètres juridiques ou catalogue de clauses invalides",
    6: "import terminé mais des lignes ont été rejetées (option --strict)",
}


class SpaserError(Exception):
    """Base class of every error spaser raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, code: str = "erreur") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class InputError(SpaserError):
    """A file that cannot be read as a portfolio at all (not a row problem)."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        code: str,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        where = _where(file, sheet, row, column)
        super().__init__(f"{where} : {message}" if where else message, code=code)
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        self.reason = message


class LimitExceeded(InputError):
    """A documented safety limit (size, rows, cells, string length) was hit."""


class InvalidCode(SpaserError, ValueError):
    """A code or identifier (CPV, SIRET...) is not valid."""

    exit_code = 3


class InvalidFormat(InvalidCode):
    """The code does not have the expected shape (length, characters)."""


class InvalidChecksum(InvalidCode):
    """The code's check digit does not match."""


class UnknownCode(InvalidCode):
    """The code has the right shape but does not exist in the reference table."""


class ParameterError(SpaserError):
    """A legal parameter file is malformed (names the file and the key)."""

    exit_code = 5


class CatalogueError(SpaserError):
    """A clause catalogue file is malformed (names the file and the key)."""

    exit_code = 5


class UsageError(SpaserError):
    """A malformed command: an option's value cannot be read, a choice is missing (exit code 2, as argparse)."""

    exit_code = 2

    def __init__(self, message: str, *, code: str = "usage") -> None:
        super().__init__(message, code=code)


class OutputError(SpaserError):
    """An output file exists (without --force) or cannot be written."""

    exit_code = 4


def _where(file: str | None, sheet: str | None, row: int | None, column: str | None) -> str:
    parts = []
    if file:
        parts.append(f"fichier « {file} »")
    if sheet:
        parts.append(f"feuille « {sheet} »")
    if row is not None:
        parts.append(f"ligne {row}")
    if column:
        parts.append(f"colonne « {column} »")
    return ", ".join(parts)
