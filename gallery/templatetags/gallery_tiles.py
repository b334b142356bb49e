"""``{{ image|tile_sizes }}``: how wide a gallery tile draws its image."""

from django import template

register = template.Library()


# How wide a tile is drawn (static/css/imagerepo.css: two columns on a phone,
# about 240 px elsewhere), as the `sizes` of its <img>.
TILE_SIZES = ((576, "vw", 50), (None, "px", 240))


@register.filter
def tile_sizes(image):
    """The `sizes` of ``image`` in a square tile. It covers the tile, so a
    wide image is drawn wider than the tile by its aspect ratio (a 5:1
    panorama five tiles wide): the browser must be told, or it picks the
    400 px thumbnail and stretches 80 px of height over the whole tile."""
    width, height = image.thumbnail_width, image.thumbnail_height
    wider = max(1.0, width / height) if width and height else 1.0
    parts = []
    for max_width, unit, size in TILE_SIZES:
        length = f"{round(size * wider)}{unit}"
        parts.append(f"(max-width: {max_width}px) {length}" if max_width else length)
    return ", ".join(parts)
