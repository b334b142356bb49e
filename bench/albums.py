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

Afterwards the query plans (``QuerySet.explain()``) of the querysets the
selectors build for the album page, the gallery's shared part and the
albums list.

    .venv/bin/python -m bench.albums                  # 1,000,000 images
    .venv/bin/python -m bench.albums 10000 --requests 20
"""

import argparse
import json
import os
import random
import sqlite3
import time

from bench.album_library import big_album, cast, library_with_albums
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

DEEP = 100  # the album page compared with the first
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


def calls(viewers, album, deep, after, query):
    """One round's requests: ``{(viewer, name): (call, *args, check)}``."""
    from gallery.models import Image
    from gallery.selectors import album_page, albums_to_add_to, image_page

    def lookups(user):
        """What every signed-in gallery page asks of the album tables: the
        viewer's albums' images (once for the page, once for its count,
        once for its years) and the albums it offers to add to."""
        return lambda: [
            *(Image.objects.shared_with(user) for _ in range(3)),
            list(albums_to_add_to(viewer=user)),
        ]

    def page(user, at):
        return lambda: image_page(viewer=user, cursor=at, size=PAGE)

    def album_at(user, at):
        return lambda: album_page(viewer=user, album=album, cursor=at, size=PAGE)

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
        }
    client, user = viewers["album owner"]
    url = f"/albums/{album.pk}/"
    return found | {
        ("album owner", "album page 1"): (view, client, url, None),
        ("album owner", f"album page {DEEP}"): (
            view,
            client,
            url,
            {"after": deep},
            not_first_page,
        ),
        ("album owner", "album_page() page 1"): (album_at(user, ""), None),
        ("album owner", f"album_page() page {DEEP}"): (album_at(user, deep), None),
        ("album owner", "gallery"): (
            view,
            client,
            "/",
            {"after": after},
            not_first_page,
        ),
    }


