"""Where a gallery or search page's time goes, and what the alternatives to
the plain template would save, at a million images (CPU time, one process).

* The parts of a request: the whole page through the test client, the
  selectors' queries in it (``image_listing``, ``image_page``,
  ``image_count_capped``, ``timeline_years``), its template, and a trivial
  view on the same middleware (Django's floor).
* The 48 tiles of the first gallery page as the grid (_grid.html) renders them, with
  the timeline's month headings and without them; the
  same tiles with their three URLs left out (what reverse() costs them);
  with the URLs of the placeholder substitution that was removed; with every
  value worked out beforehand into a dict (what the template language's
  attribute lookups cost); and built in Python with ``format_html`` (about
  the least any template engine could cost).

Variants take turns and each is timed many times; the minimum is the figure
least disturbed by other work on the machine.

    .venv/bin/python -m bench.page_costs            # 1,000,000 images
    .venv/bin/python -m bench.page_costs 100000 --runs 20
"""

import argparse
import os
import statistics
import time
import uuid
from functools import lru_cache

from bench.dataset import ROOT, build, django_env

OWNER = "owner42"
# The gallery in either order; a word common in descriptions; a pair.
PAGES = {
    "gallery page 1, taken": {},
    "gallery page 1, uploaded": {"order": "uploaded"},
    "search `with`": {"q": "with"},
    "search `golden beach`": {"q": "golden beach"},
}


def cpu(call, *args):
    started = time.thread_time()
    call(*args)
    return time.thread_time() - started


def report(title, samples):
    print(f"\n{title}\n\n| variant | CPU ms, min | CPU ms, median |\n|---|---|---|")
    for name, values in samples.items():
        low, middle = min(values) * 1000, statistics.median(values) * 1000
        print(f"| {name} | {low:.2f} | {middle:.2f} |")


# ---------------------------------------------------------------- a request


PARTS = (
    "selectors: image_listing",
    "selectors: image_page",
    "selectors: image_count_capped",
    "selectors: timeline_years",
    "template",
)


def time_parts(parts):
    """Add the CPU time of the page's selectors and template to ``parts``."""
    from django.template.response import SimpleTemplateResponse

    import gallery.views.browse as browse

    def timing(owner, name, label):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                parts[label] += time.thread_time() - started

        setattr(owner, name, timed)

    for label in PARTS[:-1]:
        timing(browse, label.removeprefix("selectors: "), label)
    timing(SimpleTemplateResponse, "render", PARTS[-1])


def request_parts(clients, runs):
    """CPU time of whole requests and of the selectors and template in them."""
    parts = dict.fromkeys(PARTS, 0.0)
    time_parts(parts)
    for viewer, client in clients.items():
        samples = {}
        for _ in range(runs):
            for kind, params in PAGES.items():
                parts.update(dict.fromkeys(PARTS, 0.0))
                whole = cpu(client.get, "/", params)
                samples.setdefault(f"{kind}: whole request", []).append(whole)
                for label, seconds in parts.items():
                    samples.setdefault(f"{kind}: {label}", []).append(seconds)
            trivial = cpu(client.get, "/bench/trivial/")
            samples.setdefault("trivial view", []).append(trivial)
        report(f"Requests, {viewer}:", samples)


# ---------------------------------------------------------------- 48 tiles


def tile_markup():
    """The grid's loop over the tiles, as it is."""
    source = (ROOT / "templates/gallery/_grid.html").read_text()
    start = source.index("{% for image in page.items %}")
    end = source.index("{% endfor %}", start) + len("{% endfor %}")
    return "{% load gallery_tiles search_results %}" + source[start:end]


URLS = (
    "page_url=image.get_absolute_url thumbnail_url=image.thumbnail_url "
    "display_url=image.display_url"
)
_SENTINEL = uuid.UUID(int=0)


@lru_cache
def _pattern(name):
    from django.urls import reverse

    return reverse(name, args=[_SENTINEL])


def placeholder_urls(image):
    """The three URLs as the removed code made them: one reverse() per URL
    name, the id put in place of a placeholder."""
    version = f"?v={image.rendition_version}"
    return {
        "page_url": _pattern("gallery:detail").replace(str(_SENTINEL), str(image.pk)),
        "thumbnail_url": _pattern("gallery:thumbnail").replace(
            str(_SENTINEL), str(image.pk)
        )
        + version,
        "display_url": _pattern("gallery:display").replace(
            str(_SENTINEL), str(image.pk)
        )
        + version,
    }


