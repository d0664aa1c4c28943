"""Long work in the background: import, suggestions, documents.

A job runs in a thread of the server (the reading itself in a worker process,
see :mod:`spaser.web.worker`); the page shows its steps with a progress bar
and the browser may leave and come back: the job belongs to the session and
its page says where to go once it is done. At most ``RUNNING`` jobs work at
once (the machine's cores); the others wait their turn, and say so.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spaser._errors import SpaserError

__all__ = ["Job", "Redirect", "start", "RUNNING", "MAX_JOBS"]

RUNNING = 2  # jobs working at once, for all sessions
MAX_JOBS = 10  # per session: the oldest finished ones are forgotten first
_slots = threading.BoundedSemaphore(RUNNING)


@dataclass
class Job:
    id: str
    title: str  # « Import de « achats.xlsx » »
    steps: list[str]  # French labels, in order
    back: str  # where the user came from (link while it runs)
    step: int = 0  # index of the step under way
    state: str = "waiting"  # waiting, running, done, failed
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    next: str | None = None  # where to go when done (or when it failed into another page)
    error: str | None = None
    detail: str = ""  # how far the step under way is (« 120 000 enregistrements lus »), told from another thread
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def advance(self) -> None:
        with self.lock:
            self.step = min(self.step + 1, len(self.steps) - 1)
            self.detail = ""

    def tell(self, detail: str) -> None:
        """Say how far the step under way is (shown in its text until the next step)."""
        self.detail = detail

    @property
    def seconds(self) -> int:
        return int((self.ended or time.monotonic()) - self.started)

    def to_dict(self) -> dict[str, Any]:
        """What the page's script polls (GET /travail/ID.json)."""
        done = len(self.steps) if self.state == "done" else self.step
        return {
            "state": self.state,
            "title": self.title,
            "step": self.step + 1,
            "steps": len(self.steps),
            "done": done,
            "label": self.steps[self.step] if self.steps else "",
            "seconds": self.seconds,
            "next": self.next,
            "error": self.error,
            "detail": self.detail,
            "text": self.text(),
        }

    def text(self) -> str:
        if self.state == "waiting":
            return f"En attente : d'autres travaux sont en cours ({self.seconds} s)."
        if self.state == "done":
            return f"Terminé en {self.seconds} s."
        if self.state == "failed":
            return "Échec."
        detail = f"{self.detail}, " if self.detail else ""
        return f"Étape {self.step + 1} sur {len(self.steps)} : {self.steps[self.step]} ({detail}{self.seconds} s)."


def start(jobs: OrderedDict[str, Job], title: str, steps: list[str], back: str, work: Callable[[Job], str]) -> Job:
    """Run ``work(job)`` in a background thread; it returns the URL to go to when done.

    A SpaserError's French message is shown on the job's page; any other
    exception becomes a generic French message (never a trace).
    """
    job = Job(id=secrets.token_urlsafe(12), title=title, steps=steps, back=back)
    jobs[job.id] = job
    finished = [k for k, j in jobs.items() if j.state in ("done", "failed")]
    while len(jobs) > MAX_JOBS and finished:
        jobs.pop(finished.pop(0), None)

    def run() -> None:
        with _slots:
            job.state = "running"
            job.started = time.monotonic()
            try:
                job.next = work(job)
                job.state = "done"
            except Redirect as r:
                job.next, job.error, job.state = r.location, r.message, "failed"
            except SpaserError as e:
                job.error, job.state = str(e), "failed"
            except Exception as e:  # noqa: BLE001 - a French message on the page, the detail on the console
                import sys

                sys.stderr.write(f"spaser serve : erreur interne dans un travail ({type(e).__name__}: {e}).\n")
                job.error = "Une erreur inattendue s'est produite. Réessayez ; si le problème persiste, utilisez la commande « spaser check » sur le même fichier."
                job.state = "failed"
            finally:
                job.ended = time.monotonic()

    threading.Thread(target=run, name=f"spaser-job-{job.id[:6]}", daemon=True).start()
    return job


class Redirect(Exception):
    """Raised by a job's work: the job ends on another page (asking the VAT rate, the columns...)."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location, self.message = location, message

