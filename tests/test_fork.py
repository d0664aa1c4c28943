"""spaser._fork: items made by a child process, and what happens when the child stops early."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

from spaser import _fork

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="le processus fils (fork) n'est utilisé que sous Linux")


@pytest.fixture(autouse=True)
def alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fork, "_alone", lambda: True)  # other tests leave idle threads (the web server's)


def _gone(pid: int) -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_items_come_in_order_from_the_child() -> None:
    def items() -> Iterator[int]:
        yield os.getpid()  # evaluated in the child
        yield from (2, 3)

    parent = os.getpid()
    child = _fork.start(items(), count=lambda x: 1)
    assert child is not None
    pid = child.pid
    got = list(child.items(lambda n: iter(["jamais"])))
    assert got[0] != parent and got[1:] == [2, 3]  # the first item was made in the child
    _gone(pid)  # type: ignore[arg-type]


def test_child_stopping_early_is_resumed_here() -> None:
    def blocks() -> Iterator[list[int]]:
        yield [1, 2]
        yield [3]
        raise ValueError("fichier abîmé")  # in the child: ends its stream

    child = _fork.start(blocks(), count=len)
    assert child is not None
    received: list[int] = []
    got = list(child.items(lambda n: (received.append(n), iter([["repris ici"]]))[1]))
    assert got == [[1, 2], [3], ["repris ici"]] and received == [3]


def test_child_killed_is_resumed_here() -> None:
    def items() -> Iterator[int]:
        yield 1
        os._exit(9)  # a crash, as an out-of-memory kill would be

    child = _fork.start(items(), count=lambda x: 1)
    assert child is not None
    assert list(child.items(lambda n: iter(range(n, 3)))) == [1, 1, 2]  # 1 was sent before the crash


def test_stop_ends_a_child_that_waits_for_the_parent() -> None:
    big = b"x" * (4 << 20)  # more than the pipe holds: the child blocks on its second item
    child = _fork.start(iter([big, big, big]), count=lambda x: 1)
    assert child is not None
    pid = child.pid
    child.stop()
    child.stop()  # twice is harmless
    _gone(pid)  # type: ignore[arg-type]


def test_aside_gives_the_childs_value_or_makes_it_here() -> None:
    child = _fork.aside(lambda: ("fils", os.getpid()))
    assert child is not None
    who, pid = child.result(lambda: ("ici", os.getpid()))
    assert who == "fils" and pid != os.getpid()

    def dies() -> tuple[str, int]:
        os._exit(1)

    child = _fork.aside(dies)
    assert child is not None
    assert child.result(lambda: ("ici", os.getpid())) == ("ici", os.getpid())


def test_no_child_without_room_or_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fork, "_room", lambda: False)
    assert _fork.aside(lambda: 1) is None
    monkeypatch.setattr(_fork, "_room", lambda: True)
    monkeypatch.setattr(_fork, "_alone", lambda: False)
    assert _fork.start(iter([1]), count=lambda x: 1) is None
