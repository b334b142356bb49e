"""/favicon.ico: where browsers look for a site's icon when a page names none
(the admin, the API's JSON, an image opened on its own) and where other
clients (bookmarks, feed readers) always look."""

from django.templatetags.static import static
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView

ONE_DAY = 24 * 60 * 60


@method_decorator(cache_control(public=True, max_age=ONE_DAY), name="dispatch")
class FaviconView(RedirectView):
    """Redirects to the icon in static/ (made by scripts/make-favicons), at
    its versioned URL in production. Temporary and cached for a day only, so
    a new icon's new URL is picked up."""

    def get_redirect_url(self, *args, **kwargs):
        # Looked up per request, not at import: in production the versioned
        # name comes from collectstatic's manifest.
        return static("favicon.ico")
