"""The gallery, search and album pages read indexes, never a whole table.

At a million images one full scan of ``gallery_image`` takes seconds, so every
query behind the gallery and search pages (each filter, signed in or not,
first page and later pages) is checked with SQLite's EXPLAIN QUERY PLAN; so
are the album pages and the files of images seen through an album, where a
scan of the album tables costs as much.
"""

import re
from urllib.parse import parse_qsl

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's"
)

FULL_SCAN = re.compile(r"\bSCAN gallery_image\b(?!_fts)")
FTS_INDEX = re.compile(r"\bgallery_image(_title)?_fts\b")
SHOWS = ["all", "mine", "public", "private"]
QUERIES = ["", "sunset", "harbour sun", '"red sunset"', "s"]


@pytest.fixture
def library(user, other_user, bulk_images, settings):
    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 3
    for owner in (user, other_user):
        for visibility in ("public", "private"):
            bulk_images(
                owner,
                [
                    ("Red sunset", "over the harbour"),
                    ("Harbour", "a red sunset"),
                    ("Sunset harbour", "boats"),
                    ("Street", "night"),
                ],
                visibility=visibility,
            )


def plans_for(client, params):
    """The query plan of every query the page ran on the image table."""
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse("gallery:index"), params)
    assert response.status_code == 200
    plans = {}
    with connection.cursor() as cursor:
        for query in ran.captured_queries:
            if "gallery_image" in query["sql"]:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plans[query["sql"]] = [row[3] for row in cursor.fetchall()]
    more = re.search(r'rel="next"\s+href="\?([^"]+)"', response.content.decode())
    return plans, more and more.group(1).replace("&amp;", "&")


def assert_no_full_scan(plans):
    for sql, plan in plans.items():
        assert not [step for step in plan if FULL_SCAN.search(step)], (sql, plan)
        if FTS_INDEX.search(sql):
            # The index drives; images are only looked up by rowid. Walking an
            # image index (even a SEARCH on visibility) and probing the index
            # per row is the slow plan, minutes at a million images.
            steps = [s for s in plan if re.search(r"\bgallery_image\b", s)]
            assert steps, (sql, plan)
            assert all("INTEGER PRIMARY KEY" in s for s in steps), (sql, plan)
            assert plan.index(steps[0]) > min(
                i for i, s in enumerate(plan) if FTS_INDEX.search(s)
            ), (sql, plan)


@sqlite_only
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("show", SHOWS)
@pytest.mark.parametrize("viewer", ["owner", "anonymous"])
def test_gallery_and_search_never_scan_the_image_table(
    client_for, user, library, viewer, show, query
):
    client = client_for(user if viewer == "owner" else None)
    params = {"show": show, "q": query}
    plans, next_page = plans_for(client, params)
    assert plans, "the page ran no query on gallery_image"
    assert_no_full_scan(plans)
    if next_page:  # a later page: the cursor must seek, not scan
        later, _ = plans_for(client, dict(parse_qsl(next_page)))
        assert_no_full_scan(later)


@sqlite_only
@pytest.mark.parametrize(
    "sql",
    [
        # A LIKE over every title.
        "SELECT id FROM gallery_image WHERE title LIKE '%s%'",
        # The slow plan search must avoid: SQLite walks the visibility
        # index and runs the full-text query once per image.
        "SELECT count(*) FROM (SELECT 1 FROM gallery_image, gallery_image_fts "
        "WHERE gallery_image_fts.rowid = gallery_image.rowid AND "
        "gallery_image_fts MATCH 'sunset' AND visibility = 'public' LIMIT 9)",
    ],
)
def test_the_check_catches_slow_plans(library, sql):
    # The assertion above must be able to fail.
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = {sql: [row[3] for row in cursor.fetchall()]}
    with pytest.raises(AssertionError):
        assert_no_full_scan(plan)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN")
@pytest.mark.parametrize(
    ("scope", "index"),
    [
        ("all", "gallery_image_search_vector"),
        ("title", "gallery_image_title_vector"),
        ("elsewhere", "gallery_image_search_vector"),
    ],
)
def test_postgres_search_can_use_the_gin_index(user, library, scope, index):
    # A handful of rows is cheaper to read in full, so PostgreSQL would not
    # pick the index here; forbidding plain scans shows whether it *could*,
    # i.e. whether the query tests the indexed column.
    from gallery.models import Image

    matches = Image.objects.search("sun harb", scope=scope)
    sql, params = matches.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan on {index}" in plan, plan


