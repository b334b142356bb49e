"""The gallery's justified grid: which shape class a tile gets, and how wide
its image is drawn.

Each tile is a flex item whose base width and growth are its aspect ratio
times the row height (static/css/imagerepo.css), so a row's photos share one
height and keep their shapes, with no JavaScript and nothing moving as the
images arrive. The ratio has to reach the stylesheet somehow, and our
Content-Security-Policy refuses inline styles, ``style=""`` attributes
included: allowing them (``'unsafe-inline'``) would let any injected markup
restyle the page. So a tile carries one of a fixed set of classes instead,
each setting ``--ar`` to one step of a geometric scale one percent apart
(static/css/tile-shapes.css, written by ``python -m gallery.tiles``). A photo
is drawn at the nearest step and cropped by at most half a percent of its
width or height, less than a pixel or two on any screen.
"""

import math
import sys

# Steps of the ratio scale: exp(k / STEPS_PER_E) for k in SHAPE_STEPS, from
# 1:4 to 16:1. Photos beyond either end are drawn at that end, cropped.
STEPS_PER_E = 100
SHAPE_STEPS = range(-139, 278)

# The rows' base height by viewport, as --row-height in imagerepo.css (a test
# keeps the two in step): (max viewport width, value, unit). Phones: a fifth
# of the screen's width, so three 3:2 or 4:3 photos fit a row on any phone.
ROW_HEIGHTS = ((575.98, 21, "vw"), (991.98, 160, "px"), (None, 200, "px"))
# Rows grow from their base height until they fill the width: by about half a
# tile's width over the row's tiles, so by this factor on average.
TYPICAL_ROW_GROWTH = 1.15


def _step_ratio(k):
    return round(math.exp(k / STEPS_PER_E), 3)


def shape_class(width, height):
    """The class drawing a ``width`` x ``height`` image at its shape."""
    if not (width and height):
        return "ar-1000"
    k = round(math.log(width / height) * STEPS_PER_E)
    k = min(max(k, SHAPE_STEPS.start), SHAPE_STEPS.stop - 1)
    return f"ar-{round(_step_ratio(k) * 1000)}"


def image_sizes(width, height):
    """The ``sizes`` of a tile's image: its ratio times each row height."""
    ratio = width / height if width and height else 1.0
    parts = []
    for max_width, row_height, unit in ROW_HEIGHTS:
        drawn = ratio * row_height * TYPICAL_ROW_GROWTH
        if unit == "vw":
            drawn = min(drawn, 100)  # a panorama alone on its row
        length = f"{drawn:.0f}{unit}"
        parts.append(f"(max-width: {max_width}px) {length}" if max_width else length)
    return ", ".join(parts)


def shapes_css():
    """The text of static/css/tile-shapes.css."""
    lines = [
        "/* Written by `python -m gallery.tiles` (gallery/tiles.py says why): "
        "do not edit. */"
    ]
    for k in SHAPE_STEPS:
        ratio = _step_ratio(k)
        lines.append(f".ar-{round(ratio * 1000)}{{--ar:{ratio:g}}}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(shapes_css())
