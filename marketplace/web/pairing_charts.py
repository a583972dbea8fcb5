"""SVG pictures of a pairing plan, drawn by the app (no tiles, no JavaScript, no CDN)."""

import math

from markupsafe import Markup, escape

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


def score_heatmap(communities, units, totals, paired: set[tuple[int, int]]) -> Markup:
    """Return a community × unit heat map of scores; paired cells get a dark frame.

    ``totals`` maps (unit id, community id) to the pair's total score.
    """
    cell, label_width, top = 11, 96, 20
    width = label_width + cell * len(units) + 10
    height = top + cell * len(communities) + 24
    peak = max((v for v in totals.values() if not math.isnan(v)), default=0.0)
    parts = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="社区 × 单位 得分热力图" xmlns="http://www.w3.org/2000/svg">',
        "<title>社区 × 单位 得分热力图（框出的格子为本方案的结对）</title>",
        f'<text x="{label_width}" y="13" font-size="11" fill="#555">'
        f"单位（按编号排列，共 {len(units)} 个）→</text>",
    ]
    for row, community in enumerate(communities):
        y = top + row * cell
        parts.append(
            f'<text x="{label_width - 4}" y="{y + cell - 2}" font-size="10" text-anchor="end" '
            f'fill="#333">{escape(community.name)}</text>'
        )
        for column, unit in enumerate(units):
            value = totals.get((unit.id, community.id), float("nan"))
            x = label_width + column * cell
            frame = (
                ' stroke="#1b2631" stroke-width="1.6"' if (unit.id, community.id) in paired else ""
            )
            label = "禁止" if math.isnan(value) else f"{value:.3f}"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{_shade(value, peak)}"{frame}>'
                f"<title>{escape(community.name)} × {escape(unit.name)}：{label}</title></rect>"
            )
    legend_y = top + cell * len(communities) + 14
    parts.append(
        f'<text x="{label_width}" y="{legend_y}" font-size="10" fill="#555">颜色越深得分越高；'
        f"黑框为结对；最高 {peak:.3f}</text></svg>"
    )
    return Markup("".join(parts))


def pairs_map(communities, units, pairs: list[tuple[int, int]]) -> Markup:
    """Return a schematic map: communities as large dots, units as small ones, pairs as lines."""
    width, height, margin = 640, 480, 30
    points = [(c.longitude, c.latitude) for c in communities] + [
        (u.longitude, u.latitude) for u in units
    ]
    if not points:
        return Markup("")
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    span = max(max_x - min_x, max_y - min_y, 1e-6)

    def at(longitude: float, latitude: float) -> tuple[float, float]:
        x = margin + (longitude - min_x) / span * (width - 2 * margin)
        y = height - margin - (latitude - min_y) / span * (height - 2 * margin)
        return round(x, 1), round(y, 1)

    colour = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(communities)}
    where_c = {c.id: at(c.longitude, c.latitude) for c in communities}
    where_u = {u.id: at(u.longitude, u.latitude) for u in units}
    names = {u.id: u.name for u in units}
    parts = [
        f'<svg class="pairs-map" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="结对示意图" xmlns="http://www.w3.org/2000/svg">',
        "<title>结对示意图（按坐标绘制，非比例地图）</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfbf8" stroke="#ddd"/>',
    ]
    for unit_id, community_id in pairs:
        (x1, y1), (x2, y2) = where_u[unit_id], where_c[community_id]
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour[community_id]}" '
            'stroke-opacity="0.55" stroke-width="1.2"/>'
        )
    paired_to = dict(pairs)
    for unit_id, (x, y) in where_u.items():
        fill = colour.get(paired_to.get(unit_id), "#999")
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3" fill="{fill}"><title>{escape(names[unit_id])}'
            "</title></circle>"
        )
    for community in communities:
        x, y = where_c[community.id]
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="8" fill="{colour[community.id]}" stroke="#fff" '
            f'stroke-width="2"><title>{escape(community.name)}</title></circle>'
            f'<text x="{x + 10}" y="{y + 4}" font-size="12" fill="#222" stroke="#fff" '
            f'stroke-width="3" paint-order="stroke">{escape(community.name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def change_bars(rows: list[tuple[str, float]], *, width: int = 560) -> Markup:
    """Return a diverging bar chart of per-community score changes (green up, red down)."""
    bar_height, label_width = 22, 90
    peak = max((abs(value) for _, value in rows), default=0.0) or 1.0
    middle = label_width + (width - label_width - 60) / 2
    half = (width - label_width - 60) / 2
    height = bar_height * len(rows) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="各社区得分变化" xmlns="http://www.w3.org/2000/svg">',
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
    return Markup("".join(parts))
