"""One benchmark step, run in a fresh interpreter by :mod:`benchmarks.run`.

    python -m benchmarks.steps STEP FILE

prints one JSON line: ``{"step", "rows", "seconds": {name: s}, "info": {...}}``.
The parent reads the child's peak RSS itself (``os.wait4``), so each step's
peak is its own. Timings exclude interpreter start-up and module imports
(done before the clock starts), except that the first call of a library
pays for its lazy tables (CPV table, law parameters, clause catalogue),
as a user's single command does.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["STEPS"]


def _clock() -> float:
    return time.perf_counter()


def _load(path: str) -> tuple[Any, float]:
    from spaser.io import load

    t = _clock()
    result = load(path)
    return result, _clock() - t


def step_import(path: str) -> dict[str, Any]:
    """spaser.load: the file read into portfolios and the import report."""
    result, s = _load(path)
    return {"rows": result.report.read, "seconds": {"import": s},
            "info": {"accepted": result.report.accepted, "rejected": result.report.rejected,
                     "buyers": len(result.portfolios)}}


def step_check(path: str) -> dict[str, Any]:
    """spaser.load then spaser.law.check (the legal diagnosis), timed separately."""
    from spaser.law import check

    result, s_import = _load(path)
    portfolio = result.portfolio
    t = _clock()
    d = check(portfolio)
    s_check = _clock() - t
    return {"rows": result.report.read, "seconds": {"import": s_import, "check": s_check, "import+check": s_import + s_check},
            "info": {"accepted": result.report.accepted, "rejected": result.report.rejected, "year": d.year}}


def step_suggest(path: str) -> dict[str, Any]:
    """spaser.clauses.opportunities(portfolio): the portfolio's opportunities, as `spaser draft` computes them.

    The default year (last complete year with data) is examined: every purchase of that year is
    assessed (clause suggestions, ranking, before/after PNAD scenarios). The benchmark gives it a
    one-year portfolio, so every purchase is assessed.
    """
    from spaser.clauses.opportunities import opportunities

    result, _ = _load(path)
    portfolio = result.portfolio
    t = _clock()
    o = opportunities(portfolio)
    s = _clock() - t
    assessed = sum(1 for p in portfolio.purchases if p.year == o.year)
    return {"rows": len(portfolio), "seconds": {"suggest": s},
            "info": {"year": o.year, "assessed": assessed, "candidates": o.candidates}}


def step_draft(path: str) -> dict[str, Any]:
    """spaser.documents.write_draft: diagnosis, opportunities, the .docx written."""
    from spaser.documents import write_draft

    result, _ = _load(path)
    portfolio = result.portfolio
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "projet-spaser.docx"
        t = _clock()
        write_draft(portfolio, out, report=result.report)
        s = _clock() - t
        size = out.stat().st_size
    return {"rows": len(portfolio), "seconds": {"draft": s}, "info": {"docx_bytes": size}}


def step_scan(path: str) -> dict[str, Any]:
    """spaser.scan.scan_decp: the national DECP file streamed, one line per buyer."""
    from spaser.scan import scan_decp

    t = _clock()
    r = scan_decp(path)
    s = _clock() - t
    return {"rows": r.report.read, "seconds": {"scan": s}, "info": {"buyers": len(r.buyers), "year": r.year}}


def step_pandas_xlsx(path: str) -> dict[str, Any]:
    """pandas.read_excel, default engine (openpyxl), header on the 3rd row: a DataFrame only."""
    import pandas as pd

    t = _clock()
    df = pd.read_excel(path, header=2)
    return {"rows": len(df), "seconds": {"read": _clock() - t}, "info": {"engine": "openpyxl (default)"}}


def step_openpyxl_xlsx(path: str) -> dict[str, Any]:
    """openpyxl read-only loop: every row's values into a list (no validation)."""
    from openpyxl import load_workbook

    t = _clock()
    wb = load_workbook(path, read_only=True, data_only=True)
    rows = [row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]
    wb.close()
    return {"rows": len(rows) - 3, "seconds": {"read": _clock() - t}, "info": {}}


def step_pandas_csv(path: str) -> dict[str, Any]:
    """pandas.read_csv (';', UTF-8): a DataFrame of strings and numbers, no validation."""
    import pandas as pd

    t = _clock()
    df = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
    return {"rows": len(df), "seconds": {"read": _clock() - t}, "info": {}}


def step_json_load(path: str) -> dict[str, Any]:
    """What a script would do without spaser: json.load the whole file, then loop per buyer."""
    from collections import defaultdict

    t = _clock()
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    marches = data["marches"]
    if isinstance(marches, dict):
        marches = marches.get("marche", [])
    totals: dict[str, float] = defaultdict(float)
    for m in marches:
        buyer = (m.get("acheteur") or {}).get("id")
        if buyer and isinstance(m.get("montant"), (int, float)):
            totals[buyer] += m["montant"]
    return {"rows": len(marches), "seconds": {"read": _clock() - t}, "info": {"buyers": len(totals)}}


STEPS: dict[str, Callable[[str], dict[str, Any]]] = {
    "import": step_import,
    "check": step_check,
    "suggest": step_suggest,
    "draft": step_draft,
    "scan": step_scan,
    "pandas-xlsx": step_pandas_xlsx,
    "openpyxl-xlsx": step_openpyxl_xlsx,
    "pandas-csv": step_pandas_csv,
    "json-load": step_json_load,
}


def _preload(name: str) -> None:
    """Import what the step needs before the clock starts."""
    import spaser.io  # noqa: F401

    if name in ("import", "check", "suggest", "draft"):
        import spaser.io.decp  # noqa: F401
        import spaser.io.spreadsheet  # noqa: F401
        import spaser.law  # noqa: F401
    if name in ("suggest", "draft"):
        import spaser.clauses.opportunities  # noqa: F401
    if name == "draft":
        import spaser.documents  # noqa: F401
    if name.startswith("pandas"):
        import pandas  # noqa: F401
    if name == "scan":
        import spaser.scan  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    name, path = args[0], args[1]
    _preload(name)
    out = STEPS[name](path)
    out["step"] = name
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
