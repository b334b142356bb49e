"""``{{ image|tile_shape }}`` and ``{{ image|tile_sizes }}``: a gallery tile's
shape class and how wide it draws its image (gallery/tiles.py)."""

from django import template

from gallery import tiles

register = template.Library()


@register.filter
def tile_shape(image):
    """The class giving ``image``'s tile its aspect ratio in the grid."""
    return tiles.shape_class(image.width, image.height)


@register.filter
def tile_sizes(image):
    """The ``sizes`` of ``image`` in its tile: as wide as its row makes it."""
    return tiles.image_sizes(image.width, image.height)
