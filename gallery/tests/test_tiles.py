"""The justified grid's shapes: every photo gets the nearest step, every step
has its rule, and the row heights agree with the stylesheet."""

import math
import re
from pathlib import Path

import pytest

from gallery import tiles

STATIC = Path(__file__).resolve().parents[2] / "static" / "css"


def drawn_ratio(shape):
    return int(shape.removeprefix("ar-")) / 1000


@pytest.mark.parametrize(
    ("width", "height"),
    [(4, 3), (3, 2), (16, 9), (1, 1), (3, 4), (2, 3), (9000, 1500), (1, 3.9)],
)
def test_a_photo_is_drawn_within_half_a_percent_of_its_shape(width, height):
    drawn = drawn_ratio(tiles.shape_class(width, height))
    assert abs(math.log(drawn / (width / height))) <= 0.0051


def test_shapes_beyond_the_scale_are_drawn_at_its_ends():
    assert tiles.shape_class(100, 1) == tiles.shape_class(16, 1) == "ar-15959"
    assert tiles.shape_class(1, 100) == tiles.shape_class(1, 4) == "ar-249"
    assert tiles.shape_class(0, 0) == "ar-1000"


def test_every_shape_has_its_rule_in_the_stylesheet():
    css = (STATIC / "tile-shapes.css").read_text()
    # If this fails: .venv/bin/python -m gallery.tiles > static/css/tile-shapes.css
    assert css == tiles.shapes_css()
    rules = dict(re.findall(r"\.(ar-\d+)\{--ar:([\d.]+)\}", css))
    assert len(rules) == len(tiles.SHAPE_STEPS)
    for k in tiles.SHAPE_STEPS:
        ratio = math.exp(k / tiles.STEPS_PER_E)
        shape = tiles.shape_class(ratio * 1000, 1000)
        assert float(rules[shape]) == pytest.approx(ratio, abs=0.0005)


def test_the_row_heights_are_the_stylesheets():
    css = (STATIC / "imagerepo.css").read_text()
    [phones] = re.findall(
        r"^\.gallery-grid \{[^}]*--row-height: (\d+)(\w+);", css, re.M
    )
    wider = re.findall(
        r"@media \(min-width: (\d+)px\) \{\s*\.gallery-grid \{[^}]*--row-height: "
        r"(\d+)(\w+);",
        css,
    )
    in_css = [(int(phones[0]), phones[1])] + [(int(h), unit) for _, h, unit in wider]
    in_python = [(height, unit) for _, height, unit in tiles.ROW_HEIGHTS]
    assert in_css == in_python
    # Each height holds up to the width where the next one begins.
    starts = [int(start) for start, _, _ in wider]
    ends = [max_width for max_width, _, _ in tiles.ROW_HEIGHTS[:-1]]
    assert [math.ceil(end) for end in ends] == starts
