"""Import problems and the import report (frictionless style).

Every problem is an :class:`ImportIssue` with a stable code from
:class:`IssueCode`, a severity, and where it is (file, sheet, row, column,
field, raw value). A row with an error is rejected; a row with only
warnings is accepted. ``read == accepted + rejected`` always holds.

Issues listed are capped (``max_issues``); the cap is announced in
``truncated`` and the per-code counts stay complete.

>>> r = ImportReport(file="achats.xlsx")
>>> r.add(IssueCode.AMOUNT_ZERO, row=4, column="Montant HT", field="amount_ht", value="0")
>>> r.read, r.accepted, r.warned
(1, 1, 1)
>>> print(r.issues[0].message)
Montant nul : la ligne est conservée mais ne pèse rien dans les totaux.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from collections.abc import Callable
from typing import Any

from spaser._french import counted, records_read
from spaser.money import format_number

__all__ = ["IssueCode", "Severity", "ImportIssue", "ImportReport", "MESSAGES"]


class Severity(StrEnum):
    ERROR = "erreur"  # the record is rejected
    WARNING = "avertissement"  # the record is kept


class IssueCode(StrEnum):
    """Stable codes: never rename one, add new ones at the end of a group."""

    # file level (fatal, raised as InputError, and also recorded)
    FILE_NOT_FOUND = "file-not-found"
    FILE_EMPTY = "file-empty"
    FILE_FORMAT = "file-format"
    FILE_CORRUPT = "file-corrupt"
    FILE_ENCRYPTED = "file-encrypted"
    FILE_OLD_FORMAT = "file-old-format"
    FILE_TOO_LARGE = "file-too-large"
    ENCODING = "encoding"
    JSON_INVALID = "json-invalid"
    JSON_ROOT = "json-root"
    XML_INVALID = "xml-invalid"
    XML_FORBIDDEN = "xml-forbidden"
    LIMIT_ROWS = "limit-rows"
    LIMIT_CELLS = "limit-cells"
    LIMIT_STRING = "limit-string"
    LIMIT_DEPTH = "limit-depth"
    # structure
    HEADER_NOT_FOUND = "header-not-found"
    HEADER_AMBIGUOUS = "header-ambiguous"
    COLUMN_MISSING = "column-missing"
    COLUMN_DUPLICATE = "column-duplicate"
    COLUMN_UNKNOWN = "column-unknown"
    MAPPING_INVALID = "mapping-invalid"
    SHEET_SKIPPED = "sheet-skipped"
    SHEET_HIDDEN = "sheet-hidden"
    NO_DATA = "no-data"
    # row level
    ID_MISSING = "id-missing"
    DUPLICATE = "duplicate"
    AMOUNT_MISSING = "amount-missing"
    AMOUNT_INVALID = "amount-invalid"
    AMOUNT_ZERO = "amount-zero"
    AMOUNT_NEGATIVE = "amount-negative"
    AMOUNT_ABSURD = "amount-absurd"
    AMOUNT_TTC = "amount-ttc"
    AMOUNT_NOT_FINITE = "amount-not-finite"
    FORMULA_NO_VALUE = "formula-no-value"
    DATE_MISSING = "date-missing"
    DATE_INVALID = "date-invalid"
    DATE_FUTURE = "date-future"
    DATE_IMPLAUSIBLE = "date-implausible"
    DURATION_INVALID = "duration-invalid"
    CPV_MISSING = "cpv-missing"
    CPV_MALFORMED = "cpv-malformed"
    CPV_UNKNOWN = "cpv-unknown"
    CPV_CHECK_DIGIT = "cpv-check-digit"
    SIRET_INVALID = "siret-invalid"
    BUYER_MISSING = "buyer-missing"
    VALUE_INVALID = "value-invalid"
    CONSIDERATION_INVALID = "consideration-invalid"
    CONCESSION = "concession"
    RECORD_INVALID = "record-invalid"
    JSON_DUPLICATE_KEY = "json-duplicate-key"
    SUBTOTAL_ROW = "subtotal-row"
    HEADING_ROW = "heading-row"
    AMOUNT_OTHER_COLUMN = "amount-other-column"
    SUPERSEDED = "superseded"


MESSAGES: dict[IssueCode, str] = {
    IssueCode.FILE_NOT_FOUND: "Fichier introuvable.",
    IssueCode.FILE_EMPTY: "Le fichier est vide.",
    IssueCode.FILE_FORMAT: "Format de fichier non reconnu.",
    IssueCode.FILE_CORRUPT: "Le fichier est endommagé et ne peut pas être lu.",
    IssueCode.FILE_ENCRYPTED: "Le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe puis réessayez.",
    IssueCode.FILE_OLD_FORMAT: "Format ancien ou non pris en charge : ouvrez le fichier dans votre tableur et enregistrez-le au format .xlsx.",
    IssueCode.FILE_TOO_LARGE: "Le fichier dépasse la taille maximale acceptée.",
    IssueCode.ENCODING: "Encodage des caractères non reconnu.",
    IssueCode.JSON_INVALID: "JSON invalide.",
    IssueCode.JSON_ROOT: "Structure JSON inattendue pour des données essentielles (DECP).",
    IssueCode.XML_INVALID: "XML invalide.",
    IssueCode.XML_FORBIDDEN: "XML refusé : entités ou DTD interdites pour des raisons de sécurité.",
    IssueCode.LIMIT_ROWS: "Nombre maximal de lignes atteint.",
    IssueCode.LIMIT_CELLS: "Nombre maximal de cellules atteint.",
    IssueCode.LIMIT_STRING: "Texte trop long dans une cellule ou un champ.",
    IssueCode.LIMIT_DEPTH: "Imbrication trop profonde.",
    IssueCode.HEADER_NOT_FOUND: "Ligne d'en-tête introuvable : aucune ligne ne contient les colonnes attendues (identifiant, objet, montant...).",
    IssueCode.HEADER_AMBIGUOUS: "Plusieurs lignes pourraient être l'en-tête ; la plus complète a été retenue.",
    IssueCode.COLUMN_MISSING: "Colonne obligatoire absente.",
    IssueCode.COLUMN_DUPLICATE: "Colonne présente plusieurs fois ; seule la première est lue.",
    IssueCode.COLUMN_UNKNOWN: "Colonne non reconnue, ignorée.",
    IssueCode.MAPPING_INVALID: "Correspondance de colonnes invalide.",
    IssueCode.SHEET_SKIPPED: "Feuille ignorée : elle ne contient pas de tableau d'achats reconnu.",
    IssueCode.SHEET_HIDDEN: "Feuille masquée, lue quand même.",
    IssueCode.NO_DATA: "Aucune ligne de données.",
    IssueCode.ID_MISSING: "Identifiant manquant : un identifiant a été attribué à partir du numéro de ligne.",
    IssueCode.DUPLICATE: "Doublon : même identifiant qu'une ligne déjà lue.",
    IssueCode.AMOUNT_MISSING: "Montant manquant.",
    IssueCode.AMOUNT_INVALID: "Montant illisible.",
    IssueCode.AMOUNT_ZERO: "Montant nul : la ligne est conservée mais ne pèse rien dans les totaux.",
    IssueCode.AMOUNT_NEGATIVE: "Montant négatif.",
    IssueCode.AMOUNT_ABSURD: "Montant démesuré, probablement une erreur de saisie.",
    IssueCode.AMOUNT_TTC: "Montant TTC : seul un montant HT est accepté (indiquez la colonne HT ou le taux de TVA à retirer).",
    IssueCode.AMOUNT_NOT_FINITE: "Montant non numérique (NaN ou infini).",
    IssueCode.FORMULA_NO_VALUE: "Formule sans valeur calculée : ouvrez et enregistrez le classeur dans votre tableur.",
    IssueCode.DATE_MISSING: "Date manquante.",
    IssueCode.DATE_INVALID: "Date illisible ou impossible.",
    IssueCode.DATE_FUTURE: "Date dans le futur.",
    IssueCode.DATE_IMPLAUSIBLE: "Date invraisemblable.",
    IssueCode.DURATION_INVALID: "Durée illisible ou invraisemblable.",
    IssueCode.CPV_MISSING: "Code CPV manquant.",
    IssueCode.CPV_MALFORMED: "Code CPV mal formé (8 chiffres attendus, ex. 45000000-7).",
    IssueCode.CPV_UNKNOWN: "Code CPV absent de la nomenclature CPV 2008.",
    IssueCode.CPV_CHECK_DIGIT: "Clé de contrôle du code CPV incorrecte ; le code est retenu.",
    IssueCode.SIRET_INVALID: "SIRET ou SIREN invalide.",
    IssueCode.BUYER_MISSING: "Acheteur non identifié.",
    IssueCode.VALUE_INVALID: "Valeur non reconnue.",
    IssueCode.CONSIDERATION_INVALID: "Considération sociale ou environnementale non reconnue.",
    IssueCode.CONCESSION: "Contrat de concession : conservé, mais hors du calcul de l'obligation SPASER.",
    IssueCode.RECORD_INVALID: "Enregistrement invalide.",
    IssueCode.JSON_DUPLICATE_KEY: "Clé présente plusieurs fois dans le même objet JSON : la dernière valeur est retenue.",
    IssueCode.SUBTOTAL_ROW: "Ligne de total ou de sous-total : ce n'est pas un achat, elle est écartée (elle compterait les montants deux fois).",
    IssueCode.HEADING_ROW: "Ligne de titre (intitulé de section) : ce n'est pas un achat, elle est écartée.",
    IssueCode.AMOUNT_OTHER_COLUMN: "Montant pris dans une autre colonne de montant.",
    IssueCode.SUPERSEDED: "Version antérieure d'un contrat (donneesActuelles à faux) : seule la version à jour est retenue.",
}


@dataclass(frozen=True, slots=True)
class ImportIssue:
    code: IssueCode
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    value: str | None = None

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        if self.row is not None:
            parts.append(f"ligne {self.row}")
        if self.column:
            parts.append(f"colonne « {self.column} »")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "value": self.value,
        }


# Codes that reject the record by default; every other code is a warning.
_ERRORS = frozenset(
    {
        IssueCode.RECORD_INVALID,
        IssueCode.DUPLICATE,
        IssueCode.AMOUNT_INVALID,
        IssueCode.AMOUNT_TTC,
        IssueCode.AMOUNT_NOT_FINITE,
        IssueCode.AMOUNT_NEGATIVE,
        IssueCode.FORMULA_NO_VALUE,
        IssueCode.DATE_INVALID,
        IssueCode.BUYER_MISSING,
        IssueCode.SUBTOTAL_ROW,
        IssueCode.HEADING_ROW,
        IssueCode.SUPERSEDED,
    }
)

_VALUE_MAX = 200  # raw values are clipped in the report, never in the data


PROGRESS_EVERY = 20_000  # records between two calls of ImportReport.progress


@dataclass
class ImportReport:
    """Counts and problems of one import. Mutable while reading, then read-only by convention."""

    file: str | None = None
    max_issues: int = 1000
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    warned: int = 0
    issues: list[ImportIssue] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # per issue code, never capped
    truncated: int = 0  # issues not listed because of max_issues
    formats: list[str] = field(default_factory=list)  # e.g. ["xlsx"], ["decp-2019"]
    merged: int = 0  # accepted records that added a co-contractor to a contract already read
    _row_has: dict[str, str] = field(default_factory=dict, repr=False)
    # Told the number of records read, every PROGRESS_EVERY records (a progress bar); not part of the report.
    progress: Callable[[int], None] | None = field(default=None, repr=False, compare=False)
    _told: int = field(default=0, repr=False, compare=False)

    # -- recording -----------------------------------------------------
    def issue(
        self,
        code: IssueCode,
        *,
        severity: Severity | None = None,
        detail: str | None = None,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        field: str | None = None,
        value: object = None,
    ) -> ImportIssue:
        """Record a problem; return it. ``detail`` is appended to the standard message."""
        sev = severity or (Severity.ERROR if code in _ERRORS else Severity.WARNING)
        msg = MESSAGES[code] + (f" {detail}" if detail else "")
        raw = None if value is None else str(value)
        if raw is not None and len(raw) > _VALUE_MAX:
            raw = raw[:_VALUE_MAX] + f"… ({len(raw)} caractères)"
        it = ImportIssue(code, sev, msg, file or self.file, sheet, row, column, field, raw)
        self.counts[code.value] += 1
        if len(self.issues) < self.max_issues:
            self.issues.append(it)
        else:
            self.truncated += 1
        return it

    def add(self, code: IssueCode, **kw: Any) -> None:
        """Record a problem about a record and count that record (one call per record)."""
        it = self.issue(code, **kw)
        self.count_row(rejected=it.severity is Severity.ERROR, warned=it.severity is Severity.WARNING)

    def count_row(self, *, rejected: bool, warned: bool = False) -> None:
        """Count one record read: rejected, or accepted (and whether it had warnings)."""
        self.read += 1
        if rejected:
            self.rejected += 1
        else:
            self.accepted += 1
            if warned:
                self.warned += 1
        if self.progress is not None and self.read - self._told >= PROGRESS_EVERY:
            self._tell()

    def count_accepted(self, n: int) -> None:
        """Count ``n`` records read and accepted without a warning."""
        self.read += n
        self.accepted += n
        if self.progress is not None and self.read - self._told >= PROGRESS_EVERY:
            self._tell()

    def _tell(self) -> None:
        self._told = self.read
        self.progress(self.read)  # type: ignore[misc]

    def merge(self, other: ImportReport) -> None:
        """Add another report's counts and issues (several files or sheets)."""
        self.read += other.read
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.warned += other.warned
        self.merged += other.merged
        self.counts.update(other.counts)
        room = max(0, self.max_issues - len(self.issues))
        self.issues.extend(other.issues[:room])
        self.truncated += other.truncated + max(0, len(other.issues) - room)
        for f in other.formats:
            if f not in self.formats:
                self.formats.append(f)

    # -- reading -------------------------------------------------------
    @property
    def ok(self) -> bool:
        return self.rejected == 0

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    def check(self) -> None:
        """Assert the accounting invariant (used by tests and the CLI)."""
        if self.read != self.accepted + self.rejected:
            raise AssertionError(f"read {self.read} != accepted {self.accepted} + rejected {self.rejected}")

    def summary_fr(self) -> str:
        """« 2 917 enregistrements lus : 2 915 acceptés (dont 3 avec avertissement), 2 rejetés. »"""
        warned = f" (dont {format_number(self.warned)} avec avertissement)" if self.warned else ""
        s = f"{records_read(self.read)} : {counted(self.accepted, 'accepté', 'acceptés')}{warned}, {counted(self.rejected, 'rejeté', 'rejetés')}."
        if self.merged:
            s += f" {counted(self.merged, 'ligne de cotitulaire rattachée', 'lignes de cotitulaire rattachées')} au marché déjà lu."
        if self.truncated:
            s += (f" {counted(self.truncated, 'problème supplémentaire non détaillé', 'problèmes supplémentaires non détaillés')}"
                  f" (limite de {format_number(self.max_issues)} atteinte).")
        return s

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "formats": list(self.formats),
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "warned": self.warned,
            "merged": self.merged,
            "counts": dict(sorted(self.counts.items())),
            "truncated": self.truncated,
            "max_issues": self.max_issues,
            "issues": [i.to_dict() for i in self.issues],
        }

