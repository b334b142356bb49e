"""Gallery and search pages at a million images, no cache, in one run.

Every request goes through the real view in this process (Django's test
client: URL routing, every middleware, the selectors' queries, the page
template), as an anonymous visitor and as a signed-in owner, and each asks
for a page or a query that no request before it asked for:

* gallery pages at random depths, in date-taken order (the timeline, the
  default) and in upload order (``?order=uploaded``), each opened by the
  cursor a person paging there would hold;
* year jumps (``?year=``), a random year of the library's span each time;
* searches made of words picked by how many images hold them (counted in the
  FTS5 index): common words (in 10% or more of the images), pairs, a common
  word with a middling one, middling words, rare words, a last word still
  being typed (a prefix), and words nothing has;
* gallery page 1 and page 1,000 in either order (the same two pages each
  time: their ratio);
* ``timeline_years()`` on its own, which every timeline page calls;
* a trivial view on the same middleware: the floor of Django itself.

A request for a page other than the first is checked (after its timing) to
be that page: a cursor the view cannot read falls back to page 1 silently,
and would time the wrong page.

Requests of every kind take turns, so load from elsewhere hits all alike.
Afterwards each search runs again straight on the FTS5 index with sqlite3
(the database's share of the page), and a few with ``LIKE '%word%'``.

    .venv/bin/python -m bench.pages                   # 1,000,000 images
    .venv/bin/python -m bench.pages 100000 --requests 100
"""

import argparse
import json
import os
import random
import re
import sqlite3
import string
import time
from datetime import UTC, datetime

from bench.dataset import RESULTS, build, django_env
from bench.timing import summary

PAGE = 48
COMMON, MIDDLING, RARE = 0.10, 0.001, 0.0001  # shares of all images
SHAPES = (
    "common word",
    "two common words",
    "common + middling word",
    "middling word",
    "rare word",
    "prefix",
    "no match",
)
OWNER = "owner42"
# The gallery's orders: their name in a cursor and ?order=, and their column.
ORDERS = {"taken": "taken_at", "uploaded": "created_at"}


# ---------------------------------------------------------------- what to ask


