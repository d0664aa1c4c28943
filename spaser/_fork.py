"""An iterator's items produced by a forked child process while this process consumes them.

Two cores at work where Python's lock (GIL) keeps threads on one: the spreadsheet reader
parses a big CSV file in a child while the parent converts the rows; the diagnosis of a big
portfolio tallies its indicators in a child while the parent counts the spend and checks the
contracts. The child sends each item, pickled, through a pipe. Whatever stops the child early (an error in
the file, a crash, a kill) only ends its stream: the parent then produces the rest itself
with ``resume(units received)``, so errors are raised in the parent, exactly as without a child.

Used only where forking is safe: Linux (macOS system libraries do not support fork), no
other thread running in the process (the web server's threads, a caller's), and as much
memory free as the process uses.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["Forked", "aside", "start"]

T = TypeVar("T")
_SIZE = struct.Struct("<Q")  # the length of each pickled item; 0 ends the stream
_BUFFER = 1 << 16
_PIPE = 1 << 20  # Linux's default limit for a process without privileges (/proc/sys/fs/pipe-max-size)


def start(items: Iterator[T], *, count: Callable[[T], int], pack: Callable[[T], Any] = lambda item: item) -> Forked[T] | None:
    """``items`` produced in a child process; None where forking is not possible or not safe.

    ``count(item)``: how many units an item holds (the records of a block), summed for
    ``resume``. ``pack(item)``: what the child sends (the same item, made cheaper to pickle).
    The child starts at once: ``items`` is first iterated there.
    """
    if not sys.platform.startswith("linux") or not _alone() or not _room():
        return None
    import fcntl  # POSIX only

    r, w = os.pipe()
    try:  # a bigger pipe lets the child run a few items ahead (64 kB by default: less than one block of rows)
        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, _PIPE)
    except OSError:  # pragma: no cover - above the system's limit: the default size works, more slowly
        pass
    try:
        pid = os.fork()
    except OSError:  # no memory or process left: read in this process
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # the child: send the items, then leave without running the parent's clean-ups
        try:
            os.close(r)
            with open(w, "wb", buffering=_BUFFER) as out:
                for item in items:
                    data = pickle.dumps(pack(item), protocol=pickle.HIGHEST_PROTOCOL)
                    out.write(_SIZE.pack(len(data)))
                    out.write(data)
                    out.flush()  # the parent may use it at once
                out.write(_SIZE.pack(0))
        finally:
            os._exit(0)
    os.close(w)
    return Forked(pid, r, count)


def aside(compute: Callable[[], T]) -> Forked[T] | None:
    """``compute()`` started in a child process (None where there can be none, as :func:`start`).

    Take its value with ``.result(compute)``; ``.stop()`` if it is no longer wanted.
    """

    def produced() -> Iterator[T]:
        yield compute()

    return start(produced(), count=lambda value: 1)


def _room() -> bool:
    """The machine has at least this process's size free: the child may copy every page it reads.

    (Reading a Python object writes its reference count, so a child that walks a big
    portfolio ends up with its own copy of much of the memory: about 0.6 GB at a million
    purchases.)
    """
    try:
        with open("/proc/self/statm") as fh:
            resident = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        with open("/proc/meminfo") as fh:
            free = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("MemAvailable:"))
    except (OSError, ValueError, StopIteration):  # pragma: no cover - not a usual Linux: no child
        return False
    return free >= resident


def _alone() -> bool:
    """No other thread runs: a thread holding a lock at the fork would leave it locked in the child forever."""
    return threading.active_count() == 1


class Forked(Generic[T]):
    """The parent's side: ``items()`` once; ``stop()`` ends the child (called at the end, or to give up)."""

    def __init__(self, pid: int, fd: int, count: Callable[[T], int]) -> None:
        self.pid: int | None = pid
        self.input = open(fd, "rb", buffering=_BUFFER)  # noqa: SIM115 - closed by stop()
        self.count = count

    def items(self, resume: Callable[[int], Iterator[T]]) -> Iterator[T]:
        """The child's items, then, if it stopped early, ``resume(units received)``'s."""
        got, complete = 0, False
        try:
            read = self.input.read
            while True:
                head = read(_SIZE.size)
                if len(head) < _SIZE.size:
                    break  # the child stopped early
                (size,) = _SIZE.unpack(head)
                if size == 0:
                    complete = True
                    break
                data = read(size)
                if len(data) < size:
                    break
                item = pickle.loads(data)  # noqa: S301 - written by our own child
                got += self.count(item)
                yield item
        finally:
            self.stop()
        if not complete:
            yield from resume(got)

    def result(self, again: Callable[[], T]) -> T:
        """The one value of a child started by :func:`aside`; ``again()`` makes it here if the child stopped early."""
        items = self.items(lambda got: iter([again()]))
        try:
            return next(items)
        finally:
            items.close()  # the child is waited for

    def stop(self) -> None:
        """End the child (killed if it is still running) and close the pipe; safe to call twice."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):  # pragma: no cover - reaped elsewhere (SIGCHLD ignored)
                pass
        self.input.close()
