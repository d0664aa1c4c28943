"""Each upload is read in its own process, with a time and a memory limit.

A file that makes the reader crash, loop or eat all memory only takes its own
process down: the server gets a French error for that upload and every other
session goes on. The upload is written into a private temporary folder that
this (server) process removes in a ``finally``, so it goes even when the worker
was killed. The result comes back pickled; its size gives an estimate of the
memory the analysis will hold (the server caps the total).

While it reads, the worker writes « spaser-progress N » lines (N records read)
on its standard error; a thread of the server reads them to the end, keeps the
well-formed ones and skips anything else, so the channel can neither block the
worker nor break the import.
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
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spaser._errors import InputError, SpaserError
from spaser._french import agree
from spaser._gc import paused

__all__ = ["WorkerLimits", "WorkerError", "import_in_worker", "upload_name", "MEMORY_FACTOR"]

# Memory held by a loaded ImportResult per byte of its pickle (measured: ~1.1 kB a purchase in
# memory for ~280 bytes pickled on the example; rounded up).
MEMORY_FACTOR = 5

# The worker's progress lines on its standard error: the prefix, then the records read (``load``'s progress).
PROGRESS_PREFIX = b"spaser-progress "
_PROGRESS_LINE = re.compile(re.escape(PROGRESS_PREFIX) + rb"(\d{1,15})\r?\n")
_LINE_MAX = 200  # bytes: a longer "line" is read in pieces, none of which matches

# The worker process (a module-level list so that tests can run a misbehaving one).
_COMMAND = [sys.executable, "-m", "spaser.web.worker"]


@dataclass(frozen=True)
class WorkerLimits:
    seconds: float = 180.0  # wall clock for one import, reading and sending back included
    memory_bytes: int = 3 * 1024**3  # address space of the worker (RLIMIT_AS, Linux)


class WorkerError(SpaserError):
    """The worker was stopped (time, memory) or crashed: the file is the cause, not the server."""

    exit_code = 3


# Extension given to the private temporary copy, from the sniffed content.
_EXTENSIONS = {"xlsx": ".xlsx", "ods": ".ods", "ole2": ".xls", "json": ".json", "xml": ".xml", "csv": ".csv"}


def upload_name(name: str, kind: str) -> str:
    """The file name the upload is read under, as the user knows it: messages, sources and the buyer
    read from it say « Achats 2024.xlsx », not a temporary path. Never a path; its extension is the
    content's (the copy is never anything Python could import).

    >>> upload_name('../../etc/passwd', 'csv'), upload_name('.xlsx', 'xlsx'), upload_name('Été 2024.CSV', 'csv')
    ('passwd.csv', 'import.xlsx', 'Été 2024.CSV')
    >>> len(upload_name('é' * 300 + '.csv', 'csv').encode())
    204
    """
    ext = _EXTENSIONS.get(kind, ".bin")
    last = re.split(r"[\\/]", name)[-1]
    last = "".join(c for c in last if c.isprintable()).strip()
    stem, suffix = (last[: -len(ext)], last[-len(ext):]) if last.lower().endswith(ext) else (last, ext)
    stem = stem.lstrip(".").encode("utf-8")[:_NAME_BYTES].decode("utf-8", "ignore").strip()  # file systems count bytes
    return (stem or "import") + suffix


_NAME_BYTES = 200  # of the 255 a file name may have


def import_in_worker(
    data: bytes,
    name: str,
    kind: str,
    *,
    options: dict[str, Any] | None = None,
    limits: WorkerLimits = WorkerLimits(),
    task: str = "load",
    progress: Callable[[int], None] | None = None,
) -> tuple[Any, int]:
    """(ImportResult, estimated bytes in memory) for the uploaded ``data``, read by ``spaser.load`` in a worker.

    ``name``: the user's file name, which the file is read under (:func:`upload_name`): the
    messages, the purchases' sources and the report name it, never a temporary path;
    ``options`` are :func:`spaser.load`'s (mapping, sheet, vat_rate, buyer).
    ``task="headers"`` gives instead the column headers the file seems to have
    (:func:`spaser.web.mapping.file_headers`), for the column-mapping step.
    ``progress(n)`` is told, in a thread of its own, the growing number of records read.
    Raises the reader's own SpaserError, or :class:`WorkerError`.
    """
    folder = tempfile.mkdtemp(prefix="spaser-web-")
    try:
        os.chmod(folder, 0o700)
        # Read under the user's file name, from the folder (readers name a buyer without a column after the file, as the CLI does).
        path = Path(folder) / upload_name(name, kind)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return _run(task, path, options or {}, limits, name, progress)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(
    task: str, path: Path, options: dict[str, Any], limits: WorkerLimits, name: str, progress: Callable[[int], None] | None
) -> tuple[Any, int]:
    """Run ``python -m spaser.web.worker`` on the file: a fresh interpreter, never a fork of this threaded server
    (whose other threads may hold locks), and nothing of the server to re-import."""
    request = pickle.dumps((task, path.name, options, limits), protocol=pickle.HIGHEST_PROTOCOL)
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    # The worker's standard error is a pipe of our own, read by a thread while the worker runs.
    read_end, write_end = os.pipe()
    watcher = threading.Thread(target=_watch, args=(read_end, progress), name="spaser-worker-progress", daemon=True)
    watcher.start()
    try:
        proc = subprocess.run(
            _COMMAND,
            input=request,
            stdout=subprocess.PIPE,
            stderr=write_end,
            timeout=limits.seconds,
            env=env,
            cwd=path.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise WorkerError(_too_long(name, limits), code="worker-timeout") from None
    except OSError as e:
        raise WorkerError(f"fichier « {name} » : impossible de lancer la lecture ({e.strerror or e}).", code="worker-crashed") from None
    finally:
        os.close(write_end)  # the worker is gone: the thread reads the end of the pipe and stops
        watcher.join(timeout=5)
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
    raise WorkerError(_crashed(name, detail=str(value)), code="worker-crashed")


def _too_long(name: str, limits: WorkerLimits) -> str:
    seconds = f"{limits.seconds:.0f}"
    return (
        f"fichier « {name} » : la lecture a dépassé {seconds} {agree(int(seconds), 'seconde', 'secondes')} et a été arrêtée. "
        "Réduisez le fichier (une feuille, une année) ou utilisez la commande « spaser check »."
    )


def _crashed(name: str, detail: str = "") -> str:
    return (
        f"fichier « {name} » : la lecture s'est arrêtée anormalement{f' ({detail})' if detail else ''}. "
        "Le fichier est peut-être endommagé : ouvrez-le dans votre tableur, enregistrez-le de nouveau, puis réessayez."
    )


def _watch(fd: int, progress: Callable[[int], None] | None) -> None:
    """In the server: read the worker's standard error ``fd`` to its end (so that the worker never waits on a full
    pipe) and tell ``progress`` each growing count; warnings, garbage and endless lines are skipped."""
    last = 0
    try:
        with open(fd, "rb") as stream:
            for line in iter(lambda: stream.readline(_LINE_MAX), b""):
                m = _PROGRESS_LINE.fullmatch(line)
                if m is None or progress is None or int(m[1]) <= last:
                    continue
                last = int(m[1])
                try:
                    progress(last)
                except Exception:  # noqa: BLE001 - the count is a nicety: the reading goes on without it
                    pass
    except (OSError, ValueError):  # the pipe went away: nothing more to tell
        pass


def _tell(n: int) -> None:
    """In the worker: say how many records are read; an unwritable standard error never stops the reading."""
    try:
        sys.stderr.buffer.write(PROGRESS_PREFIX + str(n).encode("ascii") + b"\n")
        sys.stderr.buffer.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _work(task: str, path: str, options: dict[str, Any], limits: WorkerLimits) -> tuple[str, Any]:
    """In the worker: limits, then the task; the answer as (kind, value)."""
    _limit(limits)
    try:
        if task == "headers":
            from spaser.web.mapping import file_headers

            return "ok", file_headers(path, **options)
        from spaser.io import load

        result = load(path, **options, progress=_tell)
        return "ok", result
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