def word_shares(db):
    """Every indexed word with the share of images holding it."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocabulary "
        "USING fts5vocab(main, gallery_image_fts, 'row')"
    )
    total = db.execute("SELECT count(*) FROM gallery_image").fetchone()[0]
    rows = db.execute("SELECT term, doc FROM temp.vocabulary ORDER BY term")
    return {term: doc / total for term, doc in rows}


def choose_queries(db):
    """One query of each kind, picked by how often its words occur: the
    cases bench/scale.py compares across databases."""
    from bench.corpus import Corpus

    def count(expression):
        sql = "SELECT count(*) FROM gallery_image_fts WHERE gallery_image_fts MATCH ?"
        return db.execute(sql, [expression]).fetchone()[0]

    # A word in a few dozen images (at a million; the most common such word
    # among the first few hundred names in a smaller library).
    counts = {w: count(w) for w in Corpus().rare[:300]}
    rare = max((w for w in counts if counts[w] <= 60), key=counts.get)
    return {
        "rare word": rare,
        "common word": "beach",
        "two words": "golden beach",
        "prefix": "sun",
        "no match": "zyxwvut",
    }


def distinct_queries(shares, count, rng):
    """``count`` different queries, the shapes of :data:`SHAPES` in turn (a
    shape whose words run out drops out), as ``(shape, query)``."""
    words = sorted(w for w in shares if w.isalpha() and len(w) > 1)
    common = [w for w in words if shares[w] >= COMMON]
    middling = [w for w in words if MIDDLING <= shares[w] < COMMON]
    rare = [w for w in words if shares[w] <= RARE]

    def typing(words):
        """A word cut short, as while it is still being typed."""
        word = rng.choice([w for w in words if len(w) > 2])
        return word[: rng.randint(2, len(word) - 1)]

    makers = {
        "common word": lambda: rng.choice(common),
        "two common words": lambda: " ".join(rng.sample(common, 2)),
        "common + middling word": lambda: (
            f"{rng.choice(common)} {rng.choice(middling)}"
        ),
        "middling word": lambda: rng.choice(middling),
        "rare word": lambda: rng.choice(rare),
        "prefix": lambda: " ".join(
            [rng.choice(common)] * rng.randint(0, 1) + [typing(common + middling)]
        ),
        "no match": lambda: "".join(rng.choices(string.ascii_lowercase, k=9)),
    }
    seen, queries, shapes = set(), [], list(SHAPES)
    while len(queries) < count and shapes:
        for shape in list(shapes):
            for _ in range(200):  # tries for a query not asked yet
                query = makers[shape]()
                if query not in seen:
                    break
            else:
                shapes.remove(shape)
                continue
            seen.add(query)
            queries.append((shape, query))
    return queries[:count]


def cursor(order, stored_at, pk):
    """A gallery cursor in ``order`` just past the image with that date (as
    stored: Django writes UTC without an offset) and id, in the shape
    ``gallery.pagination.Order.key`` makes."""
    from gallery.pagination import encode_cursor

    at = datetime.fromisoformat(stored_at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return encode_cursor([order, at.isoformat(), pk])


def visible_cursors(db, owner_id, count, rng, order):
    """``count`` gallery cursors in ``order``, each just past a random image
    the viewer may see (``owner_id`` None: anonymous): pages at random depths."""
    last = db.execute("SELECT max(rowid) FROM gallery_image").fetchone()[0]
    sql = (
        f"SELECT {ORDERS[order]}, id FROM gallery_image WHERE rowid = ? AND "
        "(visibility = 'public' OR (visibility = 'private' AND owner_id IS ?))"
    )
    cursors = set()
    while len(cursors) < count:
        row = db.execute(sql, [rng.randint(1, last), owner_id]).fetchone()
        if row:
            cursors.add(cursor(order, *row))
    return sorted(cursors)


def page_cursor(db, owner_id, page, order):
    """The cursor that opens gallery page ``page`` in ``order`` for the viewer."""
    column = ORDERS[order]
    sql = (
        f"SELECT {column}, id FROM gallery_image WHERE visibility = 'public' "
        f"UNION ALL SELECT {column}, id FROM gallery_image "
        "WHERE visibility = 'private' AND owner_id IS ? "
        f"ORDER BY {column} DESC, id DESC LIMIT 1 OFFSET ?"
    )
    at, pk = db.execute(sql, [owner_id, (page - 1) * PAGE - 1]).fetchone()
    return cursor(order, at, pk)


def years(db, owner_id, count, rng):
    """``count`` random years between the oldest and newest image the viewer
    may see, by date taken (each a year that has images at this size)."""
    sql = (
        "SELECT min(taken_at), max(taken_at) FROM gallery_image WHERE "
        "visibility = 'public' OR (visibility = 'private' AND owner_id IS ?)"
    )
    oldest, newest = db.execute(sql, [owner_id]).fetchone()
    return [rng.randint(int(oldest[:4]), int(newest[:4])) for _ in range(count)]


# ---------------------------------------------------------------- the database alone


def _audience(owner_id):
    if owner_id is None:
        return "visibility = 'public'"
    return (
        f"(visibility = 'public' OR (visibility = 'private' AND owner_id = {owner_id}))"
    )


def fts_page(db, query, owner_id):
    """The search page's queries as the site makes them (title tier, then
    the rest, then the capped count), straight on FTS5 with sqlite3."""
    from gallery.search import parse_terms, sqlite

    terms = parse_terms(query)
    if not terms:
        return []

    def join(index):
        return (
            f"FROM {index} JOIN gallery_image "
            f"ON gallery_image.rowid = +{index}.rowid "
            f"WHERE {index} MATCH ? AND {_audience(owner_id)}"
        )

    found = []
    for scope in ("title", "elsewhere"):
        index = sqlite.index_for(scope)
        sql = (
            f"SELECT gallery_image.id {join(index)} ORDER BY {index}.rowid DESC LIMIT ?"
        )
        expression = sqlite.expression(terms, scope)
        found += db.execute(sql, [expression, PAGE + 1 - len(found)]).fetchall()
        if len(found) > PAGE:
            break
    sql = f"SELECT count(*) FROM (SELECT 1 {join(sqlite.TABLE)} LIMIT 1001)"
    db.execute(sql, [sqlite.expression(terms, "all")]).fetchone()
    return found


def like_page(db, query, owner_id):
    """The same ranked page with LIKE: title matches first, newest first."""
    words = query.split()
    anywhere = " AND ".join("(title LIKE ? OR description LIKE ?)" for _ in words)
    in_title = " AND ".join("title LIKE ?" for _ in words)
    sql = (
        f"SELECT id FROM gallery_image WHERE {_audience(owner_id)} AND {anywhere} "
        f"ORDER BY ({in_title}) DESC, created_at DESC LIMIT {PAGE + 1}"
    )
    patterns = [f"%{w}%" for w in words]
    return db.execute(sql, [p for p in patterns for _ in (0, 1)] + patterns).fetchall()


# ---------------------------------------------------------------- timing


def clock(samples, key, call, *args):
    """``call(*args)`` once, its wall and CPU seconds added under ``key``;
    returns what it returned."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    result = call(*args)
    entry = samples.setdefault(key, {"wall": [], "cpu": []})
    entry["wall"].append(time.perf_counter() - started)
    entry["cpu"].append(time.thread_time() - cpu_started)
    return result


