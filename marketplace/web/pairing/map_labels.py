"""Place map labels so that none overlaps another label or a dot (greedy, nearest first).

Each label is tried at growing distances in eight directions around its dot; the first
box that hits nothing already placed wins, and one placed away from its dot gets a leader
line. A label that finds no room is left out (the table beside the map still names it).
"""

from dataclasses import dataclass

LINE_HEIGHT = 1.45  # em: the height browsers give a line of CJK text
BASELINE = 1.12  # em below the top of that line
DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1))


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def hits(self, other: "Box", gap: float = 1.0) -> bool:
        return not (
            self.right + gap <= other.left
            or other.right + gap <= self.left
            or self.bottom + gap <= other.top
            or other.bottom + gap <= self.top
        )


@dataclass(frozen=True)
class Placed:
    x: float  # text start (text-anchor="start")
    y: float  # baseline
    box: Box
    leader: bool  # drawn away from its dot: join them with a line


def text_width(text: str, font_size: float) -> float:
    """Estimate the drawn width of ``text``: CJK characters are square, others narrower."""
    return sum(font_size if ord(ch) > 0x2E80 else font_size * 0.66 for ch in text)


def place_labels(
    items: list[tuple[float, float, float, str, float]],
    bounds: tuple[float, float],
    obstacles: list[Box] | None = None,
) -> list[Placed | None]:
    """Return a position for each ``(x, y, dot radius, text, font size)``, or None.

    Items are placed in the order given (put the important ones first). ``obstacles``
    are boxes no label may cover (the dots are added automatically).
    """
    width, height = bounds
    taken = list(obstacles or []) + [Box(x - r, y - r, x + r, y + r) for x, y, r, _, _ in items]
    placed: list[Placed | None] = []
    for x, y, radius, text, size in items:
        # a browser's text box spans the font's ascent and descent: about 1.45 em for CJK fonts
        label_width, label_height = text_width(text, size), size * LINE_HEIGHT
        spot = None
        for step in range(6):
            reach = radius + 2 + step * size * 0.9
            for dx, dy in DIRECTIONS:
                cx = x + dx * reach
                cy = y + dy * reach
                left = cx if dx > 0 else cx - label_width if dx < 0 else cx - label_width / 2
                top = cy - label_height / 2 if dy == 0 else cy if dy > 0 else cy - label_height
                box = Box(left, top, left + label_width, top + label_height)
                if box.left < 0 or box.top < 0 or box.right > width or box.bottom > height:
                    continue
                if any(box.hits(other) for other in taken):
                    continue
                spot = Placed(left, top + size * BASELINE, box, leader=step > 1)
                break
            if spot:
                break
        if spot:
            taken.append(spot.box)
        placed.append(spot)
    return placed
