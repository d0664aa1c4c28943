"""spaser benchmarks: import, check, suggest, draft and scan, against the usual alternatives.

One command (from the repository root, with the ``bench`` extra installed)::

    python -m benchmarks [--sizes 10000,100000,1000000] [--repeat 3] [--out benchmarks/RESULTS.md]

For each size, synthetic portfolios are generated once (:mod:`benchmarks.generate`,
cached under ``benchmarks/_data/``): .xlsx (up to :data:`XLSX_MAX` lines), .csv and
DECP JSON (2024 layout). Every measure runs in a fresh interpreter
(:mod:`benchmarks.steps`); the parent reads that child's own peak RSS with
``os.wait4`` (``ru_maxrss``), so peaks never mix. Each figure is the median of
``--repeat`` runs. pandas comparisons are skipped when pandas is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata, util
from pathlib import Path
from typing import Any

from benchmarks.generate import DATA_DIR, dataset

__all__ = ["main", "Measure", "run_step", "COLUMNS"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DECP = ROOT / ".." / "shared" / "data" / "decp" / "real-2019"  # the shared real files, when present
XLSX_MAX = 100_000  # larger workbooks take minutes to generate and are not a target
DOCUMENTS_MAX = 100_000  # suggest and draft: minutes per run above this (see RESULTS.md), not run by default
DECP_IMPORT_MAX = 100_000  # a national file is scanned, not imported whole (one Purchase per contract)
HEAVY_FROM = {"suggest": 100_000, "draft": 100_000, "cli-suggest": 100_000, "cli-draft": 100_000}  # from these sizes, --heavy-repeat runs (default 1)
HEAVY_ALL_FROM = 1_000_000  # every step at this size and above: --heavy-repeat runs
COLUMNS = ("size", "input", "measure", "median s", "rows/s", "peak RSS MB", "runs")


@dataclass
class Measure:
    size: int
    input: str  # xlsx / csv / decp
    step: str  # benchmarks.steps name
    label: str  # what is shown
    key: str  # which of the step's seconds
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    rows: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def rss(self) -> float | None:
        return statistics.median(self.rss_mb) if self.rss_mb else None

    @property
    def rate(self) -> float | None:
        """Rows per second, for the measures that read a file."""
        m = self.median
        return self.rows / m if m and self.rows and self.label in _RATED else None


def run_step(step: str, path: Path, *, timeout: float = 1800) -> tuple[dict[str, Any], float]:
    """Run one step in a fresh interpreter; (its JSON output, its own peak RSS in MB)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen([sys.executable, "-m", "benchmarks.steps", step, str(path)], stdout=subprocess.PIPE, stderr=err,
                             cwd=ROOT, env=env)
        assert p.stdout is not None
        started = time.monotonic()
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)  # this child's own rusage: its peak alone
        p.returncode = os.waitstatus_to_exitcode(status)
        if time.monotonic() - started > timeout:  # pragma: no cover - informative only
            print(f"  (step {step} took more than {timeout:.0f} s)", file=sys.stderr)
        if p.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(f"step {step} on {path.name} failed ({p.returncode}): {' | '.join(tail)}")
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


# Whole processes (interpreter, imports, reading, output to a pipe), timed from outside: what a user waits for.
_CALAMINE = ("import sys, python_calamine as pc\n"
             "wb = pc.CalamineWorkbook.from_path(sys.argv[1])\n"
             "print(sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names))")
