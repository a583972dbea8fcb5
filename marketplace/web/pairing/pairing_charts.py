"""SVG pictures of a pairing plan, drawn by the app (no tiles, no JavaScript, no CDN)."""

import math

from markupsafe import Markup, escape

from marketplace.web.charts import chart_frame
from marketplace.web.pairing.map_labels import place_labels
from marketplace.web.pairing.map_projection import fit, pair_lines

PALETTE = (
    "#c0392b",
    "#2471a3",
    "#229954",
    "#d68910",
    "#7d3c98",
    "#17a589",
    "#a04000",
    "#2e4053",
    "#cb4335",
    "#1f618d",
    "#7e5109",
    "#5b2c6f",
)


def _shade(value: float, peak: float) -> str:
    """Return a white → party-red colour for ``value`` in 0..peak."""
    ratio = 0.0 if peak <= 0 or math.isnan(value) else max(0.0, min(1.0, value / peak))
    green_blue = round(255 - ratio * 200)
    return f"rgb(255,{green_blue},{green_blue})"


def _short(name: str) -> str:
    """Return a community's name without its 社区 suffix, for column heads."""
    return name[:-2] if name.endswith("社区") and len(name) > 3 else name


def score_heatmap(communities, units, totals, paired: set[tuple[int, int]]) -> Markup:
    """Return a unit × community table of scores, each cell written out (no hover needed).

    Rows are units grouped by the community they are paired with; a paired cell is framed.
    ``totals`` maps (unit id, community id) to the pair's total score (NaN: forbidden).
    """
    cell_w, cell_h, label_width, top = 34, 18, 150, 34
    position = {community.id: index for index, community in enumerate(communities)}
    paired_with = {unit_id: community_id for unit_id, community_id in paired}
    rows = sorted(
        units, key=lambda u: (position.get(paired_with.get(u.id), len(communities)), u.id)
    )
    width = label_width + cell_w * len(communities) + 4
    height = top + cell_h * len(rows) + 26
    peak = max((v for v in totals.values() if not math.isnan(v)), default=0.0)
    parts = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-labelledby="heatmap-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="heatmap-title">单位 × 社区 得分表（分数 × 100，框出的格子为本方案的结对）'
        "</title>",
    ]
    for column, community in enumerate(communities):
        x = label_width + column * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x}" y="{top - 8}" font-size="12" text-anchor="middle" fill="#222">'
            f"{escape(_short(community.name))}</text>"
        )
    for row, unit in enumerate(rows):
        y = top + row * cell_h
        parts.append(
            f'<text x="{label_width - 6}" y="{y + cell_h - 5}" font-size="12" '
            f'text-anchor="end" fill="#222">{escape(unit.name[:11])}</text>'
        )
        for column, community in enumerate(communities):
            value = totals.get((unit.id, community.id), float("nan"))
            x = label_width + column * cell_w
            is_pair = (unit.id, community.id) in paired
            frame = ' stroke="#111" stroke-width="2"' if is_pair else ""
            ratio = 0.0 if peak <= 0 or math.isnan(value) else value / peak
            text = "禁" if math.isnan(value) else f"{value * 100:.0f}"
            ink = "#fff" if ratio > 0.6 else "#222"
            weight = ' font-weight="700"' if is_pair else ""
            parts.append(
                f'<rect x="{x + 0.5}" y="{y + 0.5}" width="{cell_w - 1}" height="{cell_h - 1}" '
                f'fill="{_shade(value, peak)}"{frame}/>'
                f'<text x="{x + cell_w / 2}" y="{y + cell_h - 5}" font-size="11" '
                f'text-anchor="middle" fill="{ink}"{weight}>{text}</text>'
            )
    legend_y = top + cell_h * len(rows) + 18
    parts.append(
        f'<text x="4" y="{legend_y}" font-size="12" fill="#444">分数 × 100，颜色越深越高；'
        f"粗框为结对；“禁”为禁止结对；最高 {peak * 100:.0f}</text></svg>"
    )
    return Markup("".join(parts))


