"""``{{ text|highlight:terms }}`` and ``{{ text|excerpt:terms }}`` for search
results (see gallery.search.highlight: every piece is escaped)."""

from django import template

from ..search import highlight as marking

register = template.Library()


@register.filter(is_safe=True)
def highlight(text, terms):
    return marking.highlight(str(text), terms or [])


@register.filter(is_safe=True)
def excerpt(text, terms):
    return marking.excerpt(str(text), terms or [])
