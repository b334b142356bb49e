"""The site's icon: linked from every page, at /favicon.ico for the rest."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.templatetags.static import static
from PIL import Image as PILImage

from .live import BASE_DIR

pytestmark = pytest.mark.django_db

ICONS = BASE_DIR / "static"
SVG_NS = "{http://www.w3.org/2000/svg}"


def icon_links(html):
    """{rel: [href, ...]} of the page's icon links."""
    links = {}
    for rel, href in re.findall(
        r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"', html
    ):
        links.setdefault(rel, []).append(href)
    return links


def fetched(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content)


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_pages_link_icons_the_site_serves(client, url):
    links = icon_links(client.get(url).content.decode())
    assert links == {
        "icon": [static("favicon.ico"), static("favicon.svg")],
        "apple-touch-icon": [static("apple-touch-icon.png")],
    }
    for href in [*links["icon"], *links["apple-touch-icon"]]:
        _, body = fetched(client, href)
        assert body == (ICONS / href.rsplit("/", 1)[1]).read_bytes()


def test_the_icons_are_pictures_at_the_sizes_browsers_pick(client):
    ico = PILImage.open(io.BytesIO(fetched(client, static("favicon.ico"))[1]))
    assert ico.format == "ICO"
    assert ico.info["sizes"] == {(16, 16), (32, 32), (48, 48)}
    touch = PILImage.open(
        io.BytesIO(fetched(client, static("apple-touch-icon.png"))[1])
    )
    assert (touch.format, touch.size, touch.mode) == ("PNG", (180, 180), "RGB")

    response, body = fetched(client, static("favicon.svg"))
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = ET.fromstring(body)
    assert svg.tag == f"{SVG_NS}svg" and svg.get("viewBox") == "0 0 32 32"
    # Nothing a CSP would have to allow, should the icon be opened on its own.
    for element in svg.iter():
        assert element.tag not in {f"{SVG_NS}script", f"{SVG_NS}style"}
        assert not any(name.startswith("on") for name in element.attrib)


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    _, body = fetched(client, response["Location"])
    assert body == (ICONS / "favicon.ico").read_bytes()