def pairs_map(communities, units, pairs: list[tuple[int, int]]) -> Markup:
    """Return a schematic map: communities as large named dots, units as small numbered dots.

    Unit numbers follow the order of ``units`` (the list beside the map names them);
    labels are placed so that none covers another label or a dot.
    """
    width, height, margin = 720, 540, 40
    points = [(c.longitude, c.latitude) for c in communities] + [
        (u.longitude, u.latitude) for u in units
    ]
    at = fit(points, width, height, margin)
    if at is None:
        return Markup("")
    colour = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(communities)}
    where_c = {c.id: at(c.longitude, c.latitude) for c in communities}
    where_u = {u.id: at(u.longitude, u.latitude) for u in units}
    parts = [
        f'<svg class="pairs-map" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="pairs-map-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="pairs-map-title">结对示意图（按坐标绘制，非比例地图；'
        "大圆点为社区，小圆点为单位，数字为单位编号）</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfbf8" stroke="#ddd"/>',
    ]
    parts.extend(pair_lines(pairs, where_u, where_c, colour, opacity=0.5))
    paired_to = dict(pairs)
    dots = [(*where_c[c.id], 8, c.name, 13) for c in communities] + [
        (*where_u[u.id], 3.5, str(number), 10) for number, u in enumerate(units, start=1)
    ]
    spots = place_labels(dots, (width, height))
    for number, unit in enumerate(units, start=1):
        x, y = where_u[unit.id]
        fill = colour.get(paired_to.get(unit.id), "#888")
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3.5" fill="{fill}"><title>{number} '
            f"{escape(unit.name)}</title></circle>"
        )
    for community in communities:
        x, y = where_c[community.id]
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="8" fill="{colour[community.id]}" stroke="#fff" '
            f'stroke-width="2"><title>{escape(community.name)}</title></circle>'
        )
    parts.extend(map_label_marks(dots, spots))
    parts.append("</svg>")
    return Markup("".join(parts))


def map_label_marks(dots, spots) -> list[str]:
    """Return the SVG text (and leader lines) of labels placed by ``place_labels``."""
    marks = []
    for (x, y, _radius, text, size), spot in zip(dots, spots, strict=True):
        if spot is None:
            continue
        if spot.leader:
            box = spot.box
            marks.append(
                f'<line x1="{x}" y1="{y}" x2="{(box.left + box.right) / 2:.1f}" '
                f'y2="{(box.top + box.bottom) / 2:.1f}" stroke="#999" stroke-width="0.6"/>'
            )
        weight = ' font-weight="700"' if size > 11 else ""
        marks.append(
            f'<text class="map-label" x="{spot.x:.1f}" y="{spot.y:.1f}" font-size="{size}" '
            f'fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke"{weight}>'
            f"{escape(text)}</text>"
        )
    return marks


def change_bars(rows: list[tuple[str, float]], *, width: int = 560) -> Markup:
    """Return a diverging bar chart of per-community score changes (green up, red down)."""
    bar_height, label_width = 22, 90
    peak = max((abs(value) for _, value in rows), default=0.0) or 1.0
    middle = label_width + (width - label_width - 60) / 2
    half = (width - label_width - 60) / 2
    height = bar_height * len(rows) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="各社区得分变化" xmlns="http://www.w3.org/2000/svg">',
        "<title>各社区得分变化（与已发布方案相比）</title>",
        f'<line x1="{middle}" y1="0" x2="{middle}" y2="{height}" stroke="#999"/>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * bar_height
        length = round(half * abs(value) / peak, 1)
        x = middle if value >= 0 else middle - length
        fill = "#229954" if value >= 0 else "#c0392b"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" '
            f'font-size="13" fill="#333">{escape(label)}</text>'
            f'<rect x="{x}" y="{y + 3}" width="{length}" height="{bar_height - 6}" '
            f'fill="{fill}"><title>{escape(label)}：{value:+.3f}</title></rect>'
            f'<text x="{x + length + 4 if value >= 0 else x - 4}" y="{y + bar_height * 0.68:.1f}" '
            f'font-size="11" fill="#555" text-anchor="{"start" if value >= 0 else "end"}">'
            f"{value:+.3f}</text>"
        )
    parts.append("</svg>")
    return chart_frame("".join(parts), "各社区得分变化")
