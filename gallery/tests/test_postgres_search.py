"""PostgreSQL search: pages read through the GIN index or a bounded walk.

At a million images PostgreSQL's own plan for "the newest matches" walked
the whole table for a rare word. gallery.search.postgres.pages chooses
instead. These tests check its plans on 50,000 ANALYZEd rows (with
the limits on numbers of matches scaled by the same twentieth, so that it
chooses as it would at a million), and that every way it can read a page
gives the same results.
"""

import re
from urllib.parse import parse_qsl

import pytest
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gallery.models import Image
from gallery.search import count_matches, parse_terms, ranked_page
from gallery.search.postgres import pages
from gallery.search.postgres.schema import CONFIG

pytestmark = pytest.mark.db_vendor("postgresql")

ROWS = 50_000
SCALE = ROWS / 1_000_000
GIN_INDEXES = {"gallery_image_search_vector", "gallery_image_title_vector"}
# Every tenth image is Alice's, every seventh private. Titles and
# descriptions cycle through common words, and through 350 less common ones
# (frame0-frame199, album0-album149, each in 0.5-0.7% of images: without a
# hundred words to go by, PostgreSQL guesses 2% for any prefix). Five images
# hold rare words.
LIBRARY_SQL = """
INSERT INTO gallery_image (id, owner_id, title, description, visibility,
    original, original_filename, format, width, height, file_size, sha256,
    thumbnail, thumbnail_width, thumbnail_height, display, display_width,
    display_height, created_at, updated_at)
SELECT gen_random_uuid(), CASE WHEN n %% 10 = 0 THEN %(alice)s ELSE %(bob)s END,
    CASE n WHEN 777 THEN 'Zeppelin over Łódź' WHEN 31000 THEN 'Zeppelin hangar'
    ELSE (ARRAY['Beach', 'Harbour', 'Sunset', 'Forest', 'Street', 'Market'])
        [1 + n %% 6] || ' ' || (ARRAY['golden', 'red', 'quiet', 'misty'])
        [1 + (n / 6) %% 4] || ' frame' || n %% 200 || ' ' || n END,
    CASE n WHEN 4242 THEN 'a quokka smiling' WHEN 4250 THEN 'zeppelin, far off'
    ELSE (ARRAY['waves on the beach', 'boats at noon', 'an ox in a field',
        'a 3d print', 'city lights', 'rain'])[1 + (n / 24) %% 6]
        || ', album' || (n / 7) %% 150 END,
    CASE WHEN n %% 7 = 0 THEN 'private' ELSE 'public' END,
    'originals/pg-' || n || '.jpg', 'pg.jpg', 'JPEG', 40, 30, 100,
    lpad(n::text, 64, '0'), 'renditions/pg-' || n || '-t.jpg', 40, 30,
    'renditions/pg-' || n || '-d.jpg', 40, 30,
    timestamptz '2024-01-01' + n * interval '1 minute', now()
FROM generate_series(1, %(rows)s) AS n
"""
RARE = ["zeppelin", "quokka", "zyxwvut", "lodz"]
QUERIES = RARE + ["beach", "golden beach", "sun", '"sunset red"', "ox", "3d", "b"]
VIEWS = [("anonymous", "all")] + [("alice", s) for s in ("all", "mine", "public")]
VIEWS += [("alice", "private")]


@pytest.fixture(scope="module")
def library(django_db_setup, django_db_blocker):
    """50,000 images, committed and ANALYZEd once for this module (as
    autovacuum would after a bulk import), removed afterwards."""
    with django_db_blocker.unblock():
        users = get_user_model().objects
        alice, bob = users.create_user("pg-alice"), users.create_user("pg-bob")
        with connection.cursor() as cursor:
            cursor.execute(
                LIBRARY_SQL, {"alice": alice.pk, "bob": bob.pk, "rows": ROWS}
            )
            cursor.execute("ANALYZE gallery_image")
        yield {"alice": alice, "anonymous": None}
        with connection.cursor() as cursor:  # rows only: these have no files
            cursor.execute(
                "DELETE FROM gallery_image WHERE owner_id IN (%s, %s)",
                [alice.pk, bob.pk],
            )
            cursor.execute("ANALYZE gallery_image")
        users.filter(pk__in=[alice.pk, bob.pk]).delete()


@pytest.fixture
def at_a_million(monkeypatch, settings):
    """The limits on numbers of matches (gathering, the count cap) as they
    stand to a million images. Those on images walked stay: they set the
    share of images matching below which a walk stops paying, and the
    planner's own choices go by shares too."""
    monkeypatch.setattr(pages, "FEW", round(pages.FEW * SCALE))
    settings.IMAGEREPO_RESULT_COUNT_CAP = round(1000 * SCALE)


def page_queries(client, params):
    """The SQL of every query the page ran on images (EXPLAINs left out),
    and the parameters of its next page."""
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse("gallery:index"), params)
    assert response.status_code == 200
    sql = [q["sql"] for q in ran.captured_queries if "gallery_image" in q["sql"]]
    more = re.search(r'rel="next"\s+href="\?([^"]+)"', response.content.decode())
    later = dict(parse_qsl(more.group(1).replace("&amp;", "&"))) if more else None
    return [s for s in sql if not s.startswith("EXPLAIN")], later