# The aggregates `spaser check` reports (contracts, amounts and social/environmental shares by year), in polars.
_POLARS = ("import sys, polars as pl\n"
           "df = pl.read_csv(sys.argv[1], separator=';', infer_schema=False, quote_char='\"')\n"
           "amount = pl.col('Montant HT (€)').str.replace_all(r'[\\s€]', '').str.replace(',', '.').cast(pl.Float64, strict=False)\n"
           "year = pl.col('Date de notification').str.to_date('%d/%m/%Y', strict=False).dt.year()\n"
           "out = (df.with_columns(amount.alias('a'), year.alias('y'))\n"
           "       .group_by('y').agg(pl.len().alias('n'), pl.col('a').sum().alias('total'),\n"
           "                          pl.col('Considérations sociales').str.contains('(?i)clause|critère|réserv').sum().alias('social'),\n"
           "                          pl.col('Considérations environnementales').str.contains('(?i)clause|critère').sum().alias('env'))\n"
           "       .sort('y'))\n"
           "print(out)")
_IJSON = ("import sys, ijson\n"
          "from collections import defaultdict\n"
          "totals = defaultdict(float)\n"
          "with open(sys.argv[1], 'rb') as fh:\n"
          "    for m in ijson.items(fh, 'marches.marche.item', use_float=True):\n"
          "        totals[(m.get('acheteur') or {}).get('id')] += m.get('montant') or 0\n"
          "print(len(totals))")
PROCESSES: dict[str, tuple[str, list[str]]] = {
    "cli-check": ("spaser check (whole process)", ["-m", "spaser", "check", "{path}"]),
    "cli-check-json": ("spaser check --json (whole process)", ["-m", "spaser", "check", "--json", "{path}"]),
    "cli-scan": ("spaser scan (whole process)", ["-m", "spaser", "scan", "{path}"]),
    "cli-suggest": ("spaser suggest (whole process)", ["-m", "spaser", "suggest", "{path}"]),
    "cli-draft": ("spaser draft (whole process)", ["-m", "spaser", "draft", "{path}", "--out", "{out}.docx", "--force"]),
    "calamine": ("python-calamine read (whole process)", ["-c", _CALAMINE, "{path}"]),
    "polars": ("polars query, same aggregates (whole process)", ["-c", _POLARS, "{path}"]),
    "ijson": ("ijson loop, per-buyer totals (whole process)", ["-c", _IJSON, "{path}"]),
}