def view(client, path, params=None):
    response = client.get(path, params or {})
    assert response.status_code == 200, (path, params, response.status_code)
    return response


# Only a page other than the first links back to the newest: a cursor the
# view refused (it shows the first page instead) shows no such link.
NEWEST_LINK = "« Newest</a>".encode()


def not_first_page(response):
    return NEWEST_LINK in response.content


def year_page(year):
    """A year jump lands on that year's newest images: the page's first
    month heading is in that year (December for most years of the library;
    since migration 0015 keeps wall clocks, its newest year holds January
    alone)."""
    heading = re.compile(rb'<h2 class="h6 mb-0">(\w+ \d+)</h2>')

    def lands(response):
        first = heading.search(response.content)
        return (
            not_first_page(response) and first and first[1].endswith(str(year).encode())
        )

    return lands


def run(viewers, db, requests, seed):
    """Every viewer's requests, kinds and viewers taking turns. Upload-order
    pages and queries are drawn as before the timeline (the same ones for
    the same seed); the timeline's from a generator of their own."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    from gallery.selectors import image_listing, timeline_years

    shares = word_shares(db)
    owners = get_user_model().objects.in_bulk([o for _, o in viewers.values() if o])
    users = {
        viewer: owners.get(owner_id, AnonymousUser())
        for viewer, (_, owner_id) in viewers.items()
    }
    rng, timeline_rng = random.Random(seed), random.Random(seed + 1)
    plans = {}
    for viewer, (client, owner_id) in viewers.items():
        uploaded = visible_cursors(db, owner_id, requests, rng, "uploaded")
        plans[viewer] = {
            "queries": distinct_queries(shares, requests, rng),
            "years": years(db, owner_id, requests, timeline_rng),
            "uploaded": {"cursors": uploaded},
            "taken": {
                "cursors": visible_cursors(
                    db, owner_id, requests, timeline_rng, "taken"
                )
            },
        }
        for order in ORDERS:
            plans[viewer][order]["page 1,000"] = page_cursor(db, owner_id, 1000, order)
        for warm in ("", "golden", "with the"):  # not timed
            client.get("/", {"q": warm})
    samples, shapes = {}, {}
    for i in range(requests):
        for viewer, (client, _) in viewers.items():
            plan = plans[viewer]
            shape, query = plan["queries"][i]
            user = users[viewer]
            calls = {"trivial view": (view, client, "/bench/trivial/")}
            for order in ORDERS:
                cursors, deep = plan[order]["cursors"], plan[order]["page 1,000"]
                ask = {"order": order}
                calls |= {
                    f"gallery, {order}": (
                        view,
                        client,
                        "/",
                        ask | {"after": cursors[i]},
                    ),
                    f"page 1, {order}": (view, client, "/", ask),
                    f"page 1,000, {order}": (view, client, "/", ask | {"after": deep}),
                }
            year = plan["years"][i]
            calls |= {
                "year jump": (view, client, "/", {"year": year}),
                "timeline_years()": (
                    lambda u=user: timeline_years(listing=image_listing(viewer=u)),
                ),
                "search": (view, client, "/", {"q": query}),
            }
            checks = {
                name: not_first_page
                for name in calls
                if name.startswith(("gallery,", "page 1,000,"))
            } | {"year jump": year_page(year)}
            for name, call in calls.items():
                result = clock(samples, f"{viewer}|{name}", *call)
                if name in checks:
                    assert checks[name](result), (viewer, name, call[3:])
            shapes.setdefault(f"{viewer}|{shape}", []).append(i)
    return plans, samples, shapes


def database_runs(viewers, db, plans):
    """Every search again, straight on FTS5, in a pass of its own: between
    the pages, its reads of other memory would slow the pages down."""
    samples = {}
    for viewer, (_, owner_id) in viewers.items():
        for _, query in plans[viewer]["queries"]:
            clock(samples, f"{viewer}|FTS5 alone", fts_page, db, query, owner_id)
    return samples


def like_runs(viewers, db, plans, per_viewer):
    """LIKE scans for the first few common-word queries (each reads every
    row): how much the index saves."""
    samples = {}
    for viewer, (_, owner_id) in viewers.items():
        picked = [q for s, q in plans[viewer]["queries"] if "common" in s]
        for query in picked[:per_viewer]:
            clock(samples, f"{viewer}|LIKE", like_page, db, query, owner_id)
    return samples


# ---------------------------------------------------------------- report


def table_rows(samples, shapes, like):
    """(viewer, row name, samples) for each request kind, then for searches
    and the FTS5 index alone by query shape, then LIKE."""
    rows = [(*key.split("|"), entry) for key, entry in samples.items()]
    for key, indexes in shapes.items():
        viewer, shape = key.split("|")
        for kind in ("search", "FTS5 alone"):
            entry = samples[f"{viewer}|{kind}"]
            picked = {
                timer: [values[i] for i in indexes] for timer, values in entry.items()
            }
            rows.append((viewer, f"{kind}: {shape}", picked))
    rows += [(*key.split("|"), entry) for key, entry in like.items()]
    return sorted(rows, key=lambda row: row[0])  # stable: by viewer only


def guards(viewer, stats):
    """The page guards for one viewer, from wall-clock medians and p95s."""
    median = {name: s["wall_median_ms"] for name, s in stats.items()}
    p95 = {name: s["wall_p95_ms"] for name, s in stats.items()}
    lines = []
    for order in ORDERS:
        gallery = f"gallery, {order}"
        lines.append(
            f"{viewer}, {order}: gallery p95 {p95[gallery]:.1f} ms (≤ 10); "
            "page 1,000 ÷ page 1 by throughput "
            f"{median[f'page 1, {order}'] / median[f'page 1,000, {order}']:.2f} "
            f"(≥ 0.8); gallery ÷ trivial view median "
            f"{median[gallery] / median['trivial view']:.1f}×"
        )
    lines.append(
        f"{viewer}: year jump p95 {p95['year jump']:.1f} ms (≤ 10); "
        f"timeline_years() median {median['timeline_years()']:.2f} ms; "
        f"search p95 {p95['search']:.1f} ms (≤ 20); search ÷ gallery "
        f"(taken) median {median['search'] / median['gallery, taken']:.2f} (≤ 2)"
    )
    return "\n".join(lines)


def report(samples, shapes, like, loads):
    print(
        "| viewer | request | n | wall ms, median / p95 | CPU ms, median / p95 |\n"
        "|---|---|---|---|---|"
    )
    for viewer, name, entry in table_rows(samples, shapes, like):
        s = summary(entry)
        print(
            f"| {viewer} | {name} | {len(entry['wall'])} "
            f"| {s['wall_median_ms']:.2f} / {s['wall_p95_ms']:.2f} "
            f"| {s['cpu_median_ms']:.2f} / {s['cpu_p95_ms']:.2f} |"
        )
    print()
    for viewer in sorted({key.split("|")[0] for key in samples}):
        stats = {
            key.split("|")[1]: summary(entry)
            for key, entry in samples.items()
            if key.startswith(f"{viewer}|")
        }
        print(guards(viewer, stats))
    print("load average (1, 5, 15 min): {} at the start, {} at the end".format(*loads))


def main(rows, requests, like_per_viewer, seed):
    path = build(rows)
    os.environ.update(django_env(path, DJANGO_SETTINGS_MODULE="bench.settings"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    db = sqlite3.connect(path)
    db.execute("PRAGMA mmap_size=268435456")
    owner = get_user_model().objects.get(username=OWNER)
    viewers = {"anonymous": (Client(), None), "owner": (Client(), owner.pk)}
    viewers["owner"][0].force_login(owner)
    loads = [os.getloadavg()]
    plans, samples, shapes = run(viewers, db, requests, seed)
    loads.append(os.getloadavg())
    samples |= database_runs(viewers, db, plans)
    like = like_runs(viewers, db, plans, like_per_viewer)
    report(samples, shapes, like, [tuple(round(x, 2) for x in at) for at in loads])
    RESULTS.mkdir(exist_ok=True)
    result = {"samples": samples, "shapes": shapes, "like": like, "loads": loads}
    result["queries"] = {viewer: plan["queries"] for viewer, plan in plans.items()}
    (RESULTS / f"pages-{rows}.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="per kind, viewer")
    parser.add_argument("--like", type=int, default=3, help="LIKE scans per viewer")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    main(args.rows, args.requests, args.like, args.seed)
