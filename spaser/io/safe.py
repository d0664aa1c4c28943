"""Safe outputs: atomic writes, no overwrite without force, inert cell text.

>>> safe_cell('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
>>> safe_cell('-12') , safe_cell('Nettoyage'), safe_cell("'=x")
("'-12", 'Nettoyage', "''=x")
>>> xml_text('a\\x00b\\x1fc\\ufffed')
'abcd'
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from spaser._errors import OutputError

__all__ = ["atomic_path", "write_bytes", "write_text", "safe_cell", "xml_text", "check_target", "CELL_CHARS"]

CELL_CHARS = 32_767  # what a spreadsheet cell holds (Excel's limit): a longer cell makes Excel repair the file

# Characters XML 1.0 cannot hold (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A text that already starts with a quote is quoted too, so that reading back
# (which drops one leading quote) gives the text unchanged.
_QUOTE_FIRST = _FORMULA_START + ("'",)


def xml_text(text: str) -> str:
    """Remove the characters an XML document (docx, xlsx) cannot contain."""
    return _XML_BAD.sub("", text)


def safe_cell(value: object) -> object:
    """A text that a spreadsheet would run as a formula is prefixed with a quote; a text longer than a
    cell holds (:data:`CELL_CHARS`, the quote counted) is cut there, ending with « … ».

    Numbers, dates and other non-text values pass unchanged.
    """
    if isinstance(value, str):
        value = xml_text(value)
        if value.startswith(_QUOTE_FIRST):
            value = "'" + value
        if len(value) > CELL_CHARS:
            value = value[: CELL_CHARS - 1] + "…"
    return value


def check_target(path: str | os.PathLike[str], *, force: bool) -> Path:
    p = Path(path)
    if p.exists() and not force:
        raise OutputError(f"Le fichier « {p} » existe déjà : ajoutez --force pour le remplacer.", code="output-exists")
    if p.exists() and p.is_dir():
        raise OutputError(f"« {p} » est un dossier, pas un fichier.", code="output-invalid")
    if not p.parent.exists():
        raise OutputError(f"Le dossier « {p.parent} » n'existe pas.", code="output-invalid")
    return p


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    On any error the temporary file is removed and ``path`` is untouched.
    """
    target = check_target(path, force=force)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # Re-check: another process may have created the file meanwhile.
        if target.exists() and not force:
            raise OutputError(f"Le fichier « {target} » existe déjà : ajoutez --force pour le remplacer.", code="output-exists")
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes it private; a document is meant to be shared
        os.replace(tmp_path, target)
    except OSError as e:
        raise OutputError(f"Écriture impossible de « {target} » : {e.strerror or e}.", code="output-failed") from e
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    """The process's umask. Read from Linux's /proc where it can be: setting it to read it back,
    even briefly, races with other threads creating files (the web server writes workbooks)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass
    mask = os.umask(0)  # pragma: no cover - not Linux
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover


def write_bytes(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    with atomic_path(path, force=force) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str, *, force: bool = False, encoding: str = "utf-8") -> Path:
    return write_bytes(path, text.encode(encoding), force=force)


def write_with(path: str | os.PathLike[str], writer: Callable[[IO[bytes]], None], *, force: bool = False) -> Path:
    """Call ``writer`` with a binary file object, atomically."""
    with atomic_path(path, force=force) as tmp, open(tmp, "wb") as fh:
        writer(fh)
    return Path(path)


__all__.append("write_with")