def plan_nodes(sql, params=()):
    """Every node of PostgreSQL's plan for ``sql``."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (plan,) = cursor.fetchone()[0]
    stack = [plan["Plan"]]
    while stack:
        node = stack.pop()
        stack += node.get("Plans", [])
        yield node


def slow_steps(sql, params=()):
    """What in the plan of ``sql`` reads images without bound: a scan of the
    whole table, or a walk along an index testing each image against the
    words (it stops only at the page's last match, so for a rare word it
    reads every image)."""
    for node in plan_nodes(sql, params):
        if node.get("Relation Name") != "gallery_image":
            continue
        if node["Node Type"] == "Seq Scan":
            yield f"reads the whole table: {sql}"
        walks = node["Node Type"] in ("Index Scan", "Index Only Scan")
        if walks and "@@" in node.get("Filter", ""):
            yield f"walks {node['Index Name']} testing every image: {sql}"


def uses_gin(sql):
    return any(node.get("Index Name") in GIN_INDEXES for node in plan_nodes(sql))


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(("viewer", "show"), VIEWS)
def test_search_pages_never_read_the_image_table_unbounded(
    library, at_a_million, client_for, viewer, show, query
):
    client = client_for(library[viewer])
    params = {"q": query, "show": show}
    for _page in range(2):  # the first page, then the next through its cursor
        queries, params = page_queries(client, params)
        assert queries, "the page ran no query on gallery_image"
        for sql in queries:
            assert not list(slow_steps(sql))
        if params is None:
            break


@pytest.mark.django_db
@pytest.mark.parametrize("query", RARE)
@pytest.mark.parametrize("viewer", ["anonymous", "alice"])
def test_rare_words_are_read_through_the_gin_index(
    library, at_a_million, client_for, viewer, query
):
    queries, _ = page_queries(client_for(library[viewer]), {"q": query})
    assert any(uses_gin(sql) for sql in queries), queries


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["zyxwvut", "zeppelin"])
def test_the_check_sees_the_plan_postgresql_makes_at_a_million(library, query):
    # PostgreSQL's own plan for "the newest 49 matches" of a rare word, at a
    # million images: it guesses ~2,800 matches for a word it has no
    # statistics on, so walking newest first looks cheap; it reads every
    # image. Here (50,000 images) it guesses 90 and gathers, so the walk is
    # forced; the check above must see it.
    newest = Image.objects.filter(visibility="public").search(query)[:49]
    with connection.cursor() as cursor:  # until the test's transaction ends
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    assert list(slow_steps(*newest.query.sql_with_params()))


# ---------------------------------------------------------------- same results


def previous_results(queryset, query):
    """Every match in the order the implementation this replaced gave
    (commit 36106c2): a weighted vector computed from the text (title A,
    description B), the title tier asking for weight A, newest first."""
    vector = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "description", weight="B", config=CONFIG
    )

    def words(term, weight):
        *whole, last = term.words
        lexemes = [f"'{w}'" + (f":{weight}" if weight else "") for w in whole]
        marks = ("*" if term.prefix else "") + weight
        lexemes.append(f"'{last}'" + (f":{marks}" if marks else ""))
        return "(" + " <-> ".join(lexemes) + ")"

    terms = parse_terms(query)
    every = " & ".join(words(t, "") for t in terms)
    in_title = " & ".join(words(t, "A") for t in terms)
    found = []
    for tsquery in (in_title, f"({every}) & !({in_title})") if terms else ():
        tier = queryset.alias(v=vector).filter(
            v=SearchQuery(tsquery, search_type="raw", config=CONFIG)
        )
        found += tier.order_by("-created_at", "-pk").values_list("pk", flat=True)
    return found


PATHS = {
    "walk": {"SHORT_WALK": 10**9},
    "gather": {"SHORT_WALK": 0, "FEW": 10**9},
    "walk, then gather the rest": {"SHORT_WALK": 0, "FEW": 0, "WINDOW": 3},
}


@pytest.fixture
def mixed(user, other_user, bulk_images):
    for owner in (user, other_user):
        for visibility in ("public", "private"):
            bulk_images(
                owner,
                [
                    ("Kite festival", "on the beach"),
                    ("Beach kites", "red kite"),
                    ("Harbour", "a kite and a kitten"),
                    ("Kitchen", "soup"),
                    ("Red kite", "bird"),
                    ("Street", "kite shop"),
                    ("Kite", ""),
                    ("Red", "kite over the Café"),
                    ("Café crème", "in Łódź"),
                    ("Saint-Malo", "kites, an ox"),
                ],
                visibility=visibility,
            )


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "query",
    ["kite", "kit", "red kite", '"red kite"', "cafe", "lodz", "saint-malo", "ox"]
    + ["zz", "!!!"],
)
@pytest.mark.parametrize("viewer", ["owner", "anonymous"])
def test_pages_give_what_the_previous_implementation_did(
    monkeypatch, mixed, user, path, query, viewer
):
    for name, value in PATHS[path].items():
        monkeypatch.setattr(pages, name, value)
    visible = Image.objects.visible_to(user if viewer == "owner" else None)
    expected = previous_results(visible, query)
    found, cursor = [], None
    while True:
        page = ranked_page(visible, query, cursor, 2)
        found += [image.pk for image in page.items]
        if not (cursor := page.next_cursor):
            break
    assert found == expected
    for cap in (1, 3, 100):
        assert count_matches(visible, query, cap) == min(len(expected), cap + 1)


@pytest.mark.django_db
def test_the_fixture_tells_the_tiers_apart(mixed, user):
    # The comparison above means something only if tiers reorder matches.
    visible = Image.objects.visible_to(user)
    newest_first = visible.search("red kite").order_by("-created_at", "-pk")
    assert previous_results(visible, "red kite") != list(
        newest_first.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_count_far_over_the_cap_is_the_estimate(library):
    visible = Image.objects.visible_to(None)
    with CaptureQueriesContext(connection) as ran:
        assert count_matches(visible, "beach", 100) == 101
    assert all(q["sql"].startswith("EXPLAIN") for q in ran.captured_queries)
    assert count_matches(visible, "zeppelin", 100) == 2
