"""Per-browser sessions kept in memory: a random token, a CSRF token, the analyses.

A session is found only by its token (256 random bits, sent in an HttpOnly,
SameSite=Strict cookie); an analysis only inside its own session. Nothing is
written to disk and everything expires after ``idle`` seconds without use.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Analysis", "Session", "SessionStore", "SESSION_IDLE_SECONDS", "MAX_SESSIONS", "MAX_ANALYSES"]

SESSION_IDLE_SECONDS = 2 * 3600  # a session unused for 2 hours is forgotten
MAX_SESSIONS = 100  # beyond that the least recently used session is dropped
MAX_ANALYSES = 5  # per session: older imports are dropped first


@dataclass
class Analysis:
    """One imported file and what was computed from it (filled lazily, cached)."""

    id: str
    file_name: str  # the user's file name: display only, never a path
    result: Any  # spaser.io.ImportResult
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key (the library calls are deterministic)."""
        with self.lock:
            if key not in self.cache:
                self.cache[key] = compute()
            return self.cache[key]


@dataclass
class Session:
    token: str
    csrf: str
    last_seen: float
    analyses: OrderedDict[str, Analysis] = field(default_factory=OrderedDict)

    def check_csrf(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(self.csrf.encode(), str(value).encode())

    def add(self, file_name: str, result: Any) -> Analysis:
        analysis = Analysis(id=secrets.token_urlsafe(12), file_name=file_name, result=result)
        self.analyses[analysis.id] = analysis
        while len(self.analyses) > MAX_ANALYSES:
            self.analyses.popitem(last=False)
        return analysis

    def get(self, analysis_id: str) -> Analysis | None:
        return self.analyses.get(analysis_id)


class SessionStore:
    """Thread-safe map token -> Session with idle expiry and a size cap."""

    def __init__(
        self,
        *,
        idle: float = SESSION_IDLE_SECONDS,
        max_sessions: int = MAX_SESSIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._idle = idle
        self._max = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, token: str | None) -> Session | None:
        """The live session of this token, or None (unknown or expired)."""
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

    def create(self) -> Session:
        now = self._clock()
        session = Session(token=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), last_seen=now)
        with self._lock:
            self._expire(now)
            self._sessions[session.token] = session
            while len(self._sessions) > self._max:
                self._sessions.popitem(last=False)
        return session

    def _expire(self, now: float) -> None:
        # Ordered by last use: stop at the first live one.
        while self._sessions:
            token, oldest = next(iter(self._sessions.items()))
            if now - oldest.last_seen <= self._idle:
                break
            del self._sessions[token]
