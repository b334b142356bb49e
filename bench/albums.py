"""Albums and sharing at a million images: what they add to a viewer's pages.

A copy of bench/dataset.py's library gets 10,000 albums, one of them of
10,000 images, and 1,000 shares, once (bench/album_library.py). Every request goes
through the real view in this process (Django's test client, as
bench/pages.py does), signed in as:

* *with shares*: a viewer who owns albums and has a dozen of other people's
  albums shared with them, a few thousand images in all;
* *without albums*: a viewer with as many images of their own and no album,
  owned or shared: the baseline the first is divided by;
* *album owner*: the owner of the album of 10,000 images.

The first two ask for the gallery (a different page each request, the same
pages for both), ``/?show=shared``, a search (a different query each
request, the same for both, picked as bench/pages.py picks them), the albums
list and a trivial view (Django's floor); ``image_page()`` is also timed on
its own, at the gallery's cursor. The album owner asks for the big album's
first page and its page 100 (opened by the sort key of the image before
it, checked through the selector), ``album_page()`` for both on its own, and
their gallery: their albums hold more images than the shared part reads by
id. Every kind takes its turn request by request, so load from elsewhere
hits all alike; a kind whose first (untimed) request took over a second is
asked only ``--slow-requests`` times, in rounds spread over the run.

Beside the pages, for both viewers: what a signed-in gallery page asks of
the album tables, the images of the viewer's albums as the visibility rule
reads them (``album_image_ids()``, which a check of another's private image
evaluates), and ``image_for_file()`` (every thumbnail) for a public image
and, for the viewer with shares, a private one shared with them; and the
first page of their smallest album and of the smallest shared with them.

Afterwards the query plans (``QuerySet.explain()``) of the querysets the
selectors build (bench/album_plans.py).

    .venv/bin/python -m bench.albums                  # 1,000,000 images
    .venv/bin/python -m bench.albums 10000 --requests 20
"""

import argparse
import json
import os
import random
import sqlite3
import time
from dataclasses import dataclass

from bench.album_library import big_album, cast, library_with_albums
from bench.album_plans import DEEP, facts, plans, print_plans
from bench.dataset import RESULTS, django_env
from bench.pages import (
    PAGE,
    clock,
    cursor,
    distinct_queries,
    not_first_page,
    view,
    visible_cursors,
    word_shares,
)
from bench.timing import summary

# A kind whose untimed first request took longer (seconds) is asked fewer
# times: at a million images some read every album entry of the library.
SLOW = 1.0
VIEWERS = ("with shares", "without albums", "album owner")


def deep_cursor(db, owner, album, page):
    """The cursor that opens ``page`` of ``album`` for its owner (who sees
    every image in it): the sort key of the last image of the page before,
    as bench.pages.page_cursor makes it. Checked through the selector: the
    page it opens starts with the image that comes next."""
    from gallery.selectors import album_page

    sql = (
        "SELECT taken_at, gallery_image.id FROM gallery_image JOIN gallery_albumimage "
        "ON image_id = gallery_image.id WHERE album_id = ? AND trashed_at IS NULL "
        "ORDER BY taken_at DESC, gallery_image.id DESC LIMIT 2 OFFSET ?"
    )
    (at, pk), (_, first) = db.execute(sql, [album.pk.hex, (page - 1) * PAGE - 1])
    opened = cursor("taken", at, pk)
    items = album_page(viewer=owner, album=album, cursor=opened, size=PAGE).items
    assert items[0].pk.hex == first, "the cursor opens another page"
    return opened


def has_tiles(response):
    return b'id="gallery"' in response.content


def lists_shared_albums(response):
    return b'id="shared-albums"' in response.content


def found_image(image):
    return image is not None


@dataclass(frozen=True)
class Targets:
    """What the requests ask for besides the gallery's pages and queries."""

    album: object  # the big album
    deep: str  # the cursor of its page DEEP
    public: str  # a public image's id
    shared_private: str  # another's private image in an album shared with the viewer
    small_albums: dict  # the viewer's smallest album, own and shared with them