def run_process(step: str, path: Path) -> tuple[dict[str, Any], float]:
    """A whole process, timed from outside; (its seconds like run_step's output, its peak RSS in MB)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])))
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        argv = [sys.executable, *(a.replace("{path}", str(path)).replace("{out}", str(Path(tmp) / "out")) for a in PROCESSES[step][1])]
        started = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{step} on {path.name} failed ({code}): {' | '.join(tail)}")
    return {"seconds": {step: seconds}, "rows": 0}, usage.ru_maxrss / 1024


def _plan(sizes: list[int], with_pandas: bool, documents_max: int) -> list[tuple[int, str, str, list[tuple[str, str]]]]:
    """(size, input, step, [(seconds key, label)]) in running order."""
    check = [("import", "spaser import"), ("check", "spaser check"), ("import+check", "spaser import+check")]
    plan = []
    def process(n: int, inp: str, step: str) -> None:
        plan.append((n, inp, step, [(step, PROCESSES[step][0])]))

    for n in sizes:
        if n <= XLSX_MAX:
            for step in ("cli-check", "cli-check-json", "calamine"):
                process(n, "xlsx", step)
            plan.append((n, "xlsx", "check", check))
            if with_pandas:
                plan.append((n, "xlsx", "pandas-xlsx", [("read", "pandas.read_excel (openpyxl)")]))
            plan.append((n, "xlsx", "openpyxl-xlsx", [("read", "openpyxl read-only loop")]))
        for step in ("cli-check", "polars") if util.find_spec("polars") else ("cli-check",):  # polars: the bench extra
            process(n, "csv", step)
        plan.append((n, "csv", "check", check))
        if with_pandas:
            plan.append((n, "csv", "pandas-csv", [("read", "pandas.read_csv")]))
        if n <= documents_max:  # a one-year portfolio: every line is in the year a draft examines
            plan.append((n, "csv1y", "suggest", [("suggest", "spaser suggest (opportunities)")]))
            plan.append((n, "csv1y", "draft", [("draft", "spaser draft (.docx)")]))
            process(n, "csv1y", "cli-suggest")
            process(n, "csv1y", "cli-draft")
        if n <= DECP_IMPORT_MAX:
            plan.append((n, "decp", "import", [("import", "spaser import")]))
        for step in ("cli-scan", "ijson"):
            process(n, "decp", step)
        plan.append((n, "decp", "scan", [("scan", "spaser scan")]))
        plan.append((n, "decp", "json-load", [("read", "json.load + loop")]))
    return plan


_RATED = ("spaser import", "spaser import (real file)", "spaser import+check", "spaser scan", "pandas.read_excel (openpyxl)", "openpyxl read-only loop",
          "pandas.read_csv", "json.load + loop")


def _real_files() -> list[Path]:
    """The shared real DECP files and the bundled examples (the ones spaser reads)."""
    found = sorted(SHARED_DECP.glob("*.json")) if SHARED_DECP.is_dir() else []
    found += sorted(p for p in (ROOT / "examples").glob("*") if p.suffix.lower() in (".xlsx", ".csv", ".json", ".xml"))
    return found


def _fmt_size(n: int) -> str:
    return f"{n:,}".replace(",", " ") if n else "-"


def _fmt(v: float | None, digits: int = 2) -> str:
    return "-" if v is None else f"{v:,.{digits}f}".replace(",", " ")


def _table(measures: list[Measure]) -> list[str]:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for m in measures:
        if m.error:
            cells = [_fmt_size(m.size), m.input, m.label, "échec", "-", "-", m.error[:80]]
        else:
            cells = [_fmt_size(m.size), m.input, m.label, _fmt(m.median), _fmt(m.rate, 0), _fmt(m.rss, 0), str(len(m.seconds))]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _find(measures: list[Measure], size: int, inp: str, label: str) -> Measure | None:
    return next((m for m in measures if m.size == size and m.input == inp and m.label == label and m.median is not None), None)


def _targets(measures: list[Measure]) -> list[str]:
    """The issue #13 targets: ratios of whole processes measured in the same run (only for the sizes that ran)."""
    out = ["| target | measured | met |", "|---|---|---|"]

    def row(text: str, value: str, ok: bool | None) -> None:
        out.append(f"| {text} | {value} | {'yes' if ok else 'no' if ok is not None else '-'} |")

    def ratio(size: int, inp: str, ours: str, peer: str, limit: float, what: str) -> None:
        a, b = _find(measures, size, inp, PROCESSES[ours][0]), _find(measures, size, inp, PROCESSES[peer][0])
        if a and b:
            r = a.median / b.median  # type: ignore[operator]
            row(what, f"{r:.2f}× ({a.median:.2f} s against {b.median:.2f} s)", r <= limit)

    ratio(100_000, "xlsx", "cli-check", "calamine", 1.5, "100 000-line .xlsx: `spaser check` ≤ 1.5× the bare python-calamine read")
    ratio(100_000, "xlsx", "cli-check-json", "calamine", 1.5, "… with `--json` ≤ 1.5×")
    ratio(1_000_000, "csv", "cli-check", "polars", 2.0, "1 000 000-line .csv: `spaser check` ≤ 2× a polars query of the same aggregates")
    c = _find(measures, 1_000_000, "csv", PROCESSES["cli-check"][0])
    if c:
        row("… peak memory ≤ 1 GB", f"{c.rss:.0f} MB", c.rss is not None and c.rss <= 1024)
    ratio(1_000_000, "decp", "cli-scan", "ijson", 1.5, "`spaser scan` of a 1 000 000-contract DECP JSON ≤ 1.5× an ijson loop")
    sc = _find(measures, 1_000_000, "decp", PROCESSES["cli-scan"][0])
    if sc:
        row("… peak memory ≤ 150 MB", f"{sc.rss:.0f} MB", sc.rss is not None and sc.rss <= 150)
    for step, limit, what in (("cli-suggest", 10.0, "`spaser suggest` < 10 s"), ("cli-draft", 8.0, "`spaser draft` < 8 s")):
        d = _find(measures, 100_000, "csv1y", PROCESSES[step][0])
        if d:
            row(f"100 000-line one-year portfolio (.csv): {what} as a whole process", f"{d.median:.2f} s", d.median < limit)  # type: ignore[operator]
    real = [m for m in measures if m.label == "spaser import (real file)" and m.median is not None]
    if real:
        worst = max(real, key=lambda m: m.median)  # type: ignore[arg-type, return-value]
        row(f"real DECP files and examples ({len(real)}) import well under 1 s each", f"slowest {worst.median:.2f} s ({worst.input})",
            worst.median < 1)  # type: ignore[operator]
    return out


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    ram = "?"
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        ram = f"{kb / 1024**2:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        **{name: _version(dist) for name, dist in (("spaser", "spaser"), ("python-calamine", "python-calamine"),
                                                   ("openpyxl", "openpyxl"), ("pandas", "pandas"), ("pydantic", "pydantic"),
                                                   ("pydantic-core", "pydantic-core"), ("ijson", "ijson"))},
    }


