"""Gallery and search pages at a million images, no cache, in one run.

Every request goes through the real view in this process (Django's test
client: URL routing, every middleware, the selectors' queries, the page
template), as an anonymous visitor and as a signed-in owner, and each asks
for a page or a query that no request before it asked for:

* gallery pages at random depths, opened by the cursor a person paging there
  would hold;
* searches made of words picked by how many images hold them (counted in the
  FTS5 index): common words (in 10% or more of the images), pairs, a common
  word with a middling one, middling words, rare words, a last word still
  being typed (a prefix), and words nothing has;
* gallery page 1 and page 1,000 (the same two pages each time: their ratio);
* a trivial view on the same middleware: the floor of Django itself.

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
import sqlite3
import string
import time
from datetime import datetime

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


def visible_cursors(db, owner_id, count, rng):
    """``count`` gallery cursors, each just past a random image the viewer
    may see (``owner_id`` None: anonymous): pages at random depths."""
    from gallery.pagination import encode_cursor

    last = db.execute("SELECT max(rowid) FROM gallery_image").fetchone()[0]
    sql = (
        "SELECT created_at, id FROM gallery_image WHERE rowid = ? AND "
        "(visibility = 'public' OR (visibility = 'private' AND owner_id IS ?))"
    )
    cursors = set()
    while len(cursors) < count:
        row = db.execute(sql, [rng.randint(1, last), owner_id]).fetchone()
        if row:
            at = datetime.fromisoformat(row[0]).isoformat()
            cursors.add(encode_cursor([at, row[1]]))
    return sorted(cursors)


def page_cursor(db, owner_id, page):
    """The cursor that opens gallery page ``page`` for the viewer."""
    from gallery.pagination import encode_cursor

    sql = (
        "SELECT created_at, id FROM gallery_image WHERE visibility = 'public' "
        "UNION ALL SELECT created_at, id FROM gallery_image "
        "WHERE visibility = 'private' AND owner_id IS ? "
        "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?"
    )
    created_at, pk = db.execute(sql, [owner_id, (page - 1) * PAGE - 1]).fetchone()
    return encode_cursor([datetime.fromisoformat(created_at).isoformat(), pk])


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
    join = (
        "FROM gallery_image_fts JOIN gallery_image "
        "ON gallery_image.rowid = +gallery_image_fts.rowid "
        f"WHERE gallery_image_fts MATCH ? AND {_audience(owner_id)}"
    )
    found = []
    for scope in ("title", "elsewhere"):
        sql = (
            f"SELECT gallery_image.id {join} "
            "ORDER BY gallery_image_fts.rowid DESC LIMIT ?"
        )
        expression = sqlite.expression(terms, scope)
        found += db.execute(sql, [expression, PAGE + 1 - len(found)]).fetchall()
        if len(found) > PAGE:
            break
    sql = f"SELECT count(*) FROM (SELECT 1 {join} LIMIT 1001)"
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
    """``call(*args)`` once, its wall and CPU seconds added under ``key``."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    call(*args)
    entry = samples.setdefault(key, {"wall": [], "cpu": []})
    entry["wall"].append(time.perf_counter() - started)
    entry["cpu"].append(time.thread_time() - cpu_started)


def view(client, path, params=None):
    response = client.get(path, params or {})
    assert response.status_code == 200, (path, params, response.status_code)


def run(viewers, db, requests, rng):
    """Every viewer's requests, kinds and viewers taking turns."""
    shares = word_shares(db)
    plans = {}
    for viewer, (client, owner_id) in viewers.items():
        plans[viewer] = {
            "cursors": visible_cursors(db, owner_id, requests, rng),
            "queries": distinct_queries(shares, requests, rng),
            "page 1,000": page_cursor(db, owner_id, 1000),
        }
        for warm in ("", "golden", "with the"):  # not timed
            client.get("/", {"q": warm})
    samples, shapes = {}, {}
    for i in range(requests):
        for viewer, (client, _) in viewers.items():
            plan = plans[viewer]
            shape, query = plan["queries"][i]
            calls = {
                "trivial view": (view, client, "/bench/trivial/"),
                "gallery": (view, client, "/", {"after": plan["cursors"][i]}),
                "page 1": (view, client, "/"),
                "page 1,000": (view, client, "/", {"after": plan["page 1,000"]}),
                "search": (view, client, "/", {"q": query}),
            }
            for name, call in calls.items():
                clock(samples, f"{viewer}|{name}", *call)
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
    gallery, search = stats["gallery"]["wall_p95_ms"], stats["search"]["wall_p95_ms"]
    return (
        f"{viewer}: gallery p95 {gallery:.1f} ms (≤ 10), "
        f"search p95 {search:.1f} ms (≤ 20); page 1,000 ÷ page 1 by throughput "
        f"{median['page 1'] / median['page 1,000']:.2f} (≥ 0.8); search ÷ gallery "
        f"median {median['search'] / median['gallery']:.2f} (≤ 2); gallery ÷ trivial "
        f"view median {median['gallery'] / median['trivial view']:.1f}×"
    )


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
    plans, samples, shapes = run(viewers, db, requests, random.Random(seed))
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