def calls(viewers, targets, after, query):
    """One round's requests: ``{(viewer, name): (call, *args, check)}``."""
    from gallery.models import Image, album_image_ids
    from gallery.selectors import (
        album_page,
        albums_to_add_to,
        image_for_file,
        image_listing,
        image_page,
    )

    def lookups(user):
        """What every signed-in gallery page asks of the album tables: the
        viewer's albums' images (worked out once for the page, its count
        and its years) and the albums it offers to add to."""
        return lambda: [
            Image.objects.shared_with(user),
            list(albums_to_add_to(viewer=user)),
        ]

    def page(user, at):
        return lambda: image_page(
            listing=image_listing(viewer=user), cursor=at, size=PAGE
        )

    def album_at(user, at):
        album = targets.album
        return lambda: album_page(viewer=user, album=album, cursor=at, size=PAGE)

    def thumbnail(user, pk):
        return lambda: image_for_file(viewer=user, pk=pk, kind="thumbnail")

    found = {}
    for name in VIEWERS[:2]:
        client, user = viewers[name]
        # What only the viewer with shares is shown, checked on their pages.
        shown = name == "with shares"
        found |= {
            (name, "trivial view"): (view, client, "/bench/trivial/", None),
            (name, "gallery"): (view, client, "/", {"after": after}, not_first_page),
            (name, "image_page()"): (page(user, after), None),
            (name, "album lookups of a gallery page"): (lookups(user), None),
            (name, "/?show=shared"): (
                view,
                client,
                "/",
                {"show": "shared"},
                has_tiles if shown else None,
            ),
            (name, "search"): (view, client, "/", {"q": query}, None),
            (name, "/albums/"): (
                view,
                client,
                "/albums/",
                lists_shared_albums if shown else None,
            ),
            (name, "album_image_ids() alone"): (
                lambda u=user: list(album_image_ids(u)),
                None,
            ),
            (name, "image_for_file(), a public image"): (
                thumbnail(user, targets.public),
                found_image,
            ),
        }
    client, user = viewers["with shares"]
    found[("with shares", "image_for_file(), a shared private image")] = (
        thumbnail(user, targets.shared_private),
        found_image,
    )
    for whose, small in targets.small_albums.items():
        found[("with shares", f"smallest {whose} album, page 1")] = (
            view,
            client,
            f"/albums/{small.pk}/",
            has_tiles,
        )
    client, user = viewers["album owner"]
    url = f"/albums/{targets.album.pk}/"
    return found | {
        ("album owner", "album page 1"): (view, client, url, None),
        ("album owner", f"album page {DEEP}"): (
            view,
            client,
            url,
            {"after": targets.deep},
            not_first_page,
        ),
        ("album owner", "album_page() page 1"): (album_at(user, ""), None),
        ("album owner", f"album_page() page {DEEP}"): (
            album_at(user, targets.deep),
            None,
        ),
        ("album owner", "gallery"): (
            view,
            client,
            "/",
            {"after": after},
            not_first_page,
        ),
    }


def shared_private_image(db, viewer_id):
    """Another owner's private image in an album shared with the viewer."""
    sql = (
        "SELECT gallery_image.id FROM gallery_image JOIN gallery_albumimage "
        "ON image_id = gallery_image.id JOIN gallery_albumshare "
        "USING (album_id) WHERE user_id = ? AND visibility = 'private' "
        "ORDER BY gallery_image.id LIMIT 1"
    )
    return db.execute(sql, [viewer_id]).fetchone()[0]


