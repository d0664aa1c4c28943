"""Smoke test of the benchmark command (no timing asserted): it runs at a tiny size and prints its columns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_command_runs_at_the_smallest_size(tmp_path: Path) -> None:
    out_md = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "1000", "--repeat", "1", "--no-pandas", "--no-real",
         "--out", str(out_md), "--data-dir", str(tmp_path / "data")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "size  input  measure  median s  rows/s  peak RSS MB  runs" in out
    for measure in ("spaser import", "spaser check", "spaser import+check", "openpyxl read-only loop",
                    "spaser suggest (opportunities)", "spaser draft (.docx)", "spaser suggest (whole process)",
                    "spaser draft (whole process)", "spaser scan", "json.load + loop"):
        assert measure in out, measure
    assert "pandas" not in out.split("\n", 2)[-1].replace("pandas comparisons skipped", "")  # skipped on request
    assert "FAILED" not in out
    text = out_md.read_text(encoding="utf-8")
    for heading in ("## Machine and versions", "## All figures", "## What each figure measures"):
        assert heading in text
    for name in ("CPU", "cores", "RAM", "Python", "spaser", "python-calamine", "openpyxl", "pandas", "pydantic"):
        assert f"- {name}: " in text
    # Each generated input exists, in the given data directory (not in the repository).
    assert sorted(p.suffix for p in (tmp_path / "data").iterdir()) == [".csv", ".csv", ".json", ".xlsx"]
    assert any(p.name.endswith("-1an.csv") for p in (tmp_path / "data").iterdir())  # suggest and draft: one year
