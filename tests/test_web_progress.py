"""A long import tells the web page how far it is: the worker's « spaser-progress N » lines on its standard error,
read by the server while it reads. The channel can be garbage, flooded or closed: the import is the same."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_client import Client  # noqa: E402

from spaser.io.report import PROGRESS_EVERY  # noqa: E402
from spaser.web import jobs, make_server, serve_in_thread, worker  # noqa: E402
from spaser.web.worker import WorkerError, WorkerLimits, import_in_worker  # noqa: E402

ROOT = Path(__file__).parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "web" / "achats_petit.csv"
ROWS = 2 * PROGRESS_EVERY + 500  # the count is told twice
NNBSP = "\u202f"  # French thousands separator (spaser.money.format_number)


def _big_csv(tmp_path: Path, rows: int = ROWS) -> Path:
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    lines = [header] + [f"M{i};Nettoyage des bâtiments;90910000;{1000 + i};01/03/2025;24;Clause sociale;" for i in range(rows)]
    path = tmp_path / "gros.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(result) -> str:  # type: ignore[no-untyped-def]
    """What an import gave (report and purchases), less the worker's temporary path (another one each time)."""
    report = json.dumps(result.report.to_dict(), ensure_ascii=False, default=str)
    return (report + repr(result.portfolios)).replace(result.report.file, "")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, str]:
    """A CSV that crosses PROGRESS_EVERY twice, and what its import gives with no progress asked."""
    data = _big_csv(tmp_path_factory.mktemp("progress")).read_bytes()
    return data, _read(import_in_worker(data, "gros.csv", "csv")[0])


def _worker_after(script: str) -> list[str]:
    """The worker's command, with ``script`` run first in its process (it may misuse standard error)."""
    return [sys.executable, "-c", f"{script}\nfrom spaser.web.worker import main\nmain()"]


def test_an_import_job_shows_the_growing_count_of_records_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _big_csv(tmp_path)
    srv = make_server(port=0)
    serve_in_thread(srv)
    client = Client(*srv.server_address[:2])
    seen: list[tuple[dict, str]] = []
    tell = jobs.Job.tell

    def told(job: jobs.Job, detail: str) -> None:
        """What the progress page and its script get, each time the worker tells a count (the worker reads on)."""
        tell(job, detail)
        seen.append((json.loads(client.get(f"/travail/{job.id}.json").body), client.get(f"/travail/{job.id}").text))

    monkeypatch.setattr(jobs.Job, "tell", told)
    try:
        reply = client.upload("gros.csv", path.read_bytes())
        assert reply.status == 303 and reply.header("location").endswith("/rapport")
        page = client.get(reply.header("location")).text
    finally:
        srv.shutdown()
        srv.server_close()
    assert [info["detail"] for info, _ in seen] == [f"20{NNBSP}000 enregistrements lus", f"40{NNBSP}000 enregistrements lus"]
    for info, html in seen:
        assert info["state"] == "running" and info["step"] == 1
        assert info["text"].startswith(f"Étape 1 sur 2 : Lecture et contrôle du fichier ({info['detail']}, ")
        assert info["text"] in html  # the page as first shown; its script then shows each new text
    assert f"{ROWS:,}".replace(",", NNBSP) in page  # all rows read: the count told was only on the way


def test_the_worker_tells_each_count_and_the_result_is_unchanged(big: tuple[bytes, str]) -> None:
    data, expected = big
    counts: list[int] = []
    result, _ = import_in_worker(data, "gros.csv", "csv", progress=counts.append)
    assert counts == [PROGRESS_EVERY, 2 * PROGRESS_EVERY]
    assert result.report.read == ROWS and result.report.progress is None
    assert _read(result) == expected
    small: list[int] = []
    import_in_worker(FIXTURE.read_bytes(), "achats.csv", "csv", progress=small.append)
    assert small == []  # below PROGRESS_EVERY the worker says nothing: no count, no wait


GARBAGE = (
    "import sys\n"
    "err = sys.stderr.buffer\n"
    "err.write(bytes(range(11, 256)) * 400)\n"  # 98 kB of binary without a newline: more than a pipe holds
    "err.write(b'\\nspaser-progress\\nspaser-progress -5\\nspaser-progress 12a\\nspaser-progress ' + b'9' * 40 + b'\\n')\n"
    "err.write(b'xx spaser-progress 7\\nspaser-progress 30000 lus\\n' + b'spaser-progress ' * 50000 + b'\\n')\n"
    "err.flush()"
)


@pytest.mark.parametrize(
    ("script", "told"),
    [(GARBAGE, [PROGRESS_EVERY, 2 * PROGRESS_EVERY]), ("import os\nos.close(2)", [])],
    ids=["garbage-on-the-channel", "no-channel"],
)
def test_a_garbage_or_absent_progress_channel_does_not_break_the_import(
    big: tuple[bytes, str], monkeypatch: pytest.MonkeyPatch, script: str, told: list[int]
) -> None:
    data, expected = big
    monkeypatch.setattr(worker, "_COMMAND", _worker_after(script))
    counts: list[int] = []
    # A worker blocked on a full pipe would be stopped for time, with its French error, long before 180 s.
    result, _ = import_in_worker(data, "gros.csv", "csv", progress=counts.append, limits=WorkerLimits(seconds=60))
    assert _read(result) == expected
    assert counts == told  # only the worker's well-formed lines count; none when it has no standard error


def test_a_progress_callback_that_fails_does_not_break_the_import(big: tuple[bytes, str]) -> None:
    def broken(n: int) -> None:
        raise RuntimeError(n)

    result, _ = import_in_worker(big[0], "gros.csv", "csv", progress=broken)
    assert _read(result) == big[1]


def test_a_worker_stopped_for_time_after_a_count_still_gives_its_french_error(monkeypatch: pytest.MonkeyPatch) -> None:
    hang = "import sys, time\nsys.stderr.buffer.write(b'spaser-progress 20000\\n')\nsys.stderr.flush()\ntime.sleep(600)"
    monkeypatch.setattr(worker, "_COMMAND", _worker_after(hang))
    counts: list[int] = []
    with pytest.raises(WorkerError) as e:
        import_in_worker(FIXTURE.read_bytes(), "achats.csv", "csv", limits=WorkerLimits(seconds=1), progress=counts.append)
    assert e.value.code == "worker-timeout" and "a dépassé 1 seconde et" in str(e.value)
    assert counts == [20000]


def test_a_worker_out_of_memory_with_a_progress_callback_still_gives_its_french_error() -> None:
    with pytest.raises(WorkerError) as e:
        import_in_worker(FIXTURE.read_bytes(), "achats.csv", "csv", limits=WorkerLimits(memory_bytes=1), progress=print)
    assert e.value.code in ("worker-memory", "worker-crashed") and "achats.csv" in str(e.value)


def test_a_job_says_how_far_its_step_is_until_the_next_step() -> None:
    job = jobs.Job(id="j", title="Import", steps=["Lecture et contrôle du fichier", "Rapport d'import"], back="/", state="running")
    job.tell(f"120{NNBSP}000 enregistrements lus")
    assert f"Lecture et contrôle du fichier (120{NNBSP}000 enregistrements lus, " in job.text()
    assert job.to_dict()["detail"] == f"120{NNBSP}000 enregistrements lus"
    job.advance()
    assert job.to_dict()["detail"] == "" and "enregistrements" not in job.text()
