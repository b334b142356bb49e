"""Search at a million images (issue 5), in one run:

* the search view (Django test client: URL routing, middleware, the ranked
  query, the capped count, the template with highlighting), as anonymous and
  as an owner, for a rare word, a common word, two words, a prefix, no match;
* ÷ the same ranked page done directly on the FTS5 index with sqlite3;
* ÷ the same ranked page done with a plain ``LIKE '%word%'`` scan.

    .venv/bin/python -m bench.search            # 1,000,000 images
    .venv/bin/python -m bench.search 100000     # a smaller library

"""

import json
import os
import sqlite3
import sys

from bench.dataset import RESULTS, build, django_env
from bench.timing import summary, timed

RUNS, LIKE_RUNS = 40, 7
PAGE = 48


def choose_queries(db):
    """Realistic queries, picked by how often their words occur."""
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


def fts_page(db, query, owner_id):
    """The ranked page as the site builds it, straight on FTS5 with sqlite3."""
    from gallery.search import parse_terms, sqlite

    terms = parse_terms(query)
    audience = "visibility = 'public'" + (
        f" OR owner_id = {owner_id}" if owner_id else ""
    )
    join = (
        "FROM gallery_image_fts JOIN gallery_image "
        "ON gallery_image.rowid = +gallery_image_fts.rowid "
        f"WHERE gallery_image_fts MATCH ? AND ({audience})"
    )
    found = []
    for scope in ("title", "elsewhere"):
        order = "ORDER BY gallery_image_fts.rowid DESC LIMIT ?"
        sql = f"SELECT gallery_image.id {join} {order}"
        found += db.execute(
            sql, [sqlite.expression(terms, scope), PAGE + 1 - len(found)]
        ).fetchall()
        if len(found) > PAGE:
            break
    sql = f"SELECT count(*) FROM (SELECT 1 {join} LIMIT 1001)"
    db.execute(sql, [sqlite.expression(terms, "all")]).fetchone()
    return found


def like_page(db, query, owner_id):
    """The same ranked page with LIKE: title matches first, newest first."""
    words = query.split()
    audience = "visibility = 'public'" + (
        f" OR owner_id = {owner_id}" if owner_id else ""
    )
    anywhere = " AND ".join("(title LIKE ? OR description LIKE ?)" for _ in words)
    in_title = " AND ".join("title LIKE ?" for _ in words)
    sql = (
        f"SELECT id FROM gallery_image WHERE ({audience}) AND {anywhere} "
        f"ORDER BY ({in_title}) DESC, created_at DESC LIMIT {PAGE + 1}"
    )
    patterns = [f"%{w}%" for w in words]
    return db.execute(sql, [p for p in patterns for _ in (0, 1)] + patterns).fetchall()


def measure(client, db, query, owner_id):
    def view():
        response = client.get("/", {"q": query})
        assert response.status_code == 200, response.status_code

    return {
        "view": summary(timed(view, RUNS)),
        "fts": summary(timed(lambda: fts_page(db, query, owner_id), RUNS)),
        "like": summary(timed(lambda: like_page(db, query, owner_id), LIKE_RUNS, 1)),
    }


def main(rows):
    path = build(rows)
    os.environ.update(django_env(path, DJANGO_SETTINGS_MODULE="bench.settings"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    db = sqlite3.connect(path)
    db.execute("PRAGMA mmap_size=268435456")
    queries = choose_queries(db)
    owner = get_user_model().objects.get(username="owner42")
    viewers = {"anonymous": (Client(), None), "owner": (Client(), owner.pk)}
    viewers["owner"][0].force_login(owner)
    results = []
    for viewer, (client, owner_id) in viewers.items():
        for label, query in queries.items():
            results.append(
                {"viewer": viewer, "case": label, "query": query}
                | measure(client, db, query, owner_id)
            )
            report_line(results[-1])
    RESULTS.mkdir(exist_ok=True)
    name = f"search-{rows}.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2))


def report_line(r):
    view, fts, like = r["view"], r["fts"], r["like"]
    print(
        f"| {r['viewer']} | {r['case']} (`{r['query']}`) "
        f"| {view['wall_median_ms']:.1f} / {view['wall_p95_ms']:.1f} "
        f"| {view['cpu_median_ms']:.1f} / {view['cpu_p95_ms']:.1f} "
        f"| {fts['wall_median_ms']:.2f} / {fts['wall_p95_ms']:.2f} "
        f"| {view['wall_p95_ms'] / fts['wall_p95_ms']:.0f}× "
        f"| {like['wall_median_ms']:.0f} "
        f"| {like['wall_median_ms'] / view['wall_median_ms']:.0f}× |",
        flush=True,
    )


if __name__ == "__main__":
    print(
        "| viewer | query | view ms, median / p95 | view CPU ms, median / p95 "
        "| FTS ms, median / p95 | view ÷ FTS (p95) | LIKE median ms "
        "| LIKE ÷ view (median) |\n|---|---|---|---|---|---|---|---|"
    )
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
