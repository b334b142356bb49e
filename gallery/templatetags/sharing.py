"""``{{ share|role_label }}``: an album share's role as the pages name it;
``{{ link|link_name }}``: one of an owner's share links, likewise."""

from django import template
from django.utils.formats import date_format
from django.utils.timezone import localtime

from ..forms import SHARE_ROLE_LABELS

register = template.Library()


@register.filter
def role_label(share):
    return SHARE_ROLE_LABELS.get(share.role, share.get_role_display())


@register.filter
def link_name(link):
    """The link by its label, or by when it was made: its owner may have
    several to the same album."""
    if link.label:
        return f"the link “{link.label}”"
    made = date_format(localtime(link.created_at), "DATETIME_FORMAT")
    return f"the link made {made}"