MEANING = """\
What each figure measures (each line is the median over the runs; every run is a fresh
process; "peak RSS" is that process's `ru_maxrss`, read by the parent with `os.wait4`, so it
includes the interpreter, the imported libraries and the data, and never mixes two steps;
spaser works in one process):

- **(whole process)**: the command run as a user runs it (`python -m spaser check FILE`, or the
  peer's script with `python -c`), timed from outside from start to exit, its output written to
  a file: interpreter start-up, imports, reading and output included. These are the figures the
  targets compare, as ratios measured in the same run.
- **python-calamine read**: every sheet's cells read into Python lists (`to_python()`), the floor
  of any .xlsx reader in Python.
- **polars query, same aggregates**: `polars.read_csv` then contracts, total HT and social and
  environmental counts per notification year, printed (what `check` reports, without validation,
  import report nor law).
- **ijson loop, per-buyer totals**: `ijson.items` over the DECP file, amounts summed per buyer:
  the streaming floor of a scan.

- **spaser import**: `spaser.load(file)`: read, recognise the columns, validate every row,
  build the `Portfolio` and the `ImportReport`. rows/s = data rows read / seconds.
- **spaser check**: `spaser.law.check(portfolio)` on the imported portfolio (obligation,
  indicators for every year, targets, per-contract compliance), same process as the import.
- **spaser import+check**: the sum of the two: the end-to-end time of `spaser check FILE`
  minus interpreter start-up; its peak RSS is the whole process's.
- **spaser suggest (opportunities)**: `spaser.clauses.opportunities(portfolio)`, as `spaser draft`
  computes it, on the one-year portfolio (input `csv1y`: every line notified in the last complete
  year, the year a draft examines, as issue 14 asks): every purchase gets its clause suggestions,
  then ranking and the before/after PNAD scenarios. Import not included.
- **spaser draft (.docx)**: `spaser.documents.write_draft(portfolio, path)`: diagnosis,
  opportunities, charts, the Word document written. Import not included.
- **spaser import (real file)**: `spaser.load` of each shared real DECP file (../shared/data/decp/real-2019)
  and each bundled example (examples/).
- **spaser check / draft (bundled example)**: the same steps on examples/metropole.xlsx, the file the
  README's first command uses (import not included).
- **spaser scan**: `spaser.scan.scan_decp(file)`: the DECP file streamed, one line per buyer.
- **spaser import** on DECP: `spaser.load(file)` of the DECP JSON (one portfolio per buyer).
- **pandas.read_excel (openpyxl)**: `pandas.read_excel(file, header=2)` with its default
  engine: a DataFrame only, no validation, no report.
- **openpyxl read-only loop**: `load_workbook(read_only=True, data_only=True)` and every row's
  values into a list: what a script would do without pandas.
- **pandas.read_csv**: `pandas.read_csv(file, sep=";", dtype=str)`: a DataFrame only.
- **json.load + loop**: `json.load` of the whole DECP file, then a Python loop summing the
  amounts per buyer: what a script would do without a streaming parser (memory comparison
  for the scan).
"""