def warm_up(viewers, targets, after, query):
    """One untimed round, which also warms every page up: how many queries
    each request makes and how many seconds it took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, seconds = {}, {}
    for key, (call, *args, check) in calls(viewers, targets, after, query).items():
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = call(*args)
        seconds[key] = time.perf_counter() - started
        assert check is None or check(result), key
        counts[key] = len(queries)
    return counts, seconds


def run(viewers, targets, cursors, queries, slow, slow_requests):
    """Every kind once a round, but the ``slow`` kinds only in
    ``slow_requests`` rounds spread over the run."""
    samples = {}
    every = max(1, len(cursors) // slow_requests)
    for i, after in enumerate(cursors):
        round_ = calls(viewers, targets, after, queries[i][1])
        for key, (call, *args, check) in round_.items():
            if key in slow and (i % every or i // every >= slow_requests):
                continue
            result = clock(samples, "|".join(key), call, *args)
            if check:
                assert check(result), (key, args[1:])
    return samples


# ---------------------------------------------------------------- report


def guards(stats):
    median = {key: s["wall_median_ms"] for key, s in stats.items()}
    p95 = {key: s["wall_p95_ms"] for key, s in stats.items()}
    shared, alone = "with shares", "without albums"
    ratios = ", ".join(
        f"{name} {median[(shared, name)] / median[(alone, name)]:.2f}"
        for name in ("gallery", "search", "image_page()", "/albums/")
    )
    deep = median[("album owner", f"album page {DEEP}")]
    return "\n".join(
        [
            f"{shared}: gallery p95 {p95[(shared, 'gallery')]:.1f} ms (≤ 10); "
            f"search p95 {p95[(shared, 'search')]:.1f} ms (≤ 20)",
            f"{shared} ÷ {alone}, median: {ratios}",
            f"album page {DEEP} ÷ page 1 by throughput "
            f"{median[('album owner', 'album page 1')] / deep:.2f} (≥ 0.8)",
            f"{shared}: image_for_file() median "
            f"{median[(shared, 'image_for_file(), a shared private image')]:.1f} ms "
            "for a shared private image, "
            f"{median[(shared, 'image_for_file(), a public image')]:.1f} ms "
            "for a public one",
            f"floor: trivial view median {median[(shared, 'trivial view')]:.2f} ms",
        ]
    )


def report(samples, counts, loads):
    print(
        "| viewer | request | n | queries | wall ms, median / p95 "
        "| CPU ms, median / p95 |\n|---|---|---|---|---|---|"
    )
    stats = {}
    by_viewer = sorted(
        samples.items(), key=lambda kv: VIEWERS.index(kv[0].split("|")[0])
    )
    for key, entry in by_viewer:
        viewer, name = key.split("|")
        s = stats[(viewer, name)] = summary(entry)
        print(
            f"| {viewer} | {name} | {len(entry['wall'])} | {counts[(viewer, name)]} "
            f"| {s['wall_median_ms']:.2f} / {s['wall_p95_ms']:.2f} "
            f"| {s['cpu_median_ms']:.2f} / {s['cpu_p95_ms']:.2f} |"
        )
    print()
    print(guards(stats))
    print("load average (1, 5, 15 min): {} at the start, {} at the end".format(*loads))


# ---------------------------------------------------------------- main


def signed_in(people):
    """A test client signed in as each viewer: ``{viewer: (client, user)}``."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    ids = (people.viewer, people.baseline, people.big_owner)
    ids = dict(zip(VIEWERS, ids, strict=True))
    users = get_user_model().objects.in_bulk(ids.values())
    viewers = {}
    for viewer, pk in ids.items():
        client = Client()
        client.force_login(users[pk])
        viewers[viewer] = (client, users[pk])
    return viewers


def targets_for(db, viewers, people):
    from django.db.models import Count

    from gallery.models import Album

    album = Album.objects.get(pk=big_album(db))
    public = "SELECT id FROM gallery_image WHERE visibility = 'public' LIMIT 1"
    user = viewers["with shares"][1]
    albums = Album.objects.annotate(size=Count("entries")).order_by("size", "pk")
    return Targets(
        album=album,
        deep=deep_cursor(db, viewers["album owner"][1], album, DEEP),
        public=db.execute(public).fetchone()[0],
        shared_private=shared_private_image(db, people.viewer),
        small_albums={
            "own": albums.filter(owner=user).first(),
            "shared": albums.filter(shares__user=user).first(),
        },
    )


def main(rows, requests, slow_requests, seed):
    path = library_with_albums(rows)
    os.environ.update(django_env(path, DJANGO_SETTINGS_MODULE="bench.settings"))
    import django

    django.setup()
    db = sqlite3.connect(path)
    db.execute("PRAGMA mmap_size=268435456")
    people = cast(db)
    known = facts(db, people, big_album(db))
    assert known["without albums"]["own albums"] == 0, "the baseline has albums"
    assert known["without albums"]["albums shared with them"] == 0
    viewers = signed_in(people)
    targets = targets_for(db, viewers, people)
    for whose, small in targets.small_albums.items():
        known["with shares"][f"images in their smallest {whose} album"] = small.size
    rng = random.Random(seed)
    # Public images only: the same pages exist for both viewers.
    cursors = visible_cursors(db, None, requests, rng, "taken")
    queries = distinct_queries(word_shares(db), requests, rng)
    counts, seconds = warm_up(viewers, targets, cursors[0], queries[0][1])
    slow = {key for key, took in seconds.items() if took > SLOW}
    loads = [os.getloadavg()]
    samples = run(viewers, targets, cursors, queries, slow, slow_requests)
    loads.append(os.getloadavg())
    found = plans(viewers, targets, cursors[0])
    print(json.dumps(known, indent=1))
    report(samples, counts, [tuple(round(x, 2) for x in at) for at in loads])
    print_plans(found)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "samples": samples,
        "queries per request": {"|".join(key): n for key, n in counts.items()},
        "first request, s": {"|".join(key): took for key, took in seconds.items()},
        "loads": loads,
        "facts": known,
        "plans": found,
        "searches": queries,
    }
    (RESULTS / f"albums-{rows}.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="per kind, viewer")
    parser.add_argument(
        "--slow-requests",
        type=int,
        default=5,
        help="per kind whose first request took over a second",
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    main(args.rows, args.requests, args.slow_requests, args.seed)
