"""Every answer under a share link's address is private, error pages
included: the address holds the link's token."""

# gallery.urls puts a link's page, files and zip under it.
LINK_PREFIX = "/s/"

# Search engines and other sites learn nothing of a link: no indexing, and
# its address goes as a referrer to this site alone. (Not "no-referrer": the
# password form's POST would then carry "Origin: null", which Django's CSRF
# check rightly refuses.)
PRIVATE_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "same-origin",
}


def is_link_address(request):
    return request.path_info.startswith(LINK_PREFIX)


class LinkPrivacyMiddleware:
    """The headers above on every answer under a link, whichever layer gave
    it (a 413 for the body's size, a CSRF failure, a 404 and the link's own
    views alike)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_link_address(request):
            for name, value in PRIVATE_HEADERS.items():
                response[name] = value
        return response


def link_address(request):
    """Template context: ``link_address`` is true under a link, where a page
    offers no way back after signing in, since its address must not travel
    in another one (and so into logs)."""
    return {"link_address": is_link_address(request)}
