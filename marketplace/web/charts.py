"""Small SVG charts drawn by the app (no JavaScript, no CDN).

A chart is drawn at a size whose labels read at 11 px or more; it grows to its box on a
wide screen and keeps its drawn size on a phone, scrolling sideways in its frame rather
than shrinking its labels to 6 px.
"""

from markupsafe import Markup, escape


def chart_frame(svg: str, title: str) -> Markup:
    """Wrap a chart in the frame that scrolls it sideways on a narrow screen."""
    label = escape(f"{title}（手机上可左右滑动）" if title else "图表（手机上可左右滑动）")
    return Markup(
        f'<div class="chart-frame" tabindex="0" role="region" aria-label="{label}">{svg}</div>'
    )


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
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" '
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
    return chart_frame("".join(parts), title)
