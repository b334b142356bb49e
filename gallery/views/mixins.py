"""What several page views share."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from ..pagination import InvalidCursor


class BackToPageMixin:
    """A form posted from a page that goes back to it (``next``, if it is
    ours) with a message, also when the form is refused."""

    fallback_url = reverse_lazy("gallery:index")

    def form_invalid(self, form):
        messages.error(self.request, next(iter(form.errors.values()))[0])
        return HttpResponseRedirect(self.next_url())

    def next_url(self):
        url = self.request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            url,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        )
        return url if safe else str(self.fallback_url)


def requested_page(read_page, params, **extra):
    """The page of a listing that ``params`` (a request's GET) asks for with
    ``after`` or ``before`` (and any ``extra`` moves), read by
    ``read_page(**moves)``; a cursor that is not ours (or from another
    listing) gives the first page. Returns ``(page, is_first_page)``."""
    moves = {"cursor": params.get("after", ""), "before": params.get("before", "")}
    moves.update(extra)
    try:
        page = read_page(**moves)
    except InvalidCursor:
        moves = {}
        page = read_page()
    # Paging back may land on the top: the first page as such.
    is_first_page = not any(moves.values()) or (
        bool(moves["before"]) and page.newer_cursor is None
    )
    return page, is_first_page


def confirmation_page(request, *, question, consequence, button, cancel, fields=()):
    """A page asking before a step its owner may regret: its button posts to
    the same address again, with ``fields`` and ``confirmed``; Cancel goes
    back to ``cancel``. Server-rendered, so it asks without JavaScript."""
    context = {
        "question": question,
        "consequence": consequence,
        "button": button,
        "cancel": cancel,
        "fields": fields,
    }
    return render(request, "gallery/confirm.html", context)
