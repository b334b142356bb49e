"""Error pages that say what a person can do about the error."""

from django.conf import settings
from django.shortcuts import render


def bad_request(request, exception=None):
    """400: most often an upload with more files than one request may carry
    (Django refuses those before any view runs)."""
    context = {"max_files": settings.IMAGEREPO_MAX_FILES_PER_REQUEST}
    return render(request, "errors/bad_request.html", context, status=400)
