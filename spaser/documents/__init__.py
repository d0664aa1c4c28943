"""Documents: the SPASER draft, the deliberation, the yearly report (.docx), the
indicators table (CSV, xlsx) and the analysis workbook (.xlsx).

Each ``write_*`` function diagnoses the portfolio with :func:`spaser.law.check`
at ``at`` (default: the configuration's date, else today), turns the results
into a view model (:mod:`spaser.documents.builders`), renders it and writes the
file atomically; an existing file is replaced only with ``force=True``
(otherwise :class:`~spaser.OutputError`, exit code 4), checked before any work.

``config`` is a :class:`DocumentConfig`, the path of a TOML file (see
``examples/spaser.toml``), or None for the defaults. ``law`` (a :class:`spaser.Law`,
e.g. a what-if from ``law.replace``) is the law applied; by default the law in
effect (``spaser.law_at(at)``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spaser._gc import paused
from spaser.documents.config import AXES, OBJECTIVES, TEXT_KEYS, DocumentConfig, load_config, parse_config
from spaser.io.safe import check_target, write_bytes, write_with
from spaser.law.law import Law, current_law
from spaser.model import Portfolio

if TYPE_CHECKING:
    from spaser.clauses.opportunities import AdviceProgress


__all__ = [
    "DocumentConfig",
    "load_config",
    "parse_config",
    "AXES",
    "OBJECTIVES",
    "TEXT_KEYS",
    "draft_bytes",
    "deliberation_bytes",
    "annual_report_bytes",
    "write_draft",
    "write_deliberation",
    "write_annual_report",
    "write_indicators_csv",
    "write_indicators_xlsx",
    "write_workbook",
]

PathLike = str | os.PathLike[str]


def _config(config: DocumentConfig | PathLike | None) -> DocumentConfig:
    if config is None:
        return DocumentConfig()
    if isinstance(config, DocumentConfig):
        return config
    return load_config(config)


def _diagnose(portfolio: Portfolio, cfg: DocumentConfig, year: int | None, at: date | None) -> Any:
    from spaser.law import check

    return check(portfolio, year=year or cfg.year, at=at or cfg.at or current_law().at)


def _opportunities(portfolio: Portfolio, diagnosis: Any, top: int, progress: AdviceProgress | None = None) -> tuple[list, Any]:  # type: ignore[type-arg]
    from spaser.documents.builders import opportunities_for

    return opportunities_for(portfolio, top=top, diagnosis=diagnosis, progress=progress)


def _diagnosis_and_opportunities(portfolio: Portfolio, cfg: Any, year: int | None, at: date | None,
                                 top: int, progress: AdviceProgress | None = None) -> tuple[Any, tuple[list, Any]]:  # type: ignore[type-arg]
    """The diagnosis and the opportunities of its year: ONE analysis, computed once, shared by every
    part of a document. The year is decided in one place (``check``: the configuration's, else the
    last complete year with data) and the opportunities take the diagnosis's year and date."""
    diagnosis = _diagnose(portfolio, cfg, year, at or cfg.at or current_law().at)
    return diagnosis, _opportunities(portfolio, diagnosis, top, progress)


def _under(law: Law | None) -> Any:
    """The context a document is made in: ``law`` active when given (what-if), else the law in effect."""
    return law.active() if law is not None else contextlib.nullcontext()


def draft_bytes(
    portfolio: Portfolio,
    *,
    config: DocumentConfig | PathLike | None = None,
    year: int | None = None,
    at: date | None = None,
    report: Any = None,
    law: Law | None = None,
    progress: AdviceProgress | None = None,
) -> bytes:
    """The SPASER draft as .docx bytes; ``progress(done, total)``: purchases assessed for the advice (a progress bar)."""
    from spaser.documents.builders import build_draft_view
    from spaser.documents.draft import render_draft

    cfg = _config(config)
    with paused(promote=True), _under(law):  # bulk work over the whole portfolio (see spaser._gc)
        diagnosis, (opps, summary) = _diagnosis_and_opportunities(portfolio, cfg, year, at, max(cfg.suggestions, 150), progress)
        return render_draft(build_draft_view(portfolio, diagnosis, opps, cfg, report=report, opportunity_summary=summary))


def write_draft(
    portfolio: Portfolio,
    path: PathLike,
    *,
    config: DocumentConfig | PathLike | None = None,
    year: int | None = None,
    at: date | None = None,
    law: Law | None = None,
    force: bool = False,
    report: Any = None,
    progress: AdviceProgress | None = None,
) -> Path:
    """Write the SPASER draft (.docx); ``report`` (ImportReport) is summarised in the diagnosis; ``progress``: as :func:`draft_bytes`."""
    check_target(path, force=force)
    return write_bytes(path, draft_bytes(portfolio, config=config, year=year, at=at, report=report, law=law, progress=progress), force=force)


