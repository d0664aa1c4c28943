"""Each upload is read in its own process, with a time and a memory limit.

A file that makes the reader crash, loop or eat all memory only takes its own
process down: the server gets a French error for that upload and every other
session goes on. The upload is written into a private temporary folder that
this (server) process removes in a ``finally``, so it goes even when the worker
was killed. The result comes back pickled; its size gives an estimate of the
memory the analysis will hold (the server caps the total).
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spaser._errors import InputError, SpaserError
from spaser._gc import paused

__all__ = ["WorkerLimits", "WorkerError", "import_in_worker", "safe_stem", "MEMORY_FACTOR"]

# Memory held by a loaded ImportResult per byte of its pickle (measured: ~1.1 kB a purchase in
# memory for ~280 bytes pickled on the example; rounded up).
MEMORY_FACTOR = 5


@dataclass(frozen=True)
class WorkerLimits:
    seconds: float = 180.0  # wall clock for one import, reading and sending back included
    memory_bytes: int = 3 * 1024**3  # address space of the worker (RLIMIT_AS, Linux)


class WorkerError(SpaserError):
    """The worker was stopped (time, memory) or crashed: the file is the cause, not the server."""

    exit_code = 3


# Extension given to the private temporary copy, from the sniffed content.
_EXTENSIONS = {"xlsx": ".xlsx", "ods": ".ods", "ole2": ".xls", "json": ".json", "xml": ".xml", "csv": ".csv"}


def safe_stem(name: str) -> str:
    """'Achats 2024 (Métropole).xlsx' -> 'Achats_2024_Metropole'; never a path.

    >>> safe_stem('../../etc/passwd'), safe_stem('.xlsx'), safe_stem('Été.csv')
    ('passwd', 'import', 'Ete')
    """
    last = re.split(r"[\\/]", name)[-1]
    stem = last.rsplit(".", 1)[0] if "." in last else last
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_stem).strip("_-")[:60] or "import"


def import_in_worker(
    data: bytes,
    name: str,
    kind: str,
    *,
    options: dict[str, Any] | None = None,
    limits: WorkerLimits = WorkerLimits(),
    task: str = "load",
) -> tuple[Any, int]:
    """(ImportResult, estimated bytes in memory) for the uploaded ``data``, read by ``spaser.load`` in a worker.

    ``name`` (the user's file name) replaces the temporary path in messages;
    ``options`` are :func:`spaser.load`'s (mapping, sheet, vat_rate, buyer).
    ``task="headers"`` gives instead the column headers the file seems to have
    (:func:`spaser.web.mapping.file_headers`), for the column-mapping step.
    Raises the reader's own SpaserError, or :class:`WorkerError`.
    """
    folder = tempfile.mkdtemp(prefix="spaser-web-")
    try:
        os.chmod(folder, 0o700)
        # Readers name a buyer without a column after the file, as the CLI does.
        path = Path(folder) / (safe_stem(name) + _EXTENSIONS.get(kind, ".bin"))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            return _run(task, str(path), options or {}, limits, name)
        except SpaserError as e:
            e.message = e.message.replace(str(path), name)
            e.args = (e.message,)
            raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(task: str, path: str, options: dict[str, Any], limits: WorkerLimits, name: str) -> tuple[Any, int]:
    """Run ``python -m spaser.web.worker`` on the file: a fresh interpreter, never a fork of this threaded server
    (whose other threads may hold locks), and nothing of the server to re-import."""
    request = pickle.dumps((task, path, options, limits), protocol=pickle.HIGHEST_PROTOCOL)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "spaser.web.worker"],
            input=request,
            capture_output=True,
            timeout=limits.seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise WorkerError(_too_long(name, limits), code="worker-timeout") from None
    except OSError as e:
        raise WorkerError(f"fichier « {name} » : impossible de lancer la lecture ({e.strerror or e}).", code="worker-crashed") from None
    payload = proc.stdout
    kind: str
    value: Any
    try:
        with paused(promote=True):  # hundreds of thousands of objects that stay: no collection walking them
            kind, value = pickle.loads(payload) if payload else ("crash", "")
    except Exception:  # noqa: BLE001 - a truncated answer: the worker died while writing it
        kind, value = "crash", ""
    if kind == "crash" and proc.returncode < 0:
        # Killed by a signal: out of memory (the kernel or RLIMIT_AS) or CPU time (SIGXCPU).
        if -proc.returncode == getattr(signal, "SIGXCPU", -1):
            raise WorkerError(_too_long(name, limits), code="worker-timeout")
    if kind == "ok":
        return value, len(payload) * MEMORY_FACTOR
    if kind == "error":
        cls, message, code, where = value
        raise InputError(message, code=code, **where) if cls == "InputError" else SpaserError(message, code=code)
    if kind == "memory":
        raise WorkerError(
            f"fichier « {name} » : sa lecture demande plus de {limits.memory_bytes // 1024**2} Mo de mémoire. "
            "Réduisez-le (une feuille, une année) ou utilisez la commande « spaser check ».",
            code="worker-memory",
        )
    raise WorkerError(_crashed(name, None, detail=str(value)), code="worker-crashed")


def _too_long(name: str, limits: WorkerLimits) -> str:
    return (
        f"fichier « {name} » : la lecture a dépassé {limits.seconds:.0f} secondes et a été arrêtée. "
        "Réduisez le fichier (une feuille, une année) ou utilisez la commande « spaser check »."
    )


def _crashed(name: str, _proc: Any, detail: str = "") -> str:
    return (
        f"fichier « {name} » : la lecture s'est arrêtée anormalement{f' ({detail})' if detail else ''}. "
        "Le fichier est peut-être endommagé : ouvrez-le dans votre tableur, enregistrez-le de nouveau, puis réessayez."
    )


def _work(task: str, path: str, options: dict[str, Any], limits: WorkerLimits) -> tuple[str, Any]:
    """In the worker: limits, then the task; the answer as (kind, value)."""
    _limit(limits)
    try:
        if task == "headers":
            from spaser.web.mapping import file_headers

            return "ok", file_headers(path, **options)
        from spaser.io import load

        return "ok", load(path, **options)
    except MemoryError:
        return "memory", None
    except InputError as e:
        return "error", ("InputError", e.reason, e.code, {k: getattr(e, k) for k in ("file", "sheet", "row", "column")})
    except SpaserError as e:
        return "error", ("SpaserError", e.message, e.code, {})
    except RecursionError:
        return "crash", "imbrication trop profonde"
    except Exception as e:  # noqa: BLE001 - reported to the server as a French error, not raised
        return "crash", type(e).__name__


def main() -> None:
    """Entry point of the worker process: a pickled request on standard input, the pickled answer on standard output."""
    task, path, options, limits = pickle.loads(sys.stdin.buffer.read())
    answer = _work(task, path, options, limits)
    try:
        with paused():
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", None))
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


def _limit(limits: WorkerLimits) -> None:
    try:
        import resource
    except ImportError:  # Windows: the wall-clock limit of the server still applies
        return
    for what, value in ((resource.RLIMIT_AS, limits.memory_bytes), (resource.RLIMIT_CPU, int(limits.seconds) + 5)):
        try:
            _soft, hard = resource.getrlimit(what)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(what, (value, hard))
        except (ValueError, OSError):
            pass


if __name__ == "__main__":
    main()
