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


def draw_network(works: list[dict[str, Any]], links: list[dict[str, Any]]) -> Markup:
    """Works in columns by year (oldest left), arrows from the citing work to the cited one."""
    if not works:
        return Markup("")
    columns: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for work in works:
        columns[work.get("year")].append(work)
    years = sorted((y for y in columns if y is not None)) + ([None] if None in columns else [])
    cited_count: dict[int, int] = defaultdict(int)
    for link in links:
        cited_count[link["cited_id"]] += 1
    labelled = len(works) <= 80
    column_width, row_height, top, left = (150 if labelled else 60), 26, 70, 30
    position: dict[int, tuple[float, float]] = {}
    for column, year in enumerate(years):
        for row, work in enumerate(sorted(columns[year], key=lambda w: str(w.get("citekey")))):
            # Neighbouring columns are staggered so arrows between them do not run over labels.
            position[work["id"]] = (left + column * column_width, top + (column % 3) * 28 + row * row_height)
    width = left * 2 + max(len(years), 1) * column_width
    height = top + 56 + row_height * max(len(c) for c in columns.values()) + 20
    parts = [
        f'<svg class="kb-network" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Citation network">'
        '<defs><marker id="kb-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="kb-arrowhead"/></marker></defs>'
    ]
    for column, year in enumerate(years):
        parts.append(
            f'<text class="kb-tick-label" x="{left + column * column_width - 8}" y="20">'
            f"{escape(year if year is not None else 'n.d.')}</text>"
        )
    for link in links:
        (x1, y1), (x2, y2) = position[link["citing_id"]], position[link["cited_id"]]
        # Arcs rise with the distance they cover, so long arrows clear the columns between.
        bend = 30 if x1 == x2 else 0
        rise = 0 if bend else min(12 + abs(x2 - x1) * 0.15, 2 * (top - 30))  # the apex stays under the year labels
        mid_x, mid_y = (x1 + x2) / 2 + bend, min(y1, y2) - rise
        parts.append(
            f'<path class="kb-link kb-rel-{escape(link["relation"])}" d="M {x1} {y1} Q {mid_x} {mid_y} {x2} {y2}" '
            f'marker-end="url(#kb-arrow)"><title>{escape(link["relation"])}</title></path>'
        )
    for work in works:
        x, y = position[work["id"]]
        radius = 5 + 2 * math.sqrt(cited_count.get(work["id"], 0))
        title = escape(work.get("title") or work.get("citekey") or "")
        label = (
            f'<text class="kb-node-label" x="{x + radius + 3}" y="{y + 4}">{escape(_short(str(work.get("citekey")), 22))}</text>'
            if labelled
            else ""
        )
        parts.append(
            f'<a href="{escape(work["url"])}" class="kb-node"><title>{title} ({escape(work.get("citekey"))}; '
            f"cited {cited_count.get(work['id'], 0)} times here)</title>"
            f'<circle cx="{x}" cy="{y}" r="{radius:.1f}"/>{label}</a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
