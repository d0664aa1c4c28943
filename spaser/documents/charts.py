"""Charts as PNG bytes (matplotlib, Agg backend), French labels and numbers.

matplotlib is imported inside the functions: it takes a second to import and
most commands never draw.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from spaser.money import format_number

__all__ = ["bar_chart", "line_chart", "PALETTE"]

PALETTE = ["#1F3A5F", "#4F8A8B", "#E09F3E", "#9E2A2B", "#7A7A7A", "#5B8E3E"]
Unit = Literal["eur", "meur", "pct", "count", "hours"]


def _fmt(value: float, unit: Unit) -> str:
    v = Decimal(str(round(value, 6)))
    if v == 0:
        return "0"
    if unit == "pct":
        return format_number(v * 100, 0) + " %"
    if unit == "meur":
        return format_number(v, 1 if abs(v) < 10 else 0) + " M€"
    if unit == "eur":
        return format_number(v) + " €"
    return format_number(v)


def _subplots(size: tuple[float, float]):  # type: ignore[no-untyped-def]
    """A figure on the Agg canvas and its axes, without pyplot (a slower import, and global figures to close)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "figure.dpi": 150,
        }
    )
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=150)
    return buf.getvalue()


def _short(label: str, width: int = 40, lines: int = 2) -> str:
    """A label on at most ``lines`` lines of ``width`` characters, never cut inside a word: a longer
    label keeps its first clauses (up to a comma), as a reader would shorten it.

    >>> print(_short("Services d'évacuation des eaux usées et d'élimination des déchets, services d'hygiénisation et services relatifs à l'environnement"))
    Services d'évacuation des eaux usées et
    d'élimination des déchets
    """
    import textwrap

    if "\n" in label:  # already laid out by the caller
        return label
    text = " ".join(label.split())
    while True:
        wrapped = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
        if len(wrapped) <= lines or ", " not in text:
            break  # no comma left: the whole label, on more lines, rather than a cut one
        text = text.rsplit(", ", 1)[0]
    return "\n".join(wrapped)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | float | None]]],
    *,
    unit: Unit,
    title: str = "",
    horizontal: bool = False,
    targets: Sequence[tuple[str, Decimal | float]] = (),
    size: tuple[float, float] = (7.0, 3.4),
) -> bytes:
    """Grouped bars; ``None`` values are drawn as empty. ``targets`` draw reference lines."""
    from matplotlib.ticker import FuncFormatter

    cats = [_short(c) for c in categories]
    n = max(1, len(series))
    fig, ax = _subplots(size)
    width = 0.8 / n
    positions = list(range(len(cats)))
    top = 0.0
    for k, (name, values) in enumerate(series):
        vals = [float(v) if v is not None else 0.0 for v in values]
        top = max([top, *vals])
        offs = [p - 0.4 + width * (k + 0.5) for p in positions]
        color = PALETTE[k % len(PALETTE)]
        if horizontal:
            bars = ax.barh(offs, vals, height=width * 0.92, label=name, color=color)
        else:
            bars = ax.bar(offs, vals, width=width * 0.92, label=name, color=color)
        for bar, v, raw in zip(bars, vals, values):
            if raw is None:
                continue
            if horizontal:
                ax.annotate(_fmt(v, unit), (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=7.5)
            else:
                ax.annotate(_fmt(v, unit), (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                            textcoords="offset points", ha="center", fontsize=7.5)
    formatter = FuncFormatter(lambda v, _pos: _fmt(v, unit))
    for k, (label, value) in enumerate(targets):
        v = float(value)
        top = max(top, v)
        style = dict(color=PALETTE[(k + 2) % len(PALETTE)], linestyle="--", linewidth=1.2, label=label)
        (ax.axvline if horizontal else ax.axhline)(v, **style)
    if horizontal:
        ax.set_yticks(positions, cats)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(formatter)
        ax.set_xlim(0, top * 1.18 or 1)
    else:
        ax.set_xticks(positions, cats, rotation=0 if len(cats) <= 5 else 30, ha="center" if len(cats) <= 5 else "right")
        ax.yaxis.set_major_formatter(formatter)
        ax.set_ylim(0, top * 1.15 or 1)
    if title:
        ax.set_title(title, loc="left")
    if n > 1 or targets:
        ax.legend(frameon=False, fontsize=8, loc="best")
    ax.grid(axis="x" if horizontal else "y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    return _png(fig)


def line_chart(
    x: Sequence[int],
    series: Sequence[tuple[str, Sequence[Decimal | float | None]]],
    *,
    unit: Unit,
    title: str = "",
    size: tuple[float, float] = (7.0, 3.2),
) -> bytes:
    """One line per series over years; ``None`` points are skipped."""
    from matplotlib.ticker import FuncFormatter

    fig, ax = _subplots(size)
    top = 0.0
    for k, (name, values) in enumerate(series):
        pts = [(xi, float(v)) for xi, v in zip(x, values) if v is not None]
        if not pts:
            continue
        xs, ys = zip(*pts)
        top = max(top, *ys)
        ax.plot(xs, ys, marker="o", linewidth=1.8, markersize=4, label=name, color=PALETTE[k % len(PALETTE)])
    ax.set_xticks(list(x), [str(v) for v in x])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _fmt(v, unit)))
    ax.set_ylim(0, top * 1.12 or 1)
    if title:
        ax.set_title(title, loc="left")
    if ax.get_legend_handles_labels()[0]:  # no line drawn (every value unknown): no empty legend
        ax.legend(frameon=False, fontsize=8, loc="best")
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    return _png(fig)


def history_chart(history: Sequence) -> bytes | None:  # type: ignore[type-arg]
    """Share of contracts with a social / environmental consideration by year; None below two years.

    ``history`` holds view rows with ``year``, ``social_count_share``, ``environmental_count_share``.
    """
    if len(history) < 2:
        return None
    return line_chart([h.year for h in history],
                      [("Considération sociale", [h.social_count_share for h in history]),
                       ("Considération environnementale", [h.environmental_count_share for h in history])],
                      unit="pct")
