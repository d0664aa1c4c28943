"""Inline SVG charts drawn server-side (no script, no external resource).

They only draw numbers they are given: the values come from the library's
results. Colours are set by CSS classes (``static/style.css``); every chart has
a text alternative, and the page shows the same figures in a table.

>>> svg = ratio_bars([{"label": "Clauses sociales", "value": Decimal("0.12"), "target": Decimal("0.30"),
...                    "value_text": "12 %", "target_text": "30 %"}], title="Indicateurs")
>>> svg.startswith('<svg') and 'role="img"' in svg and "Clauses sociales" in svg
True
>>> "<script" in ratio_bars([{"label": "<script>", "value": 1, "target": None, "value_text": "1", "target_text": ""}], title="t")
False
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
import textwrap
from html import escape
from typing import Any

__all__ = ["ratio_bars", "amount_bars"]

_W = 640  # viewBox width; the SVG scales to its container
_LABEL_W = 230
_BAR_H = 22
_GAP = 16


def _f(x: Any) -> float:
    # Pixel positions only: the figures shown as text are formatted from Decimal.
    return float(x)


def _label(text: str, width: int = 34) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, width: int = 92, lines: int = 2) -> list[str]:
    out = textwrap.wrap(text, width) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _label(out[-1] + " …", width)
    return out


def ratio_bars(items: Sequence[dict[str, Any]], *, title: str) -> str:
    """Horizontal bars of ratios (0..1) with the target as a marker; the label above each bar.

    Each item: label, value (ratio or None), target (ratio or None), value_text, target_text.
    """
    plot_w = _W - 90
    labels = [_wrap(str(item["label"])) for item in items]
    height = sum(16 * len(lines) + 42 for lines in labels) + 28
    out = [
        f'<svg class="chart" viewBox="0 0 {_W} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    y = 4
    for item, lines in zip(items, labels, strict=True):
        for n, line in enumerate(lines):
            out.append(f'<text class="chart-label" x="0" y="{y + 13 + 16 * n}">{escape(line)}</text>')
        bar_y = y + 16 * len(lines) + 6
        y = bar_y + _BAR_H + 14
        out.append(f'<rect class="chart-track" x="0" y="{bar_y}" width="{plot_w}" height="{_BAR_H}" rx="3"/>')
        value = item.get("value")
        target = item.get("target")
        if value is not None:
            w = max(0.0, min(1.0, _f(value))) * plot_w
            ok = target is None or _f(value) >= _f(target)
            cls = "chart-bar ok" if ok else "chart-bar below"
            out.append(f'<rect class="{cls}" x="0" y="{bar_y}" width="{w:.1f}" height="{_BAR_H}" rx="3"/>')
        if target is not None:
            x = max(1.5, min(1.0, _f(target)) * plot_w)
            x = min(x, plot_w - 1.5)
            out.append(f'<line class="chart-target" x1="{x:.1f}" x2="{x:.1f}" y1="{bar_y - 4}" y2="{bar_y + _BAR_H + 4}"/>')
        text = escape(str(item.get("value_text") or "—"))
        cible = f" / cible {escape(str(item['target_text']))}" if item.get("target_text") else ""
        out.append(f'<text class="chart-value" x="{plot_w + 8}" y="{bar_y + 15}">{text}</text>')
        out.append(f'<desc>{escape(str(item["label"]))} : {text}{cible}</desc>')
    legend_y = height - 8
    out.append(f'<line class="chart-target" x1="2" x2="2" y1="{legend_y - 11}" y2="{legend_y + 2}"/>')
    out.append(f'<text class="chart-legend" x="10" y="{legend_y}">trait vertical : cible nationale ; barre orange : sous la cible, verte : cible atteinte</text>')
    out.append("</svg>")
    return "".join(out)


def amount_bars(items: Sequence[dict[str, Any]], *, title: str) -> str:
    """Horizontal bars of amounts; each item: label, value (Decimal), value_text."""
    values = [item["value"] for item in items if item.get("value") is not None]
    top = max(values, default=Decimal(0))
    plot_w = _W - _LABEL_W - 110
    height = max(1, len(items)) * (_BAR_H + _GAP) + 10
    out = [
        f'<svg class="chart" viewBox="0 0 {_W} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, item in enumerate(items):
        y = 10 + i * (_BAR_H + _GAP)
        out.append(f'<text class="chart-label" x="0" y="{y + 15}">{escape(_label(item["label"]))}</text>')
        value = item.get("value")
        if value is not None and top > 0:
            w = max(0.0, _f(value) / _f(top)) * plot_w
            out.append(f'<rect class="chart-bar neutral" x="{_LABEL_W}" y="{y}" width="{w:.1f}" height="{_BAR_H}" rx="3"/>')
        out.append(f'<text class="chart-value" x="{_LABEL_W + plot_w + 8}" y="{y + 15}">{escape(str(item.get("value_text") or "—"))}</text>')
    out.append("</svg>")
    return "".join(out)
