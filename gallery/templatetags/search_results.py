"""``{{ text|highlight:terms }}`` and ``{{ image|description_excerpt:terms }}``
for search results (see gallery.search.highlight: every piece is escaped)."""

from django import template

from ..search import highlight as marking

register = template.Library()


@register.filter(is_safe=True)
def highlight(text, terms):
    return marking.highlight(str(text), terms or [])


@register.filter(is_safe=True)
def description_excerpt(image, terms):
    """Where the description matched, for a result whose title does not
    already show every word of the search."""
    if not terms or marking.covers(image.title, terms):
        return ""
    return marking.excerpt(image.description, terms)
