"""Bar charts as inline SVG, drawn on the server: the admin report shows its figures without
any script, and each chart has a table beside it with the same numbers (for screen readers,
and for anyone who wants the exact values).

Pure: labels and numbers in, markup out. Every text is escaped; colours come from the theme's
stylesheet (``.chart .s0``, ``.s1``), so the chart follows the site's brand and dark mode.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 30, 44  # room for the axis labels and the legend


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None draws no bar


def nice_top(value: float) -> float:
    """The axis's top: the smallest 1, 2 or 5 × 10ⁿ at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _number(value: float) -> str:
    return f"{value:g}" if value < 10000 else f"{value:,.0f}"


def bar_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series],
              unit: str = "") -> Markup:
    """Grouped bars: one group per label, one bar per series, with a y axis in ``unit``."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_top(max([v for s in series for v in s.values if v is not None] or [0]))
    group = plot_w / max(1, len(labels))
    bar = group * 0.8 / max(1, len(series))
    every = max(1, math.ceil(len(labels) / (plot_w / 56)))  # x labels that fit side by side
    parts = [f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-labelledby="{escape(chart_id)}-title '
             f'{escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
             f'<desc id="{escape(chart_id)}-desc">Bar chart; the table beside it has the same '
             'figures.</desc>']
    for step in range(5):  # gridlines and their values
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/><text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{escape(_number(value))}</text>')
    if unit:
        parts.append(f'<text class="axis" x="4" y="{TOP - 12}">{escape(unit)}</text>')
    for n, label in enumerate(labels):
        x0 = LEFT + n * group + group * 0.1
        for k, line in enumerate(series):
            value = line.values[n] if n < len(line.values) else None
            if value is None:
                continue
            height = plot_h * value / top
            parts.append(f'<rect class="s{k}" x="{x0 + k * bar:.1f}" '
                         f'y="{TOP + plot_h - height:.1f}" width="{max(bar - 1, 1):.1f}" '
                         f'height="{height:.1f}"><title>{escape(label)}: {escape(line.name)} '
                         f'{escape(_number(value))}</title></rect>')
        if n % every == 0:
            parts.append(f'<text class="axis" x="{LEFT + (n + 0.5) * group:.1f}" '
                         f'y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    x = LEFT
    for k, line in enumerate(series):  # the legend, above the plot
        parts.append(f'<rect class="s{k}" x="{x}" y="6" width="12" height="12"/>'
                     f'<text class="legend" x="{x + 16}" y="16">{escape(line.name)}</text>')
        x += 28 + 8 * len(line.name)
    parts.append("</svg>")
    return Markup("".join(parts))
