"""Small SVG charts drawn by the app (no JavaScript, no CDN)."""

from markupsafe import Markup, escape


def bar_chart(
    rows: list[tuple[str, int]],
    *,
    width: int = 560,
    bar_height: int = 22,
    label_width: int = 90,
    title: str = "",
) -> Markup:
    """Return an accessible horizontal bar chart as inline SVG."""
    peak = max((value for _, value in rows), default=0) or 1
    height = bar_height * len(rows) + 8
    plot_width = width - label_width - 50
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for index, (label, value) in enumerate(rows):
        y = 4 + index * bar_height
        bar = round(plot_width * value / peak)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" '
            f'font-size="13" fill="#333">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar}" height="{bar_height - 6}" '
            f'rx="3" fill="#c0392b"><title>{escape(label)}：{value}</title></rect>'
            f'<text x="{label_width + bar + 6}" y="{y + bar_height * 0.68:.1f}" font-size="12" '
            f'fill="#555">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
