"""Each upload is read in its own process, with a time and a memory limit.

A file that makes the reader crash, loop or eat all memory only takes its own
process down: the server gets a French error for that upload and every other
session goes on. The upload is written into a private temporary folder that
this (server) process removes in a ``finally``, so it goes even when the worker
was killed. The result comes back pickled; its size gives an estimate of the
memory the analysis will hold (the server caps the total).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spaser._errors import InputError, SpaserError

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


def _context():  # type: ignore[no-untyped-def]
    """A fresh interpreter per worker, never a fork of this threaded server (locks held by other threads)."""
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        # The fork server imports the readers once; each worker is a fork of it.
        ctx.set_forkserver_preload(["spaser.io", "spaser.io.spreadsheet", "spaser.io.decp", "spaser.web.worker", "spaser.web.mapping"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run(task: str, path: str, options: dict[str, Any], limits: WorkerLimits, name: str) -> tuple[Any, int]:
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_work, args=(sender, task, path, options, limits), name="spaser-import", daemon=True)
    proc.start()
    sender.close()
    deadline = time.monotonic() + limits.seconds
    try:
        if not receiver.poll(limits.seconds):
            raise WorkerError(_too_long(name, limits), code="worker-timeout")
        try:
            payload = receiver.recv_bytes()
        except (EOFError, OSError):
            raise WorkerError(_crashed(name, proc), code="worker-crashed") from None
        kind, value = pickle.loads(payload)
    finally:
        receiver.close()
        proc.join(max(0.0, min(5.0, deadline - time.monotonic())))
        if proc.is_alive():
            proc.kill()
            proc.join(5)
    if kind == "ok":
        return value, len(payload) * MEMORY_FACTOR
    if kind == "error":
        cls, message, code, where = value
        error = InputError(message, code=code, **where) if cls == "InputError" else SpaserError(message, code=code)
        raise error
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


def _crashed(name: str, proc: Any, detail: str = "") -> str:
    return (
        f"fichier « {name} » : la lecture s'est arrêtée anormalement{f' ({detail})' if detail else ''}. "
        "Le fichier est peut-être endommagé : ouvrez-le dans votre tableur, enregistrez-le de nouveau, puis réessayez."
    )


def _work(sender: Any, task: str, path: str, options: dict[str, Any], limits: WorkerLimits) -> None:
    """In the worker: limits, then spaser.load, then the answer (pickled once, sent as bytes)."""
    _limit(limits)
    try:
        if task == "headers":
            from spaser.web.mapping import file_headers

            answer: tuple[str, Any] = ("ok", file_headers(path, **options))
        else:
            from spaser.io import load

            answer = ("ok", load(path, **options))
    except MemoryError:
        answer = ("memory", None)
    except InputError as e:
        where = {k: getattr(e, k) for k in ("file", "sheet", "row", "column")}
        answer = ("error", ("InputError", e.reason, e.code, where))
    except SpaserError as e:
        answer = ("error", ("SpaserError", e.message, e.code, {}))
    except RecursionError:
        answer = ("crash", "imbrication trop profonde")
    except Exception as e:  # noqa: BLE001 - reported to the server as a French error, not raised
        answer = ("crash", type(e).__name__)
    try:
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", None))
    sender.send_bytes(payload)
    sender.close()


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
