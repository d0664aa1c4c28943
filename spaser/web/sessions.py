"""Per-browser sessions kept in memory: a random token, a CSRF token, the analyses.

A session is found only by its token (256 random bits, sent in an HttpOnly,
SameSite=Strict cookie); an analysis only inside its own session. Nothing is
written to disk and everything expires after ``idle`` seconds without use.

A request without a cookie gets a token but nothing is stored for it: the
store keeps a session only once it holds an analysis. So visitors (or a
script) opening the page never push other people's sessions out. The CSRF
token is derived from the session token with a secret of this server (HMAC),
so it needs no storage either. The analyses of all sessions share a memory
budget (``max_bytes``): beyond it the least recently used analyses are dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spaser._errors import SpaserError

__all__ = [
    "Analysis",
    "Session",
    "SessionStore",
    "MemoryBudgetExceeded",
    "SESSION_IDLE_SECONDS",
    "MAX_SESSIONS",
    "MAX_ANALYSES",
    "MAX_ANALYSES_BYTES",
]

SESSION_IDLE_SECONDS = 2 * 3600  # a session unused for 2 hours is forgotten
MAX_SESSIONS = 100  # sessions holding analyses; beyond that the least recently used is dropped
MAX_ANALYSES = 5  # per session: older imports are dropped first
MAX_ANALYSES_BYTES = 1536 * 1024**2  # all analyses of all sessions together (estimated)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class MemoryBudgetExceeded(SpaserError):
    """One analysis alone would take more than the whole memory budget of the server."""

    exit_code = 3


@dataclass
class Analysis:
    """One imported file and what was computed from it (filled lazily, cached)."""

    id: str
    file_name: str  # the user's file name: display only, never a path
    result: Any  # spaser.io.ImportResult
    size: int = 0  # estimated bytes held (import result and cached documents)
    last_used: float = 0.0
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key (the library calls are deterministic)."""
        with self.lock:
            if key not in self.cache:
                value = compute()
                self.cache[key] = value
                if isinstance(value, (bytes, bytearray)):
                    self.size += len(value)
            return self.cache[key]


@dataclass
class Session:
    token: str
    csrf: str
    last_seen: float
    analyses: OrderedDict[str, Analysis] = field(default_factory=OrderedDict)
    # A file waiting for what its import lacks (the VAT rate, the columns): id -> Pending.
    pending: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    jobs: OrderedDict[str, Any] = field(default_factory=OrderedDict)  # id -> spaser.web.jobs.Job
    settings: Any = None  # spaser.web.settings.Settings: the document settings of this browser

    def check_csrf(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(self.csrf.encode(), str(value).encode())

    def get(self, analysis_id: str) -> Analysis | None:
        analysis = self.analyses.get(analysis_id)
        if analysis is not None:
            analysis.last_used = time.monotonic()
        return analysis


class SessionStore:
    """Thread-safe map token -> Session with idle expiry, a size cap and a memory budget."""

    def __init__(
        self,
        *,
        idle: float = SESSION_IDLE_SECONDS,
        max_sessions: int = MAX_SESSIONS,
        max_bytes: int = MAX_ANALYSES_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle = idle
        self._max = max_sessions
        self.max_bytes = max_bytes
        self._clock = clock
        self._secret = secrets.token_bytes(32)
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._sessions)

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return sum(_held(s) for s in self._sessions.values())

    def _csrf(self, token: str) -> str:
        return hmac.new(self._secret, token.encode(), hashlib.sha256).hexdigest()

    def get(self, token: str | None) -> Session | None:
        """The kept session of this token, or None (unknown, expired, or never kept)."""
        if not token:
            return None
        now = self._clock()
        with self._lock:
            self._expire(now)
            session = self._sessions.get(token)
            if session is None:
                return None
            session.last_seen = now
            self._sessions.move_to_end(token)
            return session

    def open(self, token: str | None) -> Session | None:
        """The session of a cookie: the kept one, else a new unsaved one for a well-formed token."""
        session = self.get(token)
        if session is None and token and _TOKEN.match(token):
            session = Session(token=token, csrf=self._csrf(token), last_seen=self._clock())
        return session

    def create(self) -> Session:
        """A new session for a browser without one: nothing is stored until it holds an analysis."""
        token = secrets.token_urlsafe(32)
        return Session(token=token, csrf=self._csrf(token), last_seen=self._clock())

    def keep(self, session: Session) -> None:
        """Store the session (it now holds something); the least recently used go beyond the cap."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            session.last_seen = now
            self._sessions[session.token] = session
            self._sessions.move_to_end(session.token)
            while len(self._sessions) > self._max:
                self._sessions.popitem(last=False)

    def add(self, session: Session, file_name: str, result: Any, *, size: int = 0) -> Analysis:
        """Keep a new analysis in ``session``, within the per-session count and the memory budget."""
        if size > self.max_bytes:
            raise MemoryBudgetExceeded(
                f"fichier « {file_name} » : son analyse occuperait environ {size // 1024**2} Mo, plus que la mémoire "
                f"réservée aux analyses par ce serveur ({self.max_bytes // 1024**2} Mo). Réduisez-le (une feuille, "
                "une année) ou utilisez la commande « spaser check ».",
                code="memory-budget",
            )
        analysis = Analysis(id=secrets.token_urlsafe(12), file_name=file_name, result=result, size=size, last_used=time.monotonic())
        with self._lock:
            session.analyses[analysis.id] = analysis
            while len(session.analyses) > MAX_ANALYSES:
                session.analyses.popitem(last=False)
            self.keep(session)
            self._within_budget(keep=analysis)
        return analysis

    def _within_budget(self, keep: Analysis) -> None:
        """Drop the least recently used analyses (any session) until the total fits."""
        everything = sorted(
            ((a.last_used, s, a) for s in self._sessions.values() for a in s.analyses.values() if a is not keep),
            key=lambda t: t[0],
        )
        total = self.total_bytes  # what hold() counts too: analyses, waiting files and Word models
        for _, session, analysis in everything:
            if total <= self.max_bytes:
                break
            session.analyses.pop(analysis.id, None)
            total -= analysis.size

    def hold(self, session: Session, key: str, pending: Any, size: int) -> bool:
        """Keep a file waiting for its VAT rate or columns (one per session); False when memory is short."""
        with self._lock:
            session.pending.clear()
            if self.total_bytes + size > self.max_bytes:
                return False
            session.pending[key] = pending
            self.keep(session)
            return True

    def _expire(self, now: float) -> None:
        # Ordered by last use: stop at the first live one.
        while self._sessions:
            token, oldest = next(iter(self._sessions.items()))
            if now - oldest.last_seen <= self._idle:
                break
            del self._sessions[token]


def _pending(session: Session) -> int:
    return sum(len(getattr(p, "data", b"")) for p in session.pending.values())


def _held(session: Session) -> int:
    model = getattr(session.settings, "model", None)  # the council's Word model, if given
    return sum(a.size for a in session.analyses.values()) + _pending(session) + (len(model.data) if model else 0)
