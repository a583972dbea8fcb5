"""The plan pictures are drawn by the app and escape every name (pure, no database)."""

import math
from types import SimpleNamespace

from marketplace.web.pairing.pairing_charts import change_bars, pairs_map, score_heatmap

HOSTILE = '"><script>alert(1)</script>'


def _places():
    communities = [
        SimpleNamespace(id=1, name=HOSTILE, latitude=31.0, longitude=113.0),
        SimpleNamespace(id=2, name="城北社区", latitude=31.1, longitude=113.1),
    ]
    units = [
        SimpleNamespace(id=10, name="县委办公室", latitude=31.02, longitude=113.02),
        SimpleNamespace(id=11, name=HOSTILE, latitude=31.08, longitude=113.09),
    ]
    return communities, units


def test_heatmap_frames_paired_cells_and_escapes_names():
    communities, units = _places()
    totals = {(10, 1): 0.9, (10, 2): 0.1, (11, 1): math.nan, (11, 2): 0.5}
    svg = str(score_heatmap(communities, units, totals, {(10, 1), (11, 2)}))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('stroke="#111"') == 2
    assert "rgb(255,55,55)" in svg  # the best score is the darkest
    # every score is written in its cell (× 100), readable without hovering
    assert ">禁</text>" in svg and ">90</text>" in svg and ">10</text>" in svg


def test_pairs_map_draws_one_line_per_pair():
    communities, units = _places()
    svg = str(pairs_map(communities, units, [(10, 1), (11, 2)]))
    assert svg.count('stroke-opacity="0.5"') == 2 and svg.count("<circle ") == 4
    assert "<script>" not in svg
    # every unit dot is numbered and every community named, each label placed once
    labels = svg.count('class="map-label"')
    assert labels == 4 and ">1</text>" in svg and ">2</text>" in svg and "城北社区</text>" in svg


def test_change_bars_colour_by_sign():
    svg = str(change_bars([("城南社区", 0.5), (HOSTILE, -0.25)]))
    assert 'fill="#229954"' in svg and 'fill="#c0392b"' in svg
    assert "+0.500" in svg and "-0.250" in svg and "<script>" not in svg
