"""``{{ share|role_label }}``: an album share's role as the pages name it."""

from django import template

from ..forms import SHARE_ROLE_LABELS

register = template.Library()


@register.filter
def role_label(share):
    return SHARE_ROLE_LABELS.get(share.role, share.get_role_display())
