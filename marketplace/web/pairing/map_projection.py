"""Placing longitude / latitude in an SVG box: the county map and the plan's pair map."""

from collections.abc import Callable, Sequence

Projection = Callable[[float, float], tuple[float, float]]


def fit(
    points: Sequence[tuple[float, float]], width: int, height: int, margin: int
) -> Projection | None:
    """Return where each (longitude, latitude) goes in the box, or None without points.

    One scale serves both axes so the map is not stretched, and north is up (SVG's y grows
    downwards); coordinates are rounded to 0.1 so the markup stays short.
    """
    if not points:
        return None
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    span = max(max_x - min_x, max_y - min_y, 1e-6)

    def at(longitude: float, latitude: float) -> tuple[float, float]:
        x = margin + (longitude - min_x) / span * (width - 2 * margin)
        y = height - margin - (latitude - min_y) / span * (height - 2 * margin)
        return round(x, 1), round(y, 1)

    return at


def pair_lines(pairs, where_unit: dict, where_community: dict, colour: dict, opacity: float):
    """Yield one thin line per (unit, community) pair, in the community's colour."""
    for unit_id, community_id in pairs:
        (x1, y1), (x2, y2) = where_unit[unit_id], where_community[community_id]
        yield (
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour[community_id]}" '
            f'stroke-opacity="{opacity}" stroke-width="1.2"/>'
        )