def tile_values(image):
    """Everything a tile shows, worked out into a dict."""
    from gallery.templatetags.gallery_tiles import tile_shape, tile_sizes

    return {
        "page_url": image.get_absolute_url(),
        "thumbnail_url": image.thumbnail_url,
        "display_url": image.display_url,
        "pk": image.pk,
        "title": image.title,
        "thumbnail_width": image.thumbnail_width,
        "thumbnail_height": image.thumbnail_height,
        "display_width": image.display_width,
        "is_private": image.is_private,
        "owner_id": image.owner_id,
        "sizes": tile_sizes(image),
        "shape": tile_shape(image),
    }


PRIVATE_BADGE = '<span class="badge text-bg-dark">Private</span>'
TILE = (
    '<li class="tile {}" data-image-id="{}"><a href="{}" class="tile-link" '
    'data-display-url="{}" data-title="{}"><img src="{}" srcset="{} {}w" '
    'sizes="{}" alt="{}" loading="lazy" decoding="async" width="{}" height="{}">'
    '<span class="tile-caption"><span class="tile-title">{}</span>{}</span></a></li>'
)


def python_tile(image):
    """A gallery tile (anonymous, no search) built with format_html."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from gallery.templatetags.gallery_tiles import tile_shape, tile_sizes

    thumbnail, display = image.thumbnail_url, image.display_url
    return format_html(
        TILE, tile_shape(image), image.pk, image.get_absolute_url(), display,
        image.title, thumbnail, thumbnail, image.thumbnail_width,
        tile_sizes(image), image.title, image.thumbnail_width,
        image.thumbnail_height, image.title,
        mark_safe(PRIVATE_BADGE) if image.is_private else "",
    )  # fmt: skip


def tile_variants(images):
    """name: a call that renders the 48 tiles that way."""
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    def template(urls, sizes="image|tile_sizes", shape="image|tile_shape"):
        markup = tile_markup().replace(URLS, urls).replace("image|tile_sizes", sizes)
        markup = markup.replace("image|tile_shape", shape)
        return engines["django"].from_string(markup).render

    as_is = template(URLS)
    no_urls = template('page_url="a" thumbnail_url="b" display_url="c"')
    given = "page_url=image.{0}.page_url thumbnail_url=image.{0}.thumbnail_url "
    given += "display_url=image.{0}.display_url"
    placeholder = template(given.format("placeholder"))
    dicts = template(
        given.replace(".{0}", ""), sizes="image.sizes", shape="image.shape"
    )
    python = engines["django"].from_string("{% for t in tiles %}{{ t }}{% endfor %}")
    context = {"user": AnonymousUser(), "terms": []}
    timeline = {**context, "timeline": True, "order": "taken"}

    def with_placeholder_urls():
        for image in images:
            image.placeholder = placeholder_urls(image)
        return images

    return {
        "the grid's tiles (reverse(), 3 URLs a tile)": lambda: as_is(
            {"page": {"items": images}, **context}
        ),
        "the same with month headings (date-taken order)": lambda: as_is(
            {"page": {"items": images}, **timeline}
        ),
        "the same without URLs": lambda: no_urls(
            {"page": {"items": images}, **context}
        ),
        "URLs by placeholder substitution (removed)": lambda: placeholder(
            {"page": {"items": with_placeholder_urls()}, **context}
        ),
        "values worked out into dicts first": lambda: dicts(
            {"page": {"items": [tile_values(i) for i in images]}, **context}
        ),
        "built in Python with format_html": lambda: python.render(
            {"tiles": [python_tile(image) for image in images]}
        ),
        "the 3 URLs' reverse() alone": lambda: [
            (i.get_absolute_url(), i.thumbnail_url, i.display_url) for i in images
        ],
    }


def tiles(runs):
    from django.contrib.auth.models import AnonymousUser

    from gallery.selectors import image_listing, image_page

    # In date-taken order, the page's default; the headings' cost is mostly
    # each tile's month worked out and compared, one heading or several.
    images = image_page(listing=image_listing(viewer=AnonymousUser()), size=48).items
    variants = tile_variants(images)
    samples = {name: [] for name in variants}
    for _ in range(runs):
        for name, render in variants.items():
            for image in images:  # as fresh from the database each time
                image.__dict__.pop("content_tag", None)
            samples[name].append(cpu(render))
    report("The 48 tiles of the anonymous gallery's first page:", samples)


def main(rows, runs):
    os.environ.update(django_env(build(rows), DJANGO_SETTINGS_MODULE="bench.settings"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    owner = get_user_model().objects.get(username=OWNER)
    clients = {"anonymous": Client(), "owner": Client()}
    clients["owner"].force_login(owner)
    print(f"load average at the start: {os.getloadavg()}")
    tiles(runs)
    request_parts(clients, runs)
    print(f"\nload average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    main(args.rows, args.runs)
