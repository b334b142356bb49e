"""Error pages that say what a person can do about the error."""

from django.conf import settings
from django.shortcuts import render

from ..link_privacy import is_link_address


def bad_request(request, exception=None):
    """400: most often an upload with more files than one request may carry
    (Django refuses those before any view runs)."""
    context = {"max_files": settings.IMAGEREPO_MAX_FILES_PER_REQUEST}
    return render(request, "errors/bad_request.html", context, status=400)


def csrf_failure(request, reason=""):
    """403 for a form whose CSRF token no longer matches: most often a page
    left open while its person signed out and in again in another tab, or
    cookies cleared. Said so, with what to do, in the site's own page:
    reloading the form's page gives it a token that works."""
    return render(request, "errors/csrf_failure.html", status=403)


def page_not_found(request, exception=None):
    """404: under a share link's address (``/s/``, see gallery.urls), words
    for someone who was handed a link rather than an invitation to sign in;
    the same page whether the link never existed, expired or was revoked."""
    if not is_link_address(request):
        return render(request, "404.html", status=404)
    return render(request, "errors/link_not_found.html", status=404)