NOTES = [
    "The machine has 2 cores and was shared with other work (tests of other modules) during the run: "
    "figures are medians, and single runs can be off by ±30 %; compare ratios measured in the same run.",
    "Runs per measure: --repeat for sizes up to 100 000 lines, except suggest and draft at 100 000 lines "
    "(--heavy-repeat, 1 by default: about a minute each); every measure at 1 000 000 lines runs --heavy-repeat times.",
    "Not run by default: suggest and draft above 100 000 lines (--documents-max), the DECP import above 100 000 "
    "contracts (a national file is scanned, not imported whole), and .xlsx above 100 000 lines.",
    "The 1 000 000-contract DECP file generated is about 0.7 GB (records shorter than real ones); scan memory "
    "does not grow with the file size, json.load's does.",
    "The generated CSV has 14 columns (about 205 bytes a line); CSV files are streamed and may reach "
    "2 GiB (spaser.io.sheets.MAX_CSV_BYTES).",
]


def write_results(path: Path, measures: list[Measure], args: argparse.Namespace, elapsed: float) -> None:
    m = machine()
    lines = [
        "# spaser benchmarks",
        "",
        f"Produced by `python -m benchmarks --sizes {','.join(map(str, args.sizes))} --repeat {args.repeat} --heavy-repeat {args.heavy_repeat}` "
        f"on {date.today().isoformat()} (whole run: {elapsed / 60:.1f} min).",
        "",
        "## Machine and versions",
        "",
        *[f"- {k}: {v}" for k, v in m.items()],
        "",
        "## Targets (issues #13 and #14)",
        "",
        *_targets(measures),
        "",
        "## All figures",
        "",
        *_table(measures),
        "",
        "## What each figure measures",
        "",
        MEANING,
        "## Inputs",
        "",
        "Generated by `benchmarks/generate.py` (one buyer; French headers; CPV codes of common purchase families, "
        "with and without check digit; notification dates over the last six complete years; amounts from 500 € to "
        "9 M€; mixed and unknown considerations; a few co-contractors; about 0.5 % dirty rows: impossible dates, "
        "amounts as text with €, missing or negative amounts, malformed CPV, duplicate identifiers, blank lines). "
        "DECP JSON by `benchmarks/gen_decp.py` (2024 layout, one buyer per 20 contracts).",
        "",
        *[f"- {line}" for line in args.inputs],
        "",
    ]
    lines += ["## Notes", "", *[f"- {n}" for n in NOTES + args.notes], ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated line counts (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measure; the median is reported (default: %(default)s)")
    ap.add_argument("--heavy-repeat", type=int, default=1,
                    help="runs of the long measures: suggest and draft from 100 000 lines, everything from 1 000 000 (default: %(default)s)")
    ap.add_argument("--documents-max", type=int, default=DOCUMENTS_MAX,
                    help="largest size for suggest and draft (default: %(default)s)")
    ap.add_argument("--no-real", action="store_true", help="skip the shared real DECP files and the bundled examples")
    ap.add_argument("--no-pandas", action="store_true", help="skip the pandas comparisons even when pandas is installed")
    ap.add_argument("--out", type=Path, default=None, help="write the Markdown results there (default: benchmarks/RESULTS.md "
                    "when every default size ran, else nothing)")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR, help="where generated inputs are cached (default: benchmarks/_data)")
    ap.add_argument("--only", default=None, help="comma-separated inputs to run (xlsx,csv,csv1y,decp; csv1y: the one-year portfolio of suggest and draft)")
    ap.add_argument("--note", action="append", default=[], dest="notes", help="a note added to RESULTS.md (repeatable)")
    args = ap.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    with_pandas = util.find_spec("pandas") is not None and not args.no_pandas
    only = set(args.only.split(",")) if args.only else None
    started = time.perf_counter()
    if not with_pandas:
        print("pandas comparisons skipped (absent or --no-pandas; pip install -e '.[bench]').")
    measures: list[Measure] = []
    args.inputs = []
    print("  ".join(COLUMNS))
    for n, inp, step, keys in _plan(args.sizes, with_pandas, args.documents_max):
        if only and inp not in only:
            continue
        path = dataset(inp, n, directory=args.data_dir)
        if not any(str(path.name) in i for i in args.inputs):
            args.inputs.append(f"{path.name}: {path.stat().st_size / 1024**2:.1f} MB")
        group = [Measure(n, inp, step, label, key) for key, label in keys]
        heavy = n >= HEAVY_ALL_FROM or n >= HEAVY_FROM.get(step, HEAVY_ALL_FROM)
        repeat = args.heavy_repeat if heavy else args.repeat
        for _ in range(max(repeat, 1)):
            try:
                out, rss = run_process(step, path) if step in PROCESSES else run_step(step, path)
            except RuntimeError as e:
                for m in group:
                    m.error = str(e)
                break
            for m in group:
                m.seconds.append(out["seconds"][m.key])
                m.rss_mb.append(rss)
                m.rows = out["rows"]
                m.info = out.get("info", {})
        for m in group:
            measures.append(m)
            if m.error:
                print(f"{_fmt_size(n)}  {inp}  {m.label}  FAILED  {m.error}")
            else:
                print(f"{_fmt_size(n)}  {inp}  {m.label}  {_fmt(m.median)}  {_fmt(m.rate, 0)}  {_fmt(m.rss, 0)}  {len(m.seconds)}",
                      flush=True)
    if not args.no_real:
        for path in _real_files():
            m = Measure(0, path.name, "import", "spaser import (real file)", "import")
            for _ in range(max(args.repeat, 1)):
                try:
                    out, rss = run_step("import", path)
                except RuntimeError as e:
                    m.error = str(e)
                    break
                m.seconds.append(out["seconds"]["import"])
                m.rss_mb.append(rss)
                m.rows = out["rows"]
            measures.append(m)
            print(f"{path.name}  {m.label}  {_fmt(m.median)}  {_fmt(m.rate, 0)}  {_fmt(m.rss, 0)}  {len(m.seconds)}", flush=True)
        # The bundled example a buyer tries first: its diagnosis and its Word draft (issue #5: a few seconds).
        example = ROOT / "examples" / "metropole.xlsx"
        if example.exists():
            for step, label in (("check", "spaser check (bundled example)"), ("draft", "spaser draft (bundled example)")):
                m = Measure(0, example.name, step, label, step)
                for _ in range(max(args.repeat, 1)):
                    try:
                        out, rss = run_step(step, example)
                    except RuntimeError as e:
                        m.error = str(e)
                        break
                    m.seconds.append(out["seconds"][step])
                    m.rss_mb.append(rss)
                    m.rows = out["rows"]
                measures.append(m)
                print(f"{example.name}  {m.label}  {_fmt(m.median)}  {_fmt(m.rss, 0)}  {len(m.seconds)}", flush=True)
    elapsed = time.perf_counter() - started
    print()
    print("\n".join(_targets(measures)))
    out_path = args.out
    if out_path is None and args.sizes == [10_000, 100_000, 1_000_000] and not only:
        out_path = Path(__file__).resolve().parent / "RESULTS.md"
    if out_path is not None:
        write_results(out_path, measures, args, elapsed)
        print(f"\nResults written to {out_path}")
    return 0
