"""Map labels never overlap each other or a dot, even in a crowded cluster."""

import random

from marketplace.web.pairing.map_labels import Box, place_labels


def test_crowded_labels_do_not_collide():
    rng = random.Random(7)
    items = [
        (300 + rng.uniform(-60, 60), 200 + rng.uniform(-60, 60), 3, str(i + 1), 10)
        for i in range(60)
    ] + [(300, 200, 8, "城南社区", 12), (40, 40, 8, "五里社区", 12)]
    placed = place_labels(items, (640, 480))
    boxes = [spot.box for spot in placed if spot]
    assert len(boxes) >= 55  # nearly all found room
    for i, box in enumerate(boxes):
        assert box.left >= 0 and box.right <= 640 and box.top >= 0 and box.bottom <= 480
        for other in boxes[i + 1 :]:
            assert not box.hits(other, gap=0)
    dots = [Box(x - r, y - r, x + r, y + r) for x, y, r, _, _ in items]
    assert not any(box.hits(dot, gap=0) for box in boxes for dot in dots)
