"""SVG matrices of oversight drawn by the app: compliance, meetings, coverage.

Each cell is a link to its drill-down page and carries a <title> tooltip; the pages
show the same figures as a table too, for screen readers and narrow phones.
"""

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

STATUS_COLOURS = {
    "confirmed": "#229954",
    "logged": "#f4d03f",
    "missing": "#c0392b",
    "running": "#d6eaf8",
    "not_due": "#d7bde2",
    "unpaired": "#e5e7e9",
    "held": "#229954",
    "future": "#f2f3f4",
}


def status_matrix(
    rows: Sequence,
    columns: Sequence[tuple[int, str]],
    *,
    row_label: Callable,
    status: Callable,
    labels: dict[str, str],
    link: Callable | None = None,
    title: str,
    cell: int = 26,
    label_width: int = 190,
) -> Markup:
    """Return a rows × columns grid of coloured status cells with a legend."""
    top = 22
    width = label_width + cell * len(columns) + 10
    height = top + cell * len(rows) + 30
    # A grid whose cells are links is a group of controls, not an image (nothing
    # interactive may sit inside role="img").
    role = "group" if link else "img"
    parts = [
        f'<svg class="matrix" viewBox="0 0 {width} {height}" width="{width}" role="{role}" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (_key, heading) in enumerate(columns):
        x = label_width + index * cell + cell / 2
        parts.append(
            f'<text x="{x:.1f}" y="15" font-size="11" text-anchor="middle" fill="#333">'
            f"{escape(heading)}</text>"
        )
    for row_index, row in enumerate(rows):
        y = top + row_index * cell
        name = row_label(row)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + cell * 0.65:.1f}" font-size="11" '
            f'text-anchor="end" fill="#333">{escape(name[:18])}</text>'
        )
        for index, (key, heading) in enumerate(columns):
            value = status(row, key)
            x = label_width + index * cell
            rect = (
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="{STATUS_COLOURS.get(value, "#ccc")}" stroke="#fff">'
                f"<title>{escape(name)} · {escape(heading)}：{escape(labels.get(value, value))}"
                f"</title></rect>"
            )
            href = link(row, key) if link else None
            parts.append(f'<a href="{escape(href)}">{rect}</a>' if href else rect)
    parts.append(_legend(labels, label_width, top + cell * len(rows) + 10))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(labels: dict[str, str], x: int, y: int) -> str:
    items = []
    for key, text in labels.items():
        items.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" '
            f'fill="{STATUS_COLOURS.get(key, "#ccc")}" stroke="#999" stroke-width=".5"/>'
            f'<text x="{x + 16}" y="{y + 10}" font-size="11" fill="#555">{escape(text)}</text>'
        )
        x += 24 + 12 * len(text)
    return "".join(items)


def _heat(value: int, peak: int) -> str:
    ratio = 0.0 if peak <= 0 else min(1.0, value / peak)
    level = round(245 - ratio * 110)
    return f"rgb({level},{min(255, level + 10)},255)"


def coverage_heatmap(grid, link: Callable[[int, int], str]) -> Markup:
    """Return communities × categories: shade = needs, red frame = uncovered open needs."""
    cell, label_width, top = 44, 90, 70
    columns = grid.categories
    width = label_width + cell * len(columns) + 10
    height = top + cell * len(grid.communities) + 34
    peak = max((c.total for c in grid.cells.values()), default=0)
    parts = [
        f'<svg class="matrix" viewBox="0 0 {width} {height}" width="{width}" role="group" '
        f'aria-label="需求覆盖热力图" xmlns="http://www.w3.org/2000/svg">',
        "<title>社区 × 服务类别：颜色越深需求越多，红框为有结对单位无法提供的待认领需求</title>",
    ]
    for index, category in enumerate(columns):
        x = label_width + index * cell + cell / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top - 6}" font-size="11" fill="#333" '
            f'transform="rotate(-40 {x:.1f} {top - 6})">{escape(category.name)}</text>'
        )
    for row, community in enumerate(grid.communities):
        y = top + row * cell
        parts.append(
            f'<text x="{label_width - 6}" y="{y + cell * 0.6:.1f}" font-size="12" '
            f'text-anchor="end" fill="#333">{escape(community.name)}</text>'
        )
        for index, category in enumerate(columns):
            data = grid.cell(community.id, category.id)
            x = label_width + index * cell
            frame = ' stroke="#c0392b" stroke-width="3"' if data.uncovered else ' stroke="#fff"'
            tip = (
                f"{community.name} · {category.name}：待认领 {data.open}，已认领 {data.claimed}，"
                f"已完成 {data.done}，无结对单位可提供 {data.uncovered}"
            )
            parts.append(
                f'<a href="{escape(link(community.id, category.id))}">'
                f'<rect x="{x + 2}" y="{y + 2}" width="{cell - 4}" height="{cell - 4}" rx="3" '
                f'fill="{_heat(data.total, peak)}"{frame}><title>{escape(tip)}</title></rect>'
                f'<text x="{x + cell / 2:.1f}" y="{y + cell * 0.62:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#1b2631" pointer-events="none">'
                f"{data.open}/{data.claimed}/{data.done}</text></a>"
            )
    legend_y = top + cell * len(grid.communities) + 20
    parts.append(
        f'<text x="{label_width}" y="{legend_y}" font-size="11" fill="#555">'
        "格内数字：待认领/已认领/已完成；"
        f"颜色越深需求越多；红框：有待认领需求的类型没有结对单位提供</text></svg>"
    )
    return Markup("".join(parts))


def pair_quarter_grid(rows, quarters, labels: dict[str, str], link: Callable, title: str) -> Markup:
    """Return communities × quarters, each quarter a strip of one small cell per paired unit.

    ``rows`` are compliance rows (``.pair``, ``.cells``); a cell links to its pair's page.
    """
    groups: dict[int, list] = {}
    names: dict[int, str] = {}
    for row in rows:
        groups.setdefault(row.pair.community_id, []).append(row)
        names[row.pair.community_id] = row.pair.community.name
    cell, gap, label_width, top = 16, 14, 110, 22
    widest = max((len(group) for group in groups.values()), default=1)
    strip = widest * cell + gap
    width = label_width + strip * len(quarters) + 10
    height = top + (cell + 6) * len(groups) + 30
    parts = [
        f'<svg class="matrix" viewBox="0 0 {width} {height}" width="{width}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, quarter in enumerate(quarters):
        x = label_width + index * strip + (strip - gap) / 2
        parts.append(
            f'<text x="{x:.1f}" y="15" font-size="12" text-anchor="middle" fill="#333">'
            f"第{quarter}季度</text>"
        )
    for row_index, (community_id, group) in enumerate(groups.items()):
        y = top + row_index * (cell + 6)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + cell - 3}" font-size="12" text-anchor="end" '
            f'fill="#333">{escape(names[community_id])}</text>'
        )
        for index, quarter in enumerate(quarters):
            for position, row in enumerate(group):
                value = row.cells[quarter]
                x = label_width + index * strip + position * cell
                pair = row.pair
                tip = f"{pair.community.name} · {pair.unit.name} · 第{quarter}季度：{labels[value]}"
                parts.append(
                    f'<a href="{escape(link(row, quarter))}"><rect x="{x}" y="{y}" '
                    f'width="{cell - 2}" height="{cell - 2}" rx="2" '
                    f'fill="{STATUS_COLOURS.get(value, "#ccc")}">'
                    f"<title>{escape(tip)}</title></rect></a>"
                )
    parts.append(_legend(labels, label_width, top + (cell + 6) * len(groups) + 10))
    parts.append("</svg>")
    return Markup("".join(parts))
