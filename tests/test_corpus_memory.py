"""The whole bad-input corpus in one fresh process: no traceback, peak memory under 1 GB.

Each corpus test bounds time per file; this one bounds memory for all of them
(issue #6), measured as the child's peak RSS, and checks the CLI path too.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
ONE_GB_KB = 1024 * 1024  # ru_maxrss is in KiB on Linux

_SCRIPT = r"""
import json, sys, resource
from spaser import SpaserError, load
from spaser.cli import main
out = {}
for path in sys.argv[1:]:
    try:
        r = load(path)
        rep = r.report
        out[path] = "ok" if rep.read == rep.accepted + rep.rejected else "miscount"
    except SpaserError as e:
        out[path] = "error" if str(e).strip() else "empty message"
    code = main(["inspect", path])
    if code not in (0, 3):
        out[path] += f" exit {code}"
print(json.dumps({"results": out, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def test_corpus_stays_under_one_gigabyte_without_traceback() -> None:
    files = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".py", ".md") and p.name != "manifest.json")
    assert len(files) > 30
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, *files], capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    bad = {p: r for p, r in data["results"].items() if r not in ("ok", "error")}
    assert not bad
    assert data["maxrss_kb"] < ONE_GB_KB, f"peak RSS {data['maxrss_kb'] // 1024} MiB"
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < ONE_GB_KB