def warm_up(viewers, album, deep, after, query):
    """One untimed round, which also warms every page up: how many queries
    each request makes and how many seconds it took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, seconds = {}, {}
    for key, (call, *args, check) in calls(viewers, album, deep, after, query).items():
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = call(*args)
        seconds[key] = time.perf_counter() - started
        assert check is None or check(result), key
        counts[key] = len(queries)
    return counts, seconds


def run(viewers, album, deep, cursors, queries, slow, slow_requests):
    """Every kind once a round, but the ``slow`` kinds only in
    ``slow_requests`` rounds spread over the run."""
    samples = {}
    every = max(1, len(cursors) // slow_requests)
    for i, after in enumerate(cursors):
        round_ = calls(viewers, album, deep, after, queries[i][1])
        for key, (call, *args, check) in round_.items():
            if key in slow and (i % every or i // every >= slow_requests):
                continue
            result = clock(samples, "|".join(key), call, *args)
            if check:
                assert check(result), (key, args[1:])
    return samples


# ---------------------------------------------------------------- plans


def plans(viewers, album, deep, after):
    """``EXPLAIN QUERY PLAN`` of the querysets the selectors build: the big
    album's page ``DEEP`` (``album_page``: each part of ``visible_parts``
    in the album), the gallery's shared part at a page's cursor and
    ``?show=shared`` (``shared_with``), what the albums list counts in a
    shared album (``album_summary``), and the albums a signed-in gallery
    page offers to add to (``albums_to_add_to``)."""
    from gallery.models import Album, Image
    from gallery.pagination import ORDERS
    from gallery.selectors import albums_to_add_to, visible_images

    taken = ORDERS["taken"]

    def page(part, at):
        older = taken.older_than(part, taken.read(at)) if at else part
        return taken.newest_first(older)[: PAGE + 1]

    names = ("public", "own private", "others' private in albums")
    owner, with_shares = viewers["album owner"][1], viewers["with shares"][1]
    found = {
        f"album page {DEEP}, {name} part": page(part.filter(albums=album), deep)
        for name, part in zip(names, Image.objects.visible_parts(owner), strict=True)
    }
    for name in ("with shares", "album owner"):
        shared = Image.objects.visible_parts(viewers[name][1])[2]
        found[f"gallery, shared part ({name})"] = page(shared, after)
    found["?show=shared, page 1 (with shares)"] = page(
        Image.objects.shared_with(with_shares), ""
    )
    shared_album = Album.objects.shared_with(with_shares).first()
    found["/albums/, a shared album's images (with shares)"] = visible_images(
        with_shares
    ).filter(albums=shared_album)
    found["albums a viewer may open (without albums)"] = Album.objects.visible_to(
        viewers["without albums"][1]
    )
    found["albums to add to (without albums)"] = albums_to_add_to(
        viewer=viewers["without albums"][1]
    )
    return {name: queryset.explain() for name, queryset in found.items()}


def scans(plan):
    """The plan's steps that read a whole table or index instead of seeking
    in one."""
    return [line for line in plan.splitlines() if " SCAN " in f" {line} "]


def print_plans(found):
    for name, plan in found.items():
        steps = scans(plan)
        full = [step for step in steps if "SCAN gallery_image" in step]
        verdict = (
            "full SCAN of gallery_image" if full else "no full SCAN of gallery_image"
        )
        print(f"\n{name}: {verdict}" + (f"; scans: {steps}" if steps else ""))
        print("    " + plan.replace("\n", "\n    "))


# ---------------------------------------------------------------- report


def facts(db, people, album_pk):
    """What each viewer has: images, albums, shares, and how many distinct
    images their albums (owned or shared with them) hold."""
    sql = {
        "own images": "SELECT count(*) FROM gallery_image WHERE owner_id = :u",
        "own private": "SELECT count(*) FROM gallery_image WHERE owner_id = :u "
        "AND visibility = 'private'",
        "own albums": "SELECT count(*) FROM gallery_album WHERE owner_id = :u",
        "albums shared with them": "SELECT count(*) FROM gallery_albumshare "
        "WHERE user_id = :u",
        "images in albums shared with them": "SELECT count(DISTINCT image_id) "
        "FROM gallery_albumimage JOIN gallery_albumshare USING (album_id) "
        "WHERE user_id = :u",
        "others' private in their albums": "SELECT count(DISTINCT image_id) "
        "FROM gallery_albumimage JOIN gallery_image ON gallery_image.id = image_id "
        "WHERE visibility = 'private' AND owner_id != :u AND album_id IN "
        "(SELECT id FROM gallery_album WHERE owner_id = :u UNION "
        "SELECT album_id FROM gallery_albumshare WHERE user_id = :u)",
        "images in their albums": "SELECT count(DISTINCT image_id) "
        "FROM gallery_albumimage WHERE album_id IN "
        "(SELECT id FROM gallery_album WHERE owner_id = :u UNION "
        "SELECT album_id FROM gallery_albumshare WHERE user_id = :u)",
    }
    users = {
        "with shares": people.viewer,
        "without albums": people.baseline,
        "album owner": people.big_owner,
    }
    found = {
        viewer: {what: db.execute(q, {"u": u}).fetchone()[0] for what, q in sql.items()}
        for viewer, u in users.items()
    }
    found["library"] = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("gallery_album", "gallery_albumimage", "gallery_albumshare")
    }
    found["big album"] = {
        "images": db.execute(
            "SELECT count(*) FROM gallery_albumimage WHERE album_id = ?", [album_pk]
        ).fetchone()[0]
    }
    return found


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
            f"floor: trivial view median {median[(shared, 'trivial view')]:.2f} ms",
        ]
    )


def report(samples, counts, loads):
    print(
        "| viewer | request | n | queries | wall ms, median / p95 "
        "| CPU ms, median / p95 |\n|---|---|---|---|---|---|"
    )
    stats = {}
    for key, entry in samples.items():
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


def signed_in(users):
    """A test client signed in as each user: ``{viewer: (client, user)}``."""
    from django.test import Client

    viewers = {}
    for viewer, user in users.items():
        client = Client()
        client.force_login(user)
        viewers[viewer] = (client, user)
    return viewers


def main(rows, requests, slow_requests, seed):
    path = library_with_albums(rows)
    os.environ.update(django_env(path, DJANGO_SETTINGS_MODULE="bench.settings"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from gallery.models import Album

    db = sqlite3.connect(path)
    db.execute("PRAGMA mmap_size=268435456")
    people, album_pk = cast(db), big_album(db)
    known = facts(db, people, album_pk)
    assert known["without albums"]["own albums"] == 0, "the baseline has albums"
    assert known["without albums"]["albums shared with them"] == 0
    users = get_user_model().objects.in_bulk(
        [people.viewer, people.baseline, people.big_owner]
    )
    viewers = signed_in(
        dict(
            zip(
                VIEWERS,
                [users[u] for u in (people.viewer, people.baseline, people.big_owner)],
                strict=True,
            )
        )
    )
    album = Album.objects.get(pk=album_pk)
    rng = random.Random(seed)
    # Public images only: the same pages exist for both viewers.
    cursors = visible_cursors(db, None, requests, rng, "taken")
    queries = distinct_queries(word_shares(db), requests, rng)
    deep = deep_cursor(db, viewers["album owner"][1], album, DEEP)
    counts, seconds = warm_up(viewers, album, deep, cursors[0], queries[0][1])
    slow = {key for key, took in seconds.items() if took > SLOW}
    loads = [os.getloadavg()]
    samples = run(viewers, album, deep, cursors, queries, slow, slow_requests)
    loads.append(os.getloadavg())
    found = plans(viewers, album, deep, cursors[0])
    print(json.dumps(known, indent=1))
    report(samples, counts, [tuple(round(x, 2) for x in at) for at in loads])
    print_plans(found)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "samples": samples,
        "queries per request": {"|".join(key): n for key, n in counts.items()},
        "loads": loads,
        "facts": known,
        "plans": found,
        "first request, s": {"|".join(key): took for key, took in seconds.items()},
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
