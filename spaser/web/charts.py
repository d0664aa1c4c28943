"""Charts drawn server-side: French text in HTML (it reflows on a phone), each bar a small inline SVG
(no script, no external resource, no inline style: the CSP forbids it).

They only draw numbers they are given: the values come from the library's
results. Colours are set by CSS classes (``static/style.css``); every chart has
a text alternative, and the page shows the same figures in a table.

>>> html = ratio_bars([{"label": "Clauses sociales", "value": Decimal("0.12"), "target": Decimal("0.30"),
...                     "value_text": "12 %", "target_text": "30 %"}], title="Indicateurs")
>>> html.startswith('<figure') and "<svg" in html and "Clauses sociales" in html and "cible 30 %" in html
True
>>> "<script" in ratio_bars([{"label": "<script>", "value": 1, "target": None, "value_text": "1", "target_text": ""}], title="t")
False
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

__all__ = ["ratio_bars", "amount_bars"]



def _f(x: Any) -> float:
    # Pixel positions only: the figures shown as text are formatted from Decimal.
    return float(x)


def _label(text: str, width: int = 34) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def ratio_bars(items: Sequence[dict[str, Any]], *, title: str) -> str:
    """Bars of ratios (0..1) with the target as a marker: text in HTML (it reflows on a phone), each bar a small SVG.

    Each item: label, value (ratio or None), target (ratio or None), value_text, target_text.
    """
    out = [f'<figure class="ratio-chart"><figcaption>{escape(title)}</figcaption><ul>']
    for item in items:
        value, target = item.get("value"), item.get("target")
        bar = ['<svg class="ratio-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">',
               '<rect class="chart-track" x="0" y="0" width="100" height="10"/>']
        if value is not None:
            ok = target is None or _f(value) >= _f(target)
            bar.append(f'<rect class="chart-bar {"ok" if ok else "below"}" x="0" y="0" width="{max(0.0, min(1.0, _f(value))) * 100:.2f}" height="10"/>')
        if target is not None:
            x = min(max(_f(target) * 100, 0.6), 99.4)
            bar.append(f'<line class="chart-target" x1="{x:.2f}" x2="{x:.2f}" y1="0" y2="10" vector-effect="non-scaling-stroke"/>')
        bar.append("</svg>")
        text = escape(str(item.get("value_text") or "—"))
        goal = f" (cible {escape(str(item['target_text']))})" if item.get("target_text") else ""
        out.append(f'<li><span class="ratio-label">{escape(str(item["label"]))}</span><span class="ratio-line">{"".join(bar)}'
                   f'<span class="ratio-value">{text}{goal}</span></span></li>')
    out.append('</ul><p class="chart-legend-text">Trait vertical : cible nationale ; barre orange : sous la cible, verte : cible atteinte.</p></figure>')
    return "".join(out)


def amount_bars(items: Sequence[dict[str, Any]], *, title: str) -> str:
    """Bars of amounts, as :func:`ratio_bars` draws them; each item: label, value (Decimal), value_text."""
    values = [item["value"] for item in items if item.get("value") is not None]
    top = max(values, default=Decimal(0))
    out = [f'<figure class="ratio-chart amount-chart"><figcaption>{escape(title)}</figcaption><ul>']
    for item in items:
        value = item.get("value")
        width = _f(value) / _f(top) * 100 if value is not None and top > 0 else 0.0
        bar = ('<svg class="ratio-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
               f'<rect class="chart-track" x="0" y="0" width="100" height="10"/><rect class="chart-bar neutral" x="0" y="0" width="{max(0.0, width):.2f}" height="10"/></svg>')
        out.append(f'<li><span class="ratio-label">{escape(_label(item["label"]))}</span><span class="ratio-line">{bar}'
                   f'<span class="ratio-value">{escape(str(item.get("value_text") or "—"))}</span></span></li>')
    out.append("</ul></figure>")
    return "".join(out)
