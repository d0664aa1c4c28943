"""A progress bar on standard error for long work, only when standard error is a terminal.

Each command is a few steps (import, then the diagnosis or the document...);
``progress_step(label)`` wraps one. The line shows the steps done as a bar, the
step under way, a spinner and the time spent, redrawn four times a second.
When standard error is not a terminal (a file, a pipe, a CI log) nothing at all
is written. A daemon thread redraws the line.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["progress_step", "plan", "enabled", "detail", "Bar"]

_SPINNER = "|/-\\"
_WIDTH = 20
_TICK = 0.25


def enabled(stream=None) -> bool:  # type: ignore[no-untyped-def]
    """True when the progress line may be drawn: a terminal, not a dumb one, not turned off."""
    stream = stream or sys.stderr
    if os.environ.get("SPASER_PROGRESS") == "0" or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Bar:
    """The state of the line: steps planned and done, the current label, the clock."""

    def __init__(self, total: int, stream=None) -> None:  # type: ignore[no-untyped-def]
        self.total = max(1, total)
        self.done = 0
        self.label = ""
        self.detail = ""  # how far the step is (« 120 000 enregistrements lus »)
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.ticks = 0
        self.drawn = False

    def line(self) -> str:
        filled = _WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (_WIDTH - filled)
        spin = _SPINNER[self.ticks % len(_SPINNER)]
        seconds = int(time.monotonic() - self.start)
        detail = f" ({self.detail})" if self.detail else ""
        return f"spaser [{bar}] étape {min(self.done + 1, self.total)}/{self.total} : {self.label}{detail} {spin} {seconds} s"

    def draw(self) -> None:
        self.ticks += 1
        try:
            self.stream.write("\r\033[K" + self.line())
            self.stream.flush()
            self.drawn = True
        except (OSError, ValueError):
            pass

    def clear(self) -> None:
        if self.drawn:
            try:
                self.stream.write("\r\033[K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self.drawn = False


_bar: Bar | None = None


def plan(total: int) -> None:
    """Announce how many steps the command has (main() does it; no effect off a terminal)."""
    global _bar
    _bar = Bar(total) if enabled() else None


@contextmanager
def progress_step(label: str) -> Iterator[None]:
    """One step of the command's work, shown while it runs."""
    bar = _bar
    if bar is None:
        yield
        return
    bar.label, bar.detail = label, ""
    bar.draw()
    stop = _ticker(bar)
    try:
        yield
    finally:
        stop()
        bar.done += 1
        if bar.done >= bar.total:
            bar.clear()
        else:
            bar.draw()


def detail(text: str) -> None:
    """Say how far the current step is; shown at the next redraw (no effect off a terminal)."""
    if _bar is not None:
        _bar.detail = text


def finish() -> None:
    """Clear the line (the command ended, maybe early on an error)."""
    global _bar
    if _bar is not None:
        _bar.clear()
    _bar = None


def _ticker(bar: Bar):  # type: ignore[no-untyped-def]
    """Redraw every _TICK seconds until the returned function is called."""
    done = threading.Event()

    def run() -> None:
        while not done.wait(_TICK):
            bar.draw()

    thread = threading.Thread(target=run, name="spaser-progress", daemon=True)
    thread.start()

    def stop_thread() -> None:
        done.set()
        thread.join()

    return stop_thread
