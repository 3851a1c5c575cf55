"""Server-drawn SVG for the timeline and the citation network: no JavaScript, no CDN.

Every piece of text goes through markupsafe's escape, so a name holding markup is
drawn as text.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from typing import Any

from markupsafe import Markup, escape

ROW_HEIGHT = 22
LABEL_WIDTH = 380
COUNT_WIDTH = 70
CHART_WIDTH = 560
PRECISION_CLASS = {"year": "kb-year", "month": "kb-month", "season": "kb-month"}


def _day(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10]).toordinal()
    except ValueError:
        return None


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def draw_timeline(events: list[dict[str, Any]]) -> Markup:
    """One row per dated event: its name and number of sources, and a bar over its span."""
    dated = [e for e in events if _day(e.get("start_date"))]
    if not dated:
        return Markup("")
    first = min(_day(e["start_date"]) for e in dated)
    last = max(_day(e.get("end_date")) or _day(e["start_date"]) for e in dated)
    first_year = datetime.date.fromordinal(first).year
    last_year = datetime.date.fromordinal(last).year + 1
    start = datetime.date(first_year, 1, 1).toordinal()
    end = datetime.date(last_year, 1, 1).toordinal()
    chart_x = LABEL_WIDTH + COUNT_WIDTH
    width = chart_x + CHART_WIDTH + 40
    height = ROW_HEIGHT * (len(dated) + 2)
    max_sources = max((e["sources"] or 0) for e in dated) or 1

    def x(day: int) -> float:
        return chart_x + CHART_WIDTH * (day - start) / max(end - start, 1)

    parts = [
        f'<svg class="kb-timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Timeline of events">'
    ]
    years = last_year - first_year
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if years / s <= 14)
    for year in range(first_year - first_year % step, last_year + 1, step):
        if year < first_year:
            continue
        tick = x(datetime.date(year, 1, 1).toordinal())
        parts.append(
            f'<line class="kb-tick" x1="{tick:.1f}" y1="{ROW_HEIGHT - 4}" x2="{tick:.1f}" y2="{height}"/>'
            f'<text class="kb-tick-label" x="{tick + 2:.1f}" y="{ROW_HEIGHT - 8}">{year}</text>'
        )
    parts.append(
        f'<text class="kb-head" x="0" y="{ROW_HEIGHT - 8}">Event</text>'
        f'<text class="kb-head" x="{LABEL_WIDTH + COUNT_WIDTH - 12}" y="{ROW_HEIGHT - 8}" text-anchor="end">Sources</text>'
    )
    for row, event in enumerate(dated, start=1):
        y = ROW_HEIGHT * row
        begin = _day(event["start_date"])
        finish = (_day(event.get("end_date")) or begin) + 1
        bar_x, bar_w = x(begin), max(x(finish) - x(begin), 4)
        sources = event["sources"] or 0
        name, date = escape(event["name"]), escape(event.get("date") or event["start_date"])
        css = PRECISION_CLASS.get(event.get("date_precision") or "", "kb-day")
        parts.append(
            f'<g class="kb-event"><title>{name}: {date}; {sources} source{"s" if sources != 1 else ""}</title>'
            f'<a href="{escape(event["articles_url"])}"><text class="kb-event-name" x="0" y="{y + 15}">'
            f"{escape(_short(event['name'], 52))}</text></a>"
            f'<rect class="kb-count-bar" x="{LABEL_WIDTH}" y="{y + 5}" height="12" '
            f'width="{(COUNT_WIDTH - 40) * sources / max_sources:.1f}"/>'
            f'<text class="kb-count" x="{LABEL_WIDTH + COUNT_WIDTH - 12}" y="{y + 15}" text-anchor="end">{sources}</text>'
            f'<a href="{escape(event["url"])}"><rect class="kb-span {css}" x="{bar_x:.1f}" y="{y + 4}" '
            f'width="{bar_w:.1f}" height="14" rx="2"/></a></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# The network: one band of rows per year, oldest at the top; each work a labelled dot.
NETWORK_WIDTH = 1320
NETWORK_CELL = 150  # room for a dot and a short reference ("Kulhanek et al. 2024b")
NETWORK_LINE = 24
NETWORK_GUTTER = 56  # the year labels
NETWORK_LABEL = 26  # characters of a label drawn (network.py keeps labels shorter); the title is in the tooltip


def draw_network(works: list[dict[str, Any]], links: list[dict[str, Any]]) -> Markup:
    """Works in bands by year (oldest at the top), the most connected first in each, every
    dot labelled by its short reference (`label`) and linked to its page; arrows from the
    citing work to the cited one, bigger dots cited more."""
    if not works:
        return Markup("")
    degree: dict[int, int] = defaultdict(int)
    cited_count: dict[int, int] = defaultdict(int)
    for link in links:
        cited_count[link["cited_id"]] += 1
        degree[link["cited_id"]] += 1
        degree[link["citing_id"]] += 1
    bands: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for work in works:
        bands[work.get("year")].append(work)
    years = sorted(y for y in bands if y is not None) + ([None] if None in bands else [])
    per_line = max(1, (NETWORK_WIDTH - NETWORK_GUTTER) // NETWORK_CELL)
    position: dict[int, tuple[float, float]] = {}
    band_tops: list[tuple[Any, float]] = []
    y = 16.0
    for year in years:
        band = sorted(bands[year], key=lambda w: (-degree[w["id"]], str(w.get("label"))))
        band_tops.append((year, y))
        for index, work in enumerate(band):
            line, column = divmod(index, per_line)
            # Every other line is shifted half a cell, so arrows between lines pass between dots.
            shift = (NETWORK_CELL / 2) if line % 2 else 0
            position[work["id"]] = (NETWORK_GUTTER + 8 + column * NETWORK_CELL + shift, y + line * NETWORK_LINE)
        y += NETWORK_LINE * math.ceil(len(band) / per_line) + 14
    height = int(y + 10)
    parts = [
        f'<svg class="kb-network" xmlns="http://www.w3.org/2000/svg" width="{NETWORK_WIDTH}" height="{height}" '
        f'viewBox="0 0 {NETWORK_WIDTH} {height}" role="img" aria-label="Citation network">'
        '<defs><marker id="kb-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="kb-arrowhead"/></marker></defs>'
    ]
    for index, (year, top) in enumerate(band_tops):
        if index % 2:
            next_top = band_tops[index + 1][1] if index + 1 < len(band_tops) else height
            parts.append(
                f'<rect class="kb-band" x="0" y="{top - 12:.0f}" width="{NETWORK_WIDTH}" height="{next_top - top:.0f}"/>'
            )
        parts.append(
            f'<text class="kb-tick-label" x="4" y="{top + 4:.0f}">{escape(year if year is not None else "n.d.")}</text>'
        )
    for link in links:
        (x1, y1), (x2, y2) = position[link["citing_id"]], position[link["cited_id"]]
        # A curve bowing to the side, so arrows along a line do not run over its labels.
        bend = 40 if y1 == y2 else 0.25 * abs(y2 - y1)
        mid_x, mid_y = (x1 + x2) / 2 + bend, (y1 + y2) / 2 - (22 if y1 == y2 else 0)
        parts.append(
            f'<path class="kb-link kb-rel-{escape(link["relation"])}" d="M {x1:.0f} {y1:.0f} Q {mid_x:.0f} {mid_y:.0f} '
            f'{x2:.0f} {y2:.0f}" marker-end="url(#kb-arrow)"><title>{escape(link["relation"])}</title></path>'
        )
    for work in works:
        x, y = position[work["id"]]
        radius = 4 + 1.5 * math.sqrt(cited_count.get(work["id"], 0))
        label = str(work.get("label") or work.get("citekey") or "")
        title = escape(work.get("title") or work.get("citekey") or "")
        cited = cited_count.get(work["id"], 0)
        parts.append(
            f'<a href="{escape(work["url"])}" class="kb-node"><title>{escape(label)}: {title} '
            f"({escape(work.get('citekey'))}; cited {cited} time{'' if cited == 1 else 's'} here)</title>"
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{radius:.1f}"/>'
            f'<text class="kb-node-label" x="{x + radius + 3:.0f}" y="{y + 4:.0f}">{escape(_short(label, NETWORK_LABEL))}</text></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