# ------------------------------------------------------------------- albums

# Any table read in full, under its name or a subquery's alias (``U0``):
# an album entry scan reads every entry of the library wherever the
# visibility rule meets another owner's private image. A subquery's own
# result is read whole by design; its steps are in the plan too.
ANY_SCAN = re.compile(r"^SCAN (?!CONSTANT ROW|subquery)")


@pytest.fixture
def shared_album(user, other_user, bulk_images, settings):
    """An album of ``other_user``'s, their public and private images,
    shared with ``user``; ``user`` has an album of their own too."""
    from gallery.models import Image
    from gallery.services.albums import album_add_images, album_create, album_share

    settings.IMAGEREPO_GALLERY_PAGE_SIZE = 2
    for owner in (user, other_user):
        for visibility in ("public", "private"):
            bulk_images(owner, ["Harbour", "Street", "Beach"], visibility=visibility)
    album = album_create(owner=other_user, title="Weekend")
    album_add_images(
        album, user=other_user, images=Image.objects.filter(owner=other_user)
    )
    album_share(album, user=other_user, username=user.username)
    own = album_create(owner=user, title="Mine")
    album_add_images(own, user=user, images=Image.objects.filter(owner=user)[:2])
    return album


def page_plans(client, url):
    """The query plan of every query a request for ``url`` ran, and the
    page's links to the next and previous pages."""
    with CaptureQueriesContext(connection) as ran:
        response = client.get(url)
    assert response.status_code in (200, 404), url
    with connection.cursor() as cursor:
        plans = {}
        for query in ran.captured_queries:
            if query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                plans[query["sql"]] = [row[3] for row in cursor.fetchall()]
    html = response.content.decode().replace("&amp;", "&")
    links = re.findall(r'rel="(?:next|prev)"\s+href="(\?[^"]+)"', html)
    return plans, links


def assert_no_scan(plans):
    for sql, plan in plans.items():
        assert not [step for step in plan if ANY_SCAN.search(step)], (sql, plan)


@sqlite_only
def test_album_pages_and_shared_files_read_indexes_only(
    client_for, user, other_user, shared_album, bulk_images
):
    from gallery.models import Image

    private = Image.objects.get(owner=other_user, visibility="private", title="Harbour")
    unshared = bulk_images(other_user, ["Not shared"], visibility="private")[0]
    client = client_for(user)
    for url in [
        reverse("gallery:album", args=[shared_album.pk]),
        reverse("gallery:albums"),
        reverse("gallery:index") + "?show=shared",
        reverse("gallery:thumbnail", args=[private.pk]),
        reverse("gallery:detail", args=[private.pk]),
        reverse("gallery:original", args=[private.pk]),  # downloads not allowed
        reverse("gallery:thumbnail", args=[unshared.pk]),  # not theirs: 404
    ]:
        plans, _ = page_plans(client, url)
        assert any("gallery_image" in sql for sql in plans), url
        assert_no_scan(plans)


def assert_images_by_key(plans):
    """Images are looked up by key from the album's entries. A date index
    searched from a page's cursor down reads every image older than it."""
    steps = [s for plan in plans.values() for s in plan]
    assert any("gallery_albumimage" in s for s in steps), plans
    on_images = [s for s in steps if re.search(r"\bgallery_image\b(?!_fts)", s)]
    assert on_images, plans
    assert all(s.endswith("(id=?)") for s in on_images), plans


@sqlite_only
def test_every_page_of_an_album_reads_its_entries(client_for, user, shared_album):
    album_url = reverse("gallery:album", args=[shared_album.pk])
    plans, links = page_plans(client_for(user), album_url)
    assert_images_by_key(plans)
    later, links = page_plans(client_for(user), album_url + links[0])
    assert_images_by_key(later)
    assert "before=" in links[0]  # "Newer", back to the first page
    newer, _ = page_plans(client_for(user), album_url + links[0])
    assert_images_by_key(newer)
