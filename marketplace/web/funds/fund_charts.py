"""The chart of the funds pages: each unit's contributions against its pledge (SVG)."""

from collections import defaultdict

from markupsafe import Markup, escape

from marketplace.services.funds.fund_totals import PairRow, yuan

MAX_UNITS = 25


def _per_unit(rows: list[PairRow]) -> tuple[list[tuple[str, int, int]], int]:
    pledged: dict[str, int] = defaultdict(int)
    given: dict[str, int] = defaultdict(int)
    for row in rows:
        pledged[row.unit.name] += row.pledged
        given[row.unit.name] += row.contributed
    units = [(name, pledged[name], given[name]) for name in pledged]
    # The units furthest behind their pledge first: they are the ones to follow up.
    units.sort(key=lambda u: (u[2] / u[1] if u[1] else 1e9, u[0]))
    return units[:MAX_UNITS], len(units)


def pledge_chart(rows: list[PairRow], *, title: str, width: int = 420) -> Markup:
    """Return paired horizontal bars per unit: pledged (outline) and contributed (filled).

    Narrow on purpose (420 units wide) so that its text stays legible when a phone
    scales it to 390 px; each row ends with the share of the pledge contributed, and the
    amounts are in the row's tooltip. At most ``MAX_UNITS`` rows, furthest behind first.
    """
    units, count = _per_unit(rows)
    if count > len(units):
        title = f"{title}（到位比例最低的 {len(units)} 家，共 {count} 家）"
    if not units:
        return Markup('<p class="text-muted small">本年度暂无帮扶承诺或到位记录。</p>')
    label_width, row_height, top = 96, 34, 24
    plot = width - label_width - 60
    peak = max(max(p, g) for _, p, g in units) or 1
    height = top + row_height * len(units) + 6
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        '<rect x="96" y="4" width="12" height="10" fill="none" stroke="#c0392b"/>'
        '<text x="112" y="13" font-size="11" fill="#333">承诺</text>'
        '<rect x="150" y="4" width="12" height="10" fill="#c0392b"/>'
        '<text x="166" y="13" font-size="11" fill="#333">到位</text>',
    ]
    for index, (name, pledged, given) in enumerate(units):
        y = top + index * row_height
        pledge_bar = round(plot * pledged / peak)
        given_bar = round(plot * given / peak)
        rate = f"{round(100 * given / pledged)}%" if pledged else "—"
        tip = f"{name}：承诺 {yuan(pledged)} 元，到位 {yuan(given)} 元（{rate}）"
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<text x="{label_width - 6}" y="{y + 20}" text-anchor="end" font-size="12" '
            f'fill="#333">{escape(name[:7])}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{max(pledge_bar, 1)}" height="12" '
            f'fill="none" stroke="#c0392b"/>'
            f'<rect x="{label_width}" y="{y + 17}" width="{given_bar}" height="12" '
            f'fill="#c0392b"/>'
            f'<text x="{label_width + max(pledge_bar, given_bar) + 4}" y="{y + 20}" '
            f'font-size="11" fill="#555">{escape(rate)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
