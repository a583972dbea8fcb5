"""The county map (亲民地图) as SVG drawn by the app: readable on a phone, no JavaScript.

Communities are large named dots, resident units small numbered dots (a square when they
open a facility to the public), the published plan's pairs thin lines in the community's
colour. Labels are placed by ``map_labels`` so that none covers another or a dot.
"""

from markupsafe import Markup, escape

from marketplace.web.pairing.map_labels import place_labels
from marketplace.web.pairing.map_projection import fit, pair_lines
from marketplace.web.pairing.pairing_charts import PALETTE, map_label_marks

WIDTH, HEIGHT, MARGIN = 760, 620, 44


def county_map_svg(communities, units, facilities_by_unit: dict, pairs) -> Markup:
    """Return the map; unit numbers follow the order of ``units`` (the table names them)."""
    points = [(c.longitude, c.latitude) for c in communities] + [
        (u.longitude, u.latitude) for u in units
    ]
    at = fit(points, WIDTH, HEIGHT, MARGIN)
    if at is None:
        return Markup("")
    colour = {c.id: PALETTE[i % len(PALETTE)] for i, c in enumerate(communities)}
    where_c = {c.id: at(c.longitude, c.latitude) for c in communities}
    where_u = {u.id: at(u.longitude, u.latitude) for u in units}
    paired_to = dict(pairs)
    parts = [
        f'<svg class="county-map" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        'aria-labelledby="county-map-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="county-map-title">云溪县亲民地图：社区（大圆点）、驻区单位（小圆点，方块为'
        "向群众开放场地的单位，数字为单位编号）与已发布的结对（连线）</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f7f7f2" stroke="#ccc"/>',
    ]
    parts.extend(pair_lines(pairs, where_u, where_c, colour, opacity=0.45))
    for number, unit in enumerate(units, start=1):
        x, y = where_u[unit.id]
        fill = colour.get(paired_to.get(unit.id), "#777")
        name = escape(unit.name)
        if facilities_by_unit.get(unit.id):
            title = f"{number} {name}（开放场地 {facilities_by_unit[unit.id]} 处）"
            parts.append(
                f'<rect class="facility" x="{x - 4}" y="{y - 4}" width="8" height="8" '
                f'fill="{fill}" stroke="#222" stroke-width="0.8"><title>{title}</title></rect>'
            )
        else:
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="3.5" fill="{fill}">'
                f"<title>{number} {name}</title></circle>"
            )
    for community in communities:
        x, y = where_c[community.id]
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="9" fill="{colour[community.id]}" stroke="#fff" '
            f'stroke-width="2"><title>{escape(community.name)}</title></circle>'
        )
    dots = [(*where_c[c.id], 9, c.name, 14) for c in communities] + [
        (*where_u[u.id], 4.5, str(number), 10) for number, u in enumerate(units, start=1)
    ]
    parts.extend(map_label_marks(dots, place_labels(dots, (WIDTH, HEIGHT))))
    parts.append("</svg>")
    return Markup("".join(parts))
