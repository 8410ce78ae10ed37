"""Small inline SVG charts drawn on the server: no JavaScript, no library, print and offline
friendly. Each chart has a title and a description for screen readers; the page also shows
the numbers as a table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 24


def _nice_max(value: float) -> float:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000):
        if value <= step:
            return float(step)
    return float(value)


def _frame(
    chart_id: str, title: str, desc: str, top: float, unit: str, days: Sequence[date]
) -> list[SafeString]:
    parts = [
        format_html(
            '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d"'
            ' preserveAspectRatio="none"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
            chart_id,
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
            chart_id,
            title,
            chart_id,
            desc,
        )
    ]
    inner = HEIGHT - TOP - BOTTOM
    for fraction in (0, 0.5, 1):
        y = TOP + inner * (1 - fraction)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}{}</text>',
                LEFT,
                WIDTH - RIGHT,
                round(y, 1),
                round(y, 1),
                LEFT - 4,
                round(y + 4, 1),
                f"{top * fraction:g}",
                unit,
            )
        )
    if days:
        last = len(days) - 1
        for index in sorted({0, len(days) // 2, last}):
            anchor = "start" if index == 0 else "end" if index == last else "middle"
            parts.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="{}">{}</text>',
                    round(
                        _x(index, len(days))
                        if 0 < index < last
                        else (LEFT if index == 0 else WIDTH - RIGHT),
                        1,
                    ),
                    HEIGHT - 6,
                    anchor,
                    date_format(days[index], "SHORT_DATE_FORMAT"),
                )
            )
    return parts


def _x(index: int, count: int) -> float:
    step = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return LEFT + step * (index + 0.5)


def volume_chart(days: Sequence[tuple[date, dict[str, Any]]], title: str, desc: str) -> SafeString:
    """Created (bar) and resolved (bar beside it) per day."""
    top = _nice_max(max([1, *(max(f["created"], f["resolved"]) for _d, f in days)]))
    parts = _frame("chart-volume", title, desc, top, "", [d for d, _f in days])
    step = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = max(step * 0.4, 0.5)
    inner = HEIGHT - TOP - BOTTOM
    for index, (day, figures) in enumerate(days):
        x = LEFT + step * index + step * 0.1
        for offset, key in ((0.0, "created"), (bar, "resolved")):
            height = inner * figures[key] / top
            parts.append(
                format_html(
                    '<rect class="bar-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {}</title></rect>",
                    key,
                    round(x + offset, 1),
                    round(TOP + inner - height, 1),
                    round(bar, 1),
                    round(height, 1),
                    date_format(day, "SHORT_DATE_FORMAT"),
                    figures[key],
                )
            )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part went through format_html


def compliance_chart(
    days: Sequence[tuple[date, dict[str, Any]]], title: str, desc: str
) -> SafeString:
    """SLA compliance per day (%), first response and resolution; days without any stopped
    clock leave a gap rather than a misleading zero."""
    parts = _frame("chart-sla", title, desc, 100, "%", [d for d, _f in days])
    inner = HEIGHT - TOP - BOTTOM
    for key in ("sla_first_response_percent", "sla_resolution_percent"):
        runs: list[list[str]] = [[]]
        for index, (_day, figures) in enumerate(days):
            value = figures[key]
            if value is None:
                runs.append([])
                continue
            y = TOP + inner * (1 - value / 100)
            runs[-1].append(f"{_x(index, len(days)):.1f},{y:.1f}")
        parts.extend(
            format_html('<polyline class="line-{}" points="{}"/>', key, " ".join(run))
            for run in runs
            if len(run) > 1
        )
        lone = [run[0] for run in runs if len(run) == 1]
        parts.append(
            format_html_join(
                "",
                '<circle class="dot-{}" cx="{}" cy="{}" r="2.5"/>',
                ((key, *point.split(",")) for point in lone),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part went through format_html
