"""The site's URLs plus a bench-only baseline on the same middleware:
/bench/trivial/ (no work), the floor bench/pages.py compares pages with."""

from django.http import HttpResponse
from django.urls import path

from imagerepo.urls import urlpatterns as site


def trivial(request):
    """The baseline: the same server and middleware, no work."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    *site,
]
