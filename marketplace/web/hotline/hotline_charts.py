"""SVG charts of the hotline dashboard, drawn by the app (no JavaScript, no CDN)."""

from datetime import date

from markupsafe import Markup, escape

from marketplace.web.charts import bar_chart


def day_chart(rows: list[tuple[date, int]], *, width: int = 720, height: int = 160) -> Markup:
    """Return tickets per day as a column chart, with the peak and month starts labelled."""
    peak = max((count for _day, count in rows), default=0) or 1
    plot_h = height - 30
    step = (width - 40) / max(1, len(rows))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="每日工单数" xmlns="http://www.w3.org/2000/svg"><title>每日工单数</title>',
        f'<text x="0" y="12" font-size="11" fill="#555">最多 {peak} 件/天</text>',
        f'<line x1="36" y1="{plot_h + 4}" x2="{width}" y2="{plot_h + 4}" stroke="#ccc"/>',
    ]
    for index, (day, count) in enumerate(rows):
        x = 38 + index * step
        bar = plot_h * count / peak
        parts.append(
            f'<rect x="{x:.1f}" y="{plot_h + 4 - bar:.1f}" width="{max(1.0, step - 1):.1f}" '
            f'height="{bar:.1f}" fill="#c0392b"><title>{day:%m-%d}：{count} 件</title></rect>'
        )
        if day.day == 1 or index == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" font-size="10" fill="#555">{day:%m-%d}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def kind_chart(rows: list[tuple[str, int]]) -> Markup:
    """Return tickets per service kind as horizontal bars."""
    return bar_chart(rows, title="各类别工单数")


def satisfaction_chart(counts: dict[int, int]) -> Markup:
    """Return the follow-ups' satisfaction scores as bars (5 stars first)."""
    rows = [(f"{score} 星", counts.get(score, 0)) for score in (5, 4, 3, 2, 1)]
    return bar_chart(rows, title=escape("回访满意度"), label_width=50)