def deliberation_bytes(
    portfolio: Portfolio, *, config: DocumentConfig | PathLike | None = None, year: int | None = None, at: date | None = None,
    law: Law | None = None,
) -> bytes:
    from spaser.documents.builders import build_deliberation_view
    from spaser.documents.deliberation import render_deliberation

    cfg = _config(config)
    with _under(law):
        return render_deliberation(build_deliberation_view(portfolio, _diagnose(portfolio, cfg, year, at), cfg))


def write_deliberation(
    portfolio: Portfolio,
    path: PathLike,
    *,
    config: DocumentConfig | PathLike | None = None,
    year: int | None = None,
    at: date | None = None,
    law: Law | None = None,
    force: bool = False,
) -> Path:
    """Write the draft act adopting the scheme (.docx): deliberation, or arrêté for the State."""
    check_target(path, force=force)
    return write_bytes(path, deliberation_bytes(portfolio, config=config, year=year, at=at, law=law), force=force)


def annual_report_bytes(
    portfolio: Portfolio, *, year: int, config: DocumentConfig | PathLike | None = None, at: date | None = None,
    law: Law | None = None,
) -> bytes:
    from spaser.documents.annual import render_annual_report
    from spaser.documents.builders import build_annual_view

    cfg = _config(config)
    with _under(law):
        return render_annual_report(build_annual_view(portfolio, _diagnose(portfolio, cfg, year, at), cfg))


def write_annual_report(
    portfolio: Portfolio,
    path: PathLike,
    *,
    year: int,
    config: DocumentConfig | PathLike | None = None,
    at: date | None = None,
    law: Law | None = None,
    force: bool = False,
) -> Path:
    """Write the yearly follow-up report (bilan annuel, .docx) for ``year``."""
    check_target(path, force=force)
    return write_bytes(path, annual_report_bytes(portfolio, year=year, config=config, at=at, law=law), force=force)


def _publication(portfolio: Portfolio, cfg: DocumentConfig, year: int | None, years: Sequence[int] | None, at: date | None):  # type: ignore[no-untyped-def]
    from spaser.documents.builders import build_publication_rows

    diagnosis = _diagnose(portfolio, cfg, year, at)
    return diagnosis, build_publication_rows(portfolio, diagnosis, cfg, years)


def write_indicators_csv(
    portfolio: Portfolio,
    path: PathLike,
    *,
    year: int | None = None,
    years: Sequence[int] | None = None,
    config: DocumentConfig | PathLike | None = None,
    at: date | None = None,
    law: Law | None = None,
    force: bool = False,
) -> Path:
    """Write the biennial indicators table (CSV, UTF-8 with BOM, ';'); default years: ``year`` - 1 and ``year``."""
    from spaser.documents.tables import indicators_csv

    check_target(path, force=force)
    cfg = _config(config)
    with _under(law):
        diagnosis, rows = _publication(portfolio, cfg, year, years, at)
    name = cfg.buyer_name or portfolio.buyer.name
    data = indicators_csv(rows, buyer_name=name, buyer_siret=portfolio.buyer.siret or "", produced=diagnosis.at)
    return write_bytes(path, data, force=force)


def write_indicators_xlsx(
    portfolio: Portfolio,
    path: PathLike,
    *,
    year: int | None = None,
    years: Sequence[int] | None = None,
    config: DocumentConfig | PathLike | None = None,
    at: date | None = None,
    law: Law | None = None,
    force: bool = False,
) -> Path:
    """The same indicators table as :func:`write_indicators_csv`, as a formatted workbook."""
    from spaser.documents.tables import write_indicators_xlsx_to

    check_target(path, force=force)
    cfg = _config(config)
    with _under(law):
        _, rows = _publication(portfolio, cfg, year, years, at)
    return write_with(path, lambda fh: write_indicators_xlsx_to(fh, rows), force=force)


def write_workbook(
    portfolio: Portfolio,
    path: PathLike,
    *,
    report: Any = None,
    config: DocumentConfig | PathLike | None = None,
    year: int | None = None,
    at: date | None = None,
    law: Law | None = None,
    force: bool = False,
    progress: AdviceProgress | None = None,
) -> Path:
    """Write the analysis workbook (.xlsx): portfolio, import report, indicators, objectives and gaps, suggestions.
    ``progress``: as :func:`draft_bytes`."""
    from spaser.documents.builders import build_workbook_view
    from spaser.documents.tables import write_workbook_to

    check_target(path, force=force)
    cfg = _config(config)
    with paused(promote=True), _under(law):  # bulk work over the whole portfolio (see spaser._gc)
        diagnosis, (opps, _) = _diagnosis_and_opportunities(portfolio, cfg, year, at, max(cfg.suggestions, 200), progress)
        view = build_workbook_view(portfolio, diagnosis, opps, cfg, report=report)
    return write_with(path, lambda fh: write_workbook_to(fh, view), force=force)
