"""The site's URLs plus bench-only baselines on the same server and middleware:
/bench/trivial/ (no work) and /bench/discard/ (reads a request body and throws
it away: the floor bench/upload.py compares the upload endpoint with)."""

from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from imagerepo.urls import urlpatterns as site

CHUNK = 1024 * 1024


def trivial(request):
    """The baseline: the same server and middleware, no work."""
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
def discard(request):
    if not request.user.is_authenticated:
        return JsonResponse({"code": "not_signed_in"}, status=401)
    received = 0
    while chunk := request.read(CHUNK):
        received += len(chunk)
    return JsonResponse({"received": received})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/discard/", discard),
    *site,
]
