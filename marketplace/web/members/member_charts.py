"""SVG charts of the members' rates (drawn by the app, no JavaScript)."""

from markupsafe import Markup, escape


def rate_chart(rows: list[tuple[str, float, float]], *, title: str, width: int = 640) -> Markup:
    """Return two horizontal bars per row: the ``first`` and ``second`` rates (0–1).

    Rates are shares of a whole, so they never pass 1.
    """
    label_width, bar_height = 120, 30
    plot = width - label_width - 60
    height = bar_height * len(rows) + 30
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    ]
    for index, (label, first, second) in enumerate(rows):
        y = 4 + index * bar_height
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" font-size="12" '
            f'fill="#333">{escape(label)}</text>'
        )
        for offset, value, colour in ((2, first, "#c0392b"), (14, second, "#e6a23c")):
            bar = round(plot * min(max(value, 0.0), 1.0))
            parts.append(
                f'<rect x="{label_width}" y="{y + offset}" width="{bar}" height="11" rx="2" '
                f'fill="{colour}"><title>{escape(label)}：{value:.0%}</title></rect>'
                f'<text x="{label_width + bar + 4}" y="{y + offset + 10}" font-size="10" '
                f'fill="#555">{value:.0%}</text>'
            )
    legend_y = height - 8
    parts.append(
        f'<rect x="{label_width}" y="{legend_y - 9}" width="10" height="10" fill="#c0392b"/>'
        f'<text x="{label_width + 14}" y="{legend_y}" font-size="11">'
        "报到率（已报到 / 应报到）</text>"
        f'<rect x="{label_width + 200}" y="{legend_y - 9}" width="10" height="10" fill="#e6a23c"/>'
        f'<text x="{label_width + 214}" y="{legend_y}" font-size="11">年度清单完成项占比</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
